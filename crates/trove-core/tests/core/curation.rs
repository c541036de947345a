//! Curation through the library: one edit per change on ids or a search,
//! undo and redo, the event the desktop follows, and the search index
//! reflecting each edit.

use std::sync::{Arc, Mutex};

use trove_core::catalog::{CurationChange, EditState, TextField};
use trove_core::types::{ColorLabel, Flag, KeywordPath};
use trove_core::{CoreError, Event, NoEvents, Selection};
use trove_testkit::write_jpeg;

use super::Env;
use super::search::names;

fn shoot(env: &Env, n: u32) -> Vec<trove_core::types::AssetId> {
    for i in 0..n {
        write_jpeg(
            &env.path(&format!("shoot/DSC{i:04}.jpg")),
            // Sizes differ so no two files have the same content.
            16 + i,
            12,
            [i as u8, 90, 40],
            i,
            None,
        );
    }
    env.scan();
    let mut assets = env.assets();
    assets.sort_by(|a, b| a.name.cmp(&b.name));
    assets.into_iter().map(|a| a.id).collect()
}

fn kw(s: &str) -> KeywordPath {
    s.parse().unwrap()
}

#[test]
fn ratings_flags_labels_texts_and_keywords_are_found_after_each_edit_and_gone_after_undo() {
    let env = Env::new();
    let ids = shoot(&env, 4);
    let lib = &env.lib;
    let one = |i: usize| Selection::Ids(vec![ids[i]]);
    lib.edit(
        &Selection::Ids(ids[..2].to_vec()),
        CurationChange::Rating { rating: 4 },
        &NoEvents,
    )
    .unwrap();
    lib.edit(&one(1), CurationChange::Flag { flag: Some(Flag::Pick) }, &NoEvents)
        .unwrap();
    lib.edit(
        &one(3),
        CurationChange::Flag {
            flag: Some(Flag::Reject),
        },
        &NoEvents,
    )
    .unwrap();
    lib.edit(
        &one(2),
        CurationChange::Label {
            label: Some(ColorLabel::Red),
        },
        &NoEvents,
    )
    .unwrap();
    lib.edit(
        &one(0),
        CurationChange::Text {
            field: TextField::Caption,
            value: Some("Puffins on the cliff".into()),
        },
        &NoEvents,
    )
    .unwrap();
    lib.edit(
        &Selection::Ids(ids[2..].to_vec()),
        CurationChange::Keywords {
            add: vec![kw("Places|Iceland|Reykjavik")],
            remove: vec![],
        },
        &NoEvents,
    )
    .unwrap();

    assert_eq!(names(lib, "rating:>=4"), ["DSC0000.jpg", "DSC0001.jpg"]);
    assert_eq!(names(lib, "flag:pick"), ["DSC0001.jpg"]);
    assert_eq!(names(lib, "flag:reject"), ["DSC0003.jpg"]);
    assert_eq!(names(lib, "label:red"), ["DSC0002.jpg"]);
    assert_eq!(names(lib, "puffins"), ["DSC0000.jpg"]);
    assert_eq!(
        names(lib, "keyword:Places"),
        ["DSC0002.jpg", "DSC0003.jpg"],
        "a keyword finds its descendants"
    );
    assert_eq!(names(lib, "tag:reykjavik"), ["DSC0002.jpg", "DSC0003.jpg"]);
    let facets = lib
        .search(
            &trove_core::SearchQuery {
                text: String::new(),
                limit: 1,
                facets: true,
                ..trove_core::SearchQuery::default()
            },
            &NoEvents,
        )
        .unwrap()
        .facets
        .unwrap();
    let counts = |v: &[trove_core::FacetCount]| v.iter().map(|c| (c.value.clone(), c.count)).collect::<Vec<_>>();
    assert_eq!(
        counts(&facets.flags),
        [("pick".to_owned(), 1), ("reject".to_owned(), 1)]
    );
    assert_eq!(counts(&facets.labels), [("red".to_owned(), 1)]);

    lib.undo(&NoEvents).unwrap();
    assert!(names(lib, "keyword:Places").is_empty());
    lib.undo(&NoEvents).unwrap();
    assert!(names(lib, "puffins").is_empty());
    lib.redo(&NoEvents).unwrap();
    assert_eq!(names(lib, "puffins"), ["DSC0000.jpg"]);
    let c = lib.curation(ids[1]).unwrap();
    assert_eq!((c.rating, c.flag), (4, Some(Flag::Pick)));
}

#[test]
fn an_edit_by_search_changes_every_match_as_one_undoable_step() {
    let env = Env::new();
    let ids = shoot(&env, 30);
    let lib = &env.lib;
    assert_eq!(ids.len(), 30);
    assert_eq!(names(lib, "folder:shoot").len(), 30);
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = events.clone();
        move |e: Event| events.lock().unwrap().push(e)
    };
    let e = lib
        .edit(
            &Selection::Query("folder:shoot".into()),
            CurationChange::Rating { rating: 2 },
            &sink,
        )
        .unwrap();
    assert_eq!(e.asset_count, 30);
    assert_eq!(names(lib, "rating:2").len(), 30);
    let edited: Vec<_> = events
        .lock()
        .unwrap()
        .iter()
        .filter_map(|e| match e {
            Event::Edited(r) => Some((r.summary.clone(), r.state)),
            _ => None,
        })
        .collect();
    assert_eq!(edited, [("rating 2".to_owned(), EditState::Done)]);

    let undone = lib.undo(&sink).unwrap().unwrap();
    assert_eq!((undone.asset_count, undone.state), (30, EditState::Undone));
    assert!(names(lib, "rating:2").is_empty());
    assert_eq!(lib.curation(ids[29]).unwrap().rating, 0);
    assert_eq!(lib.undo(&NoEvents).unwrap(), None, "nothing more to undo");
    assert_eq!(lib.edit_history(5).unwrap().len(), 1);
}

