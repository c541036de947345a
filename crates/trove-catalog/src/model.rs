//! Rows as the catalog returns them.

use std::path::PathBuf;

use trove_types::{AssetId, AssetKind, CaptureTime, ColorLabel, ContentHash, Flag, FolderKinds, Metadata};

pub type RootId = i64;
pub type FileId = i64;
/// The catalog's internal row id of an asset (the UUID is its public name).
pub type AssetRowId = i64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RootState {
    Online,
    Offline,
}

impl RootState {
    pub fn as_str(self) -> &'static str {
        match self {
            RootState::Online => "online",
            RootState::Offline => "offline",
        }
    }
}

/// A watched folder.
#[derive(Debug, Clone)]
pub struct Root {
    pub id: RootId,
    pub path: PathBuf,
    pub device: Option<u64>,
    pub state: RootState,
    pub follow_symlinks: bool,
    pub added_at: i64,
    pub last_scan_at: Option<i64>,
    /// Which of the folder's files become assets.
    pub kinds: FolderKinds,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssetStatus {
    /// At least one file of the asset is present on an online root.
    Present,
    /// Every file of the asset is gone; the asset and its user data are kept.
    Missing,
    /// The asset's files are on roots that are offline (unmounted drives).
    Offline,
}

impl AssetStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            AssetStatus::Present => "present",
            AssetStatus::Missing => "missing",
            AssetStatus::Offline => "offline",
        }
    }
}

/// One asset: a unique content, with its identity and technical summary.
#[derive(Debug, Clone)]
pub struct Asset {
    pub row_id: AssetRowId,
    pub id: AssetId,
    pub blake3: ContentHash,
    pub md5: Option<[u8; 16]>,
    pub size: u64,
    pub kind: AssetKind,
    pub mime: Option<String>,
    pub capture: Option<CaptureTime>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<i64>,
    pub status: AssetStatus,
    pub created_at: i64,
    pub updated_at: i64,
}

/// One file on disk that holds an asset's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    pub id: FileId,
    pub asset_row_id: AssetRowId,
    pub root_id: RootId,
    pub rel_path: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    pub device: u64,
    pub present: bool,
    pub missing_since: Option<i64>,
    /// When the content was last read and hashed (Unix ms).
    pub hashed_at: i64,
    /// Modification time of the XMP sidecar when the file was last read.
    pub sidecar_mtime_ns: Option<i64>,
}

impl FileRecord {
    /// How much older than `hashed_at` the mtime must be for the record's
    /// (size, mtime, inode) to prove the content unchanged. File systems
    /// stamp mtimes at clock-tick granularity, so a write right after we
    /// hashed can keep the same mtime.
    pub const RACY_MARGIN_MS: i64 = 5_000;

    /// True if the content may have changed without the mtime showing it.
    pub fn is_racy(&self) -> bool {
        self.mtime_ns.div_euclid(1_000_000) >= self.hashed_at - Self::RACY_MARGIN_MS
    }
}

/// What a scan learns from a file's directory entry without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileStat {
    pub size: u64,
    pub mtime_ns: i64,
    pub inode: u64,
    pub device: u64,
    /// Modification time of the file's XMP sidecar, if it has one.
    pub sidecar_mtime_ns: Option<i64>,
}

/// The content-derived facts of an asset, written when it is hashed.
#[derive(Debug, Clone)]
pub struct AssetContent {
    pub blake3: ContentHash,
    pub md5: Option<[u8; 16]>,
    pub size: u64,
    pub kind: AssetKind,
    pub mime: Option<String>,
    pub capture: Option<CaptureTime>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub duration_ms: Option<i64>,
    pub metadata: Option<Metadata>,
}

/// A path that a scan found but could not catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanProblem {
    pub root_id: RootId,
    pub rel_path: PathBuf,
    pub code: String,
    pub message: String,
    pub first_seen: i64,
    pub last_seen: i64,
}

/// One row of the append-only event log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogEvent {
    pub id: i64,
    pub at: i64,
    pub kind: String,
    pub asset_row_id: Option<AssetRowId>,
    pub root_id: Option<RootId>,
    pub path: Option<String>,
    pub detail: Option<String>,
}

/// An asset with the file that represents it in listings.
#[derive(Debug, Clone)]
pub struct AssetListing {
    pub asset: Asset,
    /// The first present file (or the first file, if all are missing).
    pub root_id: RootId,
    pub rel_path: PathBuf,
    pub file_count: u32,
    /// The ThumbHash placeholder, once proxies were made.
    pub thumbhash: Option<Vec<u8>>,
    /// Its objects in the active sync target: `synced`, `pending`,
    /// `failed`, or `None` when it has none.
    pub sync: Option<String>,
    /// Stars, flag and label.
    pub marks: Marks,
}

/// Filters and paging for [`crate::Catalog::list_assets`].
#[derive(Debug, Clone, Default)]
pub struct AssetQuery {
    pub kind: Option<AssetKind>,
    pub status: Option<AssetStatus>,
    pub root_id: Option<RootId>,
    /// With `root_id`: only assets with a file in this folder of the root
    /// or below it (a path relative to the root; empty: the whole root).
    pub folder: Option<PathBuf>,
    pub offset: u64,
    pub limit: Option<u64>,
}

/// One folder of a root's tree, as its files' paths give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderCount {
    /// Relative to the root.
    pub path: PathBuf,
    /// Files present in it or below it.
    pub files: u64,
}

/// One section of the timeline: consecutive assets captured on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayRun {
    /// Days since 1970-01-01 of the local capture date; `None`: no capture time.
    pub day: Option<i64>,
    pub count: u64,
}

/// What removing a watched folder did ([`crate::Batch::remove_root`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RemovedRoot {
    /// File records forgotten.
    pub files: u64,
    /// Assets that had a file there.
    pub assets: u64,
    /// Of those, how many have no file left anywhere and are now missing.
    pub now_missing: u64,
}

/// Counts for `trove status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CatalogCounts {
    pub assets: u64,
    pub present: u64,
    pub missing: u64,
    pub offline: u64,
    pub files: u64,
    pub bytes: u64,
    pub by_kind: Vec<(AssetKind, u64)>,
    pub scan_problems: u64,
}

/// What a grid cell shows of an asset's curation: stars, flag, label.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Marks {
    pub rating: u8,
    pub flag: Option<Flag>,
    pub label: Option<ColorLabel>,
}
