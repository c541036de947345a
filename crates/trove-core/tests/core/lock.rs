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

/// A recovery built beside the library (the desktop recovers while its
/// library is open) takes the library's place at the next start, only
/// while that library is still empty; the empty one is moved aside, never
/// deleted; an unfinished recovery, a library in use, or one with folders
/// are left alone.
#[test]
fn a_finished_recovery_replaces_an_empty_library_at_the_next_start() {
    use trove_core::{Adopted, adopt_recovered, recovery_staging_dir};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("library");
    drop(Library::open(&dir, OpenOptions::write().create(true)).unwrap());
    let staged = recovery_staging_dir(&dir);
    assert_eq!(staged, tmp.path().join("library.recovered"));
    assert_eq!(adopt_recovered(&dir).unwrap(), Adopted::Nothing);
    // The recovered library: one folder.
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    {
        let lib = Library::open(&staged, OpenOptions::write().create(true)).unwrap();
        lib.add_root(&photos, Default::default()).unwrap();
    }
    // Still being recovered: not taken.
    let catalog = staged.join("catalog.db");
    trove_catalog::Catalog::open(&catalog)
        .unwrap()
        .set_setting("recovering_from", "s3://b/p")
        .unwrap();
    assert_eq!(adopt_recovered(&dir).unwrap(), Adopted::Nothing);
    trove_catalog::Catalog::open(&catalog)
        .unwrap()
        .set_setting("recovering_from", "")
        .unwrap();
    // The library in place is open elsewhere: an error, nothing moved.
    let open = Library::open(&dir, OpenOptions::write()).unwrap();
    assert_eq!(adopt_recovered(&dir).unwrap_err().code(), "library_locked");
    assert!(staged.exists());
    drop(open);
    // Empty and free: swapped, the empty one kept aside.
    let Adopted::Swapped { replaced: Some(aside) } = adopt_recovered(&dir).unwrap() else {
        panic!("not swapped")
    };
    assert!(aside.join("catalog.db").exists() && !staged.exists());
    let lib = Library::open(&dir, OpenOptions::write()).unwrap();
    assert_eq!(lib.roots().unwrap().len(), 1, "the recovered library is in place");
    drop(lib);
    // A second recovery waits beside a library that has folders: kept.
    drop(Library::open(&staged, OpenOptions::write().create(true)).unwrap());
    assert_eq!(adopt_recovered(&dir).unwrap(), Adopted::Kept { staged: staged.clone() });
    assert_eq!(
        Library::open(&dir, OpenOptions::write())
            .unwrap()
            .roots()
            .unwrap()
            .len(),
        1
    );
}