#[test]
fn bad_values_and_empty_selections_are_user_errors_that_change_nothing() {
    let env = Env::new();
    let ids = shoot(&env, 1);
    let lib = &env.lib;
    let e = lib
        .edit(
            &Selection::Ids(ids.clone()),
            CurationChange::Rating { rating: 7 },
            &NoEvents,
        )
        .unwrap_err();
    assert_eq!(e.code(), "curation_invalid");
    assert!(e.is_user_error());
    assert!(e.to_string().contains("0 to 5"), "{e}");
    let e = lib
        .edit(
            &Selection::Query("name:nothing-like-this".into()),
            CurationChange::Rating { rating: 1 },
            &NoEvents,
        )
        .unwrap_err();
    assert!(matches!(e, CoreError::NothingSelected { .. }), "{e:?}");
    let e = lib
        .edit(
            &Selection::Query("rating:lots".into()),
            CurationChange::Rating { rating: 1 },
            &NoEvents,
        )
        .unwrap_err();
    assert!(e.is_user_error(), "a bad query is the person's to fix: {e}");
    assert!(lib.edit_history(5).unwrap().is_empty());
    assert_eq!(lib.curation(ids[0]).unwrap().rating, 0);
}

#[test]
fn a_read_only_library_refuses_edits() {
    let env = Env::new();
    let ids = shoot(&env, 1);
    let ro = trove_core::Library::open(env.lib.dir(), trove_core::OpenOptions::read_only()).unwrap();
    let e = ro
        .edit(&Selection::Ids(ids), CurationChange::Rating { rating: 1 }, &NoEvents)
        .unwrap_err();
    assert_eq!(e.code(), "read_only");
}

#[test]
fn albums_are_searchable_by_name_and_smart_albums_follow_new_assets() {
    use trove_core::catalog::AlbumKind;
    let env = Env::new();
    let ids = shoot(&env, 3);
    let lib = &env.lib;
    lib.create_album("Trips", None, AlbumKind::Folder, None, &NoEvents)
        .unwrap();
    let iceland = lib
        .create_album("Iceland 2024", Some("Trips"), AlbumKind::Album, None, &NoEvents)
        .unwrap();
    lib.edit(
        &Selection::Ids(vec![ids[2], ids[0]]),
        CurationChange::AlbumAdd { album: iceland.id },
        &NoEvents,
    )
    .unwrap();
    assert_eq!(names(lib, "album:\"Iceland 2024\""), ["DSC0000.jpg", "DSC0002.jpg"]);
    assert_eq!(names(lib, "album:\"Trips/Iceland 2024\"").len(), 2);
    let order: Vec<_> = lib
        .album_assets("Trips/Iceland 2024", &NoEvents)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(order, ["DSC0002.jpg", "DSC0000.jpg"], "the order they were put in");

    // Renaming the album reaches the index.
    lib.rename_album("Trips/Iceland 2024", Some("Iceland in June"), None)
        .unwrap();
    assert!(names(lib, "album:\"Iceland 2024\"").is_empty());
    assert_eq!(names(lib, "album:\"Iceland in June\"").len(), 2);

    // A smart album is a search: it finds what is rated later.
    lib.create_album("Best", None, AlbumKind::Smart, Some("rating:>=4"), &NoEvents)
        .unwrap();
    assert!(lib.album_assets("Best", &NoEvents).unwrap().is_empty());
    lib.edit(
        &Selection::Ids(vec![ids[1]]),
        CurationChange::Rating { rating: 5 },
        &NoEvents,
    )
    .unwrap();
    let best: Vec<_> = lib
        .album_assets("Best", &NoEvents)
        .unwrap()
        .into_iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(best, ["DSC0001.jpg"]);
    let listed = lib.albums(&NoEvents).unwrap();
    assert_eq!(listed.iter().find(|a| a.name == "Best").unwrap().count, 1);

    // Bad albums are user errors that name the album.
    let e = lib
        .create_album("Worst", None, AlbumKind::Smart, Some("rating:lots"), &NoEvents)
        .unwrap_err();
    assert!(e.is_user_error(), "{e}");
    let e = lib.album("Nowhere").unwrap_err();
    assert_eq!(e.code(), "album_not_found");
    let e = lib
        .edit(
            &Selection::Ids(vec![ids[0]]),
            CurationChange::AlbumAdd { album: 9_999 },
            &NoEvents,
        )
        .unwrap_err();
    assert_eq!(e.code(), "album_not_found", "{e}");
    let e = lib.delete_album("Trips", &NoEvents).unwrap_err();
    assert_eq!(e.code(), "album_refused", "a folder that holds an album: {e}");
}
