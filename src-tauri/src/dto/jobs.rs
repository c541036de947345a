//! The job queue as the activity panel shows it.

use serde::Serialize;
use ts_rs::TS;

/// Jobs of one kind that are waiting, running or failed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct JobKindDto {
    /// `scan_root`, `make_proxies`, `make_playable`...
    pub kind: String,
    #[ts(type = "number")]
    pub queued: u64,
    #[ts(type = "number")]
    pub running: u64,
    #[ts(type = "number")]
    pub failed: u64,
    /// Every job of this kind ever finished (two readings give a rate).
    #[ts(type = "number")]
    pub done: u64,
}

/// A job that failed for good, with why.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FailedJobDto {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: String,
    pub error: String,
    pub attempts: u32,
    /// Unix ms.
    #[ts(type = "number")]
    pub failed_at: i64,
}

/// The job queue as the activity panel shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct JobStatusDto {
    pub paused: bool,
    pub kinds: Vec<JobKindDto>,
    /// The most recent failures (at most 50).
    pub failed: Vec<FailedJobDto>,
}
