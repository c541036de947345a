//! Importing and rescanning: the scenarios of the foundation issue.

use trove_core::catalog::AssetStatus;
use trove_core::types::{AssetKind, CaptureSource};
use trove_testkit::{Exif, write_jpeg, write_png};

use super::{Env, blake3_of, md5_of};

fn camera_jpeg(env: &Env, rel: &str, seed: u32) {
    write_jpeg(
        &env.path(rel),
        64,
        48,
        [(seed * 60 % 256) as u8, 40, 40],
        seed,
        Some(&Exif {
            date_time_original: Some("2023:06:14 18:30:05"),
            offset_time_original: Some("+02:00"),
            sub_sec_time_original: Some("25"),
            make: Some("FUJIFILM"),
            model: Some("X100V"),
            gps: Some((64.1466, -21.9426)),
            ..Exif::default()
        }),
    );
}

#[test]
fn first_import_catalogs_content_hashes_kind_and_exif() {
    let env = Env::new();
    camera_jpeg(&env, "2023/iceland/DSCF0001.JPG", 1);
    write_png(&env.path("2023/scan.png"), 30, 20, [1, 2, 3], 0);
    std::fs::write(env.path("notes.txt"), "packing list").unwrap();

    let report = env.scan();
    assert_eq!(
        (report.files_seen, report.new_assets, report.left_out, report.problems),
        (3, 2, 1, 0),
        "the text file is not a photo: left out"
    );

    let jpeg = env.asset_at("2023/iceland/DSCF0001.JPG");
    let a = &jpeg.asset;
    assert_eq!(a.kind, AssetKind::Image);
    assert_eq!(a.mime.as_deref(), Some("image/jpeg"));
    assert_eq!(a.blake3.to_hex(), blake3_of(&env.path("2023/iceland/DSCF0001.JPG")));
    assert_eq!(a.md5, Some(md5_of(&env.path("2023/iceland/DSCF0001.JPG"))));
    assert_eq!((a.width, a.height), (Some(64), Some(48)));
    let capture = a.capture.unwrap();
    assert_eq!(capture.source, CaptureSource::ExifOriginal);
    assert_eq!(capture.offset_minutes, Some(120));
    // 2023-06-14 18:30:05.250 at +02:00 is 16:30:05.250 UTC.
    assert_eq!(capture.unix_ms, 1_686_760_205_250);
    assert_eq!(capture.wall_clock_ms(), 1_686_767_405_250);
    let m = jpeg.metadata.unwrap();
    assert_eq!(
        (m.camera_make.as_deref(), m.camera_model.as_deref()),
        (Some("FUJIFILM"), Some("X100V"))
    );
    let gps = m.gps.unwrap();
    assert!((gps.lat - 64.1466).abs() < 1e-4);
    assert!((gps.lon + 21.9426).abs() < 1e-4, "west is negative");
    assert_eq!(m.raw["exif"]["Model"], "X100V", "text without the display's quotes");

    let png = env.asset_at("2023/scan.png");
    assert_eq!(png.asset.mime.as_deref(), Some("image/png"));
    assert_eq!(png.asset.capture.unwrap().source, CaptureSource::FileMtime);
    env.integrity_ok();
}

#[test]
fn rescan_of_an_unchanged_tree_reads_nothing_and_writes_nothing() {
    let env = Env::new();
    for i in 0..20 {
        write_png(&env.path(&format!("d{}/p{i}.png", i % 3)), 8, 8, [i as u8, 0, 0], i);
    }
    env.scan();
    super::age_tree(&env.root);
    env.scan(); // files just written are re-read once (see FileRecord::is_racy)
    let events_before = env.lib.status().unwrap();
    let again = env.scan();
    assert_eq!(again.files_seen, 20);
    assert_eq!(again.unchanged, 20);
    assert_eq!(again.bytes_read, 0);
    assert!(again.is_noop());
    assert_eq!(env.lib.status().unwrap().counts, events_before.counts);
}

