//! Workers for the durable job queue.
//!
//! Jobs are rows in the catalog (see `trove_catalog::NewJob`). Workers lease
//! them, keep the lease alive with a heartbeat while they run, and record
//! the result. A job leased by a process that was killed is leased again
//! when that process's lease runs out, or at once when the next writer opens
//! the library (the library lock proves the old owner is dead).

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use trove_catalog::{Catalog, CatalogError, FailOutcome, Job, JobCounts, NewJob};

use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::events::{Event, EventSink};
use crate::library::Library;
use crate::scan::{ScanParams, ScanScope};

pub(crate) mod failure;
pub mod kind;
pub(crate) mod signal;
mod space;

use failure::JobFailure;
pub use kind::ALL_KINDS;
use kind::TOOL_KINDS;
use space::SpaceWait;

/// How often running workers bring the search index up to date.
const SEARCH_INDEX_PERIOD: Duration = Duration::from_secs(2);

#[derive(Debug, Serialize, Deserialize)]
struct ScanRootPayload {
    root_id: i64,
}

/// How to run workers.
#[derive(Debug, Clone, Copy)]
pub struct WorkerOptions {
    /// CPU jobs (scans, thumbnails and previews) run at once. A worker is
    /// a thread of its own that claims one job at a time from the catalog
    /// (`scripts/bench_pool.py` compares threads with rayon and
    /// `spawn_blocking` on the same proxy work).
    pub workers: usize,
    /// Workers of their own for the long subprocess jobs (a video's
    /// playable copy, scrub strip and shot changes: minutes of ffmpeg,
    /// which uses every core itself), so a transcode never holds a CPU
    /// worker and thumbnails of new imports keep coming. 0 runs those jobs
    /// on the CPU workers.
    pub tool_workers: usize,
    /// Threads each scan uses to read files.
    pub read_threads: usize,
    /// How long a lease lasts without a heartbeat.
    pub lease: Duration,
    /// Return once no job is queued or running (for one-shot commands);
    /// otherwise wait for new work until cancelled.
    pub stop_when_idle: bool,
    /// The kinds of jobs to run (see [`kind`]).
    pub kinds: &'static [&'static str],
    /// Fault injection for tests: the process aborts (as a decoder crash
    /// would kill it) when it claims a job whose key contains this text.
    pub abort_on_job: Option<&'static str>,
}

impl WorkerOptions {
    /// As many jobs at once as there are cores, each scan reading with
    /// every core; every kind of job.
    pub fn for_cores(cores: usize) -> Self {
        WorkerOptions {
            workers: cores.max(1),
            tool_workers: 1,
            read_threads: cores.max(1),
            lease: Duration::from_secs(60),
            stop_when_idle: true,
            kinds: ALL_KINDS,
            abort_on_job: None,
        }
    }

    /// Only these kinds of jobs.
    pub fn only(mut self, kinds: &'static [&'static str]) -> Self {
        self.kinds = kinds;
        self
    }

    /// The lanes of workers to start: how many, and the kinds each claims.
    fn lanes(&self) -> Vec<(usize, Vec<&'static str>)> {
        let (tool, cpu): (Vec<&'static str>, Vec<&'static str>) = if self.tool_workers == 0 {
            (Vec::new(), self.kinds.to_vec())
        } else {
            self.kinds.iter().partition(|k| TOOL_KINDS.contains(k))
        };
        [(self.workers.max(1), cpu), (self.tool_workers, tool)]
            .into_iter()
            .filter(|(n, kinds)| *n > 0 && !kinds.is_empty())
            .collect()
    }
}

/// What a run of the workers did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobRunSummary {
    pub done: u64,
    pub failed: u64,
    pub retried: u64,
}

impl Library {
    /// Enqueues a full scan of a root.
    pub fn enqueue_scan(&self, root_id: i64) -> Result<i64> {
        self.require_writer("queueing a scan")?;
        let job = NewJob {
            kind: kind::SCAN_ROOT.into(),
            payload: serde_json::json!(ScanRootPayload { root_id }),
            dedup_key: format!("scan:{root_id}"),
            priority: 10,
            max_attempts: 3,
        };
        // Asked for by a person (or a front end on their behalf): queued
        // even if an earlier scan of the root was given up when the
        // process died on it. A scan reads files through pure-Rust parsers
        // only (fuzzed: crates/trove-media/tests/fuzz), commits as it goes
        // and forgives earlier deaths when it makes progress, so a scan
        // cannot turn into a crash loop the way a decoder's job could.
        let id = self.catalog().enqueue_requested(&job, self.now_ms())?;
        self.job_signal().notify();
        Ok(id)
    }

