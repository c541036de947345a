//! One writer per library; readers alongside.

use trove_core::{CoreError, Library, OpenOptions};

use super::Env;

#[test]
fn a_second_writer_gets_a_clear_error_and_readers_still_work() {
    let env = Env::new();
    trove_testkit::write_png(&env.path("a.png"), 4, 4, [1, 2, 3], 0);
    env.scan();
    let dir = env.lib.dir().to_owned();
    let err = Library::open(&dir, OpenOptions::write()).unwrap_err();
    assert!(matches!(err, CoreError::Locked { .. }), "{err}");
    assert_eq!(err.code(), "library_locked");
    assert!(
        err.to_string().contains(&std::process::id().to_string()),
        "names the holder: {err}"
    );

    let reader = Library::open(&dir, OpenOptions::read_only()).unwrap();
    assert!(!reader.is_writer());
    assert_eq!(reader.assets(&Default::default()).unwrap().len(), 1);
    let err = reader.enqueue_scan(env.root_id).unwrap_err();
    assert_eq!(err.code(), "read_only");

    drop(env.lib);
    Library::open(&dir, OpenOptions::write()).expect("free once the writer is gone");
}

#[test]
fn opening_a_missing_library_says_where_it_looked() {
    let tmp = tempfile::tempdir().unwrap();
    let err = Library::open(&tmp.path().join("nope"), OpenOptions::read_only()).unwrap_err();
    assert_eq!(err.code(), "no_library");
    // Front ends add how to create one, in their own words, by code.
    assert!(
        err.to_string().contains(&tmp.path().join("nope").display().to_string()),
        "{err}"
    );
}

#[test]
fn roots_inside_the_library_or_overlapping_others_are_refused() {
    let env = Env::new();
    let inside = env.lib.dir().join("sub");
    std::fs::create_dir_all(&inside).unwrap();
    let err = env.lib.add_root(&inside, Default::default()).unwrap_err();
    assert_eq!(err.code(), "root_inside_library");
    // A folder that holds the library: refused, unless the library sits
    // under a hidden folder that scans skip (like ~/.local/share/trove).
    let outer = tempfile::tempdir().unwrap();
    let visible = Library::open(
        &outer.path().join("Pictures/trove-lib"),
        OpenOptions::write().create(true),
    )
    .unwrap();
    let err = visible.add_root(outer.path(), Default::default()).unwrap_err();
    assert_eq!(err.code(), "library_inside_root");
    let hidden = Library::open(
        &outer.path().join(".local/share/trove"),
        OpenOptions::write().create(true),
    )
    .unwrap();
    hidden
        .add_root(outer.path(), Default::default())
        .expect("hidden library folders are skipped by scans");
    std::fs::create_dir_all(env.path("nested")).unwrap();
    let err = env.lib.add_root(&env.path("nested"), Default::default()).unwrap_err();
    assert_eq!(err.code(), "root_overlaps");
    let err = env
        .lib
        .add_root(&env.path("no-such-folder"), Default::default())
        .unwrap_err();
    assert_eq!(err.code(), "not_a_folder");
    let (again, created) = env.lib.add_root(&env.root, Default::default()).unwrap();
    assert!(!created);
    assert_eq!(again.id, env.root_id);
}
