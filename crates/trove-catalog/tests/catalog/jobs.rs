//! The durable job queue.

use trove_catalog::{Catalog, FailOutcome, Job, JobState, NewJob};

use super::open;

fn job(key: &str) -> NewJob {
    NewJob {
        kind: "scan_root".into(),
        payload: serde_json::json!({"root_id": 1}),
        dedup_key: key.into(),
        priority: 0,
        max_attempts: 3,
    }
}

/// A process `owner` starts at `now` (the one before it died): it returns
/// the dead one's leases to the queue and claims the next job, with a lease
/// longer than the test.
fn start_process(cat: &Catalog, owner: &str, now: i64) -> Option<Job> {
    cat.release_stale_leases(owner, now).unwrap();
    cat.claim_job(&["scan_root"], owner, now, 3_600_000).unwrap()
}

#[test]
fn enqueueing_a_live_key_twice_makes_one_job() {
    let dir = tempfile::tempdir().unwrap();
    let cat = open(dir.path());
    let a = cat.enqueue(&job("k"), 1).unwrap();
    let b = cat.enqueue(&job("k"), 2).unwrap();
    assert_eq!(a, b);
    assert_eq!(cat.job_counts().unwrap().queued, 1);
    // Once done, the same key runs anew.
    let j = cat.claim_job(&["scan_root"], "w", 3, 1000).unwrap().unwrap();
    cat.complete_job(j.id, "w", 4).unwrap();
    let c = cat.enqueue(&job("k"), 5).unwrap();
    assert_eq!(c, a);
    assert_eq!(cat.job(c).unwrap().state, JobState::Queued);
    assert_eq!(cat.job(c).unwrap().attempts, 0);
}

#[test]
fn a_lease_that_runs_out_lets_another_worker_take_the_job() {
    let dir = tempfile::tempdir().unwrap();
    let cat = open(dir.path());
    cat.enqueue(&job("k"), 0).unwrap();
    let first = cat
        .claim_job(&["scan_root"], "dead-worker", 100, 1000)
        .unwrap()
        .unwrap();
    assert!(
        cat.claim_job(&["scan_root"], "other", 500, 1000).unwrap().is_none(),
        "leased"
    );
    let again = cat.claim_job(&["scan_root"], "other", 1101, 1000).unwrap().unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(again.attempts, 2);
    // The dead worker can no longer heartbeat or complete it.
    assert!(!cat.heartbeat_job(first.id, "dead-worker", 1200, 1000).unwrap());
    assert!(cat.heartbeat_job(first.id, "other", 1200, 1000).unwrap());
}

#[test]
fn failures_back_off_then_give_up_with_the_error_kept() {
    let dir = tempfile::tempdir().unwrap();
    let cat = open(dir.path());
    let id = cat.enqueue(&job("k"), 0).unwrap();
    let mut now = 0;
    let mut outcomes = Vec::new();
    for _ in 0..3 {
        let j = cat
            .claim_job(&["scan_root"], "w", now, 1000)
            .unwrap()
            .expect("runnable");
        let o = cat.fail_job(j.id, "w", now, "disk on fire", false).unwrap();
        if let FailOutcome::RetryAt(at) = o {
            assert!(
                cat.claim_job(&["scan_root"], "w", at - 1, 1000).unwrap().is_none(),
                "not before its time"
            );
            now = at;
        }
        outcomes.push(o);
    }
    assert_eq!(
        outcomes,
        [
            FailOutcome::RetryAt(1000),
            FailOutcome::RetryAt(3000),
            FailOutcome::GaveUp
        ]
    );
    let failed = cat.jobs(Some(JobState::Failed), 10).unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].last_error.as_deref(), Some("disk on fire"));
    assert_eq!(cat.retry_failed_jobs(Some(id), now).unwrap(), 1);
    assert!(cat.claim_job(&["scan_root"], "w", now, 1000).unwrap().is_some());
}

#[test]
fn stale_leases_are_released_when_a_new_owner_starts() {
    let dir = tempfile::tempdir().unwrap();
    let cat = open(dir.path());
    cat.enqueue(&job("a"), 0).unwrap();
    cat.claim_job(&["scan_root"], "killed", 0, 3_600_000).unwrap().unwrap();
    assert_eq!(cat.release_stale_leases("me", 10).unwrap(), 1);
    let j = cat
        .claim_job(&["scan_root"], "me", 10, 1000)
        .unwrap()
        .expect("claimable at once");
    assert_eq!(j.lease_owner.as_deref(), Some("me"));
}

