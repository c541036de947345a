//! The library, its watched folders and their sub-folders, as the page
//! sees them.

use serde::Serialize;
use trove_core::{LibraryStatus, RootInfo};
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
pub struct RootDto {
    #[ts(type = "number")]
    pub id: i64,
    pub path: String,
    /// "online" or "offline".
    pub state: String,
    /// Which of its files become assets: "media" (photos, videos, sound,
    /// PDFs), "documents" (also text, office files, e-books) or "all".
    pub kinds: String,
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub missing_files: u64,
    #[ts(type = "number")]
    pub problems: u64,
    /// Unix ms of the last completed full scan.
    #[ts(type = "number | null")]
    pub last_scan_at: Option<i64>,
}

impl From<&RootInfo> for RootDto {
    fn from(r: &RootInfo) -> Self {
        RootDto {
            id: r.id,
            path: r.path.to_string_lossy().into_owned(),
            state: r.state.as_str().to_owned(),
            kinds: r.kinds.as_str().to_owned(),
            files: r.files,
            missing_files: r.missing_files,
            problems: r.problems,
            last_scan_at: r.last_scan_at,
        }
    }
}

/// What removing a watched folder did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RemovedRootDto {
    pub path: String,
    /// File records no longer tracked.
    #[ts(type = "number")]
    pub files: u64,
    /// Assets found nowhere else, now shown as missing.
    #[ts(type = "number")]
    pub now_missing: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct LibraryDto {
    pub path: String,
    /// False when another Trove process owns the library: browsing works,
    /// adding folders does not.
    pub writable: bool,
    #[ts(type = "number")]
    pub assets: u64,
    #[ts(type = "number")]
    pub missing: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub problems: u64,
    pub roots: Vec<RootDto>,
}

impl LibraryDto {
    pub fn new(s: &LibraryStatus, writable: bool) -> Self {
        LibraryDto {
            path: s.library.to_string_lossy().into_owned(),
            writable,
            assets: s.counts.assets,
            missing: s.counts.missing,
            bytes: s.counts.bytes,
            problems: s.counts.scan_problems,
            roots: s.roots.iter().map(RootDto::from).collect(),
        }
    }
}

/// What recovering a library from a bucket brought back. The recovered
/// library waits beside the open one and takes its place when Trove
/// starts again.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RecoveredDto {
    /// Where the recovered library waits until the restart.
    pub staged: String,
    #[ts(type = "number")]
    pub assets: u64,
    /// The catalog snapshot it came from; null: rebuilt from the manifests.
    pub snapshot: Option<String>,
    /// Manifests applied on top of the snapshot (or all of them).
    #[ts(type = "number")]
    pub manifests_applied: u64,
    #[ts(type = "number")]
    pub proxies_fetched: u64,
    /// Originals stored in the bucket (Restore brings them back).
    #[ts(type = "number")]
    pub originals_in_target: u64,
    /// Originals the catalog names that the bucket lacks.
    pub originals_missing: Vec<String>,
}

impl From<&trove_core::RecoverReport> for RecoveredDto {
    fn from(r: &trove_core::RecoverReport) -> Self {
        RecoveredDto {
            staged: r.library.display().to_string(),
            assets: r.assets,
            snapshot: r.snapshot.as_ref().map(|s| s.key.clone()),
            manifests_applied: r.manifests_applied,
            proxies_fetched: r.proxies_fetched,
            originals_in_target: r.originals_in_target,
            originals_missing: r.originals_missing.clone(),
        }
    }
}

/// One folder of a watched folder's tree.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FolderDto {
    /// Relative to the watched folder, `/`-separated, for showing (a name
    /// that is not UTF-8 shows with replacement characters).
    pub path: String,
    /// The same path as the app knows it, for asking by: its bytes with
    /// `%`, control and non-ASCII bytes percent-encoded, so that every name
    /// a file system allows comes back exactly. Opaque to the page.
    pub key: String,
    /// Its own name (the last part of `path`).
    pub name: String,
    /// How deep it is: 1 for a folder directly in the watched folder.
    pub depth: u32,
    /// Files in it or below it.
    #[ts(type = "number")]
    pub files: u64,
}

impl From<&trove_core::FolderInfo> for FolderDto {
    fn from(f: &trove_core::FolderInfo) -> Self {
        FolderDto {
            path: f.path.to_string_lossy().into_owned(),
            key: crate::folder_key::encode(&f.path),
            name: f
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            depth: f.path.components().count() as u32,
            files: f.files,
        }
    }
}
