//! Watched folders: adding, removing, finding and scanning them.

use std::path::Path;

use trove_catalog::{RemovedRoot, Root};
use trove_types::FolderKinds;

use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::events::EventSink;
use crate::fsmeta::device_of;
use crate::library::Library;
use crate::model::{AddRootOptions, RootInfo};
use crate::scan::report::ScanReport;
use crate::scan::{ScanParams, ScanScope};

impl Library {
    /// Adds a folder to watch. It is not scanned yet: call
    /// [`Library::enqueue_scan`] or [`Library::scan_root`]. Adding the same
    /// folder again returns the existing root.
    pub fn add_root(&self, path: &Path, opts: AddRootOptions) -> Result<(RootInfo, bool)> {
        self.require_writer("adding a folder")?;
        let (path, meta) = self.check_root_path(path, None)?;
        let mut cat = self.catalog();
        let mut b = cat.batch(self.now_ms())?;
        let (mut root, created) = b.add_root(&path, device_of(&meta), opts.follow_symlinks)?;
        if let Some(kinds) = opts.kinds {
            b.set_root_kinds(root.id, kinds)?;
            root.kinds = kinds;
        }
        b.commit()?;
        drop(cat);
        Ok((self.root_info(root)?, created))
    }

    /// The checks a folder passes to be watched (as a new root, or as the
    /// new place of root `moving`): it exists and is a folder, not a system
    /// folder, not inside the library nor holding it, not overlapping a
    /// folder target or another root. Returns its canonical path.
    fn check_root_path(&self, path: &Path, moving: Option<i64>) -> Result<(std::path::PathBuf, std::fs::Metadata)> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CoreError::NotAFolder { path: path.to_owned() },
            _ => CoreError::io("read folder", path, e),
        })?;
        if !meta.is_dir() {
            return Err(CoreError::NotAFolder { path: path.to_owned() });
        }
        let path = path
            .canonicalize()
            .map_err(|e| CoreError::io("resolve folder", path, e))?;
        if is_system_folder(&path) {
            return Err(CoreError::SystemFolder { path });
        }
        if path.starts_with(self.dir()) {
            return Err(CoreError::RootInsideLibrary {
                path,
                library: self.dir().to_owned(),
            });
        }
        // A library inside the folder is fine when scans skip it anyway
        // (e.g. adding the home folder, with the library in ~/.local/share).
        if let Ok(inner) = self.dir().strip_prefix(&path)
            && !inner
                .components()
                .any(|c| crate::fsmeta::is_ignored_name(c.as_os_str()))
        {
            return Err(CoreError::LibraryInsideRoot {
                path,
                library: self.dir().to_owned(),
            });
        }
        let target = self.catalog().target()?;
        if let Some(t) = target
            && let Ok(trove_store::TargetUrl::Folder { path: target }) = trove_store::TargetUrl::parse(&t.settings.url)
        {
            self.check_folder_target(&target, Some(&path))?;
        }
        for other in self.catalog().roots()? {
            if Some(other.id) == moving {
                continue;
            }
            // The same folder added again is that root (add_root returns
            // it); a folder moved onto another root's is an overlap.
            let same = other.path == path;
            if (same && moving.is_some()) || (!same && (other.path.starts_with(&path) || path.starts_with(&other.path)))
            {
                return Err(CoreError::RootOverlaps {
                    path,
                    other: other.path,
                });
            }
        }
        Ok((path, meta))
    }

    /// Points a watched folder (by id or path) at its new place: the folder
    /// was moved or renamed, is on a new disk, or the library was recovered
    /// on a new machine and the originals restored elsewhere. Its files
    /// keep their assets (and everything set on them), matched by their
    /// paths inside the folder; a scan is queued to check them (files not
    /// found there show as missing, new ones are added).
    pub fn relocate_root(&self, query: &str, new_path: &Path) -> Result<RootInfo> {
        self.require_writer("moving a folder")?;
        let info = self.find_root(query)?;
        let (path, meta) = self.check_root_path(new_path, Some(info.id))?;
        {
            let lock = self.scan_lock(info.id);
            let _no_scan = lock.lock().unwrap_or_else(|p| p.into_inner());
            let mut cat = self.catalog();
            let mut b = cat.batch(self.now_ms())?;
            if !b.relocate_root(info.id, &path, device_of(&meta))? {
                // A folder removed earlier had that path.
                return Err(CoreError::RootOverlaps {
                    other: path.to_path_buf(),
                    path: path.to_path_buf(),
                });
            }
            b.commit()?;
        }
        tracing::info!(root = info.id, from = %info.path.display(), to = %path.display(), "watched folder relocated");
        self.enqueue_scan(info.id)?;
        self.find_root(&info.id.to_string())
    }

    /// Stops watching a folder (by id or path): it is no longer listed or
    /// scanned, and its files are marked missing. Nothing on disk is
    /// touched. Assets keep their identity, user data and sync state; those
    /// with no file left elsewhere show as missing until the folder (or a
    /// copy) is added again. A scan of the folder in progress finishes
    /// first, so it cannot mark files present after the removal.
    pub fn remove_root(&self, query: &str) -> Result<(RootInfo, RemovedRoot)> {
        self.require_writer("removing a folder")?;
        let info = self.find_root(query)?;
        let lock = self.scan_lock(info.id);
        let _no_scan = lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut cat = self.catalog();
        let mut b = cat.batch(self.now_ms())?;
        let removed = b.remove_root(info.id)?;
        b.commit()?;
        Ok((info, removed))
    }

    /// Sets which of a folder's files become assets. Files left out before
    /// are picked up by the folder's next scan; assets already catalogued
    /// stay when the setting narrows (nothing is forgotten by a setting).
    pub fn set_folder_kinds(&self, query: &str, kinds: FolderKinds) -> Result<RootInfo> {
        self.require_writer("changing a folder's settings")?;
        let info = self.find_root(query)?;
        let mut cat = self.catalog();
        let mut b = cat.batch(self.now_ms())?;
        b.set_root_kinds(info.id, kinds)?;
        b.commit()?;
        drop(cat);
        self.find_root(&info.id.to_string())
    }

    fn root_info(&self, root: Root) -> Result<RootInfo> {
        let (files, missing_files, problems) = self.catalog().root_stats(root.id)?;
        Ok(RootInfo {
            id: root.id,
            path: root.path,
            state: root.state,
            follow_symlinks: root.follow_symlinks,
            kinds: root.kinds,
            added_at: root.added_at,
            last_scan_at: root.last_scan_at,
            files,
            missing_files,
            problems,
        })
    }

    pub fn roots(&self) -> Result<Vec<RootInfo>> {
        let roots = self.catalog().roots()?;
        roots.into_iter().map(|r| self.root_info(r)).collect()
    }

    /// Finds a root by id (as `trove roots` prints) or by path.
    pub fn find_root(&self, query: &str) -> Result<RootInfo> {
        let roots = self.catalog().roots()?;
        let by_id = query
            .parse::<i64>()
            .ok()
            .and_then(|id| roots.iter().find(|r| r.id == id));
        let by_path = || {
            let p = Path::new(query);
            let canon = p.canonicalize().unwrap_or_else(|_| p.to_owned());
            roots.iter().find(|r| r.path == canon)
        };
        match by_id.or_else(by_path) {
            Some(r) => self.root_info(r.clone()),
            None => Err(CoreError::RootNotFound {
                query: query.to_owned(),
            }),
        }
    }

    /// Scans a root now, on this thread, reading with `read_threads`.
    pub fn scan_root(
        &self,
        root_id: i64,
        scope: ScanScope,
        read_threads: usize,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<ScanReport> {
        self.require_writer("scanning")?;
        let root = self.catalog().root(root_id)?;
        crate::scan::scan(
            self,
            &root,
            scope,
            ScanParams {
                threads: read_threads,
                job: None,
            },
            sink,
            cancel,
        )
    }
}

