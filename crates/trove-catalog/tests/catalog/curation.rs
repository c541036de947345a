//! Curation edits, undo and redo, against a real catalog.

use std::path::Path;

use trove_catalog::{AssetContent, Catalog, CurationChange, EditState, TextField, event_kind};
use trove_types::{ColorLabel, Flag, KeywordPath, Metadata};

use super::{content, open, stat};

fn kw(s: &str) -> KeywordPath {
    s.parse().unwrap()
}

/// Adds `n` assets under one root; returns their row ids.
fn assets(cat: &mut Catalog, n: u32, metadata: impl Fn(u32) -> Option<Metadata>) -> Vec<i64> {
    let mut b = cat.batch(1).unwrap();
    let (root, _) = b.add_root(Path::new("/r"), Some(1), false).unwrap();
    let mut rows = Vec::new();
    for i in 0..n {
        let mut c: AssetContent = content(0);
        let mut hash = [0u8; 32];
        hash[..4].copy_from_slice(&i.to_le_bytes());
        hash[31] = 0xee;
        c.blake3 = trove_types::ContentHash(hash);
        c.metadata = metadata(i);
        let (row, _) = b.insert_asset(&c).unwrap();
        b.insert_file(row, root.id, Path::new(&format!("{i}.jpg")), &stat(u64::from(i) + 1))
            .unwrap();
        rows.push(row);
    }
    b.commit().unwrap();
    rows
}

fn edit(cat: &mut Catalog, rows: &[i64], change: CurationChange) {
    let mut b = cat.batch(10).unwrap();
    b.edit(rows, &change).unwrap();
    b.commit().unwrap();
}

fn undo(cat: &mut Catalog) -> Option<String> {
    let mut b = cat.batch(20).unwrap();
    let r = b.undo_edit().unwrap();
    b.commit().unwrap();
    r.map(|r| r.summary)
}

fn redo(cat: &mut Catalog) -> Option<String> {
    let mut b = cat.batch(30).unwrap();
    let r = b.redo_edit().unwrap();
    b.commit().unwrap();
    r.map(|r| r.summary)
}

#[test]
fn a_files_own_xmp_is_the_curation_until_edited_and_seeds_the_first_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 1, |_| {
        Some(Metadata {
            rating: Some(-1),
            color_label: Some("Red".into()),
            title: Some("Harbour".into()),
            raw: serde_json::json!({"xmp": {
                "keywords": ["Places", "Iceland", "sunset"],
                "hierarchical_keywords": ["Places|Iceland"],
            }}),
            ..Metadata::default()
        })
    });
    let c = cat.curation(rows[0]).unwrap();
    assert_eq!(c.flag, Some(Flag::Reject), "Lightroom's rating -1 is a reject");
    assert_eq!(c.rating, 0);
    assert_eq!(c.label, Some(ColorLabel::Red));
    assert_eq!(c.keywords, vec![kw("Places|Iceland"), kw("sunset")]);

    edit(&mut cat, &rows, CurationChange::Rating { rating: 3 });
    let c = cat.curation(rows[0]).unwrap();
    assert_eq!(c.rating, 3);
    assert_eq!(c.flag, Some(Flag::Reject), "the file's other values were kept");
    assert_eq!(c.title.as_deref(), Some("Harbour"));
    assert_eq!(c.keywords, vec![kw("Places|Iceland"), kw("sunset")]);
}

