//! Scanning a root: reconcile what is on disk with what the catalog knows.
//!
//! One algorithm serves the first import, every rescan and the watcher:
//!
//! 1. **Discover**: walk the root (or just the paths the watcher saw
//!    change) and stat every file. Nothing is read.
//! 2. **Classify** against the catalog's records of those paths: same size,
//!    mtime and inode is *unchanged* and costs nothing more; a path the
//!    catalog lacks whose inode matches a record whose path is gone is a
//!    *move*; the rest is *new* or *changed* and must be read.
//! 3. **Read** new and changed files on a pool of threads: BLAKE3 and MD5 in
//!    one pass, kind and metadata from the head of the same read.
//! 4. **Apply** results on one writer in transactions of many rows. New
//!    content becomes an asset; known content at a new path is either a move
//!    (if a file of that asset is gone) or a duplicate.
//! 5. Records whose files were not found are marked **missing**, never
//!    deleted.
//!
//! A scan killed at any point leaves a consistent catalog (each batch is one
//! transaction) and running it again completes the work.

mod apply;
mod discover;
mod read;
pub(crate) mod report;
pub(crate) mod sidecar;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

use trove_catalog::{FileRecord, Root, RootState};

use crate::cancel::Cancel;
use crate::error::Result;
use crate::events::{Event, EventSink, ScanPhase, ScanProgress};
use crate::fsmeta::{device_of, file_stat, is_ignored_name};
use crate::library::Library;

pub(crate) use discover::Found;
pub use report::ScanReport;

/// Which part of a root to reconcile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanScope {
    /// The whole root.
    Full,
    /// Only these paths (relative to the root) and, for folders, everything
    /// under them. The watcher uses this for the paths it saw change.
    Paths(Vec<PathBuf>),
}

/// Settings of one scan.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ScanParams {
    /// Threads that read files.
    pub threads: usize,
    /// The job the scan runs as, if any: each batch that changes the
    /// catalog records its progress (see `Batch::job_progressed`).
    pub job: Option<i64>,
}

/// A file that must be read.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    New(Found),
    /// A catalogued file whose entry changed; `moved` if it was found at a
    /// new path by its inode.
    Changed {
        found: Found,
        rec: FileRecord,
        moved: bool,
    },
}

impl Target {
    fn found(&self) -> &Found {
        match self {
            Target::New(f) | Target::Changed { found: f, .. } => f,
        }
    }
}

/// Whether the root is reachable, and its device.
fn check_root(root: &Root) -> Option<Option<u64>> {
    let meta = std::fs::metadata(&root.path).ok()?;
    if !meta.is_dir() {
        return None;
    }
    let dev = device_of(&meta);
    if root.device.is_some() && dev != root.device {
        // Another device at the same path: an empty directory there is a
        // mount point whose drive is not plugged in.
        let empty = std::fs::read_dir(&root.path)
            .map(|mut d| d.next().is_none())
            .unwrap_or(true);
        if empty {
            return None;
        }
    }
    Some(dev)
}

/// Reduces a set of relative paths to those not below another one.
fn minimal_cover(mut paths: Vec<PathBuf>) -> Vec<PathBuf> {
    paths.sort();
    paths.dedup();
    let mut out: Vec<PathBuf> = Vec::new();
    for p in paths {
        if out.last().is_some_and(|last| p.starts_with(last)) {
            continue;
        }
        out.push(p);
    }
    out
}

