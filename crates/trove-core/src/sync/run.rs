//! `trove sync`: plans the library's objects, then sends the pending ones
//! through the engine with the catalog's `sync_objects` table as the queue.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use bytes::Bytes;
use trove_catalog::{ObjectRole, ObjectState, PlannedObject, SyncObject, SyncPolicy};
use trove_store::{AnyStore, ObjectStore};

use super::engine::{Ctx, Queue, Record, Sendable, Stats, drive};
use super::{CredentialSource, PlanReport, Source, asset_plan, runtime};
use crate::cancel::Cancel;
use crate::error::Result;
use crate::events::{Event, EventSink, SyncProgress};
use crate::library::Library;

pub use super::engine::SyncOptions;

/// What a sync run did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    pub target: String,
    pub planned: PlanReport,
    /// Objects sent and verified in this run.
    pub uploaded: u64,
    pub uploaded_bytes: u64,
    /// Parts of interrupted multipart uploads that were already on the
    /// target and were not sent again.
    pub parts_reused: u64,
    /// Unfinished multipart uploads nobody tracks any more, aborted.
    pub stale_uploads_aborted: u64,
    /// Objects that failed in this run, with the reason.
    pub failed: Vec<(String, String)>,
    /// Times the queue paused because the network was down.
    pub network_pauses: u32,
    /// Objects still pending when the run ended.
    pub pending: u64,
    /// Objects of edited assets' earlier content deleted from the target,
    /// as its retention (`keep_replaced_days`) says.
    pub replaced_deleted: u64,
    /// The catalog snapshot stored after the objects, and how many older
    /// ones were pruned.
    pub snapshot: Option<super::SnapshotInfo>,
    /// Snapshots stored while the sync ran (`SyncOptions::snapshot_every`).
    pub snapshots_during: u64,
    pub snapshots_pruned: u64,
    /// Why no snapshot was stored, when the objects went but it failed.
    pub snapshot_error: Option<String>,
    pub seconds: f64,
}

/// The catalog's pending rows, a page at a time.
struct CatalogQueue<'a> {
    lib: &'a Library,
    target: i64,
    roots: Vec<trove_catalog::Root>,
    policies: HashMap<i64, SyncPolicy>,
    page: VecDeque<SyncObject>,
    after: i64,
    max_attempts: u32,
    failed: Vec<(String, String)>,
}

impl Queue for CatalogQueue<'_> {
    fn next(&mut self) -> Result<Option<(Sendable, Source)>> {
        loop {
            if self.page.is_empty() {
                let page = self
                    .lib
                    .catalog()
                    .sync_objects(self.target, Some(ObjectState::Pending), self.after, 500)?;
                match page.last() {
                    Some(last) => self.after = last.id,
                    None => return Ok(None),
                }
                self.page.extend(page);
            }
            let Some(obj) = self.page.pop_front() else {
                return Ok(None);
            };
            match self.lib.source_of(&obj, &self.roots, &self.policies)? {
                Some((source, hex)) => {
                    let recorded_parts = match &obj.upload_id {
                        Some(upload) => self.lib.catalog().sync_parts(obj.id, upload)?,
                        None => Vec::new(),
                    };
                    let item = Sendable {
                        id: obj.id,
                        key: obj.key,
                        size: obj.size,
                        original: obj.role == ObjectRole::Original,
                        upload_id: obj.upload_id,
                        recorded_parts,
                        asset_hex: Some(hex),
                        want_md5: true,
                    };
                    return Ok(Some((item, source)));
                }
                None => {
                    let msg = format!(
                        "no_source: no present copy of {} to send (the asset is missing or its folder is offline)",
                        obj.key
                    );
                    self.record(vec![Record::Failed {
                        id: obj.id,
                        error: msg.clone(),
                        permanent: false,
                    }])?;
                    self.failed.push((obj.key, msg));
                }
            }
        }
    }

    fn record(&mut self, records: Vec<Record>) -> Result<()> {
        let mut cat = self.lib.catalog();
        let mut batch = cat.batch(self.lib.now_ms())?;
        for r in records {
            match r {
                Record::UploadStarted { id, upload_id } => batch.set_sync_upload(id, Some(&upload_id))?,
                Record::Part { id, upload_id, part } => batch.record_sync_part(id, &upload_id, &part)?,
                Record::Verified { id, size, md5 } => batch.mark_sync_verified(id, size, md5)?,
                Record::Failed { id, error, permanent } => {
                    batch.mark_sync_attempt_failed(id, &error, permanent, self.max_attempts)?
                }
            }
        }
        batch.commit()?;
        Ok(())
    }
}

