//! Fixity: `verify` reads stored objects back and compares their hashes
//! with the catalog; `reconcile` lists the target and compares it with the
//! catalog, and writes a daily inventory into the target.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use tokio::task::JoinSet;
use trove_catalog::{ObjectRole, ObjectState, SyncObject};
use trove_store::{AnyStore, BodySums, ObjectStore, StoreError};

use super::archive::{ArchiveOptions, Thaws};
use super::ranged::{FixityOptions, Pacer, chunk_value, root_hash};
use super::{CredentialSource, runtime};
use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::library::Library;

/// What a fixity check found.
#[derive(Debug, Clone, Default)]
pub struct VerifyReport {
    pub target: String,
    /// Objects read back.
    pub checked: u64,
    pub checked_bytes: u64,
    pub ok: u64,
    /// Objects whose bytes differ from the catalog, or that the target
    /// holds but can no longer read back (key, what is wrong); queued to be
    /// sent again.
    pub damaged: Vec<(String, String)>,
    /// Objects the target no longer has; queued to be sent again.
    pub missing: Vec<String>,
    /// Objects that could not be read (network...), left as they are (a
    /// large one's check resumes from its last chunk next time).
    pub errors: Vec<(String, String)>,
    /// Large objects whose check went on from where an earlier one stopped.
    pub resumed: u64,
    /// Objects in an archive storage class whose restore was asked for (now
    /// or by an earlier check): the key and when Trove looks again (Unix
    /// ms). A later check reads them once they are back.
    pub archived: Vec<(String, i64)>,
}

/// What a reconcile found.
#[derive(Debug, Clone, Default)]
pub struct ReconcileReport {
    pub target: String,
    /// Objects listed in the target.
    pub listed: u64,
    /// Verified in the catalog but absent from the target (queued again).
    pub missing: Vec<String>,
    /// In the target under Trove's key spaces but unknown to the catalog.
    pub extra: Vec<String>,
    /// Size or checksum differs from the catalog (queued again).
    pub drift: Vec<(String, String)>,
    /// Multipart uploads under Trove's key spaces that were started and
    /// never finished, and that no sync of this library tracks: the key and
    /// the upload id (their parts cost storage until aborted).
    pub orphaned_uploads: Vec<(String, String)>,
    /// The inventory file written, e.g. `inventory/20261121.txt`.
    pub inventory_key: String,
}

/// The expected BLAKE3 (hex) of an original, from its fingerprint.
fn expected_blake3(obj: &SyncObject) -> Option<&str> {
    (obj.role == ObjectRole::Original)
        .then(|| obj.fingerprint.strip_prefix("b3:"))
        .flatten()
}

impl Library {
    /// Reads back the verified objects of the target (all, or about
    /// `sample_percent` of them chosen at random) and compares size, MD5
    /// and, for originals, BLAKE3 with the catalog. Damaged or missing
    /// objects become pending, so the next sync sends them again.
    pub fn verify_target(
        &self,
        credentials: &CredentialSource,
        sample_percent: Option<f64>,
        opts: &FixityOptions,
        cancel: &Cancel,
    ) -> Result<VerifyReport> {
        let started = std::time::Instant::now();
        let (target, rt, store, mut report) = self.start_verify(credentials)?;
        let archive = opts.archive.unwrap_or_else(|| ArchiveOptions::of_target(&target));
        let thaws = Thaws::load(self, &target, archive, "verify")?;
        let mut reader = Reader::new(&rt, &store, opts, cancel, thaws);
        let mut seed = (self.now_ms() as u64) ^ 0x9e37_79b9_7f4a_7c15;
        let mut after = 0;
        loop {
            if cancel.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            let page = self
                .catalog()
                .sync_objects(target.id, Some(ObjectState::Verified), after, 256)?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let chosen: Vec<SyncObject> = page
                .into_iter()
                .filter(|_| match sample_percent {
                    None => true,
                    Some(pct) => {
                        // xorshift: a fresh random sample each run.
                        seed ^= seed << 13;
                        seed ^= seed >> 7;
                        seed ^= seed << 17;
                        (seed % 10_000) as f64 / 100.0 < pct
                    }
                })
                .collect();
            self.check_objects(&mut reader, chosen, &mut report)?;
        }
        tracing::info!(
            url = %report.target,
            checked = report.checked,
            mb = report.checked_bytes / 1_000_000,
            ok = report.ok,
            damaged = report.damaged.len(),
            missing = report.missing.len(),
            errors = report.errors.len(),
            archived = report.archived.len(),
            seconds = started.elapsed().as_secs_f64(),
            "fixity check finished"
        );
        for (key, why) in &report.damaged {
            tracing::warn!(key = %key, problem = %why, "object damaged; queued to be sent again");
        }
        for key in &report.missing {
            tracing::warn!(key = %key, "object missing from the target; queued to be sent again");
        }
        Ok(report)
    }