#[test]
fn every_field_edit_undoes_and_redoes() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 3, |_| None);
    edit(&mut cat, &rows[..1], CurationChange::Rating { rating: 2 });
    edit(&mut cat, &rows, CurationChange::Rating { rating: 5 });
    edit(&mut cat, &rows[1..], CurationChange::Flag { flag: Some(Flag::Pick) });
    edit(
        &mut cat,
        &rows,
        CurationChange::Label {
            label: Some(ColorLabel::Blue),
        },
    );
    edit(
        &mut cat,
        &rows[2..],
        CurationChange::Text {
            field: TextField::Caption,
            value: Some("Fishing boats at dawn".into()),
        },
    );
    let c = |cat: &Catalog, i: usize| cat.curation(rows[i]).unwrap();
    assert_eq!((c(&cat, 0).rating, c(&cat, 1).flag), (5, Some(Flag::Pick)));
    assert_eq!(c(&cat, 2).caption.as_deref(), Some("Fishing boats at dawn"));

    assert_eq!(undo(&mut cat).as_deref(), Some("caption set"));
    assert_eq!(c(&cat, 2).caption, None);
    assert_eq!(undo(&mut cat).as_deref(), Some("label blue"));
    assert_eq!(c(&cat, 0).label, None);
    assert_eq!(undo(&mut cat).as_deref(), Some("flag pick"));
    assert_eq!(c(&cat, 1).flag, None);
    assert_eq!(undo(&mut cat).as_deref(), Some("rating 5"));
    assert_eq!(
        rows.iter()
            .map(|r| cat.curation(*r).unwrap().rating)
            .collect::<Vec<_>>(),
        [2, 0, 0],
        "each asset gets back its own value"
    );

    assert_eq!(redo(&mut cat).as_deref(), Some("rating 5"));
    assert_eq!(redo(&mut cat).as_deref(), Some("flag pick"));
    assert_eq!(c(&cat, 2).rating, 5);
    assert_eq!(c(&cat, 2).flag, Some(Flag::Pick));

    // A new edit drops what could still be redone.
    edit(&mut cat, &rows[..1], CurationChange::Rating { rating: 1 });
    assert_eq!(redo(&mut cat), None);
    let history = cat.edit_history(10).unwrap();
    assert_eq!(history[0].summary, "rating 1");
    assert_eq!(
        history.iter().filter(|e| e.state == EditState::Dropped).count(),
        2,
        "label and caption can no longer be redone"
    );
    assert_eq!(undo(&mut cat).as_deref(), Some("rating 1"));
    assert_eq!(c(&cat, 0).rating, 5);
}

#[test]
fn keyword_edits_undo_to_what_each_asset_had() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 2, |_| None);
    edit(
        &mut cat,
        &rows[..1],
        CurationChange::Keywords {
            add: vec![kw("Places/Iceland"), kw("Old")],
            remove: vec![],
        },
    );
    edit(
        &mut cat,
        &rows,
        CurationChange::Keywords {
            add: vec![kw("Places|Iceland|Reykjavik"), kw("Places|Iceland")],
            remove: vec![kw("Old"), kw("Never|Existed")],
        },
    );
    let k = |cat: &Catalog, i: usize| cat.curation(rows[i]).unwrap().keywords;
    assert_eq!(k(&cat, 0), vec![kw("Places|Iceland"), kw("Places|Iceland|Reykjavik")]);
    assert_eq!(k(&cat, 1), vec![kw("Places|Iceland"), kw("Places|Iceland|Reykjavik")]);
    assert_eq!(
        cat.keyword(&kw("Never|Existed")).unwrap(),
        None,
        "removing creates nothing"
    );

    undo(&mut cat);
    assert_eq!(k(&cat, 0), vec![kw("Old"), kw("Places|Iceland")]);
    assert!(k(&cat, 1).is_empty());
    redo(&mut cat);
    assert_eq!(k(&cat, 1), vec![kw("Places|Iceland"), kw("Places|Iceland|Reykjavik")]);
}