#[test]
fn higher_priority_runs_first_and_only_claimed_kinds_are_taken() {
    let dir = tempfile::tempdir().unwrap();
    let cat = open(dir.path());
    cat.enqueue(&job("low"), 0).unwrap();
    let mut high = job("high");
    high.priority = 5;
    cat.enqueue(&high, 0).unwrap();
    let mut other = job("thumb");
    other.kind = "thumbnail".into();
    other.priority = 99;
    cat.enqueue(&other, 0).unwrap();
    let first = cat.claim_job(&["scan_root"], "w", 1, 1000).unwrap().unwrap();
    assert_eq!(first.dedup_key, "high");
    assert_eq!(cat.prioritize_jobs(&["low".into()], 50).unwrap(), 1);
    assert_eq!(cat.pending_jobs(&["scan_root"]).unwrap(), 2);
}

#[test]
fn an_expired_lease_and_the_queue_are_taken_in_priority_order() {
    let dir = tempfile::tempdir().unwrap();
    let cat = open(dir.path());
    let mut urgent = job("urgent");
    urgent.priority = 10;
    cat.enqueue(&urgent, 0).unwrap();
    // A worker takes the urgent job and dies; two ordinary jobs queue behind.
    let dead = cat.claim_job(&["scan_root"], "dead", 10, 100).unwrap().unwrap();
    assert_eq!(dead.dedup_key, "urgent");
    cat.enqueue(&job("a"), 20).unwrap();
    let mut later = job("later");
    later.priority = 20;
    cat.enqueue(&later, 20).unwrap();
    // Before the lease runs out: the queue, best first.
    let first = cat.claim_job(&["scan_root"], "w", 50, 1000).unwrap().unwrap();
    assert_eq!(first.dedup_key, "later");
    // After: the expired urgent job (priority 10) goes before "a" (0).
    let second = cat.claim_job(&["scan_root"], "w", 200, 1000).unwrap().unwrap();
    assert_eq!(second.dedup_key, "urgent");
    let third = cat.claim_job(&["scan_root"], "w", 200, 1000).unwrap().unwrap();
    assert_eq!(third.dedup_key, "a");
    assert!(cat.claim_job(&["scan_root"], "w", 200, 1000).unwrap().is_none());
}

/// A process killed from outside soon after each start (the CLI's kill -9
/// test, a person, a power cut) finds a different job in flight each time:
/// the job it died on waits behind the others, so kills spread over the
/// queue instead of giving up the job at its head as if it were a crash.
#[test]
fn kills_soon_after_each_start_do_not_give_up_the_job_at_the_head() {
    let dir = tempfile::tempdir().unwrap();
    let cat = open(dir.path());
    for key in ["a", "b", "c"] {
        cat.enqueue(&job(key), 0).unwrap(); // max_attempts 3
    }
    let mut in_flight = Vec::new();
    for start in 1..=6 {
        let j = start_process(&cat, &format!("process-{start}"), start).unwrap();
        in_flight.push(j.dedup_key);
    }
    assert_eq!(in_flight, ["a", "b", "c", "a", "b", "c"]);
    cat.release_stale_leases("process-7", 7).unwrap();
    assert_eq!(cat.job_counts().unwrap().failed, 0, "{:?}", cat.jobs(None, 10).unwrap());
    assert_eq!(cat.pending_jobs(&["scan_root"]).unwrap(), 3);
}