    /// What every fixity run starts with: the writer, the target answering,
    /// an empty report.
    fn start_verify(
        &self,
        credentials: &CredentialSource,
    ) -> Result<(super::Target, tokio::runtime::Runtime, AnyStore, VerifyReport)> {
        self.require_writer("verifying the target")?;
        let target = self.target()?;
        let rt = runtime(2)?;
        let store = rt.block_on(Library::open_store(&target, credentials, Duration::from_secs(60)))?;
        rt.block_on(store.check())?;
        let report = VerifyReport {
            target: target.settings.url.clone(),
            ..Default::default()
        };
        Ok((target, rt, store, report))
    }

    /// Reads `chosen` back and records each result (checked, or queued to
    /// be sent again).
    fn check_objects(&self, r: &mut Reader<'_>, chosen: Vec<SyncObject>, report: &mut VerifyReport) -> Result<()> {
        // Archived objects whose restore is under way are not read before
        // their next look.
        let chosen: Vec<SyncObject> = chosen
            .into_iter()
            .filter(|o| match r.thaws.not_due(o.id) {
                Some(next) => {
                    report.archived.push((o.key.clone(), next));
                    false
                }
                None => true,
            })
            .collect();
        // Large originals one at a time, in resumable ranged chunks; the
        // rest whole, many at once.
        let (large, small): (Vec<SyncObject>, Vec<SyncObject>) = chosen
            .into_iter()
            .partition(|o| r.opts.ranged(o.size) && expected_blake3(o).is_some());
        self.check_whole(r, small, report)?;
        for obj in large {
            if r.cancel.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            self.check_ranged(r, obj, report)?;
        }
        Ok(())
    }

    /// Reads objects back whole and records each result (checked, or
    /// queued to be sent again), in one transaction.
    fn check_whole(&self, r: &mut Reader<'_>, chosen: Vec<SyncObject>, report: &mut VerifyReport) -> Result<()> {
        // Under a cap, a batch is no larger than a few seconds' worth.
        let mut rest = chosen;
        while !rest.is_empty() {
            let take = match r.opts.max_bytes_per_s {
                None => rest.len(),
                Some(cap) => {
                    let mut bytes = 0;
                    rest.iter()
                        .take_while(|o| {
                            bytes += o.size;
                            bytes <= cap.saturating_mul(4)
                        })
                        .count()
                        .max(1)
                }
            };
            let batch: Vec<SyncObject> = rest.drain(..take).collect();
            let results = r.rt.block_on(read_all(r.store, batch, r.opts.concurrency));
            let read: u64 = self.record_whole(r, results, report)?;
            r.pacer.read(read, r.cancel);
            if r.cancel.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
        }
        Ok(())
    }

