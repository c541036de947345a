//! Integration tests of the catalog against real SQLite files.
#![allow(clippy::unwrap_used)]

mod curation;
mod jobs;
mod migrations;
mod rows;
mod shares;

use std::path::Path;

use trove_catalog::{AssetContent, Catalog, FileStat};
use trove_types::{AssetKind, ContentHash};

pub fn open(dir: &Path) -> Catalog {
    Catalog::open(&dir.join("catalog.db")).unwrap()
}

pub fn content(seed: u8) -> AssetContent {
    AssetContent {
        blake3: ContentHash([seed; 32]),
        md5: Some([seed; 16]),
        size: 100 + u64::from(seed),
        kind: AssetKind::Image,
        mime: Some("image/jpeg".into()),
        capture: None,
        width: Some(4),
        height: Some(3),
        duration_ms: None,
        metadata: None,
    }
}

pub fn stat(inode: u64) -> FileStat {
    FileStat {
        sidecar_mtime_ns: None,
        size: 100,
        mtime_ns: 1_000,
        inode,
        device: 1,
    }
}
