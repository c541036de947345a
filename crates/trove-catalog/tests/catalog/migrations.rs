//! Opening catalogs of older schemas, newer schemas and foreign files.

use rusqlite::Connection;
use trove_catalog::{Catalog, CatalogError, SCHEMA_VERSION, migration_sql};

/// A catalog as schema 1 wrote it, with data, upgrades to the current schema
/// keeping every row, and a backup of the old file is left beside it.
#[test]
fn schema_1_catalog_with_data_upgrades_to_current() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(migration_sql(1).unwrap()).unwrap();
        conn.execute_batch(
            "PRAGMA application_id = 1414680406; PRAGMA user_version = 1;
             INSERT INTO roots (id, path, display, added_at) VALUES (1, X'2f70686f746f73', '/photos', 1);
             INSERT INTO assets (id, uuid, blake3, size, kind, created_at, updated_at)
                 VALUES (7, '5a52f508-7b91-449d-b133-a194900fa14e', zeroblob(32), 10, 'image', 1, 1);
             INSERT INTO files (asset_id, root_id, rel_path, name, size, mtime_ns, inode, device)
                 VALUES (7, 1, X'612e6a7067', 'a.jpg', 10, 5, 9, 1);
             INSERT INTO jobs (kind, payload, dedup_key, created_at, updated_at)
                 VALUES ('scan_root', '{\"root_id\":1}', 'scan:1', 1, 1);",
        )
        .unwrap();
    }
    let cat = Catalog::open(&path).unwrap();
    assert_eq!(cat.schema_version().unwrap(), SCHEMA_VERSION);
    let roots = cat.roots().unwrap();
    assert_eq!(roots.len(), 1);
    assert_eq!(roots[0].path, std::path::Path::new("/photos"));
    let files = cat.files_of_root(1).unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].rel_path, std::path::Path::new("a.jpg"));
    assert_eq!(cat.job_counts().unwrap().queued, 1);
    // Tables of schema 2 work.
    cat.set_setting("theme", "dark").unwrap();
    assert_eq!(cat.setting("theme").unwrap().as_deref(), Some("dark"));
    assert!(cat.scan_problems(None).unwrap().is_empty());
    assert!(cat.integrity_check().unwrap().is_empty());
    assert!(
        dir.path().join("catalog.db.schema-1.bak").exists(),
        "the old catalog is kept"
    );
}

/// A backup left half-written (the process died during the upgrade) is
/// never taken for a good one: it is written again, checked, and only then
/// given its name.
#[test]
fn a_partial_backup_from_a_killed_upgrade_is_not_mistaken_for_a_good_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(migration_sql(1).unwrap()).unwrap();
        conn.execute_batch(
            "PRAGMA application_id = 1414680406; PRAGMA user_version = 1;
             INSERT INTO roots (id, path, display, added_at) VALUES (1, X'2f70', '/p', 1);",
        )
        .unwrap();
    }
    let partial = dir.path().join("catalog.db.schema-1.bak.partial");
    std::fs::write(&partial, b"SQLite format 3\0 and then the power went").unwrap();
    // An older Trove wrote the backup under its final name directly: a
    // half-written one there looked like a good one.
    let backup = dir.path().join("catalog.db.schema-1.bak");
    std::fs::write(&backup, b"SQLite format 3\0 half of a backup").unwrap();
    Catalog::open(&path).unwrap();
    assert!(!partial.exists(), "the partial one is gone");
    assert!(
        dir.path().join("catalog.db.schema-1.bak.damaged").exists(),
        "the damaged one is moved aside, not deleted"
    );
    let conn = Connection::open(&backup).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let roots: i64 = conn.query_row("SELECT count(*) FROM roots", [], |r| r.get(0)).unwrap();
    assert_eq!(roots, 1, "the backup holds the old catalog's rows");
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, 1, "as it was before the upgrade");
}

