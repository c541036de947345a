//! The durable job queue. Jobs live in the catalog so a crash or a kill
//! loses nothing: a job leased by a process that died is leased again once
//! its lease runs out.

use rusqlite::{OptionalExtension, params};

use crate::db::Catalog;
use crate::error::{CatalogError, Result, SqlContext};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobState {
    Queued,
    Running,
    Done,
    Failed,
    Cancelled,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> rusqlite::Result<JobState> {
        Ok(match s {
            "queued" => JobState::Queued,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            "cancelled" => JobState::Cancelled,
            other => {
                return Err(rusqlite::Error::FromSqlConversionFailure(
                    0,
                    rusqlite::types::Type::Text,
                    Box::new(CatalogError::BadValue {
                        what: "jobs.state",
                        value: other.to_owned(),
                    }),
                ));
            }
        })
    }
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    /// What to do, e.g. `scan_root`. Workers register handlers by kind.
    pub kind: String,
    /// The job's input, as JSON.
    pub payload: serde_json::Value,
    /// At most one live job per key: enqueueing the same key again while it
    /// is queued or running does nothing; once it is finished it runs anew.
    pub dedup_key: String,
    /// Higher runs first.
    pub priority: i32,
    pub max_attempts: u32,
}

/// A job as stored.
#[derive(Debug, Clone)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub dedup_key: String,
    pub state: JobState,
    pub priority: i32,
    pub attempts: u32,
    pub max_attempts: u32,
    pub not_before: i64,
    pub lease_owner: Option<String>,
    pub lease_expires: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

const JOB_COLUMNS: &str = "id, kind, payload, dedup_key, state, priority, attempts, max_attempts, \
    not_before, lease_owner, lease_expires, last_error, created_at, updated_at, finished_at";

fn job(r: &rusqlite::Row<'_>) -> rusqlite::Result<Job> {
    let payload: String = r.get(2)?;
    let state: String = r.get(4)?;
    Ok(Job {
        id: r.get(0)?,
        kind: r.get(1)?,
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::Null),
        dedup_key: r.get(3)?,
        state: JobState::parse(&state)?,
        priority: r.get(5)?,
        attempts: r.get(6)?,
        max_attempts: r.get(7)?,
        not_before: r.get(8)?,
        lease_owner: r.get(9)?,
        lease_expires: r.get(10)?,
        last_error: r.get(11)?,
        created_at: r.get(12)?,
        updated_at: r.get(13)?,
        finished_at: r.get(14)?,
    })
}

/// Counts of jobs by state.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobCounts {
    pub queued: u64,
    pub running: u64,
    pub done: u64,
    pub failed: u64,
    pub cancelled: u64,
}

/// What happened to a job reported as failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// It will run again at this time (Unix ms).
    RetryAt(i64),
    /// It used its last attempt and is now `failed`.
    GaveUp,
}

/// Inserts a job, or queues the job of the same key again; `$keep` decides
/// which finished jobs stay as they are.
macro_rules! enqueue_sql {
    ($keep:literal) => {
        concat!(
            "INSERT INTO jobs (kind, payload, dedup_key, priority, max_attempts, created_at, updated_at)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
     ON CONFLICT (dedup_key) DO UPDATE SET
        kind = excluded.kind, payload = excluded.payload,
        priority = max(jobs.priority, excluded.priority),
        state = CASE WHEN jobs.state IN ('queued', 'running') THEN jobs.state ELSE 'queued' END,
        attempts = CASE WHEN jobs.state IN ('queued', 'running') THEN jobs.attempts ELSE 0 END,
        not_before = CASE WHEN jobs.state IN ('queued', 'running') THEN jobs.not_before ELSE 0 END,
        max_attempts = excluded.max_attempts,
        last_error = CASE WHEN jobs.state IN ('queued', 'running') THEN jobs.last_error ELSE NULL END,
        finished_at = CASE WHEN jobs.state IN ('queued', 'running') THEN jobs.finished_at ELSE NULL END,
        updated_at = excluded.updated_at
     ",
            $keep,
            " RETURNING id"
        )
    };
}

