//! Integration tests of the library API on real folders and catalogs.
#![allow(clippy::unwrap_used)]

mod av;
mod bad_input;
mod curation;
mod disk_full;
mod import;
mod jobs;
mod lock;
mod proxies;
mod search;
mod sidecar_write;
mod sidecars;
mod watch;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use md5::Digest;
use tempfile::TempDir;
use trove_core::{
    AddRootOptions, AssetFilter, AssetSummary, Cancel, Event, Library, NoEvents, OpenOptions, ScanReport, ScanScope,
};

/// A library in a temp dir with one folder of originals beside it.
#[derive(Debug)]
pub struct Env {
    pub tmp: TempDir,
    pub lib: Library,
    pub root: PathBuf,
    pub root_id: i64,
}

#[allow(clippy::new_without_default)]
impl Env {
    pub fn new() -> Env {
        Self::with_options(AddRootOptions::default())
    }

    pub fn with_options(opts: AddRootOptions) -> Env {
        Self::with(opts, OpenOptions::write().create(true))
    }

    pub fn with(opts: AddRootOptions, open: OpenOptions) -> Env {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("photos");
        std::fs::create_dir_all(&root).unwrap();
        let lib = Library::open(&tmp.path().join("library"), open).unwrap();
        let (info, created) = lib.add_root(&root, opts).unwrap();
        assert!(created);
        let root = info.path.clone();
        Env {
            tmp,
            lib,
            root,
            root_id: info.id,
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn scan(&self) -> ScanReport {
        self.lib
            .scan_root(self.root_id, ScanScope::Full, 2, &NoEvents, &Cancel::new())
            .unwrap()
    }

    /// Scans and returns the report and every event.
    pub fn scan_with_events(&self) -> (ScanReport, Vec<Event>) {
        let events = Arc::new(Mutex::new(Vec::new()));
        let sink = {
            let events = events.clone();
            move |e: Event| events.lock().unwrap().push(e)
        };
        let report = self
            .lib
            .scan_root(self.root_id, ScanScope::Full, 2, &sink, &Cancel::new())
            .unwrap();
        let events = events.lock().unwrap().clone();
        (report, events)
    }

    pub fn assets(&self) -> Vec<AssetSummary> {
        self.lib.assets(&AssetFilter::default()).unwrap()
    }

    pub fn asset_at(&self, rel: &str) -> trove_core::AssetDetail {
        self.lib.asset_detail(self.path(rel).to_str().unwrap()).unwrap()
    }

    pub fn integrity_ok(&self) {
        assert_eq!(self.lib.integrity_check().unwrap(), Vec::<String>::new());
    }
}

pub fn blake3_of(path: &Path) -> String {
    blake3::hash(&std::fs::read(path).unwrap()).to_hex().to_string()
}

pub fn md5_of(path: &Path) -> [u8; 16] {
    md5::Md5::digest(std::fs::read(path).unwrap()).into()
}

/// Polls `check` until it holds or `timeout` passes.
pub fn eventually(timeout: Duration, what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if check() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("timed out after {timeout:?} waiting for: {what}");
}

/// Sets every file's mtime an hour back, as for files that were not just
/// written (a fresh mtime makes a scan re-read the file to be safe).
pub fn age_tree(root: &Path) {
    let past = std::time::SystemTime::now() - Duration::from_secs(3600);
    for entry in walk(root) {
        let f = std::fs::File::options().write(true).open(&entry).unwrap();
        f.set_modified(past).unwrap();
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        if ft.is_dir() {
            out.extend(walk(&e.path()));
        } else if ft.is_file() {
            out.push(e.path());
        }
    }
    out
}