#[test]
fn an_edit_is_one_event_that_names_all_its_assets() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 5_000, |_| None);
    let before = cat.last_event_id().unwrap();
    edit(
        &mut cat,
        &rows,
        CurationChange::Label {
            label: Some(ColorLabel::Green),
        },
    );
    let events = cat.events_after(before, 100).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].kind, event_kind::ASSETS_EDITED);
    assert_eq!(events[0].asset_row_id, None);
    let touched = cat.touched_assets(&events).unwrap();
    assert_eq!(touched.len(), 5_000);
    assert!(touched.contains(&rows[4_999]));
    assert_eq!(cat.curation(rows[1234]).unwrap().label, Some(ColorLabel::Green));

    undo(&mut cat);
    let events = cat.events_after(before + 1, 100).unwrap();
    assert_eq!(events[0].kind, event_kind::EDIT_UNDONE);
    assert_eq!(cat.touched_assets(&events).unwrap().len(), 5_000);
}

#[test]
fn rows_that_are_not_assets_are_left_out_of_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 1, |_| None);
    let mut b = cat.batch(10).unwrap();
    let e = b
        .edit(&[rows[0], 987_654], &CurationChange::Rating { rating: 1 })
        .unwrap();
    b.commit().unwrap();
    assert_eq!(e.asset_count, 1);
}

#[test]
fn bad_values_are_refused_before_they_reach_the_catalog() {
    assert!(CurationChange::Rating { rating: 6 }.normalized().is_err());
    let blank = CurationChange::Text {
        field: TextField::Title,
        value: Some("   ".into()),
    };
    assert_eq!(
        blank.normalized().unwrap(),
        CurationChange::Text {
            field: TextField::Title,
            value: None
        }
    );
    let huge = CurationChange::Text {
        field: TextField::Caption,
        value: Some("x".repeat(70_000)),
    };
    assert!(huge.normalized().unwrap_err().to_string().contains("64 KiB"));
    let nothing = CurationChange::Keywords {
        add: vec![],
        remove: vec![],
    };
    assert!(nothing.normalized().is_err());
}

