//! Making proxies, and the job queue: `trove thumbs`, `trove proxies`,
//! `trove jobs`.

use std::path::Path;
use std::sync::Arc;

use trove_core::{CoreError, WorkerOptions};

use crate::progress::Reporter;
use crate::{EXIT_OK, ctrl_c, json, open_reader, open_writer, output};

/// Which failed jobs `trove jobs --retry` queues again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    All,
    One(i64),
}

/// `all` or a job id.
pub fn parse_retry(s: &str) -> Result<Retry, String> {
    match s {
        "all" => Ok(Retry::All),
        n => n
            .parse::<i64>()
            .map(Retry::One)
            .map_err(|_| format!("{n:?} is not a job id; give a number as `trove jobs` prints, or all")),
    }
}

/// Queues what is missing and runs the jobs of `kinds` until none is left.
pub fn make_proxies(
    dir: &Path,
    workers: &WorkerOptions,
    force: bool,
    json: bool,
    kinds: &'static [&'static str],
) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    let cancel = ctrl_c();
    let queued = lib.enqueue_proxies(force)?;
    if !json {
        output::note(&format!("making the proxies of {queued} asset(s)"));
    }
    let reporter = Arc::new(Reporter::new(json));
    let summary = lib.run_jobs(&workers.only(kinds), reporter.as_ref(), &cancel)?;
    reporter.finish();
    if json {
        output::json(&json::run_report(&reporter.reports(), &summary));
    } else {
        output::note(&format!("done: {} made, {} failed", summary.done, summary.failed));
    }
    Ok(reporter.exit_code(&summary))
}

/// `trove jobs`.
pub fn jobs(dir: &Path, failed: bool, retry: Option<Retry>, json: bool) -> Result<u8, CoreError> {
    if let Some(which) = retry {
        let lib = open_writer(dir, false)?;
        let id = match which {
            Retry::All => None,
            Retry::One(id) => Some(id),
        };
        let n = lib.retry_failed_jobs(id)?;
        if json {
            output::json(&serde_json::json!({ "queued": n }));
        } else {
            output::note(&format!(
                "queued {n} failed job(s) again; `trove scan` or `trove watch` runs them"
            ));
        }
        return Ok(EXIT_OK);
    }
    let lib = open_reader(dir)?;
    let jobs = lib.jobs(failed, 200)?;
    if json {
        output::json(&jobs.iter().map(json::job).collect::<Vec<_>>());
    } else {
        output::jobs(&jobs);
    }
    Ok(EXIT_OK)
}
