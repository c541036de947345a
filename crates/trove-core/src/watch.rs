//! Watching roots for changes and keeping the catalog in step.
//!
//! Each online root gets a recursive watcher (inotify on Linux) behind
//! notify-debouncer-full. Settled changes are reconciled with the same scan
//! used for imports, limited to the changed paths. When the OS drops events
//! (queue overflow) or asks for a rescan, the root is rescanned in full. On
//! network file systems, or when the OS watch limit is reached, the root is
//! polled instead, and the user is told.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, Debouncer, NoCache, RecommendedCache, new_debouncer_opt};
use trove_catalog::{Root, RootState};

use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::events::{Event, EventSink};
use crate::fsmeta::{FsClass, fs_class};
use crate::library::Library;
use crate::scan::{ScanParams, ScanReport, ScanScope, scan};

/// How to watch.
#[derive(Debug, Clone, Copy)]
pub struct WatchOptions {
    /// A path must be quiet this long before its change is applied.
    pub debounce: Duration,
    /// Interval for polled roots.
    pub poll_interval: Duration,
    /// Poll every root (for file systems whose events are unreliable).
    pub force_poll: bool,
    /// How often to look for roots that were added, went offline or came
    /// back.
    pub root_check_interval: Duration,
    pub read_threads: usize,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            debounce: Duration::from_millis(500),
            poll_interval: Duration::from_secs(30),
            force_poll: false,
            root_check_interval: Duration::from_secs(5),
            read_threads: 2,
        }
    }
}

/// Held only to keep the watcher alive: dropping it stops watching.
#[expect(dead_code, reason = "the value is held for its Drop")]
enum AnyDebouncer {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

/// A message from a root's watcher.
enum Signal {
    Paths(i64, Vec<PathBuf>),
    Rescan(i64, String),
}

struct Watched {
    root: Root,
    _debouncer: AnyDebouncer,
}

impl Library {
    /// Watches every root until `cancel` is set. Starts with a full scan of
    /// each root, so changes made while nothing watched are caught up.
    pub fn watch(&self, opts: &WatchOptions, sink: &dyn EventSink, cancel: &Cancel) -> Result<()> {
        self.require_writer("watching")?;
        let (tx, rx) = crossbeam_channel::unbounded::<Signal>();
        let mut watched: HashMap<i64, Watched> = HashMap::new();
        let mut last_root_check = Instant::now() - opts.root_check_interval;
        let params = ScanParams {
            threads: opts.read_threads,
            job: None,
        };
        let result = (|| {
            while !cancel.is_cancelled() {
                if last_root_check.elapsed() >= opts.root_check_interval {
                    self.check_roots(opts, &mut watched, &tx, sink, cancel)?;
                    last_root_check = Instant::now();
                }
                self.apply_signals(&rx, &watched, params, sink, cancel)?;
            }
            Ok(())
        })();
        match result {
            Err(CoreError::Cancelled) => Ok(()),
            other => other,
        }
    }