impl Library {
    /// Plans and runs a sync to the library's target until every object is
    /// verified, the queue can make no progress, or `cancel` fires.
    ///
    /// Wrong credentials, a missing bucket, a full bucket or denied access
    /// stop the run with that error; nothing is lost (objects stay pending).
    /// A dead network pauses the queue and resumes it when the target
    /// answers again, for up to `opts.network_patience`.
    pub fn sync(
        &self,
        credentials: &CredentialSource,
        opts: &SyncOptions,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<SyncReport> {
        self.require_writer("syncing")?;
        let started = Instant::now();
        let target = self.target()?;
        let rt = runtime(opts.threads)?;
        let store = rt.block_on(Library::open_store(&target, credentials, opts.request_timeout))?;
        rt.block_on(store.check())?;
        let mut report = SyncReport {
            target: target.settings.url.clone(),
            planned: self.plan_sync()?,
            ..Default::default()
        };
        report.stale_uploads_aborted = rt.block_on(self.abort_stale_uploads(&store, target.id))?;

        let (ctx, rx) = Ctx::new(
            store.clone(),
            opts,
            target.settings.storage_class_originals.clone(),
            target.settings.storage_class_proxies.clone(),
        );
        let counts = self.catalog().sync_counts(target.id)?;
        let mut stats = Stats {
            progress: SyncProgress {
                objects_total: counts.pending,
                bytes_total: counts.pending_bytes,
                ..Default::default()
            },
            ..Default::default()
        };
        // Each read takes the catalog lock on its own statement: guards in
        // one struct literal would live together and deadlock.
        let roots = self.catalog().roots()?;
        let policies = self.catalog().root_sync_policies()?.into_iter().collect();
        let mut queue = CatalogQueue {
            lib: self,
            target: target.id,
            roots,
            policies,
            page: VecDeque::new(),
            after: 0,
            max_attempts: opts.max_attempts,
            failed: Vec::new(),
        };
        let stop_snapshots = Cancel::new();
        let snapshots_during = std::sync::atomic::AtomicU64::new(0);
        let result = std::thread::scope(|s| {
            if let Some(every) = opts.snapshot_every {
                let (stop, store, url, rt, count) =
                    (&stop_snapshots, &store, &target.settings.url, &rt, &snapshots_during);
                s.spawn(move || {
                    let mut last = Instant::now();
                    while !stop.is_cancelled() {
                        std::thread::sleep(Duration::from_millis(100));
                        if last.elapsed() < every {
                            continue;
                        }
                        // Not fatal: the objects are safe, and the next
                        // snapshot (or the one at the end) follows.
                        match rt.block_on(self.send_snapshot(store, url)) {
                            Ok((info, _)) => {
                                tracing::info!(key = %info.key, "catalog snapshot stored while syncing");
                                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                            }
                            Err(e) => tracing::warn!(error = %e, "catalog snapshot not stored while syncing"),
                        }
                        last = Instant::now();
                    }
                });
            }
            let r = drive(&rt, &ctx, &rx, &mut queue, &mut stats, sink, cancel);
            stop_snapshots.cancel();
            r
        });
        report.snapshots_during = snapshots_during.into_inner();
        drop(ctx);
        let result = result.and_then(|()| {
            if let Some(days) = target.settings.keep_replaced_days {
                report.replaced_deleted = rt.block_on(self.delete_replaced(&store, target.id, days))?;
            }
            // The catalog goes last, so that it names what was just sent.
            // Its failure is reported, not fatal: the objects are safe.
            match rt.block_on(self.send_snapshot(&store, &target.settings.url)) {
                Ok((info, pruned)) => {
                    report.snapshot = Some(info);
                    report.snapshots_pruned = pruned;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "catalog snapshot not stored");
                    report.snapshot_error = Some(e.to_string());
                }
            }
            Ok(())
        });
        rt.shutdown_timeout(Duration::from_secs(5));
        report.uploaded = stats.uploaded;
        report.uploaded_bytes = stats.uploaded_bytes;
        report.parts_reused = stats.parts_reused;
        report.network_pauses = stats.network_pauses;
        report.failed = queue.failed;
        report.failed.extend(stats.failed);
        report.pending = self.catalog().sync_counts(target.id)?.pending;
        report.seconds = started.elapsed().as_secs_f64();
        tracing::info!(
            url = %report.target,
            uploaded = report.uploaded,
            mb = report.uploaded_bytes / 1_000_000,
            parts_reused = report.parts_reused,
            failed = report.failed.len(),
            pending = report.pending,
            network_pauses = report.network_pauses,
            seconds = report.seconds,
            "sync finished"
        );
        for (key, why) in report.failed.iter().take(100) {
            tracing::warn!(key = %key, error = %why, "object not sent");
        }
        sink.emit(Event::SyncProgress(stats.progress));
        result.map(|()| report)
    }