#[test]
fn editing_a_file_keeps_its_asset_id_and_updates_the_hash() {
    let env = Env::new();
    camera_jpeg(&env, "a.jpg", 1);
    env.scan();
    let before = env.asset_at("a.jpg").asset;
    camera_jpeg(&env, "a.jpg", 2); // different pixels
    let report = env.scan();
    assert_eq!(report.changed, 1, "{report:?}");
    let after = env.asset_at("a.jpg").asset;
    assert_eq!(after.id, before.id);
    assert_ne!(after.blake3, before.blake3);
    assert_eq!(after.blake3.to_hex(), blake3_of(&env.path("a.jpg")));
    assert_eq!(env.assets().len(), 1);
}

#[test]
fn renaming_a_file_keeps_its_identity_and_reads_nothing() {
    let env = Env::new();
    camera_jpeg(&env, "IMG_2041.jpg", 1);
    super::age_tree(&env.root);
    env.scan();
    let id = env.asset_at("IMG_2041.jpg").asset.id;
    std::fs::rename(env.path("IMG_2041.jpg"), env.path("beach-trip.jpg")).unwrap();
    let report = env.scan();
    assert_eq!(
        (report.moved, report.missing, report.new_assets, report.bytes_read),
        (1, 0, 0, 0)
    );
    let detail = env.asset_at("beach-trip.jpg");
    assert_eq!(detail.asset.id, id);
    assert_eq!(detail.files.len(), 1);
}

#[test]
fn moving_a_folder_keeps_every_identity() {
    let env = Env::new();
    for i in 0..5 {
        write_png(&env.path(&format!("trip/{i}.png")), 8, 8, [0, i as u8, 0], i);
    }
    env.scan();
    let ids: Vec<_> = (0..5)
        .map(|i| env.asset_at(&format!("trip/{i}.png")).asset.id)
        .collect();
    std::fs::create_dir_all(env.path("2024")).unwrap();
    std::fs::rename(env.path("trip"), env.path("2024/iceland")).unwrap();
    let report = env.scan();
    assert_eq!((report.moved, report.missing, report.new_assets), (5, 0, 0));
    for (i, id) in ids.iter().enumerate() {
        assert_eq!(&env.asset_at(&format!("2024/iceland/{i}.png")).asset.id, id);
    }
}

#[test]
fn a_copy_then_delete_elsewhere_is_a_move_by_content() {
    // Tools that copy and delete (instead of rename) change the inode.
    let env = Env::new();
    camera_jpeg(&env, "a/x.jpg", 1);
    env.scan();
    let id = env.asset_at("a/x.jpg").asset.id;
    std::fs::create_dir_all(env.path("b")).unwrap();
    std::fs::copy(env.path("a/x.jpg"), env.path("b/x.jpg")).unwrap();
    std::fs::remove_file(env.path("a/x.jpg")).unwrap();
    let report = env.scan();
    assert_eq!((report.moved, report.missing, report.duplicates), (1, 0, 0));
    let d = env.asset_at("b/x.jpg");
    assert_eq!(d.asset.id, id);
    assert_eq!(d.files.len(), 1);
}

#[test]
fn a_deleted_file_is_marked_missing_and_comes_back() {
    let env = Env::new();
    camera_jpeg(&env, "keep.jpg", 1);
    env.scan();
    let id = env.asset_at("keep.jpg").asset.id;
    let bytes = std::fs::read(env.path("keep.jpg")).unwrap();
    std::fs::remove_file(env.path("keep.jpg")).unwrap();
    let report = env.scan();
    assert_eq!(report.missing, 1);
    let gone = env.lib.asset_detail(&id.to_string()).unwrap();
    assert_eq!(gone.asset.status, AssetStatus::Missing);
    assert!(!gone.files[0].record.present);
    assert!(gone.files[0].record.missing_since.is_some());

    // Restored somewhere else: the same asset, not a new one.
    std::fs::create_dir_all(env.path("restored")).unwrap();
    std::fs::write(env.path("restored/keep.jpg"), &bytes).unwrap();
    let report = env.scan();
    assert_eq!((report.returned, report.new_assets), (1, 0));
    let back = env.lib.asset_detail(&id.to_string()).unwrap();
    assert_eq!(back.asset.status, AssetStatus::Present);
    assert_eq!(back.files.len(), 1);
    assert!(back.files[0].path.ends_with("restored/keep.jpg"));
}

