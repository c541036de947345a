//! Core events as the page hears them, and the reports they carry.

use serde::Serialize;
use trove_core::{Event, ScanPhase, ScanReport};
use ts_rs::TS;

use super::ErrorDto;

#[derive(Debug, Clone, Serialize, TS)]
pub struct ScanReportDto {
    #[ts(type = "number")]
    pub root_id: i64,
    pub root: String,
    pub offline: bool,
    #[ts(type = "number")]
    pub files_seen: u64,
    #[ts(type = "number")]
    pub new_assets: u64,
    #[ts(type = "number")]
    pub duplicates: u64,
    #[ts(type = "number")]
    pub changed: u64,
    #[ts(type = "number")]
    pub moved: u64,
    #[ts(type = "number")]
    pub missing: u64,
    #[ts(type = "number")]
    pub problems: u64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

impl From<&ScanReport> for ScanReportDto {
    fn from(r: &ScanReport) -> Self {
        ScanReportDto {
            root_id: r.root_id,
            root: r.root.to_string_lossy().into_owned(),
            offline: r.offline,
            files_seen: r.files_seen,
            new_assets: r.new_assets,
            duplicates: r.duplicates,
            changed: r.changed,
            moved: r.moved,
            missing: r.missing,
            problems: r.problems,
            elapsed_ms: r.elapsed_ms,
        }
    }
}

/// Events pushed to the page on the `trove://event` channel.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventDto {
    ScanStarted {
        #[ts(type = "number")]
        root_id: i64,
        root: String,
    },
    ScanProgress {
        #[ts(type = "number")]
        root_id: i64,
        root: String,
        /// "discover", "hash" or "finish".
        phase: String,
        #[ts(type = "number")]
        files_done: u64,
        #[ts(type = "number")]
        files_total: u64,
        #[ts(type = "number")]
        bytes_done: u64,
        #[ts(type = "number")]
        bytes_total: u64,
        #[ts(type = "number")]
        elapsed_ms: u64,
    },
    ScanFinished {
        report: ScanReportDto,
    },
    FileProblem {
        path: String,
        code: String,
        message: String,
    },
    RootOffline {
        #[ts(type = "number")]
        root_id: i64,
        root: String,
    },
    RootOnline {
        #[ts(type = "number")]
        root_id: i64,
        root: String,
    },
    Warning {
        message: String,
    },
    JobFailed {
        #[ts(type = "number")]
        job_id: i64,
        kind: String,
        error: String,
        will_retry: bool,
    },
    /// A job made an asset's proxies: its thumbnail (and ThumbHash) can be
    /// shown now.
    ProxiesMade {
        #[ts(type = "number")]
        job_id: i64,
    },
    /// An edit was made, undone or redone: ratings, flags, labels, texts
    /// or keywords changed (the page refreshes what it shows).
    Edited {
        edit: super::EditDto,
    },
    /// The catalog changed (the page should refresh what it shows).
    CatalogChanged {
        #[ts(type = "number")]
        root_id: i64,
    },
    /// Sync progress (objects and bytes sent and verified so far).
    SyncProgress {
        #[ts(type = "number")]
        objects_done: u64,
        #[ts(type = "number")]
        objects_total: u64,
        #[ts(type = "number")]
        bytes_done: u64,
        #[ts(type = "number")]
        bytes_total: u64,
        #[ts(type = "number")]
        failed: u64,
    },
    /// The network is down: the sync waits and resumes by itself.
    SyncPaused {
        reason: String,
    },
    SyncResumed,
    /// The library's disk is full; jobs wait for space.
    JobsPaused {
        reason: String,
    },
    JobsResumed,
    /// A restore of originals (`restore_originals`): files dealt with so
    /// far of the total, and bytes brought back.
    RestoreProgress {
        #[ts(type = "number")]
        done: u64,
        #[ts(type = "number")]
        total: u64,
        #[ts(type = "number")]
        bytes: u64,
    },
    /// A sync run ended: `error` says why when it stopped early.
    SyncFinished {
        #[ts(type = "number")]
        uploaded: u64,
        #[ts(type = "number")]
        failed: u64,
        #[ts(type = "number")]
        pending: u64,
        error: Option<ErrorDto>,
    },
}

impl EventDto {
    /// Converts a core event; `None` for events the page does not use.
    pub fn from_core(e: &Event) -> Option<Self> {
        Some(match e {
            Event::ScanStarted { root_id, root } => EventDto::ScanStarted {
                root_id: *root_id,
                root: root.to_string_lossy().into_owned(),
            },
            Event::ScanProgress(p) => EventDto::ScanProgress {
                root_id: p.root_id,
                root: p.root.to_string_lossy().into_owned(),
                phase: match p.phase {
                    ScanPhase::Discover => "discover",
                    ScanPhase::Hash => "hash",
                    ScanPhase::Finish => "finish",
                }
                .to_owned(),
                files_done: p.files_done,
                files_total: p.files_total,
                bytes_done: p.bytes_done,
                bytes_total: p.bytes_total,
                elapsed_ms: p.elapsed_ms,
            },
            Event::ScanFinished(r) => EventDto::ScanFinished { report: r.into() },
            Event::FileProblem {
                path, code, message, ..
            } => EventDto::FileProblem {
                path: path.to_string_lossy().into_owned(),
                code: code.clone(),
                message: message.clone(),
            },
            Event::RootOffline { root_id, root } => EventDto::RootOffline {
                root_id: *root_id,
                root: root.to_string_lossy().into_owned(),
            },
            Event::RootOnline { root_id, root } => EventDto::RootOnline {
                root_id: *root_id,
                root: root.to_string_lossy().into_owned(),
            },
            Event::Warning { message } => EventDto::Warning {
                message: message.clone(),
            },
            Event::JobFailed {
                job_id,
                kind,
                error,
                will_retry,
            } => EventDto::JobFailed {
                job_id: *job_id,
                kind: kind.clone(),
                error: error.clone(),
                will_retry: *will_retry,
            },
            Event::SyncProgress(p) => EventDto::SyncProgress {
                objects_done: p.objects_done,
                objects_total: p.objects_total,
                bytes_done: p.bytes_done,
                bytes_total: p.bytes_total,
                failed: p.failed,
            },
            Event::SyncPaused { reason } => EventDto::SyncPaused { reason: reason.clone() },
            Event::SyncResumed => EventDto::SyncResumed,
            Event::JobsPaused { reason } => EventDto::JobsPaused { reason: reason.clone() },
            Event::JobsResumed => EventDto::JobsResumed,
            Event::JobFinished { job_id, kind }
                if kind == trove_core::job_kind::MAKE_PROXIES || kind == trove_core::job_kind::MAKE_PLAYABLE =>
            {
                EventDto::ProxiesMade { job_id: *job_id }
            }
            Event::WatchApplied { root_id, report, .. } if !report.is_noop() => {
                EventDto::CatalogChanged { root_id: *root_id }
            }
            Event::Edited(record) => EventDto::Edited { edit: record.into() },
            _ => return None,
        })
    }
}