    /// Records what reading objects whole found; returns the bytes read.
    fn record_whole(
        &self,
        r: &mut Reader<'_>,
        results: Vec<(SyncObject, trove_store::Result<Read>)>,
        report: &mut VerifyReport,
    ) -> Result<u64> {
        let mut read = 0;
        let mut archived = Vec::new();
        let mut cat = self.catalog();
        let mut batch = cat.batch(self.now_ms())?;
        for (obj, result) in results {
            if result.is_ok() && r.thaws.read(obj.id) {
                batch.clear_archive_wait(obj.id)?;
            }
            match result {
                Ok(Read::Unreadable(e)) => {
                    let p = format!(
                        "the target holds it but cannot read it back ({})",
                        unreadable_detail(&e)
                    );
                    batch.mark_sync_pending(obj.id, &format!("verify_unreadable: {p}"))?;
                    report.damaged.push((obj.key, p));
                }
                Ok(Read::Fetched(fetched)) => {
                    report.checked += 1;
                    report.checked_bytes += fetched.size;
                    read += fetched.size;
                    let problem = if fetched.size != obj.size {
                        Some(format!("{} bytes stored, {} expected", fetched.size, obj.size))
                    } else if obj.md5.is_some_and(|m| m != fetched.md5) {
                        Some("MD5 differs".to_owned())
                    } else if expected_blake3(&obj).is_some_and(|b| b != hex::encode(fetched.blake3)) {
                        Some("BLAKE3 differs".to_owned())
                    } else {
                        None
                    };
                    match problem {
                        None => {
                            report.ok += 1;
                            batch.mark_sync_checked(obj.id)?;
                        }
                        Some(p) => {
                            batch.mark_sync_pending(obj.id, &format!("verify_mismatch: {p}"))?;
                            report.damaged.push((obj.key, p));
                        }
                    }
                }
                Err(e) if e.is_not_found() => {
                    batch.mark_sync_pending(obj.id, "verify_missing: not in the target")?;
                    report.missing.push(obj.key);
                }
                Err(e) if e.is_archived() => archived.push(obj),
                Err(e) if e.stops_everything() => return Err(e.into()),
                Err(e) => report.errors.push((obj.key, e.to_string())),
            }
        }
        batch.commit()?;
        drop(cat);
        for obj in archived {
            self.ask_restore(r, obj, report)?;
        }
        Ok(read)
    }

    /// A read of `obj` was refused because it is archived: asks for its
    /// restore and notes when the check looks again.
    fn ask_restore(&self, r: &mut Reader<'_>, obj: SyncObject, report: &mut VerifyReport) -> Result<()> {
        match r.thaws.refused(r.rt, r.store, &obj) {
            Ok(next) => report.archived.push((obj.key, next)),
            // Refused, even as access denied (a key may read but not be
            // allowed s3:RestoreObject): this object's problem, and the
            // check goes on with the others.
            Err(CoreError::Store(e))
                if !matches!(e, StoreError::NoBucket { .. } | StoreError::BadCredentials { .. }) =>
            {
                report
                    .errors
                    .push((obj.key, format!("archived, and its restore was refused: {e}")));
            }
            Err(e) => return Err(e),
        }
        Ok(())
    }