#[test]
fn two_paths_with_the_same_content_are_one_asset_with_two_files() {
    let env = Env::new();
    camera_jpeg(&env, "a.jpg", 1);
    std::fs::create_dir_all(env.path("backup")).unwrap();
    std::fs::copy(env.path("a.jpg"), env.path("backup/a copy.jpg")).unwrap();
    let report = env.scan();
    assert_eq!((report.new_assets, report.duplicates), (1, 1));
    let dups = env.lib.duplicates().unwrap();
    assert_eq!(dups.len(), 1);
    assert_eq!(dups[0].files.len(), 2);

    // Editing one copy splits it off; the other keeps the asset.
    let id = env.asset_at("a.jpg").asset.id;
    camera_jpeg(&env, "backup/a copy.jpg", 9);
    let report = env.scan();
    assert_eq!(report.changed, 1);
    assert_eq!(env.asset_at("a.jpg").asset.id, id);
    assert_ne!(env.asset_at("backup/a copy.jpg").asset.id, id);
    assert!(env.lib.duplicates().unwrap().is_empty());
}

#[test]
fn a_root_that_disappears_is_offline_and_nothing_is_marked_missing() {
    let env = Env::new();
    camera_jpeg(&env, "a.jpg", 1);
    env.scan();
    let unplugged = env.tmp.path().join("unplugged");
    std::fs::rename(&env.root, &unplugged).unwrap();
    let report = env.scan();
    assert!(report.offline);
    let roots = env.lib.roots().unwrap();
    assert_eq!(roots[0].state.as_str(), "offline");
    assert_eq!(roots[0].missing_files, 0);
    assert_eq!(env.assets()[0].status, AssetStatus::Offline);

    std::fs::rename(&unplugged, &env.root).unwrap();
    let report = env.scan();
    assert!(!report.offline);
    assert_eq!(report.unchanged, 1);
    assert_eq!(env.lib.roots().unwrap()[0].state.as_str(), "online");
    assert_eq!(env.assets()[0].status, AssetStatus::Present);
}

#[test]
fn hidden_and_system_entries_are_skipped() {
    let env = Env::new();
    write_png(&env.path("real.png"), 4, 4, [9, 9, 9], 0);
    for junk in [
        ".git/objects/ab.png",
        ".trove/x.png",
        "@eaDir/real.png/SYNOPHOTO_THUMB.png",
        "#recycle/old.png",
        ".DS_Store",
        "Thumbs.db",
        "._real.png",
        ".hidden.png",
    ] {
        write_png(&env.path(junk), 4, 4, [1, 1, 1], junk.len() as u32);
    }
    let report = env.scan();
    assert_eq!(report.files_seen, 1);
    assert_eq!(env.assets().len(), 1);
}

