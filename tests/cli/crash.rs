//! `kill -9` in the middle of an import, then run again: the catalog is
//! intact and complete.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use trove_testkit::{TreeSpec, write_tree};

use super::{stdout_json, trove, trove_bin};

fn catalogued_files(lib: &Path) -> i64 {
    let Ok(conn) =
        rusqlite::Connection::open_with_flags(lib.join("catalog.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return 0;
    };
    conn.query_row("SELECT count(*) FROM files", [], |r| r.get(0))
        .unwrap_or(0)
}

#[test]
fn kill_9_mid_import_then_rerun_gives_a_complete_correct_catalog() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    let spec = TreeSpec {
        files: 20_000,
        files_per_dir: 200,
        size_scale: 0.002,
        seed: 7,
    };
    write_tree(&photos, spec);

    let mut child = Command::new(trove_bin())
        .arg("--library")
        .arg(&lib)
        .args(["--threads", "1", "add", photos.to_str().unwrap()])
        .env_remove("TROVE_LIBRARY")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill it once some batches are committed but before it is done.
    let start = Instant::now();
    loop {
        let n = catalogued_files(&lib);
        if n > 0 {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the import finished before it could be killed; make the tree bigger"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "nothing was committed in 60 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let partial = catalogued_files(&lib);
    assert!(partial > 0 && partial < 20_000, "killed mid-import ({partial} files)");

    // The job the dead process leased is run again by the next writer.
    let jobs = stdout_json(&trove(&lib, &["jobs", "--json"]));
    assert_eq!(jobs[0]["state"], "running", "left leased by the killed process");
    let out = trove(&lib, &["scan", "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let conn = rusqlite::Connection::open(lib.join("catalog.db")).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    // Complete and correct: every file once, with the right hash.
    let mut stmt = conn
        .prepare("SELECT f.rel_path, a.blake3 FROM files f JOIN assets a ON a.id = f.asset_id")
        .unwrap();
    let rows: Vec<(Vec<u8>, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 20_000);
    for (rel, hash) in rows {
        let path = photos.join(String::from_utf8(rel).unwrap());
        assert_eq!(
            blake3::hash(&std::fs::read(&path).unwrap()).as_bytes(),
            hash.as_slice(),
            "{}",
            path.display()
        );
    }
    let assets: i64 = conn.query_row("SELECT count(*) FROM assets", [], |r| r.get(0)).unwrap();
    assert_eq!(assets, 20_000);
    let jobs = stdout_json(&trove(&lib, &["jobs", "--json"]));
    assert_eq!(jobs[0]["state"], "done");
    // The search index was behind the catalog when the process died (it
    // commits every couple of seconds); it catches up from its last commit.
    let found = stdout_json(&trove(&lib, &["search", "", "--limit", "0", "--json"]));
    assert_eq!(found["total"], 20_000, "every catalogued asset is searchable");
}
