//! A full disk: work stops with a clear error naming the library (or, in a
//! running app, pauses), nothing is failed or marked corrupt for it, the
//! catalog stays intact, and everything resumes once there is space. Each
//! test mounts a small tmpfs of its own (needs root, as the test
//! command runs).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use trove_core::{
    AddRootOptions, Cancel, CoreError, Event, Library, NoEvents, OpenOptions, SearchQuery, WorkerOptions, job_kind,
};
use trove_testkit::disk::SmallDisk;

use super::{Env, eventually};

fn small_disk(path: &std::path::Path, bytes: u64) -> SmallDisk {
    // No skip: the tests run as root (scripts/test.sh installs packages),
    // and a full disk is too important to leave untested quietly.
    SmallDisk::mount(path, bytes)
        .unwrap_or_else(|why| panic!("this test mounts a small disk of its own (a tmpfs; it needs root): {why}"))
}

fn write_photos(env: &Env, n: u32) {
    for i in 0..n {
        trove_testkit::write_jpeg(
            &env.path(&format!("p{i}.jpg")),
            96,
            64,
            [(i * 60) as u8, 40, 200 - (i * 40) as u8],
            i * 7919,
            None,
        );
    }
}

fn assert_disk_full(e: &CoreError, lib: &Library) {
    assert_eq!(e.code(), "disk_full", "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains(&lib.dir().display().to_string()) && msg.contains("disk is full"),
        "the error names the disk: {msg}"
    );
}

/// Jobs of these kinds, run until idle.
fn run(lib: &Library, kinds: &'static [&'static str]) -> trove_core::Result<trove_core::JobRunSummary> {
    lib.run_jobs(&WorkerOptions::for_cores(2).only(kinds), &NoEvents, &Cancel::new())
}

const PROXIES: &[&str] = &[job_kind::SCAN_ROOT, job_kind::MAKE_PROXIES];
const PLAYABLE: &[&str] = &[job_kind::MAKE_PLAYABLE];

#[test]
fn proxies_and_transcodes_wait_for_space_and_no_file_is_blamed() {
    let env = Env::new();
    write_photos(&env, 4);
    // FLAC plays in no web view: its playable copy is an ffmpeg transcode.
    trove_testkit::write_flac(&env.path("song.flac"), "Song");
    let disk = small_disk(&env.lib.dir().join("proxies"), 4 << 20);

    // Thumbnails and previews on a full disk: the run stops with the disk's
    // error; no job failed, no attempt counted, no asset marked.
    disk.fill();
    env.lib.enqueue_scan(env.root_id).unwrap();
    let err = run(&env.lib, PROXIES).unwrap_err();
    assert_disk_full(&err, &env.lib);
    env.integrity_ok();
    let status = env.lib.status().unwrap();
    assert_eq!(status.jobs.failed, 0);
    assert!(status.jobs.queued >= 1, "{:?}", status.jobs);
    let jobs = env.lib.jobs(false, 50).unwrap();
    assert!(
        jobs.iter()
            .all(|j| j.attempts == 0 || j.state == trove_core::catalog::JobState::Done),
        "no attempt counted: {:?}",
        jobs.iter().filter(|j| j.attempts > 0).collect::<Vec<_>>()
    );
    assert_eq!(
        env.assets().len(),
        5,
        "the catalog (on another disk) took the import: {:?} {:?} {:?}",
        env.assets().iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
        env.lib.problems().unwrap(),
        env.lib.jobs(false, 50).unwrap()
    );
    for a in ["p0.jpg", "song.flac"] {
        assert_eq!(env.asset_at(a).proxy_error, None, "{a} is fine; the disk was full");
    }

    // Space again: the same run completes.
    disk.free();
    run(&env.lib, PROXIES).unwrap();
    for i in 0..4 {
        let d = env.asset_at(&format!("p{i}.jpg"));
        assert!(
            d.derivatives.iter().any(|d| d.variant == "thumb"),
            "{:?}",
            d.derivatives
        );
    }

    // ffmpeg finds the disk full: the song is not "corrupt", its job waits.
    disk.fill();
    let err = run(&env.lib, PLAYABLE).unwrap_err();
    assert_disk_full(&err, &env.lib);
    assert_eq!(env.asset_at("song.flac").proxy_error, None);
    let status = env.lib.status().unwrap();
    assert_eq!((status.jobs.failed, status.jobs.queued), (0, 1), "{:?}", status.jobs);
    disk.free();
    run(&env.lib, PLAYABLE).unwrap();
    let song = env.asset_at("song.flac");
    assert!(
        song.derivatives.iter().any(|d| d.variant == "audio"),
        "{:?}",
        song.derivatives
    );
    assert_eq!(env.lib.status().unwrap().jobs.failed, 0);
    env.integrity_ok();
}

