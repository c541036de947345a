//! Catalog snapshots in the target, so that the bucket alone can bring a
//! library back: after each sync a consistent copy of the catalog
//! (SQLite's `VACUUM INTO`, checked whole), compressed with zstd (with its
//! frame checksum), goes to `catalog/<UTC time>.db.zst` and is verified
//! like every other object. Older snapshots are pruned: the newest
//! [`KEEP_NEWEST`] and the newest of each day for [`KEEP_DAYS`] days stay.
//! `trove recover` builds a library from one ([`crate::Library::recover`]).

use std::collections::BTreeSet;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use trove_store::{AnyStore, ObjectStore};

use super::Source;
use super::engine::{Sendable, send_one};
use crate::error::{CoreError, Result};
use crate::library::Library;

/// Where snapshots live in the target.
pub const SNAPSHOT_PREFIX: &str = "catalog/";
/// Snapshots kept whatever their age.
pub const KEEP_NEWEST: usize = 10;
/// Days for which the newest snapshot of each day is kept.
pub const KEEP_DAYS: i64 = 30;
/// The setting that names the snapshot being sent while it goes up, so
/// that the next snapshot knows an unfinished upload under that key was
/// this library's, stopped halfway.
const SENDING: &str = "snapshot.sending";
/// zstd's level: 3 (its default) packs a catalog to about a fifth at
/// hundreds of MB a second; higher levels cost far more time for little.
const ZSTD_LEVEL: i32 = 3;

/// A snapshot in the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotInfo {
    pub key: String,
    /// When it was taken, Unix milliseconds (from its key).
    pub at_ms: i64,
    /// Its stored (compressed) size.
    pub size: u64,
}

/// `catalog/20261207T052436.123Z.db.zst`: sortable by name, one a
/// millisecond.
pub(crate) fn snapshot_key(unix_ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{SNAPSHOT_PREFIX}{:04}{:02}{:02}T{:02}{:02}{:02}.{:03}Z.db.zst",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// The time a snapshot key names, or `None` for any other key (which is
/// never pruned).
pub(crate) fn snapshot_time(key: &str) -> Option<i64> {
    let stamp = key.strip_prefix(SNAPSHOT_PREFIX)?.strip_suffix("Z.db.zst")?;
    let (date, clock) = stamp.split_once('T')?;
    let (hms, ms) = clock.split_once('.')?;
    if date.len() != 8
        || hms.len() != 6
        || ms.len() != 3
        || !stamp.bytes().all(|b| b.is_ascii_digit() || b"T.".contains(&b))
    {
        return None;
    }
    let num = |s: &str| s.parse::<u32>().ok();
    let month = time::Month::try_from(u8::try_from(num(&date[4..6])?).ok()?).ok()?;
    let day =
        time::Date::from_calendar_date(num(&date[..4])? as i32, month, u8::try_from(num(&date[6..])?).ok()?).ok()?;
    let clock = time::Time::from_hms_milli(
        u8::try_from(num(&hms[..2])?).ok()?,
        u8::try_from(num(&hms[2..4])?).ok()?,
        u8::try_from(num(&hms[4..])?).ok()?,
        u16::try_from(num(ms)?).ok()?,
    )
    .ok()?;
    let t = time::PrimitiveDateTime::new(day, clock).assume_utc();
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).ok()
}

/// Which snapshots to delete: all but the newest [`KEEP_NEWEST`] and the
/// newest of each UTC day of the last [`KEEP_DAYS`] days before `now_ms`.
pub(crate) fn to_prune(snapshots: &[SnapshotInfo], now_ms: i64) -> Vec<String> {
    let mut by_time: Vec<&SnapshotInfo> = snapshots.iter().collect();
    by_time.sort_by(|a, b| b.at_ms.cmp(&a.at_ms).then_with(|| b.key.cmp(&a.key)));
    let day_ms = 24 * 3600 * 1000;
    let mut keep: BTreeSet<&str> = by_time.iter().take(KEEP_NEWEST).map(|s| s.key.as_str()).collect();
    let mut days_seen = BTreeSet::new();
    for s in &by_time {
        if s.at_ms >= now_ms - KEEP_DAYS * day_ms && days_seen.insert(s.at_ms.div_euclid(day_ms)) {
            keep.insert(&s.key);
        }
    }
    by_time
        .iter()
        .filter(|s| !keep.contains(s.key.as_str()))
        .map(|s| s.key.clone())
        .collect()
}

