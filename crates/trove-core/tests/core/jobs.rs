//! Jobs run by workers.

use trove_core::{Cancel, NoEvents, WorkerOptions};

use super::Env;

#[test]
fn a_queued_scan_job_imports_the_root_and_queues_its_proxies() {
    let env = Env::new();
    trove_testkit::write_png(&env.path("a.png"), 4, 4, [1, 2, 3], 0);
    env.lib.enqueue_scan(env.root_id).unwrap();
    let summary = env
        .lib
        .run_jobs(&WorkerOptions::for_cores(2), &NoEvents, &Cancel::new())
        .unwrap();
    assert_eq!(summary.done, 2, "the scan, then the proxies it queued");
    assert_eq!(env.assets().len(), 1);
    assert_eq!(env.lib.status().unwrap().jobs.done, 2);
    assert_eq!(env.asset_at("a.png").derivatives.len(), 3);
}

#[test]
fn workers_can_be_limited_to_some_kinds() {
    let env = Env::new();
    trove_testkit::write_png(&env.path("a.png"), 4, 4, [1, 2, 3], 0);
    env.lib.enqueue_scan(env.root_id).unwrap();
    let scans = WorkerOptions::for_cores(2).only(&[trove_core::job_kind::SCAN_ROOT]);
    assert_eq!(env.lib.run_jobs(&scans, &NoEvents, &Cancel::new()).unwrap().done, 1);
    assert_eq!(
        env.lib.status().unwrap().jobs.queued,
        1,
        "the proxy job waits for a worker that runs it"
    );
}

#[test]
fn a_job_that_cannot_succeed_stops_with_its_error_visible() {
    let env = Env::new();
    // A payload no worker can read: a permanent failure. (A scan of a root
    // removed since it was queued has nothing to do, and succeeds.)
    let cat = rusqlite::Connection::open(env.lib.catalog_path()).unwrap();
    cat.execute(
        "INSERT INTO jobs (kind, payload, dedup_key, max_attempts, created_at, updated_at)
         VALUES ('scan_root', '{\"root_id\": \"999x\"}', 'scan:999x', 3, 0, 0),
                ('scan_root', '{\"root_id\": 998}', 'scan:998', 3, 0, 0)",
        [],
    )
    .unwrap();
    let summary = env
        .lib
        .run_jobs(&WorkerOptions::for_cores(1), &NoEvents, &Cancel::new())
        .unwrap();
    assert_eq!((summary.failed, summary.done), (1, 1));
    let failed = env.lib.jobs(true, 10).unwrap();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0].last_error.as_deref().unwrap().contains("999"),
        "{:?}",
        failed[0].last_error
    );
    assert_eq!(failed[0].attempts, 1, "not retried: retrying cannot help");
}

#[test]
fn a_cancelled_run_leaves_the_job_queued_for_next_time() {
    let env = Env::new();
    trove_testkit::write_png(&env.path("a.png"), 4, 4, [1, 2, 3], 0);
    env.lib.enqueue_scan(env.root_id).unwrap();
    let cancel = Cancel::new();
    cancel.cancel();
    env.lib
        .run_jobs(&WorkerOptions::for_cores(1), &NoEvents, &cancel)
        .unwrap();
    assert_eq!(env.lib.status().unwrap().jobs.queued, 1);
    env.lib
        .run_jobs(&WorkerOptions::for_cores(1), &NoEvents, &Cancel::new())
        .unwrap();
    assert_eq!(env.assets().len(), 1);
}

#[test]
fn paused_workers_take_no_job_until_resumed() {
    let env = Env::new();
    trove_testkit::write_png(&env.path("a.png"), 4, 4, [1, 2, 3], 0);
    env.lib.set_jobs_paused(true);
    env.lib.enqueue_scan(env.root_id).unwrap();
    let cancel = Cancel::new();
    std::thread::scope(|s| {
        let opts = WorkerOptions {
            stop_when_idle: false,
            ..WorkerOptions::for_cores(2)
        };
        let (lib, cancel_ref) = (&env.lib, &cancel);
        let workers = s.spawn(move || lib.run_jobs(&opts, &NoEvents, cancel_ref));
        std::thread::sleep(std::time::Duration::from_millis(800));
        assert!(env.lib.jobs_paused());
        let active = env.lib.active_jobs().unwrap();
        assert_eq!(active.len(), 1, "{active:?}");
        assert_eq!(
            (active[0].0.as_str(), active[0].1.queued),
            ("scan_root", 1),
            "paused: nothing taken"
        );
        assert!(env.assets().is_empty());
        env.lib.set_jobs_paused(false);
        super::eventually(
            std::time::Duration::from_secs(20),
            "the scan and its proxies to run",
            || env.lib.active_jobs().unwrap().is_empty(),
        );
        cancel.cancel();
        workers.join().unwrap().unwrap();
    });
    assert_eq!(env.assets().len(), 1);
}

#[test]
fn a_long_tool_job_does_not_hold_the_cpu_workers() {
    use std::sync::{Condvar, Mutex};
    use std::time::Duration;
    use trove_core::{Event, job_kind};

    let env = Env::new();
    trove_testkit::write_video(&env.path("clip.mp4"), &trove_testkit::VideoSpec::default());
    env.scan();
    let proxies_only = WorkerOptions::for_cores(1).only(&[job_kind::MAKE_PROXIES]);
    env.lib.run_jobs(&proxies_only, &NoEvents, &Cancel::new()).unwrap();
    assert_eq!(
        env.lib.status().unwrap().jobs.queued,
        1,
        "the video's make_playable job"
    );
    // New photos turn up while the video's transcode runs: the transcode
    // (held open here until the photos are done, or 60 s) must not keep
    // the CPU worker from them.
    // Two contents (one content would be one asset, one job).
    for (name, red) in [("a.png", 1), ("b.png", 200)] {
        trove_testkit::write_png(&env.path(name), 8, 8, [red, 2, 3], 0);
    }
    let thumbs_done = Mutex::new(0);
    let changed = Condvar::new();
    let seen_during_transcode = Mutex::new(None);
    let sink = |e: Event| match e {
        Event::JobStarted { kind, .. } if kind == job_kind::MAKE_PLAYABLE => {
            env.lib.enqueue_scan(env.root_id).unwrap();
            let done = changed
                .wait_timeout_while(thumbs_done.lock().unwrap(), Duration::from_secs(60), |n| *n < 2)
                .unwrap()
                .0;
            *seen_during_transcode.lock().unwrap() = Some(*done);
        }
        Event::JobFinished { kind, .. } if kind == job_kind::MAKE_PROXIES => {
            *thumbs_done.lock().unwrap() += 1;
            changed.notify_all();
        }
        _ => {}
    };
    let opts = WorkerOptions {
        workers: 1,
        tool_workers: 1,
        ..WorkerOptions::for_cores(1)
    };
    let summary = env.lib.run_jobs(&opts, &sink, &Cancel::new()).unwrap();
    assert_eq!(summary.failed, 0);
    assert_eq!(
        *seen_during_transcode.lock().unwrap(),
        Some(2),
        "both photos' thumbnails were made while the transcode ran"
    );
    assert_eq!(env.asset_at("a.png").derivatives.len(), 3);
    assert!(
        env.asset_at("clip.mp4")
            .derivatives
            .iter()
            .any(|d| d.variant == "scrub"),
        "{:?}",
        env.asset_at("clip.mp4").derivatives
    );
}