/// A job the process died on every time stays failed until a person
/// retries it (`retry_failed_jobs`): queueing it again would be a loop.
const ENQUEUE_SQL: &str = enqueue_sql!(
    "WHERE NOT (jobs.state = 'failed' AND jobs.last_error LIKE 'the process stopped while working on this%')"
);
/// What a person asks for by name (a scan of a folder) is queued again
/// even after the process died on it.
const ENQUEUE_AGAIN_SQL: &str = enqueue_sql!("");

fn enqueue_on(conn: &rusqlite::Connection, job: &NewJob, now: i64) -> Result<i64> {
    enqueue_with(conn, ENQUEUE_SQL, job, now)
}

fn enqueue_with(conn: &rusqlite::Connection, sql: &str, job: &NewJob, now: i64) -> Result<i64> {
    let id: Option<i64> = conn
        .prepare_cached(sql)
        .ctx("enqueue job")?
        .query_row(
            params![
                job.kind,
                job.payload.to_string(),
                job.dedup_key,
                job.priority,
                job.max_attempts.max(1),
                now
            ],
            |r| r.get(0),
        )
        .optional()
        .ctx("enqueue job")?;
    match id {
        Some(id) => Ok(id),
        // Left failed (see ENQUEUE_SQL): the existing job's id.
        None => conn
            .prepare_cached("SELECT id FROM jobs WHERE dedup_key = ?1")
            .ctx("enqueue job")?
            .query_row([&job.dedup_key], |r| r.get(0))
            .ctx("enqueue job"),
    }
}

impl crate::Batch<'_> {
    /// Records that the running job `id` made progress (committed work in
    /// this transaction): the times its process died on it before are
    /// forgiven, so only deaths in a row without progress count toward its
    /// attempts. A long scan killed again and again from outside (a person,
    /// a power cut) goes on where it was; one that dies on the same file
    /// every time still ends failed.
    pub fn job_progressed(&mut self, id: i64, owner: &str) -> Result<()> {
        self.tx()
            .prepare_cached(
                "UPDATE jobs SET attempts = 1
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'running' AND attempts > 1",
            )
            .ctx("record job progress")?
            .execute(params![id, owner])
            .ctx("record job progress")?;
        Ok(())
    }

    /// Enqueues a job in the same transaction as the change that needs it,
    /// so a crash never leaves the change without its follow-up work.
    pub fn enqueue(&mut self, job: &NewJob) -> Result<i64> {
        let now = self.now();
        enqueue_on(self.tx(), job, now)
    }
}

/// The error of a job whose worker stopped (the process died) while on it.
pub const STOPPED_WHILE_WORKING: &str = "the process stopped while working on this";

impl Catalog {
    /// Enqueues a job, or returns the id of the live job with the same key.
    pub fn enqueue(&self, job: &NewJob, now: i64) -> Result<i64> {
        enqueue_on(&self.conn, job, now)
    }

    /// Enqueues a job a person asked for: as [`Catalog::enqueue`], and a
    /// job of the same key that was given up because the process died on
    /// it is queued again too (the person's request is the retry).
    pub fn enqueue_requested(&self, job: &NewJob, now: i64) -> Result<i64> {
        enqueue_with(&self.conn, ENQUEUE_AGAIN_SQL, job, now)
    }

