//! The read model: what the library's queries answer with (roots, assets,
//! files, folders, the timeline, status). Plain data built from catalog
//! records; the queries themselves are `Library` methods in the files named
//! for their topic (roots.rs, assets.rs, status.rs).

use std::path::PathBuf;

use trove_catalog::{Asset, AssetQuery, AssetStatus, CatalogCounts, FileRecord, JobCounts, RootState, ScanProblem};
use trove_types::{AssetId, AssetKind, CaptureTime, FolderKinds, Metadata};

/// A watched folder with its counts.
#[derive(Debug, Clone)]
pub struct RootInfo {
    pub id: i64,
    pub path: PathBuf,
    pub state: RootState,
    pub follow_symlinks: bool,
    /// Which of the folder's files become assets.
    pub kinds: FolderKinds,
    pub added_at: i64,
    pub last_scan_at: Option<i64>,
    pub files: u64,
    pub missing_files: u64,
    pub problems: u64,
}

/// An asset as listings show it.
#[derive(Debug, Clone)]
pub struct AssetSummary {
    pub id: AssetId,
    pub kind: AssetKind,
    pub mime: Option<String>,
    pub size: u64,
    pub status: AssetStatus,
    pub capture: Option<CaptureTime>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// File name of the representative file.
    pub name: String,
    /// Absolute path of the representative file.
    pub path: PathBuf,
    pub file_count: u32,
    /// The ThumbHash placeholder, once proxies were made.
    pub thumbhash: Option<Vec<u8>>,
    /// Its objects in the sync target: `synced`, `pending`, `failed`, or
    /// `None` when it has none (no target, or not planned yet).
    pub sync: Option<String>,
    /// Stars, flag and colour label (what the person set, or the file's
    /// XMP until they edit).
    pub marks: trove_catalog::Marks,
}

/// A file of an asset, with its absolute path.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub root_id: i64,
    pub path: PathBuf,
    pub record: FileRecord,
}

/// Everything the catalog knows of one asset.
#[derive(Debug, Clone)]
pub struct AssetDetail {
    pub asset: Asset,
    pub files: Vec<FileInfo>,
    pub metadata: Option<Metadata>,
    /// What the person set (for an asset never edited, what its file's XMP
    /// says).
    pub curation: trove_catalog::Curation,
    /// Proxies made from the asset (paths relative to the library).
    pub derivatives: Vec<trove_catalog::Derivative>,
    pub thumbhash: Option<Vec<u8>>,
    /// Why proxies could not be made (`code: message`).
    pub proxy_error: Option<String>,
}

/// An asset with more than one file.
#[derive(Debug, Clone)]
pub struct DuplicateSet {
    pub asset: Asset,
    pub files: Vec<FileInfo>,
}

/// The state of the whole library.
#[derive(Debug, Clone)]
pub struct LibraryStatus {
    pub library: PathBuf,
    pub counts: CatalogCounts,
    pub jobs: JobCounts,
    pub roots: Vec<RootInfo>,
}

/// A path that could not be catalogued, with its absolute path.
#[derive(Debug, Clone)]
pub struct ProblemInfo {
    pub path: PathBuf,
    pub problem: ScanProblem,
}

/// Filter and paging for [`Library::assets`].
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    pub kind: Option<AssetKind>,
    pub status: Option<AssetStatus>,
    pub root_id: Option<i64>,
    /// With `root_id`: only assets with a file in this folder of the root or
    /// below it (relative to the root).
    pub folder: Option<PathBuf>,
    pub offset: u64,
    pub limit: Option<u64>,
}

impl AssetFilter {
    /// The catalog's query for this filter; without paging unless `paged`.
    pub(crate) fn query(&self, paged: bool) -> AssetQuery {
        AssetQuery {
            kind: self.kind,
            status: self.status,
            root_id: self.root_id,
            folder: self.folder.clone(),
            offset: if paged { self.offset } else { 0 },
            limit: if paged { self.limit } else { None },
        }
    }
}

/// One folder of a watched folder's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    /// Relative to the watched folder.
    pub path: PathBuf,
    /// Files present in it or below it.
    pub files: u64,
}

/// One section of the timeline: consecutive assets captured on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineDay {
    /// The capture's wall-clock date; `None` for assets without a capture time.
    pub date: Option<time::Date>,
    pub count: u64,
}

/// Options for adding a root.
#[derive(Debug, Clone, Copy, Default)]
pub struct AddRootOptions {
    /// Follow symbolic links inside the root (loops are detected).
    pub follow_symlinks: bool,
    /// Which of its files become assets; `None` keeps the folder's setting
    /// (media, for a new folder).
    pub kinds: Option<FolderKinds>,
}