/// Schema 8 moves EXIF capture times that carry an offset from wall-clock
/// time to the instant; other sources were instants already.
#[test]
fn schema_8_stores_exif_capture_times_with_an_offset_as_instants() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    {
        let conn = Connection::open(&path).unwrap();
        for v in 1..=7 {
            conn.execute_batch(migration_sql(v).unwrap()).unwrap();
        }
        conn.execute_batch(
            "PRAGMA application_id = 1414680406; PRAGMA user_version = 7;
             INSERT INTO assets (id, uuid, blake3, size, kind, created_at, updated_at,
                                 capture_ms, capture_offset, capture_source) VALUES
                 (1, '5a52f508-7b91-449d-b133-a194900fa14e', zeroblob(32), 1, 'image', 1, 1,
                  1686767405250, 120, 'exif_original'),
                 (2, '6a52f508-7b91-449d-b133-a194900fa14e', randomblob(32), 1, 'image', 1, 1,
                  1686767405250, NULL, 'exif_original'),
                 (3, '7a52f508-7b91-449d-b133-a194900fa14e', randomblob(32), 1, 'video', 1, 1,
                  1686767405250, 120, 'container');",
        )
        .unwrap();
    }
    let cat = Catalog::open(&path).unwrap();
    let ms = |id: i64| cat.asset_by_row(id).unwrap().capture.unwrap();
    let moved = ms(1);
    assert_eq!(moved.unix_ms, 1_686_760_205_250, "18:30 at +02:00 is 16:30 UTC");
    assert_eq!(moved.wall_clock_ms(), 1_686_767_405_250);
    assert_eq!(ms(2).unix_ms, 1_686_767_405_250, "no offset: wall clock stays");
    assert_eq!(ms(3).unix_ms, 1_686_767_405_250, "containers stored instants");
}

#[test]
fn a_catalog_from_a_newer_trove_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    drop(Catalog::open(&path).unwrap());
    let future = SCHEMA_VERSION + 5;
    Connection::open(&path)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {future}"))
        .unwrap();
    let err = Catalog::open(&path).unwrap_err();
    assert!(
        matches!(err, CatalogError::TooNew { found, .. } if found == future),
        "{err}"
    );
    assert!(err.to_string().contains("newer Trove"));
    let v: i64 = Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(v, future);
}

#[test]
fn a_foreign_sqlite_database_or_garbage_is_not_taken_for_a_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("other.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = Catalog::open(&foreign).unwrap_err();
    assert!(matches!(err, CatalogError::Corrupt { .. }), "{err}");

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x5a; 8192]).unwrap();
    let err = Catalog::open(&garbage).unwrap_err();
    assert!(matches!(err, CatalogError::Corrupt { .. }), "{err}");
    assert!(err.to_string().contains("garbage.db"), "names the file: {err}");
}

#[test]
fn new_catalogs_use_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let cat = super::open(dir.path());
    drop(cat);
    let conn = Connection::open(dir.path().join("catalog.db")).unwrap();
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn read_only_catalog_refuses_writes_and_old_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("catalog.db");
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(migration_sql(1).unwrap()).unwrap();
        conn.execute_batch("PRAGMA application_id = 1414680406; PRAGMA user_version = 1;")
            .unwrap();
    }
    let err = Catalog::open_read_only(&path).unwrap_err();
    assert!(matches!(err, CatalogError::NeedsUpgrade { found: 1, .. }), "{err}");
    drop(Catalog::open(&path).unwrap());
    let ro = Catalog::open_read_only(&path).unwrap();
    assert!(ro.set_setting("a", "b").is_err());
}

/// The audit trail keeps what was written: rows are appended and read back
/// in order, and SQLite itself refuses to change or delete one.
#[test]
fn the_audit_trail_is_append_only() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = super::open(dir.path());
    let mut b = cat.batch(1_000).unwrap();
    for (i, event) in [
        trove_catalog::AuditEvent::Upload,
        trove_catalog::AuditEvent::FixityCheck,
    ]
    .into_iter()
    .enumerate()
    {
        b.audit(&trove_catalog::NewAudit {
            event,
            success: i == 0,
            target: Some("s3://b/p"),
            key: Some("originals/ab/ab.jpg"),
            asset: Some("0b2d3c1e-0000-4000-8000-000000000001"),
            md5: Some([7; 16]),
            blake3: None,
            size: Some(10),
            detail: None,
            trigger: "test",
        })
        .unwrap();
    }
    b.commit().unwrap();
    let rows = cat.audit_trail(0, None, None, 10).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].event, trove_catalog::AuditEvent::Upload);
    assert_eq!(rows[0].md5.as_deref(), Some("07070707070707070707070707070707"));
    assert_eq!(rows[0].blake3, None, "no checksum is no value, not an empty one");
    assert!(!rows[1].success);
    let other = cat.audit_trail(0, None, Some("another"), 10).unwrap();
    assert!(other.is_empty());
    let conn = Connection::open(dir.path().join("catalog.db")).unwrap();
    for sql in ["UPDATE audit SET outcome = 'success'", "DELETE FROM audit"] {
        let err = conn.execute(sql, []).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(cat.audit_trail(0, None, None, 10).unwrap(), rows);
}