/// The grid's stars, flag and label come from one SQL expression; they
/// must say what `curation()` says, for files never edited as for edited
/// ones.
#[test]
fn listing_marks_agree_with_the_curation() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let files = [
        (Some(-1), Some("Red")),
        (Some(4), Some(" Purple")),
        (Some(9), Some("teal")),
        (None, None),
    ];
    let rows = assets(&mut cat, 4, |i| {
        let (rating, label) = files[i as usize];
        Some(Metadata {
            rating,
            color_label: label.map(str::to_owned),
            ..Metadata::default()
        })
    });
    edit(&mut cat, &rows[3..], CurationChange::Flag { flag: Some(Flag::Pick) });
    edit(&mut cat, &rows[3..], CurationChange::Rating { rating: 2 });
    let listed = cat
        .list_assets(&trove_catalog::AssetQuery {
            limit: Some(10),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(listed.len(), 4);
    for l in listed {
        let c = cat.curation(l.asset.row_id).unwrap();
        assert_eq!(
            (l.marks.rating, l.marks.flag, l.marks.label),
            (c.rating, c.flag, c.label),
            "asset row {}",
            l.asset.row_id
        );
        assert_eq!(cat.marks(l.asset.row_id).unwrap(), l.marks);
    }
    let c = cat.curation(rows[1]).unwrap();
    assert_eq!((c.rating, c.label), (4, Some(ColorLabel::Purple)));
    assert_eq!(cat.curation(rows[3]).unwrap().rating, 2);
}

#[test]
fn albums_keep_a_hand_made_order_and_undo_puts_assets_back_where_they_were() {
    use trove_catalog::AlbumKind;
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 4, |_| None);
    let mut b = cat.batch(5).unwrap();
    let trips = b.create_album("Trips", None, AlbumKind::Folder, None).unwrap();
    let iceland = b
        .create_album("Iceland 2024", Some(trips), AlbumKind::Album, None)
        .unwrap();
    assert!(
        b.create_album("Iceland 2024", Some(trips), AlbumKind::Album, None)
            .is_err(),
        "a name is unique in its folder"
    );
    assert!(
        b.create_album("x", Some(iceland), AlbumKind::Album, None).is_err(),
        "only folders hold albums"
    );
    b.commit().unwrap();

    // Added in the order given, at the end.
    edit(
        &mut cat,
        &[rows[2], rows[0]],
        CurationChange::AlbumAdd { album: iceland },
    );
    edit(
        &mut cat,
        &[rows[1], rows[2]],
        CurationChange::AlbumAdd { album: iceland },
    );
    assert_eq!(cat.album_asset_rows(iceland).unwrap(), [rows[2], rows[0], rows[1]]);
    assert_eq!(cat.album("Trips/Iceland 2024").unwrap().count, 3);
    assert_eq!(cat.curation(rows[2]).unwrap().albums, ["Trips/Iceland 2024"]);

    let mut b = cat.batch(6).unwrap();
    b.move_in_album(iceland, rows[1], Some(rows[2])).unwrap();
    b.commit().unwrap();
    assert_eq!(cat.album_asset_rows(iceland).unwrap(), [rows[1], rows[2], rows[0]]);

    edit(&mut cat, &[rows[2]], CurationChange::AlbumRemove { album: iceland });
    assert_eq!(cat.album_asset_rows(iceland).unwrap(), [rows[1], rows[0]]);
    undo(&mut cat);
    assert_eq!(
        cat.album_asset_rows(iceland).unwrap(),
        [rows[1], rows[2], rows[0]],
        "back at its place"
    );
    undo(&mut cat);
    assert_eq!(
        cat.album_asset_rows(iceland).unwrap(),
        [rows[2], rows[0]],
        "the second add is taken back; rows[2] was in it already and stays"
    );

    // A folder that holds an album is not deleted; an album is, and its
    // assets stay.
    let mut b = cat.batch(7).unwrap();
    assert!(b.delete_album(trips).is_err());
    let deleted = b.delete_album(iceland).unwrap();
    b.commit().unwrap();
    assert_eq!(deleted.asset_count, 2);
    assert!(cat.curation(rows[2]).unwrap().albums.is_empty());
    assert!(cat.asset_by_row(rows[2]).is_ok());
    let named = |cat: &Catalog| -> Vec<String> { cat.albums().unwrap().into_iter().map(|a| a.name).collect() };
    let before_delete = named(&cat);

    // The deletion is a step of the history: undo brings the album back,
    // with its id, place and members in their order; redo deletes it again.
    assert!(undo(&mut cat).unwrap().contains("deleted"));
    assert!(named(&cat).contains(&"Iceland 2024".to_owned()));
    assert_eq!(cat.album_asset_rows(iceland).unwrap(), [rows[2], rows[0]]);
    redo(&mut cat);
    assert_eq!(named(&cat), before_delete);
    // Another album of that name in its place: undo says why and changes
    // nothing.
    let mut b = cat.batch(8).unwrap();
    let other = b
        .create_album("Iceland 2024", Some(trips), AlbumKind::Album, None)
        .unwrap();
    b.commit().unwrap();
    let mut b = cat.batch(9).unwrap();
    assert!(b.undo_edit().is_err());
    drop(b);
    let mut b = cat.batch(10).unwrap();
    b.rename_album(other, "Iceland 2025", Some(trips)).unwrap();
    b.commit().unwrap();
    assert!(undo(&mut cat).unwrap().contains("deleted"));
    assert_eq!(cat.album_asset_rows(iceland).unwrap(), [rows[2], rows[0]]);
}

#[test]
fn comments_are_edits_that_undo_removes() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 2, |_| None);
    edit(
        &mut cat,
        &rows,
        CurationChange::Comment {
            author: "ana".into(),
            text: "Print these".into(),
        },
    );
    let c = cat.curation(rows[1]).unwrap().comments;
    assert_eq!(
        (c.len(), c[0].author.as_str(), c[0].text.as_str()),
        (1, "ana", "Print these")
    );
    undo(&mut cat);
    assert!(cat.curation(rows[1]).unwrap().comments.is_empty());
    redo(&mut cat);
    assert_eq!(cat.curation(rows[0]).unwrap().comments.len(), 1);
}

