//! Writing, committing, reopening, and repairing the index.

use std::fs;

use tempfile::TempDir;
use trove_search::{Index, OpenReport, RebuildReason, SCHEMA_VERSION, SearchError};

use crate::kit::{Library, asset};

#[test]
fn the_index_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Index>();
}

#[test]
fn a_new_folder_gets_an_empty_index_to_fill() {
    let dir = TempDir::new().unwrap();
    let (index, report) = Index::open_or_create(dir.path().join("search")).unwrap();
    assert_eq!(report, OpenReport::Created);
    assert!(report.needs_full_reindex());
    assert_eq!(index.committed_seq(), None);
    assert_eq!(index.num_docs(), 0);
}

#[test]
fn an_upsert_replaces_the_asset_after_commit_and_not_before() {
    let lib = Library::with(&[asset(1, "IMG_0001.JPG"), asset(2, "IMG_0002.JPG")]);
    lib.index.upsert(&[asset(1, "beach.jpg")]).unwrap();
    assert_eq!(lib.ids("beach"), Vec::<i64>::new(), "not visible before commit");
    assert_eq!(lib.ids("img_0001"), [1]);
    lib.index.commit(2).unwrap();
    assert_eq!(lib.ids("beach"), [1]);
    assert_eq!(lib.ids("img_0001"), Vec::<i64>::new(), "the old name is gone");
    assert_eq!(lib.index.num_docs(), 2, "replaced, not added");
}

#[test]
fn a_delete_removes_the_asset_after_commit() {
    let lib = Library::with(&[asset(1, "a.jpg"), asset(2, "b.jpg"), asset(3, "c.jpg")]);
    lib.index.delete([2, 99]).unwrap();
    lib.index.commit(2).unwrap();
    assert_eq!(lib.ids(""), [1, 3]);
}

#[test]
fn clear_then_commit_empties_the_index_for_a_rebuild() {
    let lib = Library::with(&[asset(1, "a.jpg"), asset(2, "b.jpg")]);
    lib.index.clear().unwrap();
    lib.index.upsert(&[asset(3, "c.jpg")]).unwrap();
    lib.index.commit(9).unwrap();
    assert_eq!(lib.ids(""), [3]);
    assert_eq!(lib.index.committed_seq(), Some(9));
}

#[test]
fn the_committed_sequence_and_the_assets_survive_reopening() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("search");
    let (index, _) = Index::open_or_create(&path).unwrap();
    index.upsert(&[asset(1, "kept.jpg")]).unwrap();
    index.commit(41).unwrap();
    index.upsert(&[asset(2, "lost.jpg")]).unwrap();
    index.commit(42).unwrap();
    index.upsert(&[asset(3, "never committed.jpg")]).unwrap();
    index.close().unwrap();

    let (index, report) = Index::open_or_create(&path).unwrap();
    assert_eq!(report, OpenReport::Opened);
    assert!(!report.needs_full_reindex());
    assert_eq!(index.committed_seq(), Some(42));
    assert_eq!(index.num_docs(), 2);
}

#[test]
fn a_second_writer_is_refused_while_the_first_holds_the_lock() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("search");
    let (_first, _) = Index::open_or_create(&path).unwrap();
    let err = Index::open_or_create(&path).unwrap_err();
    assert!(matches!(err, SearchError::Locked { .. }), "{err:?}");
    assert_eq!(err.code(), "index_locked");
    assert!(!err.is_user_error());
}

/// Fills an index, closes it, damages it with `damage`, reopens it.
fn reopen_after(damage: impl FnOnce(&std::path::Path)) -> (TempDir, Index, OpenReport) {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("search");
    let (index, _) = Index::open_or_create(&path).unwrap();
    index.upsert(&[asset(1, "a.jpg"), asset(2, "b.jpg")]).unwrap();
    index.commit(7).unwrap();
    index.close().unwrap();
    damage(&path);
    let (index, report) = Index::open_or_create(&path).unwrap();
    (dir, index, report)
}

fn assert_rebuilt(dir: &TempDir, index: &Index, report: &OpenReport) -> RebuildReason {
    let OpenReport::Rebuilt { moved_to, reason } = report else {
        panic!("expected a rebuild, got {report:?}")
    };
    assert_eq!(moved_to, &dir.path().join("search.broken-1"));
    assert!(moved_to.join("meta.json").exists(), "the old index is kept aside");
    assert!(report.needs_full_reindex());
    assert_eq!(index.num_docs(), 0);
    assert_eq!(index.committed_seq(), None);
    // The fresh index works.
    index.upsert(&[asset(5, "new.jpg")]).unwrap();
    index.commit(8).unwrap();
    assert_eq!(index.num_docs(), 1);
    reason.clone()
}

#[test]
fn a_garbage_meta_json_is_moved_aside_and_rebuilt() {
    let (dir, index, report) = reopen_after(|path| fs::write(path.join("meta.json"), b"\x00garbage{{").unwrap());
    let reason = assert_rebuilt(&dir, &index, &report);
    assert!(matches!(reason, RebuildReason::Unreadable { .. }), "{reason:?}");
    assert!(!reason.to_string().is_empty());
}

#[test]
fn a_garbage_segment_file_is_moved_aside_and_rebuilt() {
    let (dir, index, report) = reopen_after(|path| {
        let mut damaged = 0;
        for entry in fs::read_dir(path).unwrap() {
            let file = entry.unwrap().path();
            let ext = file.extension().and_then(|e| e.to_str()).unwrap_or_default();
            if ["idx", "term", "fast"].contains(&ext) {
                let len = fs::metadata(&file).unwrap().len() as usize;
                fs::write(&file, vec![0xA5; len.max(8)]).unwrap();
                damaged += 1;
            }
        }
        assert!(damaged > 0, "no segment files found");
    });
    let reason = assert_rebuilt(&dir, &index, &report);
    assert!(matches!(reason, RebuildReason::Unreadable { .. }), "{reason:?}");
}

