//! The search index follows the catalog: imports, renames, missing files
//! and sidecar edits are found after the next update; a crash between a
//! catalog write and an index commit loses nothing; a broken index is
//! rebuilt; bad queries are user errors.

use trove_core::{Event, Library, NoEvents, OpenOptions, SearchQuery, Sort};
use trove_testkit::{Exif, insert_xmp, jpeg_bytes, write_jpeg, xmp_packet};

use super::Env;

pub(crate) fn names(lib: &Library, text: &str) -> Vec<String> {
    let mut found: Vec<String> = lib
        .search(
            &SearchQuery {
                text: text.into(),
                sort: Sort::Relevance,
                limit: 100,
                ..SearchQuery::default()
            },
            &NoEvents,
        )
        .unwrap()
        .assets
        .into_iter()
        .map(|a| a.name)
        .collect();
    found.sort();
    found
}

fn photo_tree(env: &Env) {
    std::fs::create_dir_all(env.path("beach-trip")).unwrap();
    let x100 = Exif {
        make: Some("FUJIFILM"),
        model: Some("X100V"),
        date_time_original: Some("2023:06:14 10:20:30"),
        ..Exif::default()
    };
    write_jpeg(
        &env.path("beach-trip/IMG_2041.jpg"),
        32,
        24,
        [200, 150, 90],
        1,
        Some(&x100),
    );
    let xmp = xmp_packet(5, "Red", "Puffins", &["birds"], &["animals|birds|puffin"]);
    std::fs::write(
        env.path("beach-trip/IMG_2042.jpg"),
        insert_xmp(&jpeg_bytes(32, 24, [10, 20, 30], 2, None), &xmp),
    )
    .unwrap();
    write_jpeg(&env.path("garden.jpg"), 32, 24, [20, 200, 20], 3, None);
}

#[test]
fn imported_assets_are_found_by_name_folder_camera_date_rating_and_keyword() {
    let env = Env::new();
    photo_tree(&env);
    env.scan();
    assert_eq!(names(&env.lib, "2041"), ["IMG_2041.jpg"]);
    assert_eq!(names(&env.lib, "beach-trip"), ["IMG_2041.jpg", "IMG_2042.jpg"]);
    assert_eq!(names(&env.lib, "camera:x100v"), ["IMG_2041.jpg"]);
    assert_eq!(names(&env.lib, "taken:2023-06"), ["IMG_2041.jpg"]);
    assert_eq!(names(&env.lib, "rating:>=4"), ["IMG_2042.jpg"]);
    assert_eq!(names(&env.lib, "tag:animals/birds"), ["IMG_2042.jpg"]);
    assert_eq!(names(&env.lib, "puffns"), ["IMG_2042.jpg"], "one typo forgiven");
    assert_eq!(names(&env.lib, "gard"), ["garden.jpg"], "prefix as you type");
    assert_eq!(names(&env.lib, "").len(), 3);
}

#[test]
fn renames_and_missing_files_reach_the_index_on_the_next_update() {
    let env = Env::new();
    photo_tree(&env);
    env.scan();
    assert_eq!(names(&env.lib, "garden"), ["garden.jpg"]);
    std::fs::rename(env.path("garden.jpg"), env.path("greenhouse.jpg")).unwrap();
    std::fs::remove_file(env.path("beach-trip/IMG_2041.jpg")).unwrap();
    env.scan();
    assert!(names(&env.lib, "garden").is_empty());
    assert_eq!(names(&env.lib, "greenhouse"), ["greenhouse.jpg"]);
    assert_eq!(
        names(&env.lib, "missing:true"),
        ["IMG_2041.jpg"],
        "missing, never forgotten"
    );
}

#[test]
fn a_crash_between_the_catalog_write_and_the_index_commit_loses_nothing() {
    let env = Env::new();
    photo_tree(&env);
    env.scan();
    assert_eq!(names(&env.lib, "").len(), 3);
    // The catalog moves on (a scan commits), the index does not: the
    // process "dies" before its next update.
    write_jpeg(&env.path("late.jpg"), 16, 16, [1, 1, 1], 9, None);
    env.scan();
    let dir = env.lib.dir().to_owned();
    let Env { lib, tmp: _tmp, .. } = env;
    drop(lib);
    let lib = Library::open(&dir, OpenOptions::write()).unwrap();
    assert_eq!(names(&lib, "late"), ["late.jpg"], "the gap is indexed on start");
}

#[test]
fn a_damaged_index_is_moved_aside_and_rebuilt_with_a_warning() {
    let env = Env::new();
    photo_tree(&env);
    env.scan();
    assert_eq!(names(&env.lib, "").len(), 3);
    let dir = env.lib.dir().to_owned();
    let Env { lib, tmp: _tmp, .. } = env;
    drop(lib);
    std::fs::write(dir.join("search/meta.json"), b"{ not json").unwrap();
    let lib = Library::open(&dir, OpenOptions::write()).unwrap();
    let events = std::sync::Mutex::new(Vec::new());
    let sink = |e: Event| events.lock().unwrap().push(e);
    let found = lib
        .search(
            &SearchQuery {
                text: "beach".into(),
                limit: 10,
                ..SearchQuery::default()
            },
            &sink,
        )
        .unwrap();
    assert_eq!(found.total, 2);
    let events = events.into_inner().unwrap();
    assert!(
        events.iter().any(|e| matches!(e, Event::SearchIndexRebuilt { .. })),
        "{events:?}"
    );
    let set_aside = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("search.broken")
        })
        .count();
    assert_eq!(set_aside, 1, "the damaged index is kept aside, not deleted");
}

#[test]
fn a_reader_searches_while_the_writer_holds_the_library() {
    let env = Env::new();
    photo_tree(&env);
    env.scan();
    env.lib.update_search_index(&NoEvents).unwrap();
    let reader = Library::open(env.lib.dir(), OpenOptions::read_only()).unwrap();
    assert_eq!(names(&reader, "puffins"), ["IMG_2042.jpg"]);
    // The writer commits more; the reader sees it on its next search.
    write_jpeg(&env.path("later.jpg"), 16, 16, [1, 1, 1], 9, None);
    env.scan();
    env.lib.update_search_index(&NoEvents).unwrap();
    assert_eq!(names(&reader, "later"), ["later.jpg"]);
}

#[test]
fn bad_queries_are_user_errors_with_stable_codes() {
    let env = Env::new();
    photo_tree(&env);
    env.scan();
    for (query, code) in [
        ("(((", "query_syntax"),
        ("colour:red", "query_unknown_field"),
        ("rating:lots", "query_bad_value"),
    ] {
        let err = env
            .lib
            .search(
                &SearchQuery {
                    text: query.into(),
                    limit: 10,
                    ..SearchQuery::default()
                },
                &NoEvents,
            )
            .unwrap_err();
        assert_eq!(err.code(), code, "{query}: {err}");
        assert!(err.is_user_error());
    }
    let deep = "(".repeat(10_000);
    let err = env
        .lib
        .search(
            &SearchQuery {
                text: deep,
                limit: 10,
                ..SearchQuery::default()
            },
            &NoEvents,
        )
        .unwrap_err();
    assert!(err.is_user_error(), "{err}");
}
