//! Assets, files and their status.

use std::path::Path;

use trove_catalog::{AssetQuery, AssetStatus, RootState};

use super::{content, open, stat};

#[test]
fn non_utf8_paths_round_trip_exactly() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9 \xff.jpg");
    let mut b = cat.batch(1).unwrap();
    let (root, created) = b.add_root(Path::new("/r"), Some(1), false).unwrap();
    assert!(created);
    let (asset, _) = b.insert_asset(&content(1)).unwrap();
    b.insert_file(asset, root.id, Path::new(name), &stat(1)).unwrap();
    b.commit().unwrap();
    let files = cat.files_of_root(root.id).unwrap();
    assert_eq!(files[0].rel_path.as_os_str().as_bytes(), name.as_bytes());
    assert!(cat.file_at(root.id, Path::new(name)).unwrap().is_some());
}

#[test]
fn asset_status_follows_its_files_and_roots() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let mut b = cat.batch(1).unwrap();
    let (r1, _) = b.add_root(Path::new("/r1"), Some(1), false).unwrap();
    let (r2, _) = b.add_root(Path::new("/r2"), Some(2), false).unwrap();
    let (asset, id) = b.insert_asset(&content(1)).unwrap();
    let f1 = b.insert_file(asset, r1.id, Path::new("a.jpg"), &stat(1)).unwrap();
    let f2 = b.insert_file(asset, r2.id, Path::new("a.jpg"), &stat(2)).unwrap();
    b.commit().unwrap();
    assert_eq!(cat.asset(id).unwrap().status, AssetStatus::Present);

    let mut b = cat.batch(2).unwrap();
    b.mark_file_missing(f1).unwrap();
    b.refresh_asset_status(asset).unwrap();
    b.commit().unwrap();
    assert_eq!(cat.asset(id).unwrap().status, AssetStatus::Present, "one copy left");

    let mut b = cat.batch(3).unwrap();
    b.set_root_state(r2.id, RootState::Offline, None).unwrap();
    b.commit().unwrap();
    assert_eq!(
        cat.asset(id).unwrap().status,
        AssetStatus::Offline,
        "the copy left is on an unplugged drive"
    );

    let mut b = cat.batch(4).unwrap();
    b.mark_file_missing(f2).unwrap();
    b.refresh_asset_status(asset).unwrap();
    b.commit().unwrap();
    assert_eq!(cat.asset(id).unwrap().status, AssetStatus::Missing);
    let missing = cat
        .list_assets(&AssetQuery {
            status: Some(AssetStatus::Missing),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(missing.len(), 1);
    assert_eq!(missing[0].file_count, 2, "missing files are kept, never forgotten");
}

#[test]
fn a_batch_dropped_without_commit_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    {
        let mut b = cat.batch(1).unwrap();
        b.add_root(Path::new("/r"), None, false).unwrap();
    }
    assert!(cat.roots().unwrap().is_empty());
}

#[test]
fn events_are_an_ordered_change_feed() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let mut b = cat.batch(1).unwrap();
    let (root, _) = b.add_root(Path::new("/r"), None, false).unwrap();
    let (asset, _) = b.insert_asset(&content(3)).unwrap();
    b.log(
        "asset_imported",
        Some(asset),
        Some(root.id),
        Some(Path::new("x.jpg")),
        None,
    )
    .unwrap();
    b.commit().unwrap();
    let all = cat.events_after(0, 100).unwrap();
    assert_eq!(
        all.iter().map(|e| e.kind.as_str()).collect::<Vec<_>>(),
        ["root_added", "asset_imported"]
    );
    let later = cat.events_after(all[0].id, 100).unwrap();
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].asset_row_id, Some(asset));
}

#[test]
fn capture_days_cut_the_listing_into_local_day_runs() {
    use trove_catalog::DayRun;
    use trove_types::{CaptureSource, CaptureTime};
    const DAY: i64 = 86_400_000;
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let mut b = cat.batch(1).unwrap();
    let (root, _) = b.add_root(Path::new("/r"), Some(1), false).unwrap();
    let (other, _) = b.add_root(Path::new("/o"), Some(2), false).unwrap();
    // (seed, capture ms, offset minutes, root)
    let shots: [(u8, Option<i64>, Option<i16>, i64); 6] = [
        (1, Some(20_000 * DAY + 3_600_000), None, root.id),
        (2, Some(20_000 * DAY + 7_200_000), None, root.id),
        // 23:00 UTC on day 19,999, but 01:00 on day 20,000 where it was taken;
        // it sorts after the two above, so it joins their run.
        (3, Some(20_000 * DAY - 3_600_000), Some(120), root.id),
        (4, Some(19_990 * DAY), None, other.id),
        (5, None, None, root.id),
        (6, None, None, root.id),
    ];
    for (seed, ms, offset, r) in shots {
        let mut c = content(seed);
        c.capture = ms.map(|unix_ms| CaptureTime {
            unix_ms,
            offset_minutes: offset,
            source: CaptureSource::ExifOriginal,
        });
        let (asset, _) = b.insert_asset(&c).unwrap();
        b.insert_file(asset, r, Path::new(&format!("{seed}.jpg")), &stat(u64::from(seed)))
            .unwrap();
    }
    b.commit().unwrap();

    let all = cat.capture_days(&AssetQuery::default()).unwrap();
    assert_eq!(
        all,
        [
            DayRun {
                day: Some(20_000),
                count: 3
            },
            DayRun {
                day: Some(19_990),
                count: 1
            },
            DayRun { day: None, count: 2 },
        ]
    );
    // The runs add up to the listing, in its order.
    let listing = cat.list_assets(&AssetQuery::default()).unwrap();
    assert_eq!(all.iter().map(|r| r.count).sum::<u64>(), listing.len() as u64);

    let one_root = cat
        .capture_days(&AssetQuery {
            root_id: Some(other.id),
            ..AssetQuery::default()
        })
        .unwrap();
    assert_eq!(
        one_root,
        [DayRun {
            day: Some(19_990),
            count: 1
        }]
    );
}

#[test]
fn a_connection_s_page_cache_can_be_made_smaller() {
    let tmp = tempfile::tempdir().unwrap();
    let cat = open(tmp.path());
    assert_eq!(cat.cache_kib().unwrap(), 32_000);
    cat.set_cache_kib(4_000).unwrap();
    assert_eq!(cat.cache_kib().unwrap(), 4_000);
    // Another connection keeps the default.
    assert_eq!(open(tmp.path()).cache_kib().unwrap(), 32_000);
}
