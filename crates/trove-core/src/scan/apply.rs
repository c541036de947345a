//! Reading the files a scan must read, on a pool of threads, and applying
//! the results on one writer in large transactions.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use trove_catalog::{AssetContent, AssetRowId, Batch, Catalog, FileRecord, FileStat, Root, event_kind};
use trove_types::{FolderKinds, Metadata};

use super::discover::{Found, Problem};
use super::read::{ReadOutcome, read_file};
use super::{ScanParams, ScanReport, Target};
use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::events::{Event, EventSink, ScanPhase, ScanProgress};
use crate::library::Library;

/// Rows per transaction, and the longest a batch waits before committing.
const BATCH_ROWS: usize = 2000;
const BATCH_TIME: Duration = Duration::from_millis(500);

#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// Missing files that are back, unchanged.
    pub returned: Vec<(FileRecord, Found)>,
    /// Files found under a new path by their inode, unchanged.
    pub inode_moves: Vec<(FileRecord, Found)>,
    /// Files to read.
    pub targets: Vec<Target>,
    /// Catalogued files whose paths were not found.
    pub gone: Vec<FileRecord>,
    /// Paths that cannot be catalogued.
    pub problems: Vec<Problem>,
    /// Catalogued files at paths that now have a problem.
    pub problem_records: Vec<FileRecord>,
}

