use tauri::State;

use super::blocking;
use crate::AppState;
use crate::codes;
use crate::dto::{ErrorDto, FailedJobDto, JobKindDto, JobStatusDto};

/// Failures listed at most.
const MAX_FAILED: u32 = 50;

/// What the queue holds, whether it is paused, and the recent failures.
#[tauri::command]
pub async fn job_status(state: State<'_, AppState>) -> Result<JobStatusDto, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        let kinds = lib
            .active_jobs()?
            .into_iter()
            .map(|(kind, c)| JobKindDto {
                kind,
                queued: c.queued,
                running: c.running,
                failed: c.failed,
                done: c.done,
            })
            .collect();
        let failed = lib
            .jobs(true, MAX_FAILED)?
            .into_iter()
            .map(|j| FailedJobDto {
                id: j.id,
                kind: j.kind,
                error: j.last_error.unwrap_or_default(),
                attempts: j.attempts,
                failed_at: j.finished_at.unwrap_or(j.updated_at),
            })
            .collect();
        Ok(JobStatusDto {
            paused: lib.jobs_paused(),
            kinds,
            failed,
        })
    })
    .await
}

/// Pauses or resumes the job workers (running jobs finish).
#[tauri::command]
pub async fn set_jobs_paused(state: State<'_, AppState>, paused: bool) -> Result<bool, ErrorDto> {
    let lib = state.lib()?;
    if !lib.is_writer() {
        return Err(ErrorDto::new(
            codes::READ_ONLY,
            "another Trove process runs this library's jobs; pause them there",
        ));
    }
    lib.set_jobs_paused(paused);
    Ok(lib.jobs_paused())
}

/// Queues a failed job (by id) or every failed job (`id` null) again.
#[tauri::command]
pub async fn retry_jobs(state: State<'_, AppState>, id: Option<i64>) -> Result<u64, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        let n = lib.retry_failed_jobs(id)?;
        if id.is_some() && n == 0 {
            return Err(ErrorDto::new(
                codes::JOB_NOT_FOUND,
                format!(
                    "no failed job {}; it may have been retried already",
                    id.unwrap_or_default()
                ),
            ));
        }
        Ok(n)
    })
    .await
}