/// Every snapshot in the target, oldest first.
pub(crate) async fn list_snapshots(store: &AnyStore) -> Result<Vec<SnapshotInfo>> {
    let mut out = Vec::new();
    let mut next = None;
    loop {
        let page = store.list(SNAPSHOT_PREFIX, next).await?;
        out.extend(page.objects.into_iter().filter_map(|o| {
            snapshot_time(&o.key).map(|at_ms| SnapshotInfo {
                key: o.key,
                at_ms,
                size: o.size,
            })
        }));
        match page.next {
            Some(n) => next = Some(n),
            None => break,
        }
    }
    out.sort_by(|a, b| a.at_ms.cmp(&b.at_ms).then_with(|| a.key.cmp(&b.key)));
    Ok(out)
}

/// Compresses `from` into `to` with zstd, its content checksum on (a
/// damaged download fails to decompress instead of giving a wrong catalog).
fn compress(from: &Path, to: &Path) -> Result<()> {
    let input = std::fs::File::open(from).map_err(|e| CoreError::io("read the catalog snapshot", from, e))?;
    let output = std::fs::File::create(to).map_err(|e| CoreError::io("write the compressed snapshot", to, e))?;
    let write_err = |e| CoreError::io("write the compressed snapshot", to, e);
    let mut enc = zstd::Encoder::new(BufWriter::new(output), ZSTD_LEVEL).map_err(write_err)?;
    enc.include_checksum(true).map_err(write_err)?;
    // zstd's own worker threads: 0.89 s against 0.53 s for a 200 MB
    // catalog on two cores; the frame is the same format.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4)) as u32;
    if threads > 1 {
        enc.multithread(threads).map_err(write_err)?;
    }
    std::io::copy(&mut BufReader::new(input), &mut enc).map_err(write_err)?;
    // Not flushed to disk: a temporary file, read once for the upload
    // (which is verified by reading the stored object back).
    enc.finish().map_err(write_err)?.flush().map_err(write_err)
}

/// Decompresses a snapshot `from` into `to`; a damaged one (a checksum
/// that does not match, a cut-off frame) is an error naming `key`.
pub(crate) fn decompress(from: &Path, to: &Path, key: &str) -> Result<()> {
    let input = std::fs::File::open(from).map_err(|e| CoreError::io("read the downloaded snapshot", from, e))?;
    let output = std::fs::File::create(to).map_err(|e| CoreError::io("write the catalog", to, e))?;
    let mut out = BufWriter::new(output);
    let mut dec = zstd::Decoder::new(input).map_err(|e| CoreError::io("read the downloaded snapshot", from, e))?;
    std::io::copy(&mut dec, &mut out).map_err(|e| CoreError::Damaged {
        key: key.to_owned(),
        detail: format!("it does not decompress as a zstd snapshot: {e}"),
    })?;
    out.flush().map_err(|e| CoreError::io("write the catalog", to, e))?;
    out.into_inner()
        .map_err(|e| CoreError::io("write the catalog", to, e.into_error()))?
        .sync_all()
        .map_err(|e| CoreError::io("write the catalog", to, e))
}

impl Library {
    /// Appends one row to the audit trail, in its own transaction.
    pub(crate) fn audit_target(&self, row: &trove_catalog::NewAudit<'_>) -> Result<()> {
        if !self.is_writer() {
            // A reader (a restore while another process holds the library)
            // cannot append; the log keeps what the trail missed.
            tracing::warn!(
                event = row.event.as_str(),
                key = row.key.unwrap_or(""),
                "not in the audit trail: the library is open read-only"
            );
            return Ok(());
        }
        let mut cat = self.catalog();
        let mut b = cat.batch(self.now_ms())?;
        b.audit(row)?;
        b.commit()?;
        Ok(())
    }
}

/// Removes its files when dropped.
struct TempFiles(Vec<PathBuf>);