/// State carried across batches.
struct Writer<'a> {
    root: &'a Root,
    sink: &'a dyn EventSink,
    /// Gone records by asset, for moves detected by content.
    gone_by_asset: HashMap<AssetRowId, Vec<FileRecord>>,
    touched: HashSet<AssetRowId>,
    /// The job this scan runs as, and this process's lease name.
    job: Option<(i64, &'a str)>,
    /// The batch being written changes the catalog.
    dirty: bool,
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn run(
    lib: &Library,
    cat: &mut Catalog,
    root: &Root,
    plan: Plan,
    params: ScanParams,
    sink: &dyn EventSink,
    cancel: &Cancel,
    report: &mut ScanReport,
) -> Result<()> {
    let mut w = Writer {
        root,
        sink,
        gone_by_asset: HashMap::new(),
        touched: HashSet::new(),
        job: params.job.map(|id| (id, lib.owner())),
        dirty: false,
    };
    for rec in plan.gone {
        w.gone_by_asset.entry(rec.asset_row_id).or_default().push(rec);
    }

    // Everything known without reading files, in one transaction.
    {
        let mut b = cat.batch(lib.now_ms())?;
        w.dirty = !(plan.returned.is_empty()
            && plan.inode_moves.is_empty()
            && plan.problems.is_empty()
            && plan.problem_records.is_empty());
        for (rec, found) in &plan.returned {
            b.update_file_stat(rec.id, &found.stat)?;
            b.log(
                event_kind::FILE_RETURNED,
                Some(rec.asset_row_id),
                Some(root.id),
                Some(&found.rel),
                None,
            )?;
            w.touched.insert(rec.asset_row_id);
            report.returned += 1;
        }
        for (rec, found) in &plan.inode_moves {
            b.move_file(rec.id, root.id, &found.rel, &found.stat)?;
            let from = rec.rel_path.to_string_lossy();
            b.log(
                event_kind::FILE_MOVED,
                Some(rec.asset_row_id),
                Some(root.id),
                Some(&found.rel),
                Some(&from),
            )?;
            report.moved += 1;
        }
        for p in &plan.problems {
            w.problem(&mut b, &p.rel, p.code, &p.message)?;
            report.problems += 1;
        }
        for rec in &plan.problem_records {
            b.mark_file_missing(rec.id)?;
            w.touched.insert(rec.asset_row_id);
        }
        w.flush(b)?;
    }

    // Read what must be read.
    let bytes_total: u64 = plan.targets.iter().map(|t| t.found().stat.size).sum();
    let files_total = plan.targets.len() as u64;
    let hash_started = Instant::now();
    let progress = |files_done: u64, bytes_done: u64| {
        sink.emit(Event::ScanProgress(ScanProgress {
            root_id: root.id,
            root: root.path.clone(),
            phase: ScanPhase::Hash,
            files_done,
            files_total,
            bytes_done,
            bytes_total,
            elapsed_ms: hash_started.elapsed().as_millis() as u64,
        }))
    };
    if files_total > 0 {
        progress(0, 0);
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(params.threads.max(1))
        .thread_name(|i| format!("trove-read-{i}"))
        .build()
        .map_err(|e| CoreError::Io {
            op: "start reader threads",
            path: root.path.clone(),
            source: std::io::Error::other(e),
        })?;
    let stop = Cancel::new();
    let (tx, rx) = crossbeam_channel::bounded::<(Target, ReadOutcome)>(512);
    let root_path = root.path.clone();
    let root_kinds = root.kinds;
    let result: Result<()> = std::thread::scope(|s| {
        let stop_readers = stop.clone();
        let cancel_readers = cancel.clone();
        let targets = plan.targets;
        s.spawn(move || {
            pool.install(|| {
                targets.into_par_iter().for_each_with(tx, |tx, target| {
                    if stop_readers.is_cancelled() || cancel_readers.is_cancelled() {
                        return;
                    }
                    let found = target.found();
                    let sidecar = found
                        .sidecar
                        .as_ref()
                        .map(|s| (root_path.join(s), found.stat.sidecar_mtime_ns));
                    // A file the catalog has keeps being read whatever the
                    // folder's setting: a setting never drops an asset.
                    let kinds = match &target {
                        Target::New(_) => root_kinds,
                        Target::Changed { .. } => FolderKinds::All,
                    };
                    let outcome = read_file(&root_path.join(&found.rel), &found.rel, sidecar, kinds);
                    if tx.send((target, outcome)).is_err() {
                        stop_readers.cancel();
                    }
                })
            })
        });

        let mut files_done = 0u64;
        let mut bytes_done = 0u64;
        let mut last_progress = Instant::now();
        let mut pending: Vec<(Target, ReadOutcome)> = Vec::with_capacity(BATCH_ROWS);
        let mut batch_started = Instant::now();
        let mut write = |pending: &mut Vec<(Target, ReadOutcome)>, report: &mut ScanReport| -> Result<()> {
            if pending.is_empty() {
                return Ok(());
            }
            let mut b = cat.batch(lib.now_ms())?;
            for (target, outcome) in pending.drain(..) {
                w.apply(&mut b, target, outcome, report)?;
            }
            w.flush(b)
        };
        let outcome = loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(item) => {
                    files_done += 1;
                    if let ReadOutcome::Read { stat, .. } = &item.1 {
                        bytes_done += stat.size;
                    }
                    pending.push(item);
                }
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => {}
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break write(&mut pending, report),
            }
            if last_progress.elapsed() >= Duration::from_millis(100) {
                progress(files_done, bytes_done);
                last_progress = Instant::now();
            }
            if (pending.len() >= BATCH_ROWS || batch_started.elapsed() >= BATCH_TIME)
                && let Err(e) = write(&mut pending, report)
            {
                break Err(e);
            }
            if pending.is_empty() {
                batch_started = Instant::now();
            }
        };
        if outcome.is_err() {
            stop.cancel();
            // Drain so the readers are not blocked on a full channel.
            while rx.recv().is_ok() {}
        }
        report.bytes_read = bytes_done;
        if files_total > 0 {
            progress(files_done, bytes_done);
        }
        outcome
    });
    result?;
    if cancel.is_cancelled() {
        return Err(CoreError::Cancelled);
    }

    // Whatever is still gone is missing.
    sink.emit(Event::ScanProgress(ScanProgress {
        root_id: root.id,
        root: root.path.clone(),
        phase: ScanPhase::Finish,
        files_done: files_total,
        files_total,
        bytes_done: report.bytes_read,
        bytes_total,
        elapsed_ms: hash_started.elapsed().as_millis() as u64,
    }));
    let mut b = cat.batch(lib.now_ms())?;
    let gone: Vec<FileRecord> = w.gone_by_asset.drain().flat_map(|(_, v)| v).collect();
    for (i, rec) in gone.iter().enumerate() {
        b.mark_file_missing(rec.id)?;
        b.log(
            event_kind::FILE_MISSING,
            Some(rec.asset_row_id),
            Some(root.id),
            Some(&rec.rel_path),
            None,
        )?;
        w.touched.insert(rec.asset_row_id);
        w.dirty = true;
        report.missing += 1;
        if i % BATCH_ROWS == BATCH_ROWS - 1 {
            w.flush(b)?;
            b = cat.batch(lib.now_ms())?;
        }
    }
    w.flush(b)?;
    Ok(())
}