#[test]
fn scan_reports_progress_for_every_phase() {
    let env = Env::new();
    for i in 0..10 {
        write_png(&env.path(&format!("{i}.png")), 8, 8, [0, 0, i as u8], i);
    }
    let (_, events) = env.scan_with_events();
    let phases: std::collections::BTreeSet<String> = events
        .iter()
        .filter_map(|e| match e {
            trove_core::Event::ScanProgress(p) => Some(format!("{:?}", p.phase)),
            _ => None,
        })
        .collect();
    assert_eq!(phases.into_iter().collect::<Vec<_>>(), ["Discover", "Finish", "Hash"]);
    let last_hash = events
        .iter()
        .rev()
        .find_map(|e| match e {
            trove_core::Event::ScanProgress(p) if p.phase == trove_core::ScanPhase::Hash => Some(p.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!((last_hash.files_done, last_hash.files_total), (10, 10));
    assert_eq!(last_hash.bytes_done, last_hash.bytes_total);
    assert!(matches!(events.last(), Some(trove_core::Event::ScanFinished(_))));
}

/// Every entry under a root with its size and mtime, and the root's own.
fn snapshot(root: &std::path::Path) -> Vec<(std::path::PathBuf, u64, std::time::SystemTime)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_owned()];
    while let Some(dir) = stack.pop() {
        let m = std::fs::symlink_metadata(&dir).unwrap();
        out.push((dir.clone(), m.len(), m.modified().unwrap()));
        for e in std::fs::read_dir(&dir).unwrap() {
            let e = e.unwrap();
            let m = std::fs::symlink_metadata(e.path()).unwrap();
            if m.is_dir() {
                stack.push(e.path());
            } else {
                out.push((e.path(), m.len(), m.modified().unwrap()));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn trove_never_writes_inside_a_root() {
    let env = Env::new();
    camera_jpeg(&env, "a/one.jpg", 1);
    write_png(&env.path("b/two.png"), 8, 8, [1, 2, 3], 0);
    std::fs::write(env.path("empty.jpg"), b"").unwrap();
    let before = snapshot(&env.root);
    env.scan();
    super::age_tree(&env.root);
    let before_aged = snapshot(&env.root);
    env.scan();
    env.scan();
    assert_eq!(
        snapshot(&env.root),
        before_aged,
        "no file or folder added, changed or touched"
    );
    assert_eq!(before.len(), before_aged.len());
}

#[test]
fn embedded_xmp_ratings_titles_and_keywords_are_catalogued() {
    let env = Env::new();
    let xmp = trove_testkit::xmp_packet(4, "Red", "Beach &amp; dunes", &["beach", "kids"], &["family|kids"]);
    let jpeg = trove_testkit::insert_xmp(&trove_testkit::jpeg_bytes(16, 16, [9, 9, 9], 0, None), &xmp);
    std::fs::write(env.path("rated.jpg"), jpeg).unwrap();
    env.scan();
    let m = env.asset_at("rated.jpg").metadata.expect("metadata from XMP alone");
    assert_eq!(m.rating, Some(4));
    assert_eq!(m.color_label.as_deref(), Some("Red"));
    assert_eq!(m.title.as_deref(), Some("Beach & dunes"));
    assert_eq!(m.raw["xmp"]["keywords"], serde_json::json!(["beach", "kids"]));
    assert_eq!(
        m.raw["xmp"]["hierarchical_keywords"],
        serde_json::json!(["family|kids"])
    );
}

#[test]
fn removing_a_folder_forgets_its_files_keeps_assets_and_touches_nothing_on_disk() {
    let env = Env::new();
    camera_jpeg(&env, "only-here.jpg", 1);
    camera_jpeg(&env, "both.jpg", 2);
    let other = env.tmp.path().join("other");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::copy(env.path("both.jpg"), other.join("both.jpg")).unwrap();
    env.scan();
    let (second, _) = env.lib.add_root(&other, trove_core::AddRootOptions::default()).unwrap();
    env.lib
        .scan_root(
            second.id,
            trove_core::ScanScope::Full,
            1,
            &trove_core::NoEvents,
            &trove_core::Cancel::new(),
        )
        .unwrap();
    let only_id = env.asset_at("only-here.jpg").asset.id;
    let both_id = env.asset_at("both.jpg").asset.id;
    let before = snapshot(&env.root);

    let (info, removed) = env.lib.remove_root(&env.root_id.to_string()).unwrap();
    assert_eq!(info.path, env.root);
    assert_eq!((removed.files, removed.assets, removed.now_missing), (2, 2, 1));
    assert_eq!(snapshot(&env.root), before, "nothing on disk changed");
    let roots = env.lib.roots().unwrap();
    assert_eq!(roots.iter().map(|r| r.id).collect::<Vec<_>>(), [second.id]);

    let only = env.lib.asset_detail(&only_id.to_string()).unwrap();
    assert_eq!(only.asset.status, AssetStatus::Missing, "kept, shown as missing");
    assert_eq!(only.files.len(), 1);
    assert!(!only.files[0].record.present);
    assert_eq!(only.files[0].path, env.path("only-here.jpg"), "last seen there");
    let both = env.lib.asset_detail(&both_id.to_string()).unwrap();
    assert_eq!(both.asset.status, AssetStatus::Present, "still in the other folder");
    let listed = env.lib.assets(&trove_core::AssetFilter::default()).unwrap();
    assert_eq!(listed.len(), 2, "the grid still lists both");
    assert_eq!(
        super::search::names(&env.lib, "only-here missing:true"),
        ["only-here.jpg"],
        "the index knows it is missing"
    );
    // A removed folder is not scanned, even by a queued job.
    assert_eq!(
        env.lib
            .scan_root(
                env.root_id,
                trove_core::ScanScope::Full,
                1,
                &trove_core::NoEvents,
                &trove_core::Cancel::new()
            )
            .unwrap_err()
            .code(),
        "not_found"
    );
    env.integrity_ok();

    // Adding the folder again finds the same asset by content.
    let (again, _) = env
        .lib
        .add_root(&env.root, trove_core::AddRootOptions::default())
        .unwrap();
    let report = env
        .lib
        .scan_root(
            again.id,
            trove_core::ScanScope::Full,
            1,
            &trove_core::NoEvents,
            &trove_core::Cancel::new(),
        )
        .unwrap();
    assert_eq!(again.id, env.root_id, "the same root comes back");
    assert_eq!((report.new_assets, report.returned), (0, 2));
    assert_eq!(env.asset_at("only-here.jpg").asset.id, only_id);
    assert_eq!(
        env.lib.asset_detail(&only_id.to_string()).unwrap().asset.status,
        AssetStatus::Present
    );

    let err = env.lib.remove_root("999").unwrap_err();
    assert_eq!(err.code(), "root_not_found");
}

#[test]
fn the_timeline_cuts_the_listing_into_capture_days() {
    let env = Env::new();
    camera_jpeg(&env, "a.jpg", 1);
    camera_jpeg(&env, "b.jpg", 2);
    write_png(&env.path("scan.png"), 8, 8, [1, 2, 3], 0);
    env.scan();
    let days = env.lib.timeline(&trove_core::AssetFilter::default()).unwrap();
    let listing = env.assets();
    assert_eq!(days.iter().map(|d| d.count).sum::<u64>(), listing.len() as u64);
    // Both JPEGs were taken on 2023-06-14 (local time, +02:00); the PNG's
    // date is its mtime, today, so it comes first.
    let june = days
        .iter()
        .find(|d| d.date == Some(time::macros::date!(2023 - 06 - 14)))
        .expect("the JPEGs' day");
    assert_eq!(june.count, 2);
    assert_eq!(days.last().unwrap().date, Some(time::macros::date!(2023 - 06 - 14)));
}

#[test]
fn a_folder_s_tree_and_its_assets_below_it() {
    let env = Env::new();
    for (i, rel) in ["top.png", "a/x.png", "a/b/y.png", "a-c/z.png", "a/b/c/w.png"]
        .iter()
        .enumerate()
    {
        write_png(&env.path(rel), 8, 8, [10 * i as u8, 40, 90], i as u32);
    }
    env.scan();
    let tree: Vec<(String, u64)> = env
        .lib
        .folder_tree(env.root_id)
        .unwrap()
        .into_iter()
        .map(|f| (f.path.display().to_string(), f.files))
        .collect();
    // Tree order: a folder, then what is in it; "a-c" is not under "a".
    assert_eq!(
        tree,
        [
            ("a".into(), 3),
            ("a/b".into(), 2),
            ("a/b/c".into(), 1),
            ("a-c".into(), 1)
        ]
    );
    let names = |folder: &str| {
        let filter = trove_core::AssetFilter {
            root_id: Some(env.root_id),
            folder: Some(folder.into()),
            ..Default::default()
        };
        let listed: Vec<String> = env.lib.assets(&filter).unwrap().into_iter().map(|a| a.name).collect();
        // The count, the ids and the timeline agree with the listing.
        assert_eq!(env.lib.count_assets(&filter).unwrap(), listed.len() as u64, "{folder}");
        assert_eq!(env.lib.asset_ids(&filter).unwrap().len(), listed.len(), "{folder}");
        let days: u64 = env.lib.timeline(&filter).unwrap().iter().map(|d| d.count).sum();
        assert_eq!(days, listed.len() as u64, "{folder}");
        let mut sorted = listed;
        sorted.sort();
        sorted
    };
    assert_eq!(names("a"), ["w.png", "x.png", "y.png"]);
    assert_eq!(
        names("a/"),
        ["w.png", "x.png", "y.png"],
        "a trailing slash is the same folder"
    );
    assert_eq!(names("a/b"), ["w.png", "y.png"]);
    assert_eq!(names("a-c"), ["z.png"]);
    assert_eq!(
        names(""),
        ["top.png", "w.png", "x.png", "y.png", "z.png"],
        "empty: the whole root"
    );
    assert!(names("nowhere").is_empty());
}

/// Only photos, videos, sound and PDFs become assets by default: notes,
/// JSON and the like beside the photos are left out (counted, not
/// catalogued) until the folder's setting asks for them; narrowing the
/// setting again forgets nothing.
#[test]
fn other_files_beside_the_photos_are_left_out_unless_the_folder_asks_for_them() {
    use trove_core::types::FolderKinds;

    let env = Env::new();
    std::fs::write(
        env.path("photo.jpg"),
        trove_testkit::jpeg_bytes(16, 16, [1, 2, 3], 0, None),
    )
    .unwrap();
    std::fs::write(env.path("scan.pdf"), trove_testkit::pdf_bytes("Scan", "Ana", 1)).unwrap();
    std::fs::write(env.path("notes.txt"), "shot list for Sunday\n").unwrap();
    std::fs::write(env.path("export.json"), "{\"a\": 1}\n").unwrap();
    // Named like a photo, but text inside: its content decides.
    std::fs::write(env.path("not-a-photo.jpg"), "this is a text file\n").unwrap();
    let report = env.scan();
    let kinds = |env: &Env| {
        let mut k: Vec<(AssetKind, String)> = env
            .assets()
            .into_iter()
            .map(|a| {
                let detail = env.lib.asset_detail(&a.id.to_string()).unwrap();
                (a.kind, detail.files[0].record.rel_path.display().to_string())
            })
            .collect();
        k.sort_by(|a, b| a.1.cmp(&b.1));
        k
    };
    assert_eq!(
        kinds(&env),
        [
            (AssetKind::Image, "photo.jpg".to_owned()),
            (AssetKind::Document, "scan.pdf".to_owned())
        ]
    );
    assert_eq!(
        (report.new_assets, report.left_out, report.problems),
        (2, 3, 0),
        "{report:?}"
    );
    assert_eq!(env.lib.roots().unwrap()[0].kinds, FolderKinds::Media);

    env.lib
        .set_folder_kinds(&env.root_id.to_string(), FolderKinds::Documents)
        .unwrap();
    let report = env.scan();
    assert_eq!((report.new_assets, report.left_out), (1, 2), "{report:?}");
    assert!(kinds(&env).contains(&(AssetKind::Document, "notes.txt".to_owned())));

    env.lib
        .set_folder_kinds(&env.root_id.to_string(), FolderKinds::All)
        .unwrap();
    let report = env.scan();
    assert_eq!((report.new_assets, report.left_out), (2, 0), "{report:?}");
    assert_eq!(env.assets().len(), 5);

    // Narrowing keeps what was catalogued, even when it changes.
    env.lib
        .set_folder_kinds(&env.root_id.to_string(), FolderKinds::Media)
        .unwrap();
    std::fs::write(env.path("notes.txt"), "shot list for Monday\n").unwrap();
    let report = env.scan();
    assert_eq!((report.changed, report.left_out), (1, 0), "{report:?}");
    assert_eq!(env.assets().len(), 5);
}
