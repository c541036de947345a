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

/// Every file under `root` by relative path, with its BLAKE3.
fn hash_tree(root: &Path) -> std::collections::BTreeMap<String, String> {
    super::walk(root)
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            (rel, blake3::hash(&std::fs::read(&p).unwrap()).to_hex().to_string())
        })
        .collect()
}

fn integrity_ok(lib: &Path) {
    let conn = rusqlite::Connection::open(lib.join("catalog.db")).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
}

/// Photos for round `round` of the kill test: unique, real JPEGs.
fn write_photos(dir: &Path, round: u32, n: u32) {
    for i in 0..n {
        let k = round * 1000 + i;
        let c = (k * 37 % 256) as u8;
        trove_testkit::write_jpeg(
            &dir.join(format!("r{round}/IMG_{i:04}.jpg")),
            320,
            240,
            [c, 255 - c, (k % 7 * 30) as u8],
            k * 7919 + 1,
            None,
        );
    }
}

/// `kill -9` at 100 random moments across an import of 10,000 files,
/// the thumbnails of its photos and a sync of them to S3 (then more rounds
/// of new files, scanned, thumbnailed and synced, until 100 kills have
/// landed): after every kill the catalog passes `PRAGMA integrity_check`;
/// at the end every rerun completes, the originals are byte-identical
/// (hashed before and after, nothing added beside them), every file is
/// catalogued and searchable, every photo has its thumbnails, and every
/// object in the bucket verifies.
#[test]
fn kill_9_at_random_points_of_import_thumbnails_and_sync_loses_nothing() {
    use super::sync::{command, ok, set_s3_target, unique_prefix};
    use trove_testkit::Rng;
    use trove_testkit::s3::{S3Server, SECRET_KEY};

    const KILLS: u32 = 100;
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let data = tmp.path().join("data");
    let photos = tmp.path().join("photos");
    write_tree(
        &data.join("r0"),
        TreeSpec {
            files: 9_800,
            files_per_dir: 250,
            size_scale: 0.02,
            seed: 11,
        },
    );
    write_photos(&photos, 0, 200);
    let (mut files, mut jpegs) = (10_000, 200);

    // Two folders: the data folder is catalogued but not synced (policy
    // none), so the sync sends the photos, their proxies and manifests.
    let server = S3Server::shared();
    assert!(command(&lib, SECRET_KEY, &["init"]).output().unwrap().status.success());
    set_s3_target(&lib, &unique_prefix("kill9", tmp.path()), &server.endpoint);
    let add_data = ["add", data.to_str().unwrap(), "--kinds", "all", "--json"];
    let add_photos = ["add", photos.to_str().unwrap(), "--json"];
    let policy = ["policy", data.to_str().unwrap(), "none"];
    let first: [(&str, &[&str]); 5] = [
        ("import", &add_data),
        ("policy", &policy),
        ("import", &add_photos),
        ("thumbs", &["thumbs", "--json"]),
        ("sync", &["sync", "--json"]),
    ];
    let later: [(&str, &[&str]); 3] = [
        ("import", &["scan", "--json"]),
        ("thumbs", &["thumbs", "--json"]),
        ("sync", &["sync", "--json"]),
    ];

    let mut rng = Rng::new(0x9_1113);
    let mut kills: std::collections::BTreeMap<&str, u32> = Default::default();
    let mut total = 0;
    let mut round = 0u32;
    let mut before = (hash_tree(&data), hash_tree(&photos));
    while total < KILLS {
        if round > 0 {
            // More work for the next kills: new files in both folders.
            write_tree(
                &data.join(format!("r{round}")),
                TreeSpec {
                    files: 500,
                    files_per_dir: 250,
                    size_scale: 0.02,
                    seed: 11 + u64::from(round),
                },
            );
            write_photos(&photos, round, 20);
            (files, jpegs) = (files + 520, jpegs + 20);
            before = (hash_tree(&data), hash_tree(&photos));
        }
        let phases: &[(&str, &[&str])] = if round == 0 { &first } else { &later };
        for (what, args) in phases {
            // A run lives a random while before its kill, up to 15 kills
            // a phase; then it runs to its end.
            let mut here = 0;
            loop {
                let mut child = command(&lib, SECRET_KEY, args)
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::null())
                    .spawn()
                    .unwrap();
                let kill_at = (*what != "policy" && here < 15 && total < KILLS)
                    .then(|| Instant::now() + Duration::from_millis(30 + rng.below(600)));
                let status = loop {
                    if let Some(status) = child.try_wait().unwrap() {
                        break Some(status);
                    }
                    if kill_at.is_some_and(|t| Instant::now() >= t) {
                        child.kill().unwrap(); // SIGKILL
                        child.wait().unwrap();
                        break None;
                    }
                    std::thread::sleep(Duration::from_millis(5));
                };
                integrity_ok(&lib);
                match status {
                    Some(status) => {
                        assert!(status.success(), "{args:?} failed after {kills:?} kills");
                        break;
                    }
                    None => {
                        here += 1;
                        total += 1;
                        *kills.entry(what).or_default() += 1;
                    }
                }
            }
        }
        round += 1;
        assert!(round < 40, "100 kills did not land in 40 rounds: {kills:?}");
    }
    eprintln!("kill -9 points over {round} round(s): {kills:?}");
    assert!(
        ["import", "thumbs", "sync"]
            .iter()
            .all(|k| kills.get(k).is_some_and(|n| *n >= 3)),
        "kills landed in every phase: {kills:?}"
    );

    // Every rerun completes (nothing left to do), and all is there.
    for args in [&["scan", "--json"][..], &["thumbs", "--json"], &["sync", "--json"]] {
        ok(&command(&lib, SECRET_KEY, args).output().unwrap());
    }
    // A job whose process died on it three times in a row is given up, as
    // a decoder crashing on one file would be (the guard against a crash
    // loop: it cannot tell a crash from a kill). Kills this close together
    // can do that to the last jobs of a phase, which every start claims at
    // once. Nothing else may fail, and such a job is listed with why and
    // finishes when a person retries it.
    let given_up = ok(&command(&lib, SECRET_KEY, &["jobs", "--failed", "--json"])
        .output()
        .unwrap());
    let given_up = given_up.as_array().unwrap();
    for job in given_up {
        let error = job["last_error"].as_str().unwrap_or_default();
        assert!(
            error.starts_with("the process stopped while working on this"),
            "a job failed for another reason than the kills: {job}"
        );
    }
    eprintln!("jobs given up after kills in a row, then retried: {}", given_up.len());
    if !given_up.is_empty() {
        let retried = ok(&command(&lib, SECRET_KEY, &["jobs", "--retry", "--json"])
            .output()
            .unwrap());
        assert_eq!(retried["queued"], given_up.len(), "{retried}");
        for args in [&["thumbs", "--json"][..], &["sync", "--json"]] {
            ok(&command(&lib, SECRET_KEY, args).output().unwrap());
        }
    }
    integrity_ok(&lib);
    assert!(
        (hash_tree(&data), hash_tree(&photos)) == before,
        "the originals changed, or files appeared beside them, after {total} kills"
    );
    let conn = rusqlite::Connection::open(lib.join("catalog.db")).unwrap();
    let catalogued: i64 = conn
        .query_row("SELECT count(*) FROM files WHERE present = 1", [], |r| r.get(0))
        .unwrap();
    let by_root: Vec<(i64, i64, i64)> = conn
        .prepare("SELECT root_id, present, count(*) FROM files GROUP BY 1, 2")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(catalogued, files, "files by root and presence: {by_root:?}");
    let thumbs: i64 = conn
        .query_row(
            "SELECT count(DISTINCT asset_id) FROM derivatives WHERE variant = 'thumb'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    // Photos of equal content are one asset.
    let distinct: std::collections::BTreeSet<&String> = before.1.values().collect();
    // What did not get its thumbnails says why (a job given up, with its
    // error), so a failure here can be told apart from lost work.
    let unfinished: Vec<(String, String, i64, String)> = conn
        .prepare("SELECT dedup_key, state, attempts, coalesce(last_error, '') FROM jobs WHERE state <> 'done'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        thumbs,
        distinct.len() as i64,
        "{jpegs} photos; jobs not done: {unfinished:?}"
    );
    let found = ok(&command(&lib, SECRET_KEY, &["search", "", "--limit", "0", "--json"])
        .output()
        .unwrap());
    let assets: i64 = conn.query_row("SELECT count(*) FROM assets", [], |r| r.get(0)).unwrap();
    assert_eq!(found["total"], assets, "every asset is searchable");
    let verify = ok(&command(&lib, SECRET_KEY, &["verify", "--json"]).output().unwrap());
    assert!(
        verify["checked"].as_u64().unwrap() >= 2 * distinct.len() as u64,
        "{verify}"
    );
    assert_eq!(verify["ok"], verify["checked"], "{verify}");
    assert!(verify["damaged"].as_array().is_none_or(Vec::is_empty), "{verify}");
}