    /// Checks one large original chunk by chunk (a ranged read each),
    /// saving each chunk's BLAKE3 chaining value, so that a check stopped
    /// halfway goes on from its last chunk.
    fn check_ranged(&self, r: &mut Reader<'_>, obj: SyncObject, report: &mut VerifyReport) -> Result<()> {
        let chunk = r.opts.chunk();
        let Some(want) = expected_blake3(&obj).map(str::to_owned) else {
            return Ok(());
        };
        let record = |outcome: std::result::Result<(), String>, missing: bool| -> Result<()> {
            let mut cat = self.catalog();
            let mut b = cat.batch(self.now_ms())?;
            b.clear_fixity_progress(obj.id)?;
            b.clear_archive_wait(obj.id)?;
            match outcome {
                Ok(()) => b.mark_sync_checked(obj.id)?,
                Err(p) if missing => b.mark_sync_pending(obj.id, &format!("verify_missing: {p}"))?,
                Err(p) => b.mark_sync_pending(obj.id, &format!("verify_mismatch: {p}"))?,
            }
            b.commit()?;
            Ok(())
        };
        // The size first: a shorter or longer copy is damaged, whatever
        // its chunks say.
        match r.rt.block_on(r.store.head(&obj.key)) {
            Ok(info) if info.size != obj.size => {
                let p = format!("{} bytes stored, {} expected", info.size, obj.size);
                record(Err(p.clone()), false)?;
                report.checked += 1;
                report.damaged.push((obj.key, p));
                return Ok(());
            }
            Ok(_) => {}
            Err(e) if e.is_not_found() => {
                record(Err("not in the target".into()), true)?;
                report.missing.push(obj.key);
                return Ok(());
            }
            Err(e) if e.stops_everything() => return Err(e.into()),
            Err(e) => {
                report.errors.push((obj.key, e.to_string()));
                return Ok(());
            }
        }
        let total = obj.size.div_ceil(chunk);
        let mut progress = self
            .catalog()
            .fixity_progress(obj.id)?
            .filter(|p| p.chunk_bytes == chunk && p.verified_at == obj.verified_at && p.chunks.len() as u64 <= total)
            .unwrap_or(trove_catalog::FixityProgress {
                chunk_bytes: chunk,
                chunks: Vec::new(),
                verified_at: obj.verified_at,
            });
        if !progress.chunks.is_empty() {
            report.resumed += 1;
            tracing::info!(key = %obj.key, chunk = progress.chunks.len(), of = total, "fixity check resumed");
        }
        while (progress.chunks.len() as u64) < total {
            if r.cancel.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            let start = progress.chunks.len() as u64 * chunk;
            let len = chunk.min(obj.size - start);
            let mut got = r.rt.block_on(r.store.get_range(&obj.key, start, len));
            if got.as_ref().is_err_and(StoreError::may_be_damaged_copy) {
                // Once more, as a whole read is: a passing failure gets its
                // bytes from the second read.
                got = r.rt.block_on(r.store.get_range(&obj.key, start, len));
            }
            match got {
                Ok(bytes) => {
                    progress.chunks.push(chunk_value(&bytes, start));
                    report.checked_bytes += len;
                    let mut cat = self.catalog();
                    let mut b = cat.batch(self.now_ms())?;
                    b.save_fixity_progress(obj.id, &progress)?;
                    b.commit()?;
                    drop(cat);
                    r.pacer.read(len, r.cancel);
                }
                Err(e) if e.is_not_found() => {
                    record(Err("not in the target".into()), true)?;
                    report.missing.push(obj.key);
                    return Ok(());
                }
                Err(e) if e.is_archived() => {
                    // The chunks read so far stay: the check goes on from
                    // here once the object is back.
                    return self.ask_restore(r, obj.clone(), report);
                }
                Err(e) if e.may_be_damaged_copy() => {
                    let p = format!(
                        "the target holds it but cannot read bytes {start}-{} back ({})",
                        start + len - 1,
                        unreadable_detail(&e)
                    );
                    record(Err(p.clone()), false)?;
                    report.checked += 1;
                    report.damaged.push((obj.key, p));
                    return Ok(());
                }
                Err(e) if e.stops_everything() => return Err(e.into()),
                // Left as it is; the next check goes on from this chunk.
                Err(e) => {
                    report.errors.push((obj.key, e.to_string()));
                    return Ok(());
                }
            }
        }
        report.checked += 1;
        r.thaws.read(obj.id);
        if hex::encode(root_hash(&progress.chunks)) == want {
            record(Ok(()), false)?;
            report.ok += 1;
        } else {
            let p = "BLAKE3 differs".to_owned();
            record(Err(p.clone()), false)?;
            report.damaged.push((obj.key, p));
        }
        Ok(())
    }

    /// The fixity cycle: reads back today's share of the target's objects,
    /// those checked longest ago, so that every object is read back at
    /// least once every `cycle_days` days (the share is the objects over
    /// the days, and any already overdue). `trove verify --cycle` runs it.
    pub fn verify_cycle(
        &self,
        credentials: &CredentialSource,
        cycle_days: u32,
        opts: &FixityOptions,
        cancel: &Cancel,
    ) -> Result<VerifyReport> {
        let started = std::time::Instant::now();
        let (target, rt, store, mut report) = self.start_verify(credentials)?;
        let archive = opts.archive.unwrap_or_else(|| ArchiveOptions::of_target(&target));
        let thaws = Thaws::load(self, &target, archive, "fixity cycle")?;
        let mut reader = Reader::new(&rt, &store, opts, cancel, thaws);
        let days = cycle_days.max(1);
        let total = self.catalog().sync_counts(target.id)?.verified;
        let share = total.div_ceil(u64::from(days)).min(u64::from(u32::MAX)) as u32;
        let overdue_before = self.now_ms() - i64::from(days) * 24 * 3600 * 1000;
        let due = self.catalog().sync_objects_to_check(target.id, share, overdue_before)?;
        for chunk in due.chunks(256) {
            if cancel.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            self.check_objects(&mut reader, chunk.to_vec(), &mut report)?;
        }
        tracing::info!(
            url = %report.target,
            cycle_days = days,
            share,
            checked = report.checked,
            damaged = report.damaged.len(),
            missing = report.missing.len(),
            archived = report.archived.len(),
            seconds = started.elapsed().as_secs_f64(),
            "fixity cycle's share checked"
        );
        Ok(report)
    }