    /// Runs queued jobs on `opts.workers` threads, and the long subprocess
    /// jobs on `opts.tool_workers` more, until the queue is idle
    /// (with `stop_when_idle`) or `cancel` is set. A cancelled job goes
    /// back to the queue and resumes next time.
    pub fn run_jobs(&self, opts: &WorkerOptions, sink: &dyn EventSink, cancel: &Cancel) -> Result<JobRunSummary> {
        self.require_writer("running jobs")?;
        let in_flight: Arc<Mutex<HashSet<i64>>> = Arc::default();
        let summary = Mutex::new(JobRunSummary::default());
        let lease_ms = opts.lease.as_millis() as i64;
        let stop_heartbeat = Cancel::new();
        let space = SpaceWait::default();
        let lanes = opts.lanes();
        std::thread::scope(|s| -> Result<()> {
            // One heartbeat for every job in flight.
            let hb_flight = in_flight.clone();
            let hb_stop = stop_heartbeat.clone();
            let hb_cat = self.connect()?;
            s.spawn(move || {
                let period = (opts.lease / 3).max(Duration::from_millis(50));
                let mut last = std::time::Instant::now();
                while !hb_stop.is_cancelled() {
                    // Sleep in short steps so stopping is prompt.
                    std::thread::sleep(period.min(Duration::from_millis(250)));
                    if last.elapsed() < period {
                        continue;
                    }
                    last = std::time::Instant::now();
                    let ids: Vec<i64> = hb_flight
                        .lock()
                        .map(|s| s.iter().copied().collect())
                        .unwrap_or_default();
                    for id in ids {
                        let _ = hb_cat.heartbeat_job(id, self.owner(), self.now_ms(), lease_ms);
                    }
                }
            });
            // The search index follows the catalog every couple of seconds
            // (a commit per batch of changes, never per asset).
            let ix_stop = stop_heartbeat.clone();
            let ix_space = &space;
            s.spawn(move || {
                let mut last = std::time::Instant::now();
                while !ix_stop.is_cancelled() {
                    std::thread::sleep(Duration::from_millis(100));
                    if last.elapsed() >= SEARCH_INDEX_PERIOD && self.scans_running() == 0 && ix_space.may_go().is_ok() {
                        self.index_quietly(sink, Some(ix_space));
                        last = std::time::Instant::now();
                    }
                }
            });
            let mut handles = Vec::new();
            for (n, kinds) in &lanes {
                for _ in 0..*n {
                    let cat = self.connect()?;
                    let summary = &summary;
                    let kinds: &[&str] = kinds;
                    let run = Run {
                        opts,
                        kinds,
                        lease_ms,
                        in_flight: &in_flight,
                        summary,
                        space: &space,
                        sink,
                        cancel,
                    };
                    handles.push(s.spawn(move || self.worker_loop(cat, run)));
                }
            }
            let mut first_err = None;
            for h in handles {
                if let Ok(Err(e)) = h.join()
                    && first_err.is_none()
                {
                    first_err = Some(e);
                }
            }
            stop_heartbeat.cancel();
            first_err.map_or(Ok(()), Err)
        })?;
        if !space.is_paused() {
            self.index_quietly(sink, None);
        }
        Ok(summary.into_inner().unwrap_or_else(|p| p.into_inner()))
    }

    /// Updates the search index; a failure is reported, not fatal to the
    /// jobs (the index is derived data and catches up on the next run).
    /// A full disk pauses the run's work like a job's would.
    fn index_quietly(&self, sink: &dyn EventSink, space: Option<&SpaceWait>) {
        match self.update_search_index(sink) {
            Ok(r) => {
                if space.is_some_and(SpaceWait::ok) {
                    sink.emit(Event::JobsResumed);
                }
                if r.indexed + r.removed > 0 {
                    sink.emit(Event::SearchIndexed(r));
                }
            }
            Err(e) if e.is_disk_full() && space.is_some() => {
                if space.is_some_and(SpaceWait::full) {
                    tracing::warn!(error = %e, "the disk is full; jobs wait for space");
                    sink.emit(Event::JobsPaused {
                        reason: format!("the search index could not be updated: {e}"),
                    });
                }
            }
            Err(e) => sink.emit(Event::Warning {
                message: format!("the search index could not be updated: {e}"),
            }),
        }
    }