#[test]
fn keyword_renames_and_merges_apply_to_every_asset_and_old_edits_still_undo() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 2, |_| None);
    edit(
        &mut cat,
        &rows[..1],
        CurationChange::Keywords {
            add: vec![kw("Places|Island|Reykjavik")],
            remove: vec![],
        },
    );
    edit(
        &mut cat,
        &rows[1..],
        CurationChange::Keywords {
            add: vec![kw("Travel|Iceland|Vik"), kw("Travel|Iceland")],
            remove: vec![],
        },
    );
    let mut b = cat.batch(8).unwrap();
    for row in &rows {
        b.sidecar_written(*row).unwrap();
    }
    assert!(
        b.rename_keyword(&kw("Places|Island"), &kw("Travel|Iceland")).is_err(),
        "exists: merge instead"
    );
    assert!(
        b.rename_keyword(&kw("Places"), &kw("Places|Sub")).is_err(),
        "not below itself"
    );
    let renamed = b.rename_keyword(&kw("Places|Island"), &kw("Places|Iceland")).unwrap();
    assert_eq!(renamed.asset_count, 1);
    let merged = b.merge_keyword(&kw("Places|Iceland"), &kw("Travel|Iceland")).unwrap();
    assert_eq!(merged.summary, "keyword Places|Iceland merged into Travel|Iceland");
    b.commit().unwrap();
    let after_merge = |cat: &Catalog| {
        assert_eq!(
            cat.curation(rows[0]).unwrap().keywords,
            [kw("Travel|Iceland|Reykjavik")]
        );
        assert_eq!(
            cat.curation(rows[1]).unwrap().keywords,
            [kw("Travel|Iceland"), kw("Travel|Iceland|Vik")]
        );
        let tree: Vec<String> = cat.keyword_tree().unwrap().iter().map(|k| k.path.to_string()).collect();
        assert_eq!(
            tree,
            [
                "Places",
                "Travel",
                "Travel|Iceland",
                "Travel|Iceland|Reykjavik",
                "Travel|Iceland|Vik"
            ]
        );
    };
    after_merge(&cat);
    let events = cat.events_after(cat.last_event_id().unwrap() - 2, 10).unwrap();
    assert_eq!(
        cat.touched_assets(&events).unwrap().len(),
        2,
        "the merge names both assets"
    );
    assert_eq!(
        cat.dirty_sidecars(0, 10).unwrap(),
        [rows[0]],
        "the renamed asset's sidecar is to be written again; the other's keywords did not change"
    );

    // Both are steps of the history: undo puts the tree back as it was.
    assert_eq!(
        undo(&mut cat).as_deref(),
        Some("keyword Places|Iceland merged into Travel|Iceland")
    );
    assert_eq!(
        cat.curation(rows[0]).unwrap().keywords,
        [kw("Places|Iceland|Reykjavik")]
    );
    assert_eq!(
        cat.curation(rows[1]).unwrap().keywords,
        [kw("Travel|Iceland"), kw("Travel|Iceland|Vik")]
    );
    assert_eq!(
        undo(&mut cat).as_deref(),
        Some("keyword Places|Island renamed to Places|Iceland")
    );
    assert_eq!(cat.curation(rows[0]).unwrap().keywords, [kw("Places|Island|Reykjavik")]);
    // Redo makes them again.
    redo(&mut cat);
    redo(&mut cat);
    after_merge(&cat);

    // Then the edits made before them.
    undo(&mut cat);
    undo(&mut cat);
    undo(&mut cat);
    assert!(cat.curation(rows[1]).unwrap().keywords.is_empty());
    undo(&mut cat);
    assert!(cat.curation(rows[0]).unwrap().keywords.is_empty());
}