    /// Deletes the objects of edited assets' earlier content that were
    /// replaced more than `days` days ago, once everything current of their
    /// asset is verified in the target. A failed delete stops here; the
    /// rest waits for the next run.
    async fn delete_replaced(&self, store: &AnyStore, target: i64, days: u32) -> Result<u64> {
        let before = self.now_ms() - i64::from(days) * 24 * 3600 * 1000;
        let mut deleted = 0;
        loop {
            let due = self.catalog().replaced_objects_due(target, before, 200)?;
            if due.is_empty() {
                return Ok(deleted);
            }
            // Content addresses are shared: an object is deleted only if
            // no asset's current plan names its key (an edited file's old
            // content may have come back as another asset). One still
            // wanted is planned again, which takes it back.
            let (due, wanted) = self.still_wanted(due)?;
            if !wanted.is_empty() {
                let mut cat = self.catalog();
                let mut batch = cat.batch(self.now_ms())?;
                for o in &wanted {
                    batch.plan_sync_object(target, o)?;
                }
                batch.commit()?;
                tracing::info!(
                    kept = wanted.len(),
                    "replaced objects another asset still needs are kept"
                );
            }
            if due.is_empty() {
                continue;
            }
            let mut gone = Vec::with_capacity(due.len());
            let mut failure = None;
            for obj in due {
                match store.delete(&obj.key).await {
                    Ok(()) => gone.push(obj.id),
                    Err(e) if e.is_not_found() => gone.push(obj.id),
                    Err(e) => {
                        failure = Some(e);
                        break;
                    }
                }
            }
            let mut cat = self.catalog();
            let mut batch = cat.batch(self.now_ms())?;
            for id in &gone {
                batch.audit_object(
                    *id,
                    trove_catalog::AuditEvent::Deletion,
                    true,
                    Some("an edited file's earlier version, past the target's retention"),
                    "retention",
                )?;
                batch.forget_sync_object(*id)?;
            }
            batch.commit()?;
            deleted += gone.len() as u64;
            if let Some(e) = failure {
                return Err(e.into());
            }
        }
    }