    /// Leases the next runnable job of one of `kinds` to `owner` until
    /// `now + lease_ms`. Expired leases of other owners count as runnable,
    /// unless the job is out of attempts: then its worker died on it as
    /// often as it may be tried, and it ends as failed.
    pub fn claim_job(&self, kinds: &[&str], owner: &str, now: i64, lease_ms: i64) -> Result<Option<Job>> {
        if kinds.is_empty() {
            return Ok(None);
        }
        self.conn
            .prepare_cached(&format!(
                "UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_expires = NULL,
                        last_error = '{STOPPED_WHILE_WORKING} (' || attempts || ' times)',
                        finished_at = ?1, updated_at = ?1
                 WHERE state = 'running' AND lease_expires < ?1 AND attempts >= max_attempts"
            ))
            .ctx("claim job")?
            .execute([now])
            .ctx("claim job")?;
        let marks = vec!["?"; kinds.len()].join(", ");
        // The best queued job and the best expired lease are each found by
        // walking the `jobs_claim` index in claim order (one OR over both
        // made SQLite sort the whole queue on every claim); the better of
        // the two is taken.
        let sql = format!(
            "UPDATE jobs SET state = 'running', lease_owner = ?1, lease_expires = ?2 + ?3,
                    heartbeat_at = ?2, attempts = attempts + 1, updated_at = ?2
             WHERE id = (SELECT id FROM (
                           SELECT * FROM (SELECT id, priority FROM jobs
                                          WHERE state = 'queued' AND not_before <= ?2
                                            AND kind IN ({marks})
                                          ORDER BY priority DESC, id LIMIT 1)
                           UNION ALL
                           SELECT * FROM (SELECT id, priority FROM jobs
                                          WHERE state = 'running' AND lease_expires < ?2
                                            AND kind IN ({marks})
                                          ORDER BY priority DESC, id LIMIT 1))
                         ORDER BY priority DESC, id LIMIT 1)
             RETURNING {JOB_COLUMNS}"
        );
        let mut args: Vec<rusqlite::types::Value> = vec![owner.to_owned().into(), now.into(), lease_ms.into()];
        // Each IN list numbers its own `?`s: the kinds go in twice.
        for _ in 0..2 {
            args.extend(kinds.iter().map(|k| rusqlite::types::Value::from((*k).to_owned())));
        }
        self.conn
            .prepare_cached(&sql)
            .ctx("claim job")?
            .query_row(rusqlite::params_from_iter(args), job)
            .optional()
            .ctx("claim job")
    }

    /// Extends a lease. Returns false if the job is no longer ours (it was
    /// cancelled, or the lease ran out and another worker took it).
    pub fn heartbeat_job(&self, id: i64, owner: &str, now: i64, lease_ms: i64) -> Result<bool> {
        let n = self
            .conn
            .prepare_cached(
                "UPDATE jobs SET lease_expires = ?3 + ?4, heartbeat_at = ?3
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
            )
            .ctx("heartbeat job")?
            .execute(params![id, owner, now, lease_ms])
            .ctx("heartbeat job")?;
        Ok(n == 1)
    }