impl Drop for TempFiles {
    fn drop(&mut self) {
        for p in &self.0 {
            let _ = std::fs::remove_file(p);
        }
    }
}

impl Library {
    /// Stores a catalog snapshot in the library's target now, verified. A
    /// newly set target gets one at once, so the bucket can bring the
    /// library back (its folders, curation and settings) before the first
    /// sync has ended.
    pub fn snapshot_now(&self, credentials: &super::CredentialSource) -> Result<SnapshotInfo> {
        self.require_writer("storing a catalog snapshot")?;
        let target = self.target()?;
        let rt = super::runtime(1)?;
        let store = rt.block_on(Library::open_store(
            &target,
            credentials,
            std::time::Duration::from_secs(60),
        ))?;
        rt.block_on(store.check())?;
        let (info, _) = rt.block_on(self.send_snapshot(&store, &target.settings.url))?;
        Ok(info)
    }

    /// Takes a snapshot of the catalog, sends it to `store` verified, then
    /// prunes older ones. Returns the snapshot sent and how many were
    /// pruned.
    pub(crate) async fn send_snapshot(&self, store: &AnyStore, target_url: &str) -> Result<(SnapshotInfo, u64)> {
        let _one_at_a_time = self.snapshot_lock.lock().await;
        self.abort_unfinished_snapshots(store, target_url).await?;
        let dir = self.dir().join("tmp");
        std::fs::create_dir_all(&dir).map_err(|e| CoreError::io("create folder", &dir, e))?;
        let id = uuid::Uuid::new_v4();
        let db = dir.join(format!("snapshot-{id}.db"));
        let zst = dir.join(format!("snapshot-{id}.db.zst"));
        let _cleanup = TempFiles(vec![db.clone(), zst.clone()]);
        let at_ms = self.now_ms();
        let started = std::time::Instant::now();
        // Its own connection: the shared one stays free for the app while
        // SQLite copies.
        self.connect()?.snapshot_to(&db)?;
        // The copy is checked while it is compressed (both only read it):
        // on two cores 0.8 s instead of 1.2 s at 100,000 assets.
        let (checked, compressed) = std::thread::scope(|s| {
            let check = s.spawn(|| trove_catalog::check_snapshot(&db));
            let compressed = compress(&db, &zst);
            (check.join(), compressed)
        });
        match checked {
            Ok(result) => result?,
            Err(_) => {
                return Err(CoreError::Damaged {
                    key: db.display().to_string(),
                    detail: "the check of the catalog snapshot stopped unexpectedly".into(),
                });
            }
        }
        compressed?;
        // Making it (copy, check, compress) apart from sending it.
        let made_ms = started.elapsed().as_millis() as u64;
        let raw = std::fs::metadata(&db).map(|m| m.len()).unwrap_or(0);
        let size = std::fs::metadata(&zst)
            .map_err(|e| CoreError::io("read the compressed snapshot", &zst, e))?
            .len();
        let key = snapshot_key(at_ms);
        let obj = Sendable {
            id: 0,
            key: key.clone(),
            size,
            original: false,
            upload_id: None,
            recorded_parts: Vec::new(),
            asset_hex: None,
            want_md5: true,
        };
        let source = Source::File {
            path: zst.clone(),
            expect_md5: None,
        };
        self.catalog().set_setting(SENDING, &key)?;
        let sent = send_one(store.clone(), obj, source).await;
        // Sent or failed (a failed multipart upload is aborted): not
        // unfinished either way.
        self.catalog().set_setting(SENDING, "")?;
        let detail = match &sent {
            Ok(_) => "catalog snapshot".to_owned(),
            Err(e) => format!("catalog snapshot: {e}"),
        };
        self.audit_target(&trove_catalog::NewAudit {
            event: trove_catalog::AuditEvent::Upload,
            success: sent.is_ok(),
            target: Some(target_url),
            key: Some(&key),
            asset: None,
            md5: None,
            blake3: None,
            size: Some(size),
            detail: Some(&detail),
            trigger: "snapshot",
        })?;
        sent.map_err(|detail| CoreError::Damaged {
            key: key.clone(),
            detail: format!("the catalog snapshot was not stored: {detail}"),
        })?;
        let snapshots = list_snapshots(store).await?;
        let mut pruned = 0;
        for old in to_prune(&snapshots, at_ms) {
            if old != key {
                store.delete(&old).await?;
                self.audit_target(&trove_catalog::NewAudit {
                    event: trove_catalog::AuditEvent::Deletion,
                    success: true,
                    target: Some(target_url),
                    key: Some(&old),
                    asset: None,
                    md5: None,
                    blake3: None,
                    size: None,
                    detail: Some("an older catalog snapshot, past the snapshot retention"),
                    trigger: "retention",
                })?;
                pruned += 1;
            }
        }
        tracing::info!(
            key = %key,
            catalog_mb = raw / 1_000_000,
            stored_mb = size / 1_000_000,
            pruned,
            made_ms,
            ms = started.elapsed().as_millis() as u64,
            "catalog snapshot stored"
        );
        Ok((SnapshotInfo { key, at_ms, size }, pruned))
    }
}