    /// Scans for the watcher. A failed scan of one root is reported and
    /// watching goes on (the next change or check tries again); only a
    /// cancellation stops the watcher. While background work is paused
    /// ([`Library::set_jobs_paused`]) the scan waits; changes seen
    /// meanwhile are kept and scanned after.
    fn watch_scan(
        &self,
        root: &Root,
        scope: ScanScope,
        params: ScanParams,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<Option<ScanReport>> {
        while self.jobs_paused() {
            if cancel.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            self.job_signal().wait(Duration::from_millis(200));
        }
        // Removed since the last root check: nothing to update.
        if let Err(e) = self.catalog().root(root.id)
            && e.is_not_found()
        {
            return Ok(None);
        }
        match scan(self, root, scope, params, sink, cancel) {
            Ok(r) => Ok(Some(r)),
            Err(CoreError::Cancelled) => Err(CoreError::Cancelled),
            Err(e) => {
                sink.emit(Event::Warning {
                    message: format!("updating {} failed: {e}; Trove will try again", root.path.display()),
                });
                Ok(None)
            }
        }
    }

    /// Starts watchers for new or returning roots and drops those of roots
    /// that went offline.
    fn check_roots(
        &self,
        opts: &WatchOptions,
        watched: &mut HashMap<i64, Watched>,
        tx: &Sender<Signal>,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<()> {
        let roots = self.catalog().roots()?;
        let params = ScanParams {
            threads: opts.read_threads,
            job: None,
        };
        // A removed folder is no longer watched.
        watched.retain(|id, _| roots.iter().any(|r| r.id == *id));
        for root in roots {
            let reachable = root.path.is_dir();
            // A watcher is stale when its root vanished, moved in the
            // catalog, or went offline (it may be back at the same path
            // before we noticed it left).
            let stale = watched
                .get(&root.id)
                .is_some_and(|w| !reachable || w.root.path != root.path || root.state == RootState::Offline);
            if stale {
                watched.remove(&root.id);
            }
            if watched.contains_key(&root.id) {
                continue;
            }
            if !reachable && root.state == RootState::Offline {
                continue; // still unplugged; nothing to do
            }
            // Watch first, then scan, so nothing that happens in between is lost.
            let debouncer = if reachable {
                Some(start_watcher(&root, opts, tx.clone(), sink)?)
            } else {
                None
            };
            let Some(report) = self.watch_scan(&root, ScanScope::Full, params, sink, cancel)? else {
                continue;
            };
            if let Some(d) = debouncer
                && !report.offline
            {
                let root = self.catalog().root(root.id)?;
                watched.insert(root.id, Watched { root, _debouncer: d });
            }
        }
        Ok(())
    }

    fn apply_signals(
        &self,
        rx: &Receiver<Signal>,
        watched: &HashMap<i64, Watched>,
        params: ScanParams,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<()> {
        let first = match rx.recv_timeout(Duration::from_millis(100)) {
            Ok(s) => s,
            Err(_) => return Ok(()),
        };
        // Coalesce everything already waiting into one pass per root.
        let mut paths: HashMap<i64, HashSet<PathBuf>> = HashMap::new();
        let mut rescan: HashMap<i64, String> = HashMap::new();
        for signal in std::iter::once(first).chain(rx.try_iter()) {
            match signal {
                Signal::Paths(root, p) => paths.entry(root).or_default().extend(p),
                Signal::Rescan(root, why) => {
                    rescan.insert(root, why);
                }
            }
        }
        for (root_id, why) in &rescan {
            let Some(w) = watched.get(root_id) else { continue };
            sink.emit(Event::Warning {
                message: format!("rescanning {} ({why})", w.root.path.display()),
            });
            let root = self.catalog().root(*root_id)?;
            if let Some(report) = self.watch_scan(&root, ScanScope::Full, params, sink, cancel)? {
                sink.emit(Event::WatchApplied {
                    root_id: *root_id,
                    changed_paths: 0,
                    report,
                });
            }
        }
        for (root_id, abs_paths) in paths {
            if rescan.contains_key(&root_id) {
                continue;
            }
            let Some(w) = watched.get(&root_id) else { continue };
            let rels: Vec<PathBuf> = abs_paths
                .iter()
                .filter_map(|p| p.strip_prefix(&w.root.path).ok().map(Path::to_owned))
                .collect();
            if rels.is_empty() {
                continue;
            }
            let n = rels.len() as u64;
            let root = self.catalog().root(root_id)?;
            if root.state == RootState::Offline {
                continue;
            }
            if let Some(report) = self.watch_scan(&root, ScanScope::Paths(rels), params, sink, cancel)? {
                sink.emit(Event::WatchApplied {
                    root_id,
                    changed_paths: n,
                    report,
                });
            }
        }
        Ok(())
    }
}

fn handler(root_id: i64, tx: Sender<Signal>) -> impl FnMut(DebounceEventResult) + Send + 'static {
    move |result: DebounceEventResult| match result {
        Ok(events) => {
            let mut paths = Vec::new();
            for e in events {
                if e.need_rescan() {
                    let _ = tx.send(Signal::Rescan(root_id, "the system dropped change events".into()));
                    return;
                }
                // Opening and reading (our own scans do plenty) change nothing.
                if matches!(e.event.kind, EventKind::Access(_)) {
                    continue;
                }
                paths.extend(e.event.paths.iter().cloned());
            }
            if !paths.is_empty() {
                let _ = tx.send(Signal::Paths(root_id, paths));
            }
        }
        Err(errors) => {
            let why = errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ");
            let _ = tx.send(Signal::Rescan(root_id, format!("watch error: {why}")));
        }
    }
}

fn is_watch_limit(e: &notify::Error) -> bool {
    match &e.kind {
        notify::ErrorKind::MaxFilesWatch => true,
        // inotify_add_watch reports the per-user limit as ENOSPC.
        notify::ErrorKind::Io(io) => io.raw_os_error() == Some(28),
        _ => false,
    }
}

fn start_watcher(root: &Root, opts: &WatchOptions, tx: Sender<Signal>, sink: &dyn EventSink) -> Result<AnyDebouncer> {
    let poll_reason = if opts.force_poll {
        Some("polling was asked for".to_owned())
    } else {
        match fs_class(&root.path) {
            FsClass::Network(fs) => Some(format!(
                "it is on a network file system ({fs}), which does not report changes reliably"
            )),
            FsClass::Local => None,
        }
    };
    if poll_reason.is_none() {
        match start_native(root, opts, tx.clone()) {
            Ok(d) => return Ok(AnyDebouncer::Native(d)),
            Err(e) if is_watch_limit(&e) => {
                sink.emit(Event::Warning {
                    message: format!(
                        "{} is watched by polling every {} s because the system's file watch limit was reached; raise fs.inotify.max_user_watches for instant updates",
                        root.path.display(),
                        opts.poll_interval.as_secs()
                    ),
                });
            }
            Err(e) => {
                sink.emit(Event::Warning {
                    message: format!("{} is watched by polling: {e}", root.path.display()),
                });
            }
        }
    } else if let Some(reason) = &poll_reason {
        sink.emit(Event::Warning {
            message: format!(
                "{} is watched by polling every {} s because {reason}",
                root.path.display(),
                opts.poll_interval.as_secs()
            ),
        });
    }
    let config = notify::Config::default().with_poll_interval(opts.poll_interval);
    let mut d =
        new_debouncer_opt::<_, PollWatcher, NoCache>(opts.debounce, None, handler(root.id, tx), NoCache, config)
            .map_err(|e| CoreError::Watch {
                path: root.path.clone(),
                detail: e.to_string(),
            })?;
    d.watch(&root.path, RecursiveMode::Recursive)
        .map_err(|e| CoreError::Watch {
            path: root.path.clone(),
            detail: e.to_string(),
        })?;
    Ok(AnyDebouncer::Poll(d))
}

fn start_native(
    root: &Root,
    opts: &WatchOptions,
    tx: Sender<Signal>,
) -> notify::Result<Debouncer<RecommendedWatcher, RecommendedCache>> {
    let mut d = new_debouncer_opt::<_, RecommendedWatcher, RecommendedCache>(
        opts.debounce,
        None,
        handler(root.id, tx),
        RecommendedCache::new(),
        notify::Config::default(),
    )?;
    d.watch(&root.path, RecursiveMode::Recursive)?;
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_os_watch_limit_is_recognised_in_both_forms() {
        assert!(is_watch_limit(&notify::Error::new(notify::ErrorKind::MaxFilesWatch)));
        let enospc = notify::Error::io(std::io::Error::from_raw_os_error(28));
        assert!(is_watch_limit(&enospc));
        let other = notify::Error::io(std::io::Error::from_raw_os_error(2));
        assert!(!is_watch_limit(&other));
    }

    #[test]
    fn local_folders_are_not_taken_for_network_ones() {
        let dir = std::env::temp_dir();
        assert_eq!(fs_class(&dir), FsClass::Local);
    }
}