    pub fn complete_job(&self, id: i64, owner: &str, now: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE jobs SET state = 'done', lease_owner = NULL, lease_expires = NULL,
                        last_error = NULL, finished_at = ?3, updated_at = ?3
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
            )
            .ctx("complete job")?
            .execute(params![id, owner, now])
            .ctx("complete job")?;
        Ok(())
    }

    /// Records a failed attempt. Unless `permanent` or out of attempts, the
    /// job is queued again after an exponential back-off (1 s, 2 s, 4 s, ...
    /// up to 10 minutes).
    pub fn fail_job(&self, id: i64, owner: &str, now: i64, error: &str, permanent: bool) -> Result<FailOutcome> {
        let (attempts, max): (u32, u32) = self
            .conn
            .query_row("SELECT attempts, max_attempts FROM jobs WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()
            .ctx("fail job")?
            .ok_or_else(|| CatalogError::NotFound {
                what: "job",
                key: id.to_string(),
            })?;
        if permanent || attempts >= max {
            self.conn
                .execute(
                    "UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_expires = NULL,
                            last_error = ?3, finished_at = ?4, updated_at = ?4
                     WHERE id = ?1 AND lease_owner = ?2",
                    params![id, owner, error, now],
                )
                .ctx("fail job")?;
            Ok(FailOutcome::GaveUp)
        } else {
            let backoff = 1000i64
                .saturating_mul(1i64 << attempts.saturating_sub(1).min(20))
                .min(600_000);
            let at = now + backoff;
            self.conn
                .execute(
                    "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires = NULL,
                            last_error = ?3, not_before = ?4, updated_at = ?5
                     WHERE id = ?1 AND lease_owner = ?2",
                    params![id, owner, error, at, now],
                )
                .ctx("fail job")?;
            Ok(FailOutcome::RetryAt(at))
        }
    }

    /// Gives a leased job back to the queue without counting the attempt
    /// (the worker was asked to stop before it finished).
    pub fn release_job(&self, id: i64, owner: &str, now: i64) -> Result<()> {
        self.conn
            .execute(
                "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires = NULL,
                        attempts = max(attempts - 1, 0), updated_at = ?3
                 WHERE id = ?1 AND lease_owner = ?2 AND state = 'running'",
                params![id, owner, now],
            )
            .ctx("release job")?;
        Ok(())
    }

    /// How many jobs of these kinds are queued or running.
    pub fn pending_jobs(&self, kinds: &[&str]) -> Result<u64> {
        if kinds.is_empty() {
            return Ok(0);
        }
        let marks = vec!["?"; kinds.len()].join(", ");
        let sql = format!("SELECT count(*) FROM jobs WHERE state IN ('queued', 'running') AND kind IN ({marks})");
        self.conn
            .prepare_cached(&sql)
            .ctx("count pending jobs")?
            .query_row(rusqlite::params_from_iter(kinds.iter()), |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .ctx("count pending jobs")
    }

    /// Returns every job leased by an owner other than `owner` to the queue.
    /// Call it when the library lock is first taken: the lock proves that no
    /// other worker process is alive, so their leases are stale. A job whose
    /// worker died with it as many times as it may be tried (it may be what
    /// kills the process: a decoder crashing on one file) ends as failed
    /// instead, so a crash costs one file and one restart, never a loop.
    ///
    /// A job given back goes behind the others of its priority (one step
    /// down, which the next queueing of it lifts again): if it is what kills
    /// the process, the rest of the work is done before it is tried again;
    /// and a process killed from outside soon after each start (a person,
    /// a power cut) does not find the same job in flight every time and
    /// give it up as if it were the cause.
    pub fn release_stale_leases(&self, owner: &str, now: i64) -> Result<u64> {
        self.conn
            .execute(
                &format!(
                    "UPDATE jobs SET state = 'failed', lease_owner = NULL, lease_expires = NULL,
                            last_error = '{STOPPED_WHILE_WORKING} (' || attempts || ' times)',
                            finished_at = ?2, updated_at = ?2
                     WHERE state = 'running' AND lease_owner IS NOT ?1 AND attempts >= max_attempts"
                ),
                params![owner, now],
            )
            .ctx("release stale leases")?;
        let n = self
            .conn
            .execute(
                "UPDATE jobs SET state = 'queued', lease_owner = NULL, lease_expires = NULL,
                        priority = priority - 1, updated_at = ?2
                 WHERE state = 'running' AND lease_owner IS NOT ?1",
                params![owner, now],
            )
            .ctx("release stale leases")?;
        Ok(n as u64)
    }

    /// Puts failed jobs (all, or one) back in the queue with fresh attempts.
    pub fn retry_failed_jobs(&self, id: Option<i64>, now: i64) -> Result<u64> {
        let n = self
            .conn
            .execute(
                "UPDATE jobs SET state = 'queued', attempts = 0, not_before = 0, finished_at = NULL,
                        updated_at = ?2
                 WHERE state = 'failed' AND (?1 IS NULL OR id = ?1)",
                params![id, now],
            )
            .ctx("retry failed jobs")?;
        Ok(n as u64)
    }

    /// Raises the priority of queued jobs whose dedup key is in `keys`.
    pub fn prioritize_jobs(&self, keys: &[String], priority: i32) -> Result<u64> {
        let mut n = 0;
        let mut stmt = self
            .conn
            .prepare_cached("UPDATE jobs SET priority = max(priority, ?2) WHERE dedup_key = ?1 AND state = 'queued'")
            .ctx("prioritize jobs")?;
        for key in keys {
            n += stmt.execute(params![key, priority]).ctx("prioritize jobs")? as u64;
        }
        Ok(n)
    }

    pub fn cancel_job(&self, id: i64, now: i64) -> Result<bool> {
        let n = self
            .conn
            .execute(
                "UPDATE jobs SET state = 'cancelled', lease_owner = NULL, lease_expires = NULL,
                        finished_at = ?2, updated_at = ?2
                 WHERE id = ?1 AND state IN ('queued', 'running')",
                params![id, now],
            )
            .ctx("cancel job")?;
        Ok(n == 1)
    }

    pub fn job(&self, id: i64) -> Result<Job> {
        self.conn
            .query_row(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"), [id], job)
            .optional()
            .ctx("read job")?
            .ok_or_else(|| CatalogError::NotFound {
                what: "job",
                key: id.to_string(),
            })
    }

    /// Jobs in a state (or all), newest first.
    pub fn jobs(&self, state: Option<JobState>, limit: u32) -> Result<Vec<Job>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE (?1 IS NULL OR state = ?1)
                 ORDER BY id DESC LIMIT ?2"
            ))
            .ctx("list jobs")?;
        let rows = stmt
            .query_map(params![state.map(|s| s.as_str()), limit], job)
            .ctx("list jobs")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list jobs")
    }

    /// Job counts of each kind that has queued, running or failed jobs,
    /// by kind name. `done` counts every job of the kind ever finished, so
    /// two readings a moment apart give its rate.
    pub fn active_job_counts(&self) -> Result<Vec<(String, JobCounts)>> {
        let op = "count jobs by kind";
        let mut stmt = self
            .conn
            .prepare_cached("SELECT kind, state, count(*) FROM jobs GROUP BY kind, state ORDER BY kind")
            .ctx(op)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)? as u64,
                ))
            })
            .ctx(op)?;
        let mut out: Vec<(String, JobCounts)> = Vec::new();
        for row in rows {
            let (kind, state, n) = row.ctx(op)?;
            if out.last().is_none_or(|(k, _)| *k != kind) {
                out.push((kind, JobCounts::default()));
            }
            if let Some((_, c)) = out.last_mut() {
                match state.as_str() {
                    "queued" => c.queued = n,
                    "running" => c.running = n,
                    "done" => c.done = n,
                    "failed" => c.failed = n,
                    _ => c.cancelled = n,
                }
            }
        }
        out.retain(|(_, c)| c.queued + c.running + c.failed > 0);
        Ok(out)
    }

    pub fn job_counts(&self) -> Result<JobCounts> {
        let mut counts = JobCounts::default();
        let mut stmt = self
            .conn
            .prepare_cached("SELECT state, count(*) FROM jobs GROUP BY state")
            .ctx("count jobs")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .ctx("count jobs")?;
        for row in rows {
            let (state, n) = row.ctx("count jobs")?;
            match state.as_str() {
                "queued" => counts.queued = n,
                "running" => counts.running = n,
                "done" => counts.done = n,
                "failed" => counts.failed = n,
                "cancelled" => counts.cancelled = n,
                _ => {}
            }
        }
        Ok(counts)
    }
}

#[cfg(test)]
mod tests {
    /// Queueing tells a job the process died on by its error text, which
    /// the SQL spells out: the two must agree.
    #[test]
    fn queueing_knows_the_error_of_a_job_the_process_died_on() {
        assert!(
            super::ENQUEUE_SQL.contains(&format!("'{}%'", super::STOPPED_WHILE_WORKING)),
            "ENQUEUE_SQL and STOPPED_WHILE_WORKING disagree"
        );
    }
}