    /// Runs the fixity cycle's share for today if it has not run today
    /// (UTC) and a target is set: what `trove watch` and the running app
    /// call now and then. `None` when there was nothing to do.
    pub fn fixity_cycle_if_due(
        &self,
        credentials: &CredentialSource,
        cycle_days: u32,
        opts: &FixityOptions,
        cancel: &Cancel,
    ) -> Result<Option<VerifyReport>> {
        const LAST_DAY: &str = "fixity.last_cycle_day";
        if cycle_days == 0 || !self.is_writer() {
            return Ok(None);
        }
        match self.target() {
            Ok(_) => {}
            Err(CoreError::NoTarget) => return Ok(None),
            Err(e) => return Err(e),
        }
        let today = yyyymmdd(self.now_ms());
        if self.catalog().setting(LAST_DAY)?.as_deref() == Some(today.as_str()) {
            return Ok(None);
        }
        let report = self.verify_cycle(credentials, cycle_days, opts, cancel)?;
        self.catalog().set_setting(LAST_DAY, &today)?;
        Ok(Some(report))
    }

    /// Lists the target and compares it with the catalog; writes
    /// `inventory/YYYYMMDD.txt` (key, size, ETag per line) into the target.
    pub fn reconcile_target(&self, credentials: &CredentialSource) -> Result<ReconcileReport> {
        self.require_writer("reconciling the target")?;
        let target = self.target()?;
        let rt = runtime(2)?;
        let store = rt.block_on(Library::open_store(&target, credentials, Duration::from_secs(60)))?;
        rt.block_on(store.check())?;
        let mut listed: HashMap<String, (u64, Option<String>)> = HashMap::new();
        let mut lines = Vec::new();
        for prefix in ["originals/", "proxies/", "manifests/"] {
            let mut next = None;
            loop {
                let page = rt.block_on(store.list(prefix, next))?;
                for o in page.objects {
                    lines.push(format!("{}\t{}\t{}", o.key, o.size, o.etag.as_deref().unwrap_or("-")));
                    listed.insert(o.key, (o.size, o.etag));
                }
                next = page.next;
                if next.is_none() {
                    break;
                }
            }
        }
        let mut report = ReconcileReport {
            target: target.settings.url.clone(),
            listed: listed.len() as u64,
            ..Default::default()
        };
        let mut after = 0;
        // Same size, but an ETag that is not our MD5: with SSE-KMS or SSE-C,
        // or on servers with their own scheme, that proves nothing; these
        // are read back below and only differing bytes count as drift.
        let mut suspects: Vec<SyncObject> = Vec::new();
        loop {
            let page = self.catalog().sync_objects(target.id, None, after, 1000)?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let mut cat = self.catalog();
            let mut batch = cat.batch(self.now_ms())?;
            for obj in page {
                let found = listed.remove(&obj.key);
                if obj.state != ObjectState::Verified {
                    continue;
                }
                match found {
                    None => {
                        batch.mark_sync_pending(obj.id, "reconcile_missing: not in the target")?;
                        report.missing.push(obj.key);
                    }
                    Some((size, etag)) => {
                        let etag_md5 = etag.as_deref().and_then(|e| {
                            let mut out = [0u8; 16];
                            hex::decode_to_slice(e, &mut out).ok().map(|()| out)
                        });
                        let drift = if size != obj.size {
                            Some(format!("{size} bytes stored, {} expected", obj.size))
                        } else {
                            if obj.md5.is_some() && etag_md5 != obj.md5 {
                                suspects.push(obj.clone());
                            }
                            None
                        };
                        if let Some(d) = drift {
                            batch.mark_sync_pending(obj.id, &format!("reconcile_drift: {d}"))?;
                            report.drift.push((obj.key, d));
                        }
                    }
                }
            }
            batch.commit()?;
        }
        for obj in suspects {
            let read = rt.block_on(store.read_hashes(&obj.key));
            let drift = match read {
                Ok(f) if Some(f.md5) == obj.md5 && f.size == obj.size => None,
                Ok(_) => Some("the bytes read back differ (MD5)".to_owned()),
                Err(e) if e.is_not_found() => Some("gone while reconciling".to_owned()),
                Err(e) if e.stops_everything() => return Err(e.into()),
                // Unreadable now: verify (or the next reconcile) tells.
                Err(_) => None,
            };
            if let Some(d) = drift {
                let mut cat = self.catalog();
                let mut batch = cat.batch(self.now_ms())?;
                batch.mark_sync_pending(obj.id, &format!("reconcile_drift: {d}"))?;
                batch.commit()?;
                report.drift.push((obj.key, d));
            }
        }
        let mut extra: Vec<String> = listed.into_keys().collect();
        extra.sort();
        report.extra = extra;
        let tracked: std::collections::HashSet<String> =
            self.catalog().sync_upload_ids(target.id)?.into_iter().collect();
        // Catalog snapshots too: one killed while it went up leaves its
        // parts behind.
        for prefix in ["originals/", "proxies/", "manifests/", super::SNAPSHOT_PREFIX] {
            for u in rt.block_on(super::listed_uploads(&store, prefix))? {
                if !tracked.contains(&u.upload_id) {
                    report.orphaned_uploads.push((u.key, u.upload_id));
                }
            }
        }
        report.orphaned_uploads.sort();
        lines.sort();
        let mut body = lines.join("\n");
        body.push('\n');
        let body = Bytes::from(body);
        report.inventory_key = format!("inventory/{}.txt", yyyymmdd(self.now_ms()));
        rt.block_on(store.put_bytes(
            &report.inventory_key,
            body.clone(),
            BodySums::of(&body),
            &trove_store::PutOptions {
                content_type: Some("text/plain; charset=utf-8".into()),
                ..Default::default()
            },
        ))?;
        Ok(report)
    }
}

