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
        .args(["--threads", "1", "add", "--kinds", "all", photos.to_str().unwrap()])
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

/// A job that kills the process every time (as a decoder crashing on one
/// hostile file would) is tried as often as it may be, then ends as
/// failed with why, and the next run finishes the rest: never a loop.
#[test]
fn a_job_that_kills_the_process_every_time_ends_failed_and_the_rest_is_done() {
    use trove_testkit::write_jpeg;
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    write_jpeg(&photos.join("hostile.jpg"), 64, 48, [200, 10, 10], 1, None);
    write_jpeg(&photos.join("fine.jpg"), 64, 48, [10, 200, 10], 2, None);
    assert!(
        trove(&lib, &["add", photos.to_str().unwrap(), "--json"])
            .status
            .success()
    );
    let hostile = stdout_json(&trove(
        &lib,
        &["info", photos.join("hostile.jpg").to_str().unwrap(), "--json"],
    ))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let thumbs = || {
        Command::new(trove_bin())
            .arg("--library")
            .arg(&lib)
            .args(["--threads", "1", "thumbs", "--json"])
            .env_remove("TROVE_LIBRARY")
            .env("TROVE_FAULT_ABORT_JOB", &hostile)
            .output()
            .unwrap()
    };
    let mut crashes = 0;
    let last = loop {
        let out = thumbs();
        if out.status.code().is_some() {
            break out;
        }
        crashes += 1;
        assert!(crashes <= 5, "still crashing after {crashes} runs: a loop");
    };
    assert_eq!(crashes, 3, "tried as often as a proxy job may be, then given up");
    assert_eq!(
        last.status.code(),
        Some(0),
        "the run starts normally (the job was given up when the library opened): {}",
        String::from_utf8_lossy(&last.stderr)
    );
    let failed = stdout_json(&trove(&lib, &["jobs", "--failed", "--json"]));
    let failed = failed.as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    let error = failed[0]["last_error"].as_str().unwrap();
    assert!(
        error.contains("the process stopped while working on this (3 times)"),
        "{error}"
    );
    let fine = stdout_json(&trove(
        &lib,
        &["info", photos.join("fine.jpg").to_str().unwrap(), "--json"],
    ));
    assert!(
        !fine["derivatives"].as_array().unwrap().is_empty(),
        "the other photo got its thumbnails"
    );
}