impl Library {
    /// Aborts the unfinished multipart upload of the catalog snapshot this
    /// library was sending when its process was killed: its parts stay in
    /// the target (billed, never read) otherwise. Called with the snapshot
    /// lock held by the library's writer, so it is not being sent now.
    /// (Unfinished snapshot uploads of unknown origin are aborted by a sync
    /// an hour after they began: `abort_stale_uploads`.)
    async fn abort_unfinished_snapshots(&self, store: &AnyStore, target_url: &str) -> Result<()> {
        let Some(key) = self.catalog().setting(SENDING)?.filter(|k| snapshot_time(k).is_some()) else {
            return Ok(());
        };
        for upload in super::listed_uploads(store, &key).await? {
            if upload.key != key {
                continue;
            }
            store.abort_multipart(&upload.key, &upload.upload_id).await?;
            tracing::info!(key = %upload.key, "aborted the unfinished upload of an earlier catalog snapshot");
            self.audit_target(&trove_catalog::NewAudit {
                event: trove_catalog::AuditEvent::Deletion,
                success: true,
                target: Some(target_url),
                key: Some(&upload.key),
                asset: None,
                md5: None,
                blake3: None,
                size: None,
                detail: Some("the unfinished upload of a catalog snapshot (stopped halfway), aborted"),
                trigger: "snapshot",
            })?;
        }
        self.catalog().set_setting(SENDING, "")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_sort_by_time_and_read_back() {
        let t = 1_796_621_076_123; // 2026-12-07T05:24:36.123Z
        assert_eq!(snapshot_key(t), "catalog/20261207T052436.123Z.db.zst");
        assert_eq!(snapshot_time(&snapshot_key(t)), Some(t));
        assert_eq!(snapshot_time(&snapshot_key(0)), Some(0));
        assert!(snapshot_key(t) < snapshot_key(t + 1));
        for other in [
            "catalog/notes.txt",
            "catalog/20261207T052436Z.db.zst",
            "catalog/20261307T052436.123Z.db.zst",
            "manifests/ab/ab.json",
        ] {
            assert_eq!(snapshot_time(other), None, "{other}");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_ten_and_one_a_day_for_thirty_days() {
        let day = 24 * 3600 * 1000;
        let now = 100 * day;
        // Four a day for 60 days.
        let all: Vec<SnapshotInfo> = (0..240)
            .map(|i| {
                let at_ms = now - i * day / 4;
                SnapshotInfo {
                    key: snapshot_key(at_ms),
                    at_ms,
                    size: 1,
                }
            })
            .collect();
        let pruned: BTreeSet<String> = to_prune(&all, now).into_iter().collect();
        let kept: Vec<&SnapshotInfo> = all.iter().filter(|s| !pruned.contains(&s.key)).collect();
        // The newest ten (day 100 00:00 back to day 97 18:00), then the
        // newest of each of days 70 to 96: 10 + 27.
        assert_eq!(kept.len(), 37, "{kept:?}");
        assert!(kept.iter().all(|s| s.at_ms >= now - KEEP_DAYS * day));
        assert!(all[..10].iter().all(|s| !pruned.contains(&s.key)));
        assert!(to_prune(&all[..5], now).is_empty());
    }
}