    /// A catalog error of the worker loop itself (claiming, recording a
    /// result). A one-shot run stops with it (a full disk as
    /// [`CoreError::DiskFull`] naming the library); a running app's
    /// workers never end for it: they wait for space, or back off and try
    /// again, so one bad moment does not stop the work for good.
    fn worker_trouble(&self, e: CatalogError, run: &Run<'_>, backoff: &mut Duration) -> Result<()> {
        if e.is_disk_full() {
            if run.space.full() {
                tracing::warn!(error = %e, "the disk is full; jobs wait for space");
                run.sink.emit(Event::JobsPaused { reason: e.to_string() });
            }
            if run.opts.stop_when_idle {
                return Err(self.disk_full());
            }
            return Ok(());
        }
        if run.opts.stop_when_idle {
            return Err(e.into());
        }
        tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "a worker could not use the catalog");
        run.sink.emit(Event::Warning {
            message: format!("a job worker could not use the catalog ({e}); it tries again"),
        });
        // In short steps, so that stopping is prompt.
        let until = std::time::Instant::now() + *backoff;
        while !run.cancel.is_cancelled() && std::time::Instant::now() < until {
            self.job_signal().wait(Duration::from_millis(200));
        }
        *backoff = (*backoff * 2).min(Duration::from_secs(30));
        Ok(())
    }

    fn disk_full(&self) -> CoreError {
        CoreError::DiskFull {
            op: "writing to the library at",
            path: self.dir().to_owned(),
        }
    }

    fn worker_loop(&self, cat: Catalog, run: Run<'_>) -> Result<()> {
        let Run {
            opts,
            kinds,
            lease_ms,
            in_flight,
            summary,
            space,
            sink,
            cancel,
        } = run;
        let mut backoff = Duration::from_secs(1);
        while !cancel.is_cancelled() {
            if self.jobs_paused() {
                // A run that stops when idle takes nothing now, so it is done.
                if opts.stop_when_idle {
                    return Ok(());
                }
                self.job_signal().wait(Duration::from_millis(200));
                continue;
            }
            if let Err(wait) = space.may_go() {
                // The worker that found the disk full reports it.
                if opts.stop_when_idle {
                    return Ok(());
                }
                self.job_signal().wait(wait.min(Duration::from_millis(200)));
                continue;
            }
            let job = match cat.claim_job(kinds, self.owner(), self.now_ms(), lease_ms) {
                Ok(Some(job)) => job,
                Ok(None) => {
                    // Idle once no job of the whole run is left: a running job
                    // of another lane can still queue work for this one.
                    if opts.stop_when_idle {
                        match cat.pending_jobs(opts.kinds) {
                            Ok(0) => return Ok(()),
                            Ok(_) => {}
                            Err(e) => self.worker_trouble(e, &run, &mut backoff)?,
                        }
                    }
                    self.job_signal().wait(Duration::from_millis(200));
                    continue;
                }
                Err(e) => {
                    self.worker_trouble(e, &run, &mut backoff)?;
                    continue;
                }
            };
            if let Some(text) = opts.abort_on_job
                && job.dedup_key.contains(text)
            {
                std::process::abort();
            }
            lock(in_flight).insert(job.id);
            sink.emit(Event::JobStarted {
                job_id: job.id,
                kind: job.kind.clone(),
            });
            let job_started = std::time::Instant::now();
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| self.run_job(&job, opts, sink, cancel)))
                .unwrap_or_else(|panic| {
                    let msg = panic
                        .downcast_ref::<&str>()
                        .map(|s| (*s).to_owned())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".into());
                    Err(JobFailure::permanent(format!(
                        "internal error (a bug in Trove; please report it): {msg}"
                    )))
                });
            lock(in_flight).remove(&job.id);
            let now = self.now_ms();
            let recorded = match outcome {
                Ok(()) => {
                    tracing::debug!(
                        job = job.id,
                        kind = %job.kind,
                        payload = %job.payload,
                        ms = job_started.elapsed().as_millis() as u64,
                        "job done"
                    );
                    cat.complete_job(job.id, self.owner(), now).map(|()| {
                        lock(summary).done += 1;
                        if space.ok() {
                            tracing::info!("space is back; jobs resumed");
                            sink.emit(Event::JobsResumed);
                        }
                        sink.emit(Event::JobFinished {
                            job_id: job.id,
                            kind: job.kind.clone(),
                        });
                    })
                }
                Err(_) if cancel.is_cancelled() => cat.release_job(job.id, self.owner(), now),
                Err(f) if f.disk_full => {
                    // Nothing is wrong with the job: back to the queue,
                    // no attempt counted, and the run waits for space.
                    tracing::warn!(job = job.id, kind = %job.kind, error = %f.message, "the disk is full");
                    let released = cat.release_job(job.id, self.owner(), now);
                    if space.full() {
                        sink.emit(Event::JobsPaused { reason: f.message });
                    }
                    if opts.stop_when_idle {
                        if let Err(e) = released {
                            // Left leased: the next start returns it.
                            tracing::warn!(job = job.id, error = %e, "the job could not be put back in the queue");
                        }
                        return Err(self.disk_full());
                    }
                    released
                }
                Err(f) => cat
                    .fail_job(job.id, self.owner(), now, &f.message, f.permanent)
                    .map(|outcome| {
                        let will_retry = matches!(outcome, FailOutcome::RetryAt(_));
                        tracing::warn!(
                            job = job.id,
                            kind = %job.kind,
                            payload = %job.payload,
                            ms = job_started.elapsed().as_millis() as u64,
                            error = %f.message,
                            will_retry,
                            "job failed"
                        );
                        if will_retry {
                            lock(summary).retried += 1;
                        } else {
                            lock(summary).failed += 1;
                        }
                        sink.emit(Event::JobFailed {
                            job_id: job.id,
                            kind: job.kind.clone(),
                            error: f.message,
                            will_retry,
                        });
                    }),
            };
            match recorded {
                Ok(()) => backoff = Duration::from_secs(1),
                // The job stays leased to this process until the lease
                // runs out (or the next start), then runs again.
                Err(e) => self.worker_trouble(e, &run, &mut backoff)?,
            }
        }
        Ok(())
    }

    fn run_job(
        &self,
        job: &Job,
        opts: &WorkerOptions,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<(), JobFailure> {
        match job.kind.as_str() {
            kind::SCAN_ROOT => {
                let p: ScanRootPayload = serde_json::from_value(job.payload.clone())
                    .map_err(|e| JobFailure::permanent(format!("bad scan job payload {}: {e}", job.payload)))?;
                let root = match self.catalog().root(p.root_id) {
                    Ok(root) => root,
                    // The folder was removed after the scan was queued.
                    Err(e) if e.is_not_found() => return Ok(()),
                    Err(e) => return Err(CoreError::from(e).into()),
                };
                crate::scan::scan(
                    self,
                    &root,
                    ScanScope::Full,
                    ScanParams {
                        threads: opts.read_threads,
                        job: Some(job.id),
                    },
                    sink,
                    cancel,
                )?;
                Ok(())
            }
            kind::MAKE_PROXIES | kind::MAKE_PLAYABLE => {
                let asset = job.payload["asset"]
                    .as_str()
                    .ok_or_else(|| JobFailure::permanent(format!("bad proxy job payload {}", job.payload)))?;
                if job.kind == kind::MAKE_PROXIES {
                    self.make_proxies(asset)
                } else {
                    self.make_playable(asset)
                }
            }
            kind::WRITE_SIDECARS => {
                let report = self.write_dirty_sidecars(cancel)?;
                if report.failed > 0 {
                    // Tried again later (with the queue's back-off); the
                    // reasons are on the assets.
                    return Err(JobFailure::retryable(format!(
                        "{} asset(s) whose sidecars could not be written",
                        report.failed
                    )));
                }
                Ok(())
            }
            other => Err(JobFailure::permanent(format!(
                "unknown job kind {other:?} (made by a newer Trove?)"
            ))),
        }
    }
}