#[test]
fn a_running_app_pauses_its_workers_and_resumes_when_space_returns() {
    let env = Env::new();
    write_photos(&env, 3);
    let disk = small_disk(&env.lib.dir().join("proxies"), 4 << 20);
    disk.fill();
    env.lib.enqueue_scan(env.root_id).unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = {
        let events = events.clone();
        move |e: Event| events.lock().unwrap().push(e)
    };
    let cancel = Cancel::new();
    let opts = WorkerOptions {
        stop_when_idle: false,
        ..WorkerOptions::for_cores(2)
    };
    std::thread::scope(|s| {
        let worker = s.spawn(|| env.lib.run_jobs(&opts, &sink, &cancel));
        let saw = |what: fn(&Event) -> bool| events.lock().unwrap().iter().any(what);
        eventually(Duration::from_secs(60), "the workers pause", || {
            saw(|e| matches!(e, Event::JobsPaused { reason } if reason.contains("disk is full")))
        });
        // Paused, not failing: nothing is failed while the disk stays full.
        std::thread::sleep(Duration::from_millis(1500));
        assert_eq!(env.lib.status().unwrap().jobs.failed, 0);
        assert!(!worker.is_finished(), "the workers wait; they do not end");
        disk.free();
        eventually(
            Duration::from_secs(90),
            "the thumbnails are made once there is space",
            || {
                (0..3).all(|i| {
                    env.asset_at(&format!("p{i}.jpg"))
                        .derivatives
                        .iter()
                        .any(|d| d.variant == "thumb")
                })
            },
        );
        assert!(saw(|e| matches!(e, Event::JobsResumed)));
        cancel.cancel();
        worker.join().unwrap().unwrap();
    });
    assert_eq!(env.lib.status().unwrap().jobs.failed, 0);
}

#[test]
fn a_full_catalog_disk_keeps_the_catalog_intact_and_the_index_recovers() {
    let tmp = tempfile::tempdir().unwrap();
    let disk = small_disk(&tmp.path().join("disk"), 24 << 20);
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let lib = Library::open(&disk.path().join("library"), OpenOptions::write().create(true)).unwrap();
    let (root, _) = lib.add_root(&photos, AddRootOptions::default()).unwrap();
    for i in 0..300u32 {
        std::fs::write(
            photos.join(format!("note{i}.pdf")),
            trove_testkit::pdf_bytes(&format!("Note {i}"), "Ann", 1),
        )
        .unwrap();
    }
    disk.fill();
    // The import fails on the catalog's disk (SQLITE_FULL) with the disk's
    // error, and what was committed before stays consistent.
    let err = lib
        .scan_root(root.id, trove_core::ScanScope::Full, 2, &NoEvents, &Cancel::new())
        .unwrap_err();
    assert_eq!(err.code(), "disk_full", "{err}");
    assert!(err.is_disk_full());
    assert_eq!(lib.integrity_check().unwrap(), Vec::<String>::new());
    disk.free();
    let report = lib
        .scan_root(root.id, trove_core::ScanScope::Full, 2, &NoEvents, &Cancel::new())
        .unwrap();
    assert_eq!(lib.assets(&Default::default()).unwrap().len(), 300, "{report:?}");

    // The search index's commit fails for lack of space; once space is
    // back, the next update goes through (a new writer) and finds all.
    disk.fill();
    let err = lib.update_search_index(&NoEvents).unwrap_err();
    assert_eq!(err.code(), "disk_full", "{err}");
    disk.free();
    lib.update_search_index(&NoEvents).unwrap();
    let found = lib
        .search(
            &SearchQuery {
                text: "kind:document".into(),
                limit: 10,
                ..SearchQuery::default()
            },
            &NoEvents,
        )
        .unwrap();
    assert_eq!(found.total, 300);
    assert_eq!(lib.integrity_check().unwrap(), Vec::<String>::new());
}
