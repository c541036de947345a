//! Benchmark: one curation edit on a 100,000-asset selection (issue 25's
//! target: catalog and event log committed in under 1 s, and the search
//! index updated in under 1 s).
//!
//! ```sh
//! cargo run --release -p trove-core --example bench_edit -- [ASSETS] [RUNS]
//! ```
//!
//! Builds a library of ASSETS synthetic assets (default 100,000; each with
//! a file, metadata and a search document), then, RUNS times (default 5),
//! times: an edit of every asset by id (`Library::edit`), bringing the
//! search index up to date with it, an undo, and an edit of every asset by
//! search (`--query`). Prints each run and the medians.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Instant;

use trove_catalog::{AssetContent, Catalog, CurationChange, FileStat};
use trove_core::{Library, NoEvents, OpenOptions, Selection};
use trove_types::{AssetId, AssetKind, ColorLabel, ContentHash, Metadata};

fn main() {
    let mut args = std::env::args().skip(1);
    let assets: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let tmp = tempfile::tempdir().expect("temp dir");
    let lib = Library::open(&tmp.path().join("library"), OpenOptions::write().create(true)).expect("library");

    let t = Instant::now();
    let ids = fill(&lib.catalog_path(), assets);
    let report = lib.reindex(&NoEvents).expect("index");
    println!(
        "library: {assets} assets catalogued and {} indexed in {:.1} s",
        report.indexed,
        t.elapsed().as_secs_f64()
    );

    let mut edit_ms = Vec::new();
    let mut index_ms = Vec::new();
    let mut undo_ms = Vec::new();
    let mut query_ms = Vec::new();
    println!("run  edit-by-id  index-update  undo  edit-by-query (ms)");
    for run in 0..runs {
        let rating = (run % 5) as u8 + 1;
        let t = Instant::now();
        let e = lib
            .edit(
                &Selection::Ids(ids.clone()),
                CurationChange::Rating { rating },
                &NoEvents,
            )
            .unwrap();
        assert_eq!(e.asset_count, u64::from(assets));
        edit_ms.push(ms(t));

        let t = Instant::now();
        let r = lib.update_search_index(&NoEvents).unwrap();
        assert_eq!(r.indexed, u64::from(assets));
        index_ms.push(ms(t));

        let t = Instant::now();
        lib.undo(&NoEvents).unwrap().unwrap();
        undo_ms.push(ms(t));
        lib.update_search_index(&NoEvents).unwrap();

        // Every asset is in `folder:shoot`; finding them is part of it.
        let label = ColorLabel::ALL[run % ColorLabel::ALL.len()];
        let t = Instant::now();
        let e = lib
            .edit(
                &Selection::Query("folder:shoot".into()),
                CurationChange::Label { label: Some(label) },
                &NoEvents,
            )
            .unwrap();
        assert_eq!(e.asset_count, u64::from(assets));
        query_ms.push(ms(t));
        lib.update_search_index(&NoEvents).unwrap();
        println!(
            "{run:>3}  {:>10.0}  {:>12.0}  {:>4.0}  {:>13.0}",
            edit_ms[run], index_ms[run], undo_ms[run], query_ms[run]
        );
    }
    println!(
        "median {:>7.0}  {:>12.0}  {:>4.0}  {:>13.0}   ({assets} assets, {runs} runs)",
        median(&mut edit_ms),
        median(&mut index_ms),
        median(&mut undo_ms),
        median(&mut query_ms)
    );
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Catalogs `n` synthetic photos (with EXIF-like metadata) under one root,
/// in one transaction, straight through the catalog.
fn fill(catalog: &Path, n: u32) -> Vec<AssetId> {
    let mut cat = Catalog::open(catalog).expect("catalog");
    let mut b = cat.batch(1_700_000_000_000).expect("batch");
    let (root, _) = b.add_root(Path::new("/bench/photos"), Some(1), false).expect("root");
    let mut ids = Vec::with_capacity(n as usize);
    for i in 0..n {
        let mut hash = [0u8; 32];
        hash[..4].copy_from_slice(&i.to_le_bytes());
        hash[31] = 0xb7;
        let content = AssetContent {
            blake3: ContentHash(hash),
            md5: Some([0; 16]),
            size: 4_000_000 + u64::from(i),
            kind: AssetKind::Image,
            mime: Some("image/jpeg".into()),
            capture: None,
            width: Some(6000),
            height: Some(4000),
            duration_ms: None,
            metadata: Some(Metadata {
                camera_make: Some("FUJIFILM".into()),
                camera_model: Some("X-T5".into()),
                iso: Some(200 + i % 3200),
                raw: serde_json::json!({"exif": {"Make": "FUJIFILM", "Model": "X-T5"}}),
                ..Metadata::default()
            }),
        };
        let (row, id) = b.insert_asset(&content).expect("asset");
        let stat = FileStat {
            size: content.size,
            mtime_ns: 1_600_000_000_000_000_000,
            inode: u64::from(i) + 1,
            device: 1,
            sidecar_mtime_ns: None,
        };
        b.insert_file(row, root.id, Path::new(&format!("shoot/DSCF{i:06}.JPG")), &stat)
            .expect("file");
        ids.push(id);
    }
    b.commit().expect("commit");
    ids
}