#[test]
fn undoing_a_merge_when_its_keyword_was_made_again_puts_it_back_or_says_why_not() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 2, |_| None);
    let tag = |cat: &mut Catalog, row: i64, k: &str| {
        edit(
            cat,
            &[row],
            CurationChange::Keywords {
                add: vec![kw(k)],
                remove: vec![],
            },
        )
    };
    tag(&mut cat, rows[0], "Old|Child");
    tag(&mut cat, rows[1], "New");
    let mut b = cat.batch(8).unwrap();
    b.merge_keyword(&kw("Old"), &kw("New")).unwrap();
    b.commit().unwrap();
    assert_eq!(cat.curation(rows[0]).unwrap().keywords, [kw("New|Child")]);

    // A later edit makes "Old" again and is undone: the keyword row stays,
    // unused, and is no reason to refuse the merge's undo.
    tag(&mut cat, rows[1], "Old");
    undo(&mut cat);
    assert_eq!(undo(&mut cat).as_deref(), Some("keyword Old merged into New"));
    assert_eq!(cat.curation(rows[0]).unwrap().keywords, [kw("Old|Child")]);
    assert_eq!(cat.curation(rows[1]).unwrap().keywords, [kw("New")]);
    redo(&mut cat);
    assert_eq!(cat.curation(rows[0]).unwrap().keywords, [kw("New|Child")]);

    // An "Old" that an asset carries, which the history cannot take away:
    // a third asset's file says "Old", and its first edit (a rating)
    // seeds its curation from the file. Undoing the rating keeps the
    // seeded keyword, so the merge's undo has to refuse, saying why, and
    // change nothing.
    let mut b = cat.batch(9).unwrap();
    let root = b.add_root(Path::new("/s"), Some(1), false).unwrap().0;
    let mut c: AssetContent = content(0);
    c.blake3 = trove_types::ContentHash([0x77; 32]);
    c.metadata = Some(Metadata {
        raw: serde_json::json!({ "xmp": { "keywords": ["Old"] } }),
        ..Metadata::default()
    });
    let (third, _) = b.insert_asset(&c).unwrap();
    b.insert_file(third, root.id, Path::new("x.jpg"), &stat(9)).unwrap();
    b.commit().unwrap();
    edit(&mut cat, &[third], CurationChange::Rating { rating: 2 });
    undo(&mut cat);
    assert_eq!(cat.curation(third).unwrap().keywords, [kw("Old")]);
    let mut b = cat.batch(10).unwrap();
    let err = b.undo_edit().unwrap_err().to_string();
    drop(b);
    assert!(err.contains("Old") && err.contains("rename it first"), "{err}");
    assert_eq!(cat.curation(rows[0]).unwrap().keywords, [kw("New|Child")]);
}

#[test]
fn the_history_keeps_the_newest_thousand_edits_and_drops_older_ones_after_ninety_days() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let rows = assets(&mut cat, 1, |_| None);
    let day = 24 * 3600 * 1000;
    for i in 0..1_010u32 {
        let mut b = cat.batch(i64::from(i)).unwrap();
        b.edit(
            &rows,
            &CurationChange::Rating {
                rating: (i % 4 + 1) as u8,
            },
        )
        .unwrap();
        b.commit().unwrap();
    }
    assert_eq!(
        cat.edit_history(2_000).unwrap().len(),
        1_010,
        "all younger than 90 days"
    );
    let mut b = cat.batch(91 * day).unwrap();
    b.edit(&rows, &CurationChange::Rating { rating: 5 }).unwrap();
    b.commit().unwrap();
    let history = cat.edit_history(2_000).unwrap();
    assert_eq!(history.len(), 1_000);
    assert_eq!(history[0].at, 91 * day, "newest first");
    // Undo still walks what is kept, and stops where the history ends.
    let mut undone = 0;
    while undo(&mut cat).is_some() {
        undone += 1;
    }
    assert_eq!(undone, 1_000);
    // 1,011 edits, the oldest 11 gone: the oldest kept (the 12th) put back
    // what the 11th set.
    assert_eq!(cat.curation(rows[0]).unwrap().rating, 10 % 4 + 1);
}