/// What every worker of one run shares.
#[derive(Clone, Copy)]
struct Run<'a> {
    opts: &'a WorkerOptions,
    kinds: &'a [&'a str],
    lease_ms: i64,
    in_flight: &'a Mutex<HashSet<i64>>,
    summary: &'a Mutex<JobRunSummary>,
    space: &'a SpaceWait,
    sink: &'a dyn EventSink,
    cancel: &'a Cancel,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

// The queue as front ends list it.
impl Library {
    /// Jobs, newest first; only failed ones with `failed_only`.
    pub fn jobs(&self, failed_only: bool, limit: u32) -> Result<Vec<Job>> {
        let state = failed_only.then_some(trove_catalog::JobState::Failed);
        Ok(self.catalog().jobs(state, limit)?)
    }

    /// Queued, running and failed jobs of each kind that has any.
    pub fn active_jobs(&self) -> Result<Vec<(String, JobCounts)>> {
        Ok(self.catalog().active_job_counts()?)
    }

    /// Queues failed jobs (one, or all) again.
    pub fn retry_failed_jobs(&self, id: Option<i64>) -> Result<u64> {
        self.require_writer("retrying jobs")?;
        let n = self.catalog().retry_failed_jobs(id, self.now_ms())?;
        self.job_signal().notify();
        Ok(n)
    }
}
