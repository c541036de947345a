//! The typed event stream through which the core reports progress and
//! results. Front ends render it: the CLI as progress bars or lines, the
//! desktop app by forwarding to the page.

use std::path::PathBuf;
use std::sync::Arc;

use crate::scan::report::ScanReport;

/// A phase of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanPhase {
    /// Walking the folder tree and reading directory entries.
    Discover,
    /// Reading new and changed files: hashing and extracting metadata.
    Hash,
    /// Writing what was found to the catalog.
    Finish,
}

/// Progress of one scan of one root.
#[derive(Debug, Clone, PartialEq)]
pub struct ScanProgress {
    pub root_id: i64,
    pub root: PathBuf,
    pub phase: ScanPhase,
    /// Files found so far (discover) or files hashed so far (hash).
    pub files_done: u64,
    /// Files to hash in total (0 while discovering).
    pub files_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    /// Milliseconds since the phase started.
    pub elapsed_ms: u64,
}

impl ScanProgress {
    /// Bytes per second over the phase so far.
    pub fn bytes_per_sec(&self) -> f64 {
        if self.elapsed_ms == 0 {
            0.0
        } else {
            self.bytes_done as f64 * 1000.0 / self.elapsed_ms as f64
        }
    }

    pub fn files_per_sec(&self) -> f64 {
        if self.elapsed_ms == 0 {
            0.0
        } else {
            self.files_done as f64 * 1000.0 / self.elapsed_ms as f64
        }
    }
}

/// Everything the core tells its front ends.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    ScanStarted {
        root_id: i64,
        root: PathBuf,
    },
    ScanProgress(ScanProgress),
    ScanFinished(ScanReport),
    /// A file could not be catalogued; the scan went on.
    FileProblem {
        root_id: i64,
        path: PathBuf,
        code: String,
        message: String,
    },
    RootOffline {
        root_id: i64,
        root: PathBuf,
    },
    RootOnline {
        root_id: i64,
        root: PathBuf,
    },
    /// Something the user should know that is not an error of one file,
    /// e.g. a root watched by polling because the OS watch limit was reached.
    Warning {
        message: String,
    },
    /// A person's edit was made, undone (`state` undone) or redone.
    Edited(trove_catalog::EditRecord),
    JobStarted {
        job_id: i64,
        kind: String,
    },
    JobFinished {
        job_id: i64,
        kind: String,
    },
    JobFailed {
        job_id: i64,
        kind: String,
        error: String,
        will_retry: bool,
    },
    /// The library's disk is full: the workers take no job until there is
    /// space again (they try again with a growing back-off). No job is
    /// failed or counted for it.
    JobsPaused {
        reason: String,
    },
    /// Space came back and a job went through: the workers run again.
    JobsResumed,
    /// The search index could not be used; it was moved aside and rebuilt
    /// from the catalog.
    SearchIndexRebuilt {
        reason: String,
        moved_to: PathBuf,
    },
    /// The search index caught up with the catalog.
    SearchIndexed(crate::search::report::IndexReport),
    /// How far a sync run is.
    SyncProgress(SyncProgress),
    /// The sync queue paused (the network is down); it resumes by itself.
    SyncPaused {
        reason: String,
    },
    SyncResumed,
    /// One object could not be sent; the run went on.
    SyncObjectFailed {
        key: String,
        error: String,
    },
    /// The watcher applied a batch of changes to the catalog.
    WatchApplied {
        root_id: i64,
        changed_paths: u64,
        report: ScanReport,
    },
}

/// Progress of a sync run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncProgress {
    pub objects_done: u64,
    pub objects_total: u64,
    pub bytes_done: u64,
    pub bytes_total: u64,
    pub failed: u64,
    pub in_flight: u64,
}

/// Receives events. Implemented for closures and channels.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: Event);
}

impl<F: Fn(Event) + Send + Sync> EventSink for F {
    fn emit(&self, event: Event) {
        self(event)
    }
}

impl EventSink for crossbeam_channel::Sender<Event> {
    fn emit(&self, event: Event) {
        // A closed receiver means nobody listens any more; that is fine.
        let _ = self.send(event);
    }
}

/// A sink that drops everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoEvents;

impl EventSink for NoEvents {
    fn emit(&self, _: Event) {}
}

/// A shared sink.
pub type Sink = Arc<dyn EventSink>;