impl Library {
    /// Deletes objects a reconcile found in the target but not in the
    /// catalog, and aborts the unfinished uploads it found no sync tracks,
    /// each recorded in the audit trail. Each key is checked again first:
    /// only keys under Trove's key spaces (`originals/`, `proxies/`,
    /// `manifests/`) that the catalog does not know now are touched. Such
    /// objects may belong to another library that syncs to the same place:
    /// front ends ask the person before they call this.
    pub fn delete_extra_objects(
        &self,
        credentials: &CredentialSource,
        extra: &[String],
        orphaned_uploads: &[(String, String)],
    ) -> Result<(u64, u64)> {
        self.require_writer("deleting objects from the target")?;
        let target = self.target()?;
        let rt = runtime(2)?;
        let store = rt.block_on(Library::open_store(&target, credentials, Duration::from_secs(60)))?;
        let ours = |key: &str| {
            ["originals/", "proxies/", "manifests/", super::SNAPSHOT_PREFIX]
                .iter()
                .any(|p| key.starts_with(p))
        };
        let (mut deleted, mut aborted) = (0, 0);
        for key in extra {
            if !ours(key) || self.catalog().sync_object_by_key(target.id, key)?.is_some() {
                continue;
            }
            let result = rt.block_on(store.delete(key));
            self.audit_target(&trove_catalog::NewAudit {
                event: trove_catalog::AuditEvent::Deletion,
                success: result.is_ok(),
                target: Some(&target.settings.url),
                key: Some(key),
                asset: None,
                md5: None,
                blake3: None,
                size: None,
                detail: Some(match &result {
                    Ok(()) => "in the target but unknown to the catalog",
                    Err(_) => "could not be deleted",
                }),
                trigger: "reconcile --delete-extra",
            })?;
            result?;
            deleted += 1;
        }
        let tracked: std::collections::HashSet<String> =
            self.catalog().sync_upload_ids(target.id)?.into_iter().collect();
        for (key, upload_id) in orphaned_uploads {
            if !ours(key) || tracked.contains(upload_id) {
                continue;
            }
            rt.block_on(store.abort_multipart(key, upload_id))?;
            aborted += 1;
        }
        Ok((deleted, aborted))
    }
}