/// The whole disk and the operating system's own folders: watching them
/// would catalog the system (and, with sidecars on, write into it).
fn is_system_folder(path: &Path) -> bool {
    if path.parent().is_none() {
        return true; // `/`, or a drive's root such as `C:\`
    }
    #[cfg(unix)]
    const SYSTEM: &[&str] = &[
        "/proc",
        "/sys",
        "/dev",
        "/run",
        "/boot",
        "/etc",
        "/usr",
        "/bin",
        "/sbin",
        "/lib",
        "/lib32",
        "/lib64",
        "/libx32",
        "/var/lib",
        "/var/cache",
        "/var/log",
        "/var/spool",
        "/snap",
        "/System",
        "/private/var",
    ];
    #[cfg(not(unix))]
    const SYSTEM: &[&str] = &[
        "C:\\Windows",
        "C:\\Program Files",
        "C:\\Program Files (x86)",
        "C:\\ProgramData",
    ];
    SYSTEM.iter().any(|s| path.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::is_system_folder;
    use std::path::Path;

    #[cfg(unix)]
    #[test]
    fn the_disk_and_the_systems_folders_are_refused_and_peoples_are_not() {
        for p in ["/", "/etc", "/usr/share/pixmaps", "/proc/1", "/var/lib/trove"] {
            assert!(is_system_folder(Path::new(p)), "{p}");
        }
        for p in [
            "/home/ana/Pictures",
            "/tmp/photos",
            "/media/disk/DCIM",
            "/mnt/nas",
            "/var/tmp/x",
            "/srv/photos",
            "/root/Pictures",
            "/etcetera",
        ] {
            assert!(!is_system_folder(Path::new(p)), "{p}");
        }
    }
}