#[test]
fn an_index_of_another_schema_is_moved_aside_and_rebuilt() {
    let (dir, index, report) = reopen_after(|path| {
        fs::remove_dir_all(path).unwrap();
        fs::create_dir(path).unwrap();
        let mut builder = tantivy::schema::Schema::builder();
        builder.add_text_field("body", tantivy::schema::TEXT);
        let foreign = tantivy::Index::create_in_dir(path, builder.build()).unwrap();
        let mut writer: tantivy::IndexWriter = foreign.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.commit().unwrap();
    });
    let reason = assert_rebuilt(&dir, &index, &report);
    assert_eq!(
        reason,
        RebuildReason::SchemaVersion {
            found: None,
            expected: SCHEMA_VERSION
        }
    );
}

#[test]
fn a_folder_of_stray_files_is_moved_aside_not_mixed_in() {
    let (dir, index, report) = reopen_after(|path| fs::remove_file(path.join("meta.json")).unwrap());
    let OpenReport::Rebuilt { moved_to, .. } = &report else {
        panic!("{report:?}")
    };
    assert_eq!(moved_to, &dir.path().join("search.broken-1"));
    assert_eq!(index.num_docs(), 0);
}

/// Results that rank the same (the same words, the same name, the same
/// size) keep their order when one of them is edited: newest asset first,
/// whatever segment the edit wrote it into. (Before, an edited asset moved
/// among its equals, and a list re-read under the person changed.)
#[test]
fn equal_results_keep_their_order_across_an_edit() {
    use trove_search::{Direction, SearchRequest, Sort};
    let docs: Vec<_> = (1..=6)
        .map(|id| {
            let mut d = asset(id, "beach.jpg");
            d.size = 1000;
            d
        })
        .collect();
    let lib = Library::with(&docs);
    let order = |sort: Sort| -> Vec<i64> {
        lib.index
            .search(&SearchRequest {
                query: "beach",
                sort,
                offset: 0,
                limit: 100,
                facets: false,
            })
            .unwrap()
            .hits
            .iter()
            .map(|h| h.id)
            .collect()
    };
    let sorts = [
        Sort::Relevance,
        Sort::Name(Direction::Ascending),
        Sort::Size(Direction::Descending),
    ];
    for sort in sorts {
        assert_eq!(order(sort), [6, 5, 4, 3, 2, 1], "{sort:?}");
    }
    // Edit two (each written anew, in a new segment), one at a time.
    for id in [3, 5] {
        let mut edited = docs[id as usize - 1].clone();
        edited.title = Some("a title".into());
        lib.index.upsert(&[edited]).unwrap();
        lib.index.commit(1 + id as u64).unwrap();
        for sort in sorts {
            assert_eq!(order(sort), [6, 5, 4, 3, 2, 1], "{sort:?} after editing {id}");
        }
    }
    // A window in the middle is the same slice.
    let middle = lib
        .index
        .search(&SearchRequest {
            query: "beach",
            sort: Sort::Relevance,
            offset: 2,
            limit: 2,
            facets: false,
        })
        .unwrap();
    assert_eq!(middle.hits.iter().map(|h| h.id).collect::<Vec<_>>(), [4, 3]);
}

/// Copies the files of folder `from` into `to` (flat: an index is one level).
fn copy_files(from: &std::path::Path, to: &std::path::Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
    }
}

/// A process killed in the middle of a commit leaves the files it wrote
/// (a segment's new deletes) listed as the index's own but named by no
/// commit. The next process, redoing the same change, would write a file
/// of the same name; Tantivy refused it (FileAlreadyExists) on every
/// commit from then on, once in the CLI's kill -9 test. Opening the
/// index clears such files away.
#[test]
fn files_a_killed_commit_left_behind_do_not_block_the_next_commits() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("search");
    let (index, _) = Index::open_or_create(&path).unwrap();
    // Enough assets that one changed does not get its segment merged away.
    let docs: Vec<_> = (1..=20).map(|i| asset(i, &format!("{i}.jpg"))).collect();
    index.upsert(&docs).unwrap();
    index.commit(1).unwrap();
    index.close().unwrap();
    let before = dir.path().join("before");
    copy_files(&path, &before);

    // The change, committed once to learn what files it writes.
    let (index, _) = Index::open_or_create(&path).unwrap();
    index.upsert(&[asset(1, "a renamed.jpg")]).unwrap();
    index.commit(2).unwrap();
    index.close().unwrap();
    let written: Vec<_> = fs::read_dir(&path)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| !before.join(n).exists())
        .collect();
    assert!(
        written.iter().any(|n| n.to_string_lossy().ends_with(".del")),
        "the change writes a segment's deletes: {written:?}"
    );

    // The state a kill before meta.json was written leaves: the old
    // commit, plus the new files, already listed in .managed.json.
    let killed = dir.path().join("killed");
    copy_files(&before, &killed);
    for name in &written {
        fs::copy(path.join(name), killed.join(name)).unwrap();
    }
    fs::copy(path.join(".managed.json"), killed.join(".managed.json")).unwrap();

    let (index, report) = Index::open_or_create(&killed).unwrap();
    assert_eq!(report, OpenReport::Opened);
    assert_eq!(index.committed_seq(), Some(1));
    index.upsert(&[asset(1, "a renamed.jpg")]).unwrap();
    index.commit(2).unwrap();
    index.upsert(&[asset(21, "new.jpg")]).unwrap();
    index.commit(3).unwrap();
    assert_eq!(index.num_docs(), 21);
}