impl Writer<'_> {
    fn flush(&mut self, mut b: Batch<'_>) -> Result<()> {
        for asset in self.touched.drain() {
            b.refresh_asset_status(asset)?;
        }
        if std::mem::take(&mut self.dirty)
            && let Some((id, owner)) = self.job
        {
            b.job_progressed(id, owner)?;
        }
        b.commit()?;
        Ok(())
    }

    fn problem(&mut self, b: &mut Batch<'_>, rel: &Path, code: &str, message: &str) -> Result<()> {
        b.record_problem(self.root.id, rel, code, message)?;
        b.log(event_kind::FILE_FAILED, None, Some(self.root.id), Some(rel), Some(code))?;
        self.sink.emit(Event::FileProblem {
            root_id: self.root.id,
            path: self.root.path.join(rel),
            code: code.to_owned(),
            message: message.to_owned(),
        });
        Ok(())
    }

    fn take_gone_of(&mut self, asset: AssetRowId) -> Option<FileRecord> {
        let list = self.gone_by_asset.get_mut(&asset)?;
        let rec = list.pop();
        if list.is_empty() {
            self.gone_by_asset.remove(&asset);
        }
        rec
    }

    fn apply(
        &mut self,
        b: &mut Batch<'_>,
        target: Target,
        outcome: ReadOutcome,
        report: &mut ScanReport,
    ) -> Result<()> {
        self.dirty = true;
        match (target, outcome) {
            (Target::New(_), ReadOutcome::Vanished) => {}
            (_, ReadOutcome::LeftOut) => report.left_out += 1,
            (Target::Changed { rec, .. }, ReadOutcome::Vanished) => {
                // Gone between the walk and the read.
                self.gone_by_asset.entry(rec.asset_row_id).or_default().push(rec);
            }
            (target, ReadOutcome::Problem { code, message }) => {
                let found = target.found().clone();
                self.problem(b, &found.rel, code, &message)?;
                report.problems += 1;
                if let Target::Changed { rec, moved, .. } = target {
                    if moved {
                        // Its old path is gone; it is missing until readable.
                        self.gone_by_asset.entry(rec.asset_row_id).or_default().push(rec);
                    } else {
                        b.mark_file_missing(rec.id)?;
                        self.touched.insert(rec.asset_row_id);
                    }
                }
            }
            (Target::New(found), ReadOutcome::Read { stat, content }) => {
                self.apply_new(b, &found.rel, &stat, &content, report)?;
            }
            (Target::Changed { found, rec, moved }, ReadOutcome::Read { stat, content }) => {
                self.apply_changed(b, &found.rel, &stat, &content, rec, moved, report)?;
            }
        }
        Ok(())
    }

    fn apply_new(
        &mut self,
        b: &mut Batch<'_>,
        rel: &Path,
        stat: &FileStat,
        content: &AssetContent,
        report: &mut ScanReport,
    ) -> Result<()> {
        let root_id = self.root.id;
        match b.asset_by_hash(&content.blake3)? {
            Some((asset, _)) => {
                if let Some(rec) = self.take_gone_of(asset) {
                    // Same content, old path gone: a move (maybe across roots).
                    b.move_file(rec.id, root_id, rel, stat)?;
                    b.mark_hashed(rec.id)?;
                    let from = rec.rel_path.to_string_lossy();
                    b.log(
                        event_kind::FILE_MOVED,
                        Some(asset),
                        Some(root_id),
                        Some(rel),
                        Some(&from),
                    )?;
                    report.moved += 1;
                } else if let Some(missing) = b.missing_file_of(asset)? {
                    // Content that went missing earlier turned up elsewhere.
                    b.move_file(missing, root_id, rel, stat)?;
                    b.mark_hashed(missing)?;
                    b.log(event_kind::FILE_RETURNED, Some(asset), Some(root_id), Some(rel), None)?;
                    report.returned += 1;
                } else {
                    b.insert_file(asset, root_id, rel, stat)?;
                    b.log(
                        event_kind::FILE_ADDED,
                        Some(asset),
                        Some(root_id),
                        Some(rel),
                        Some("duplicate"),
                    )?;
                    report.duplicates += 1;
                }
                self.touched.insert(asset);
            }
            None => {
                let (asset, id) = b.insert_asset(content)?;
                b.insert_file(asset, root_id, rel, stat)?;
                if crate::proxies::wants_proxies(content.kind) {
                    b.enqueue(&crate::proxies::proxy_job(id, 0))?;
                }
                b.log(event_kind::ASSET_IMPORTED, Some(asset), Some(root_id), Some(rel), None)?;
                report.new_assets += 1;
            }
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn apply_changed(
        &mut self,
        b: &mut Batch<'_>,
        rel: &Path,
        stat: &FileStat,
        content: &AssetContent,
        rec: FileRecord,
        moved: bool,
        report: &mut ScanReport,
    ) -> Result<()> {
        let root_id = self.root.id;
        if moved {
            b.move_file(rec.id, root_id, rel, stat)?;
            let from = rec.rel_path.to_string_lossy();
            b.log(
                event_kind::FILE_MOVED,
                Some(rec.asset_row_id),
                Some(root_id),
                Some(rel),
                Some(&from),
            )?;
            report.moved += 1;
        } else {
            b.update_file_stat(rec.id, stat)?;
        }
        b.mark_hashed(rec.id)?;
        self.touched.insert(rec.asset_row_id);
        let old_hash = b.asset_hash(rec.asset_row_id)?;
        if old_hash == content.blake3 {
            // The sidecar alone changed: its fields are replaced, nothing else.
            let sidecar_changed = rec.sidecar_mtime_ns != stat.sidecar_mtime_ns;
            if sidecar_changed {
                let none = Metadata::empty();
                let changed_ms = stat.sidecar_mtime_ns.map_or(b.now(), |ns| ns / 1_000_000);
                b.update_xmp_fields(rec.asset_row_id, content.metadata.as_ref().unwrap_or(&none), changed_ms)?;
                b.log(
                    event_kind::METADATA_CHANGED,
                    Some(rec.asset_row_id),
                    Some(root_id),
                    Some(rel),
                    None,
                )?;
            }
            // Touched, or back from missing; the content is the same.
            if !rec.present {
                report.returned += 1;
            } else if sidecar_changed {
                report.changed += 1;
            } else if !moved {
                report.unchanged += 1;
            }
            return Ok(());
        }
        report.changed += 1;
        let target_asset = match b.asset_by_hash(&content.blake3)? {
            // The new content is an asset we already know: the file joins it.
            Some((other, _)) => {
                b.reassign_file(rec.id, other)?;
                other
            }
            // Other files still hold the old content: split this file off.
            None if b.other_present_files(rec.asset_row_id, rec.id)? > 0 => {
                let (new_asset, id) = b.insert_asset(content)?;
                b.reassign_file(rec.id, new_asset)?;
                if crate::proxies::wants_proxies(content.kind) {
                    b.enqueue(&crate::proxies::proxy_job(id, 0))?;
                }
                new_asset
            }
            // The asset's only file was edited: same asset, new content.
            None => {
                b.update_asset_content(rec.asset_row_id, content)?;
                if crate::proxies::wants_proxies(content.kind) {
                    b.enqueue(&crate::proxies::proxy_job(b.asset_id(rec.asset_row_id)?, 0))?;
                }
                rec.asset_row_id
            }
        };
        self.touched.insert(target_asset);
        b.log(
            event_kind::FILE_CHANGED,
            Some(target_asset),
            Some(root_id),
            Some(rel),
            None,
        )?;
        Ok(())
    }
}