/// A job that kills its process (a decoder crashing on one file) is tried
/// as often as it may be, then ends as failed: the next start does not
/// claim it again, so a crash never becomes a loop.
#[test]
fn a_job_whose_process_dies_on_it_every_time_ends_as_failed() {
    let dir = tempfile::tempdir().unwrap();
    let cat = open(dir.path());
    let id = cat.enqueue(&job("crashes"), 0).unwrap(); // max_attempts 3
    let fine = cat.enqueue(&job("fine"), 0).unwrap();
    let mut now = 0;
    for start in 1..=3u32 {
        // Each process start releases what the dead one held, then the job
        // is claimed again and the process dies on it. After the first
        // death it waits behind the others of its priority: the fine job
        // runs first.
        let owner = format!("process-{start}");
        let mut j = start_process(&cat, &owner, now).unwrap();
        if start == 2 {
            assert_eq!(j.id, fine, "the others of its priority go first");
            cat.complete_job(j.id, &owner, now).unwrap();
            j = cat.claim_job(&["scan_root"], &owner, now, 3_600_000).unwrap().unwrap();
        }
        assert_eq!((j.id, j.attempts), (id, start));
        now += 10;
    }
    // The fourth start: the job is failed, with why, and the rest runs.
    let other = cat.enqueue(&job("other"), now).unwrap();
    cat.release_stale_leases("process-4", now).unwrap();
    let failed = cat.job(id).unwrap();
    assert_eq!(failed.state, JobState::Failed);
    let error = failed.last_error.unwrap();
    assert!(
        error.contains("the process stopped while working on this (3 times)"),
        "{error}"
    );
    let next = cat.claim_job(&["scan_root"], "process-4", now, 1000).unwrap().unwrap();
    assert_eq!(next.id, other, "the other job runs; the crashing one is not claimed");

    // The same through an expired lease (a worker that hung or died while
    // another process kept the library).
    let id = cat.enqueue(&job("hangs"), now).unwrap();
    cat.complete_job(next.id, "process-4", now).unwrap();
    for _ in 0..3 {
        now += 2000;
        let j = cat.claim_job(&["scan_root"], "w", now, 1000).unwrap().unwrap();
        assert_eq!(j.id, id);
    }
    now += 2000;
    assert!(cat.claim_job(&["scan_root"], "w", now, 1000).unwrap().is_none());
    assert_eq!(cat.job(id).unwrap().state, JobState::Failed);
}

/// Queueing a job again (a rescan, `trove thumbs`) does not revive one the
/// process died on every time; a person's retry does.
#[test]
fn a_job_that_killed_the_process_stays_failed_until_retried() {
    let dir = tempfile::tempdir().unwrap();
    let cat = open(dir.path());
    let id = cat.enqueue(&job("crashes"), 0).unwrap();
    for start in 1..=4 {
        start_process(&cat, &format!("p{start}"), start);
    }
    assert_eq!(cat.job(id).unwrap().state, JobState::Failed);
    assert_eq!(cat.enqueue(&job("crashes"), 10).unwrap(), id);
    assert_eq!(cat.job(id).unwrap().state, JobState::Failed, "not revived by queueing");
    // A job that failed for another reason is queued again as before.
    let other = cat.enqueue(&job("flaky"), 10).unwrap();
    let j = cat.claim_job(&["scan_root"], "w", 11, 1000).unwrap().unwrap();
    assert_eq!(j.id, other);
    cat.fail_job(other, "w", 12, "a bad moment", true).unwrap();
    cat.enqueue(&job("flaky"), 13).unwrap();
    assert_eq!(cat.job(other).unwrap().state, JobState::Queued);
    assert_eq!(cat.retry_failed_jobs(Some(id), 14).unwrap(), 1);
    assert_eq!(cat.job(id).unwrap().state, JobState::Queued);
}

/// A job that makes progress before each death (a long scan killed again
/// and again from outside) is never given up: progress forgives the deaths
/// before it, so only deaths in a row without progress count. And a job a
/// person asks for by name is queued again even after it was given up.
#[test]
fn progress_forgives_earlier_deaths_and_a_request_revives_a_given_up_job() {
    let dir = tempfile::tempdir().unwrap();
    let mut cat = open(dir.path());
    let id = cat.enqueue(&job("long scan"), 0).unwrap(); // max_attempts 3
    for start in 1..=10 {
        let owner = format!("p{start}");
        let j = start_process(&cat, &owner, start).unwrap();
        assert_eq!(j.id, id, "start {start}: still runnable");
        assert!(j.attempts <= 2, "start {start}: {} attempts", j.attempts);
        let mut b = cat.batch(start).unwrap();
        b.job_progressed(id, &owner).unwrap();
        b.commit().unwrap();
    }
    // Without progress, three deaths in a row give it up as before ...
    for start in 11..=14 {
        start_process(&cat, &format!("p{start}"), start);
    }
    assert_eq!(cat.job(id).unwrap().state, JobState::Failed);
    assert_eq!(cat.enqueue(&job("long scan"), 20).unwrap(), id);
    assert_eq!(cat.job(id).unwrap().state, JobState::Failed);
    // ... until a person asks for it again.
    assert_eq!(cat.enqueue_requested(&job("long scan"), 21).unwrap(), id);
    let j = cat.job(id).unwrap();
    assert_eq!((j.state, j.attempts), (JobState::Queued, 0));
}