/// What a fixity run reads with: the target, how (chunks, concurrency,
/// the bandwidth cap's pace) and when to stop.
struct Reader<'a> {
    rt: &'a tokio::runtime::Runtime,
    store: &'a AnyStore,
    opts: &'a FixityOptions,
    cancel: &'a Cancel,
    pacer: Pacer,
    /// Archived objects whose restore is under way.
    thaws: Thaws<'a>,
}

impl<'a> Reader<'a> {
    fn new(
        rt: &'a tokio::runtime::Runtime,
        store: &'a AnyStore,
        opts: &'a FixityOptions,
        cancel: &'a Cancel,
        thaws: Thaws<'a>,
    ) -> Self {
        Reader {
            rt,
            store,
            opts,
            cancel,
            pacer: Pacer::new(opts.max_bytes_per_s),
            thaws,
        }
    }
}

/// What reading one stored object back gave.
enum Read {
    Fetched(trove_store::Fetched),
    /// The target answers for the object but twice failed to give its
    /// bytes back, the way a damaged copy fails.
    Unreadable(StoreError),
}

/// Reads `key` back. A read that fails the way a damaged copy fails is
/// looked at again: if the target still answers for the object (HEAD, which
/// a dead network fails quickly) and the failure repeats, the copy is
/// unreadable. A 500 has already been tried again by the store's own retries
/// (SeaweedFS takes about 13 s to give up on a damaged chunk, so each
/// attempt counts); a body cut short is read once more, and a passing
/// failure gets its bytes from that second read.
async fn read_back(store: &AnyStore, key: &str) -> trove_store::Result<Read> {
    match store.read_hashes(key).await {
        Ok(f) => Ok(Read::Fetched(f)),
        Err(first) if first.may_be_damaged_copy() => {
            if store.head(key).await.is_err() {
                return Err(first);
            }
            if matches!(first, StoreError::ServerBusy { .. }) {
                return Ok(Read::Unreadable(first));
            }
            match store.read_hashes(key).await {
                Ok(f) => Ok(Read::Fetched(f)),
                Err(e) if e.may_be_damaged_copy() => Ok(Read::Unreadable(e)),
                Err(e) => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// Why a copy could not be read, without the store's "will retry".
fn unreadable_detail(e: &StoreError) -> String {
    match e {
        StoreError::ServerBusy { status, code, .. } => format!("the server answers {status} {code}"),
        StoreError::Network { detail, .. } => detail.clone(),
        StoreError::Io { source, .. } => source.to_string(),
        other => other.to_string(),
    }
}

async fn read_all(
    store: &AnyStore,
    objects: Vec<SyncObject>,
    concurrency: usize,
) -> Vec<(SyncObject, trove_store::Result<Read>)> {
    let sem = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
    let mut set = JoinSet::new();
    for obj in objects {
        let store = store.clone();
        let sem = sem.clone();
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let r = read_back(&store, &obj.key).await;
            (obj, r)
        });
    }
    let mut out = Vec::new();
    while let Some(r) = set.join_next().await {
        if let Ok(pair) = r {
            out.push(pair);
        }
    }
    out
}

/// `YYYYMMDD` (UTC) of a Unix time in milliseconds.
pub(crate) fn yyyymmdd(unix_ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!("{:04}{:02}{:02}", t.year(), u8::from(t.month()), t.day())
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates() {
        assert_eq!(super::yyyymmdd(0), "19700101");
        assert_eq!(super::yyyymmdd(1_795_305_600_000), "20261122");
        assert_eq!(super::yyyymmdd(951_782_400_000), "20000229");
    }
}