pub(crate) fn scan(
    lib: &Library,
    root: &Root,
    scope: ScanScope,
    params: ScanParams,
    sink: &dyn EventSink,
    cancel: &Cancel,
) -> Result<ScanReport> {
    let _running = lib.scan_running();
    let lock = lib.scan_lock(root.id);
    let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
    // Another scan may have changed the root while we waited, or the
    // folder was removed: then there is nothing to scan.
    let mut cat = lib.connect()?;
    let current = match cat.root(root.id) {
        Ok(r) => r,
        Err(e) if e.is_not_found() => {
            return Ok(ScanReport {
                root_id: root.id,
                root: root.path.clone(),
                ..ScanReport::default()
            });
        }
        Err(e) => return Err(e.into()),
    };
    let root = &current;
    let started = Instant::now();
    let scan_stamp = lib.now_ms();
    let mut report = ScanReport {
        root_id: root.id,
        root: root.path.clone(),
        ..ScanReport::default()
    };

    // Is the root there at all?
    let Some(device) = check_root(root) else {
        let mut b = cat.batch(lib.now_ms())?;
        b.set_root_state(root.id, RootState::Offline, None)?;
        b.commit()?;
        if root.state == RootState::Online {
            sink.emit(Event::RootOffline {
                root_id: root.id,
                root: root.path.clone(),
            });
        }
        report.offline = true;
        report.elapsed_ms = started.elapsed().as_millis() as u64;
        return Ok(report);
    };
    if root.state == RootState::Offline {
        sink.emit(Event::RootOnline {
            root_id: root.id,
            root: root.path.clone(),
        });
    }
    {
        let mut b = cat.batch(lib.now_ms())?;
        b.set_root_state(root.id, RootState::Online, device)?;
        b.commit()?;
    }
    sink.emit(Event::ScanStarted {
        root_id: root.id,
        root: root.path.clone(),
    });

    // 1. Discover.
    let discover_started = Instant::now();
    let mut disc = discover::Discovery::default();
    let mut emit_discover = |n: u64| {
        sink.emit(Event::ScanProgress(ScanProgress {
            root_id: root.id,
            root: root.path.clone(),
            phase: ScanPhase::Discover,
            files_done: n,
            files_total: 0,
            bytes_done: 0,
            bytes_total: 0,
            elapsed_ms: discover_started.elapsed().as_millis() as u64,
        }))
    };
    // Files named one by one (not found by walking their folder).
    let mut listed: HashSet<PathBuf> = HashSet::new();
    let records: Vec<FileRecord> = match &scope {
        ScanScope::Full => {
            discover::walk(
                &root.path,
                &root.path,
                root.follow_symlinks,
                cancel,
                &mut disc,
                &mut emit_discover,
            )?;
            cat.files_of_root(root.id)?
        }
        ScanScope::Paths(paths) => {
            let mut records = Vec::new();
            let mut seen_ids = HashSet::new();
            // A changed sidecar means its original must be read again.
            let mut paths = paths.clone();
            for p in paths.clone().iter().filter(|p| sidecar::is_xmp(p)) {
                paths.extend(sidecar::originals_of(&root.path, p));
            }
            for rel in minimal_cover(paths) {
                if rel.components().any(|c| is_ignored_name(c.as_os_str())) {
                    continue;
                }
                let abs = root.path.join(&rel);
                match std::fs::symlink_metadata(&abs) {
                    Ok(m) if m.is_dir() => discover::walk(
                        &root.path,
                        &abs,
                        root.follow_symlinks,
                        cancel,
                        &mut disc,
                        &mut emit_discover,
                    )?,
                    Ok(m) if m.is_file() => {
                        listed.insert(rel.clone());
                        disc.files.push(Found {
                            rel: rel.clone(),
                            stat: file_stat(&m),
                            sidecar: None,
                        })
                    }
                    Ok(m) if m.file_type().is_symlink() && root.follow_symlinks => {
                        discover::walk(&root.path, &abs, true, cancel, &mut disc, &mut emit_discover)?
                    }
                    Ok(m) if m.file_type().is_symlink() => disc.symlinks_skipped += 1,
                    Ok(_) => disc.problems.push(discover::Problem {
                        rel: rel.clone(),
                        code: "not_regular",
                        message: "not a regular file (a pipe, socket or device); Trove catalogs only files".into(),
                    }),
                    Err(_) => {} // gone: its records become gone candidates below
                }
                for rec in cat.files_under(root.id, &rel)? {
                    if seen_ids.insert(rec.id) {
                        records.push(rec);
                    }
                }
            }
            records
        }
    };
    sidecar::attach(&root.path, &mut disc.files, &listed);
    report.files_seen = disc.files.len() as u64;
    report.symlinks_skipped = disc.symlinks_skipped;

    // 2. Classify.
    let mut by_path: HashMap<PathBuf, FileRecord> = records.into_iter().map(|r| (r.rel_path.clone(), r)).collect();
    let mut plan = apply::Plan::default();
    let mut fresh: Vec<Found> = Vec::new();
    for found in std::mem::take(&mut disc.files) {
        match by_path.remove(&found.rel) {
            Some(rec) => {
                let same = rec.size == found.stat.size
                    && rec.mtime_ns == found.stat.mtime_ns
                    && rec.inode == found.stat.inode
                    && rec.sidecar_mtime_ns == found.stat.sidecar_mtime_ns;
                if same && rec.present && !rec.is_racy() {
                    report.unchanged += 1;
                } else if same && !rec.is_racy() {
                    plan.returned.push((rec, found));
                } else {
                    plan.targets.push(Target::Changed {
                        found,
                        rec,
                        moved: false,
                    });
                }
            }
            None => fresh.push(found),
        }
    }
    // Records whose paths were not found. Those under a folder we could not
    // read are left alone: the files are probably still there.
    let problem_paths: HashSet<&Path> = disc.problems.iter().map(|p| p.rel.as_path()).collect();
    let mut gone: Vec<FileRecord> = Vec::new();
    for (_, rec) in by_path {
        if !rec.present {
            continue;
        }
        if disc.unreadable_dirs.iter().any(|d| rec.rel_path.starts_with(d)) {
            continue;
        }
        if problem_paths.contains(rec.rel_path.as_path()) {
            plan.problem_records.push(rec);
            continue;
        }
        gone.push(rec);
    }
    // Moves by inode: the same file under a new name.
    let mut gone_by_inode: HashMap<(u64, u64), usize> = HashMap::new();
    for (i, rec) in gone.iter().enumerate() {
        if rec.inode != 0 {
            gone_by_inode.insert((rec.device, rec.inode), i);
        }
    }
    let mut consumed = vec![false; gone.len()];
    for found in fresh {
        let hit = gone_by_inode
            .get(&(found.stat.device, found.stat.inode))
            .copied()
            .filter(|&i| !consumed[i] && found.stat.inode != 0);
        match hit {
            Some(i) => {
                consumed[i] = true;
                let rec = gone[i].clone();
                if rec.size == found.stat.size
                    && rec.mtime_ns == found.stat.mtime_ns
                    && rec.sidecar_mtime_ns == found.stat.sidecar_mtime_ns
                    && !rec.is_racy()
                {
                    plan.inode_moves.push((rec, found));
                } else {
                    plan.targets.push(Target::Changed {
                        found,
                        rec,
                        moved: true,
                    });
                }
            }
            None => plan.targets.push(Target::New(found)),
        }
    }
    plan.gone = gone
        .into_iter()
        .zip(consumed)
        .filter(|(_, used)| !used)
        .map(|(rec, _)| rec)
        .collect();
    plan.problems = disc.problems;

    // 3 + 4. Read and apply.
    let discover_ms = discover_started.elapsed().as_millis() as u64;
    apply::run(lib, &mut cat, root, plan, params, sink, cancel, &mut report)?;

    if scope == ScanScope::Full {
        let mut b = cat.batch(lib.now_ms())?;
        b.clear_stale_problems(root.id, scan_stamp)?;
        b.set_root_scanned(root.id)?;
        b.commit()?;
    }
    report.elapsed_ms = started.elapsed().as_millis() as u64;
    tracing::info!(
        root = %root.path.display(),
        files = report.files_seen,
        new = report.new_assets,
        duplicates = report.duplicates,
        changed = report.changed,
        moved = report.moved,
        missing = report.missing,
        left_out = report.left_out,
        problems = report.problems,
        mb_read = report.bytes_read / 1_000_000,
        discover_ms,
        read_and_apply_ms = report.elapsed_ms.saturating_sub(discover_ms),
        ms = report.elapsed_ms,
        "scan finished"
    );
    sink.emit(Event::ScanFinished(report.clone()));
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_cover_drops_paths_below_others() {
        let got = minimal_cover(vec![
            PathBuf::from("a/b/c.jpg"),
            PathBuf::from("a/b"),
            PathBuf::from("ab.jpg"),
            PathBuf::from("a/b"),
        ]);
        assert_eq!(got, vec![PathBuf::from("a/b"), PathBuf::from("ab.jpg")]);
    }
}
