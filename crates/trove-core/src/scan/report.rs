//! What a scan reports when it ends (also carried by its events).

use std::path::PathBuf;

/// What a scan did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScanReport {
    pub root_id: i64,
    pub root: PathBuf,
    /// The root was not reachable (unmounted drive): nothing was changed.
    pub offline: bool,
    /// Regular files found.
    pub files_seen: u64,
    /// Files whose size, mtime and inode were as catalogued: not read.
    pub unchanged: u64,
    /// Files with content the catalog did not have: new assets.
    pub new_assets: u64,
    /// Files with content of an asset already known (a copy elsewhere).
    pub duplicates: u64,
    /// Files whose content changed.
    pub changed: u64,
    /// Files renamed or moved (identity kept, nothing re-imported).
    pub moved: u64,
    /// Files that were catalogued but are gone now.
    pub missing: u64,
    /// Files that were missing and are back.
    pub returned: u64,
    /// Paths that could not be catalogued (each is recorded with a reason).
    pub problems: u64,
    pub symlinks_skipped: u64,
    /// Files the folder's setting leaves out (not photos, videos, sound or
    /// PDFs, by their content): not catalogued.
    pub left_out: u64,
    pub bytes_read: u64,
    pub elapsed_ms: u64,
}

impl ScanReport {
    /// True if the scan changed nothing in the catalog.
    pub fn is_noop(&self) -> bool {
        self.new_assets == 0
            && self.duplicates == 0
            && self.changed == 0
            && self.moved == 0
            && self.missing == 0
            && self.returned == 0
    }
}
