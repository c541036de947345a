//! Benchmark: writing XMP sidecars for N photos (issue 25's target: at
//! least 10x exiftool's files per second), side by side with the anchor
//! `exiftool -o '%d%f.%e.xmp' -Rating=4 -Label=Red -XMP-dc:Subject=...` on
//! the same files in the same run.
//!
//! ```sh
//! cargo run --release -p trove-core --example bench_sidecars -- [FILES] [RUNS]
//! ```
//!
//! Makes FILES small real JPEGs (default 10,000) in a folder, imports them,
//! rates, labels and tags them all (two edits), then RUNS times (default
//! 3): deletes the sidecars, marks every asset for writing and times
//! `Library::write_dirty_sidecars`; and times one exiftool run writing a
//! sidecar for each of the same files into another folder. Prints each run
//! and the medians as files per second.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use trove_core::catalog::CurationChange;
use trove_core::{
    AddRootOptions, Cancel, Library, NoEvents, OpenOptions, ScanScope, Selection, SidecarMode, SidecarNaming,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let files: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let runs: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let tmp = tempfile::tempdir().expect("temp dir");
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for i in 0..files {
        // Sizes differ so no two photos have the same content (one asset each).
        let jpeg = trove_testkit::jpeg_bytes(16 + i % 100, 16 + i / 100 % 100, [90, 120, 60], i, None);
        std::fs::write(photos.join(format!("DSC{i:05}.jpg")), jpeg).unwrap();
    }
    let lib = Library::open(&tmp.path().join("library"), OpenOptions::write().create(true)).unwrap();
    let (root, _) = lib.add_root(&photos, AddRootOptions::default()).unwrap();
    lib.scan_root(root.id, ScanScope::Full, 2, &NoEvents, &Cancel::new())
        .unwrap();
    let sel = Selection::Query(String::new());
    for change in [
        CurationChange::Rating { rating: 4 },
        CurationChange::Keywords {
            add: vec!["Places|Iceland|Reykjavik".parse().unwrap(), "Boats".parse().unwrap()],
            remove: vec![],
        },
    ] {
        let e = lib.edit(&sel, change, &NoEvents).unwrap();
        assert_eq!(e.asset_count, u64::from(files));
    }
    println!("{files} photos catalogued and curated");

    let anchor_out = tmp.path().join("exiftool-out");
    let mut trove_fps = Vec::new();
    let mut exif_fps = Vec::new();
    println!("run  trove files/s  exiftool files/s  ratio");
    for run in 0..runs {
        remove_sidecars(&photos);
        lib.set_sidecar_settings(SidecarMode::Off, SidecarNaming::Full).unwrap();
        // Turning sidecars on marks every curated asset to be written.
        lib.set_sidecar_settings(SidecarMode::Write, SidecarNaming::Full)
            .unwrap();
        let t = Instant::now();
        let report = lib.write_dirty_sidecars(&Cancel::new()).unwrap();
        let secs = t.elapsed().as_secs_f64();
        assert_eq!((report.written, report.failed), (u64::from(files), 0));
        trove_fps.push(f64::from(files) / secs);

        let _ = std::fs::remove_dir_all(&anchor_out);
        std::fs::create_dir_all(&anchor_out).unwrap();
        let t = Instant::now();
        let out = Command::new("exiftool")
            .args([
                "-q",
                "-ext",
                "jpg",
                "-o",
                &format!("{}/%f.%e.xmp", anchor_out.display()),
                "-XMP-xmp:Rating=4",
                "-XMP-xmp:Label=Red",
                "-XMP-dc:Subject=Places",
                "-XMP-dc:Subject=Iceland",
                "-XMP-dc:Subject=Reykjavik",
                "-XMP-dc:Subject=Boats",
                "-XMP-lr:HierarchicalSubject=Places|Iceland|Reykjavik",
                "-XMP-lr:HierarchicalSubject=Boats",
            ])
            .arg(&photos)
            .output()
            .expect("exiftool (libimage-exiftool-perl)");
        let secs = t.elapsed().as_secs_f64();
        assert!(
            out.status.success(),
            "exiftool: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(std::fs::read_dir(&anchor_out).unwrap().count(), files as usize);
        exif_fps.push(f64::from(files) / secs);
        println!(
            "{run:>3}  {:>13.0}  {:>16.0}  {:>5.1}",
            trove_fps[run],
            exif_fps[run],
            trove_fps[run] / exif_fps[run]
        );
    }
    let (t, e) = (median(&mut trove_fps), median(&mut exif_fps));
    println!(
        "median {t:>10.0}  {e:>16.0}  {:>5.1}   ({files} files, {runs} runs)",
        t / e
    );
}

fn remove_sidecars(dir: &Path) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "xmp") {
            std::fs::remove_file(p).unwrap();
        }
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