    /// Splits replaced objects into those no asset wants now and the
    /// planned objects of those an asset's current plan names.
    fn still_wanted(&self, due: Vec<SyncObject>) -> Result<(Vec<SyncObject>, Vec<PlannedObject>)> {
        let cat = self.catalog();
        let roots = cat.all_roots()?;
        let policies = cat.root_sync_policies()?.into_iter().collect();
        let mut free = Vec::with_capacity(due.len());
        let mut wanted = Vec::new();
        for obj in due {
            let hash = super::key_content_hash(&obj.key);
            let row = match hash {
                Some(h) => cat.asset_by_hash(&h)?.map(|a| a.row_id),
                None => None,
            };
            let planned = match row {
                Some(row) => asset_plan(&cat, row, &roots, &policies)?
                    .and_then(|p| p.objects.into_iter().find(|o| o.key == obj.key)),
                None => None,
            };
            match planned {
                Some(o) => wanted.push(o),
                None => free.push(obj),
            }
        }
        Ok((free, wanted))
    }

    /// Aborts unfinished multipart uploads under our key spaces that the
    /// catalog does not track: left by a crash between starting an upload
    /// and recording it, or by an old catalog. An upload of a key this
    /// library syncs is ours whatever its age; any other is left alone for a
    /// day, as it may belong to another library syncing to the same prefix.
    async fn abort_stale_uploads(&self, store: &AnyStore, target: i64) -> Result<u64> {
        let tracked: std::collections::HashSet<String> = self.catalog().sync_upload_ids(target)?.into_iter().collect();
        let day_ago = self.now_ms() - 24 * 3600 * 1000;
        let mut aborted = 0;
        for prefix in ["originals/", "proxies/"] {
            for upload in super::listed_uploads(store, prefix).await? {
                if tracked.contains(&upload.upload_id) {
                    continue;
                }
                let ours = self.catalog().sync_object_by_key(target, &upload.key)?.is_some();
                let old = upload.initiated_ms.is_some_and(|t| t < day_ago);
                if ours || old {
                    store.abort_multipart(&upload.key, &upload.upload_id).await?;
                    aborted += 1;
                }
            }
        }
        // A catalog snapshot's upload is never recorded (it is sent whole
        // each time, under a new key): one unfinished an hour after it
        // began was killed, by this library or another syncing here.
        let hour_ago = self.now_ms() - 3600 * 1000;
        for upload in super::listed_uploads(store, super::SNAPSHOT_PREFIX).await? {
            let snapshot = super::snapshot::snapshot_time(&upload.key).is_some();
            if snapshot && upload.initiated_ms.is_some_and(|t| t < hour_ago) {
                store.abort_multipart(&upload.key, &upload.upload_id).await?;
                aborted += 1;
            }
        }
        Ok(aborted)
    }

    /// Resolves where the bytes of `obj` come from now.
    fn source_of(
        &self,
        obj: &SyncObject,
        roots: &[trove_catalog::Root],
        policies: &HashMap<i64, SyncPolicy>,
    ) -> Result<Option<(Source, String)>> {
        let Some(row) = obj.asset_row else { return Ok(None) };
        let cat = self.catalog();
        let asset = cat.asset_by_row(row)?;
        let hex = asset.blake3.to_hex();
        let source = match obj.role {
            ObjectRole::Original => {
                let files = cat.files_of_asset(row)?;
                let path = files.iter().filter(|f| f.present).find_map(|f| {
                    let root = roots.iter().find(|r| r.id == f.root_id)?;
                    (root.state == trove_catalog::RootState::Online).then(|| root.path.join(&f.rel_path))
                });
                path.map(|path| Source::File {
                    path,
                    expect_md5: obj.md5.or(asset.md5),
                })
            }
            ObjectRole::Proxy => cat
                .derivatives(row)?
                .into_iter()
                .find(|d| Some(&d.variant) == obj.variant.as_ref())
                .map(|d| Source::File {
                    path: self.dir().join(&d.path),
                    expect_md5: None,
                }),
            ObjectRole::Manifest => {
                asset_plan(&cat, row, roots, policies)?.map(|p| Source::Bytes(Bytes::from(p.manifest)))
            }
        };
        Ok(source.map(|s| (s, hex)))
    }
}
