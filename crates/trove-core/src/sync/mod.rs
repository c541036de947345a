//! Sync: originals, proxies and a manifest per asset go to the library's
//! target (an S3-compatible bucket or a folder), content-addressed, and are
//! verified by reading back before they count as synced.
//!
//! Layout in the target (under its prefix):
//! - `originals/<b3[0:2]>/<blake3>.<ext>`
//! - `proxies/<b3[0:2]>/<blake3>/<variant>.<format>`
//! - `manifests/<b3[0:2]>/<blake3>.json`: the asset's identity, names,
//!   capture time, metadata summary, checksums and its objects, so a library
//!   can be rebuilt from the bucket alone.
//! - `inventory/YYYYMMDD.txt`: written by `reconcile`.
//!
//! Because keys are content addresses, a rename or a move sends no original
//! and no proxy again; only the small manifest (which lists the paths)
//! changes.
//!
//! The durable queue is the catalog's `sync_objects` table: [`plan`] adds a
//! pending row for every object that is new or whose content changed;
//! [`run`](run::run_sync) sends pending rows, many at once, and marks each
//! verified only after its size and checksum were read back.

mod archive;
mod audit;
pub(crate) mod engine;
mod fetch;
mod manifest;
mod ranged;
mod rebuild;
mod recover;
mod restore;
mod run;
mod snapshot;
mod upload;
mod verify;

use std::path::{Path, PathBuf};
use std::time::Duration;

pub use trove_catalog::TargetSettings;
use trove_catalog::{ObjectRole, PlannedObject, SyncCounts, SyncPolicy, TargetRecord};
use trove_store::{AnyStore, FolderStore, S3Options, S3Store, TargetUrl};

use crate::error::{CoreError, Result};
use crate::library::Library;

pub use archive::ArchiveOptions;
pub use audit::{MAX_AUDIT_PAGE, premis_event};
pub use fetch::FetchReport;
pub use ranged::FixityOptions;
pub use recover::{
    Adopted, RecoverProxies, RecoverReport, RecoverRequest, adopt_recovered, recovery_staging_dir, recovery_waiting,
};
pub use restore::{RestoreOptions, RestoreProgress, RestoreReport};
pub use run::{SyncOptions, SyncReport};
pub use snapshot::{SNAPSHOT_PREFIX, SnapshotInfo};
pub use trove_store::CredentialSource;
pub use upload::{UploadReport, UploadRequest, upload};
pub use verify::{ReconcileReport, VerifyReport};

/// The target as the catalog keeps it.
pub type Target = TargetRecord;

/// How an object is keyed in the target.
pub(crate) fn original_key(blake3_hex: &str, ext: &str) -> String {
    if ext.is_empty() {
        format!("originals/{}/{blake3_hex}", &blake3_hex[..2])
    } else {
        format!("originals/{}/{blake3_hex}.{ext}", &blake3_hex[..2])
    }
}

pub(crate) fn proxy_key(blake3_hex: &str, variant: &str, format: &str) -> String {
    format!("proxies/{}/{blake3_hex}/{variant}.{format}", &blake3_hex[..2])
}

pub(crate) fn manifest_key(blake3_hex: &str) -> String {
    format!("manifests/{}/{blake3_hex}.json", &blake3_hex[..2])
}

/// The content hash a key of ours names (`originals/ab/<hex>.ext`,
/// `proxies/ab/<hex>/...`, `manifests/ab/<hex>.json`).
pub(crate) fn key_content_hash(key: &str) -> Option<trove_types::ContentHash> {
    let rest = ["originals/", "proxies/", "manifests/"]
        .iter()
        .find_map(|p| key.strip_prefix(p))?;
    let hex = rest.get(3..67)?;
    let bytes: [u8; 32] = hex::decode(hex).ok()?.try_into().ok()?;
    Some(trove_types::ContentHash(bytes))
}

/// A lower-case extension safe for a key: ASCII alphanumerics, at most 10.
pub(crate) fn clean_ext(name: &Path) -> String {
    name.extension()
        .and_then(|e| e.to_str())
        .filter(|e| e.len() <= 10 && e.bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(str::to_ascii_lowercase)
        .unwrap_or_default()
}

/// What `plan` found.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanReport {
    /// Assets planned: all of them, or those with events since the last plan.
    pub assets: u64,
    /// Every asset was planned (see [`Library::plan_sync`]).
    pub full: bool,
    /// Objects of earlier content newly marked as replaced (edited assets).
    pub replaced: u64,
    /// Objects that became pending (new or changed).
    pub queued: u64,
    pub queued_bytes: u64,
}

/// Sync state of the library's target.
#[derive(Debug, Clone)]
pub struct SyncStatus {
    pub target: Target,
    pub counts: SyncCounts,
    /// Objects in an archive storage class whose restore Trove asked for
    /// and has not read since.
    pub archive_waits: u64,
    /// When Trove next looks whether one is back (Unix ms).
    pub next_archive_look: Option<i64>,
}

impl Library {
    /// Sets (or replaces) the library's target. Nothing is sent yet.
    pub fn set_target(&self, settings: &TargetSettings) -> Result<Target> {
        self.require_writer("setting the sync target")?;
        let url = TargetUrl::parse(&settings.url)?;
        let sse = check_sse(settings.sse.as_deref())?;
        let settings = TargetSettings {
            url: url.to_string(),
            endpoint: settings.endpoint.clone().filter(|s| !s.is_empty()),
            region: settings.region.clone().filter(|s| !s.is_empty()),
            storage_class_originals: check_storage_class(settings.storage_class_originals.as_deref())?,
            storage_class_proxies: check_proxy_storage_class(settings.storage_class_proxies.as_deref())?,
            sse_kms_key_id: check_kms_key(settings.sse_kms_key_id.as_deref(), sse.as_deref())?,
            restore_tier: check_restore_tier(settings.restore_tier.as_deref())?,
            restore_days: check_restore_days(settings.restore_days)?,
            sse,
            ..settings.clone()
        };
        if let TargetUrl::Folder { path } = &url {
            self.check_folder_target(path, None)?;
        }
        let now = self.now_ms();
        let mut cat = self.catalog();
        let mut batch = cat.batch(now)?;
        let id = batch.set_target(&settings)?;
        batch.commit()?;
        Ok(TargetRecord {
            id,
            settings,
            created_at: now,
        })
    }

    /// A folder target must lie apart from the library and every watched
    /// folder (`new_root`: one being added now). Paths are compared as they
    /// resolve on disk, so a symlink cannot hide an overlap.
    pub(crate) fn check_folder_target(&self, target: &Path, new_root: Option<&Path>) -> Result<()> {
        let target = resolved(target);
        let library = resolved(self.dir());
        let inside = |a: &Path, b: &Path| a.starts_with(b) || b.starts_with(a);
        if inside(&target, &library) {
            return Err(CoreError::TargetOverlaps {
                target,
                what: "library",
                other: library,
            });
        }
        let mut roots: Vec<PathBuf> = self.catalog().roots()?.into_iter().map(|r| r.path).collect();
        roots.extend(new_root.map(Path::to_owned));
        for root in roots {
            let root = resolved(&root);
            if inside(&target, &root) {
                return Err(CoreError::TargetOverlaps {
                    target,
                    what: "watched folder",
                    other: root,
                });
            }
        }
        Ok(())
    }

    /// The library's target, or a clear error if none is set.
    pub fn target(&self) -> Result<Target> {
        self.catalog().target()?.ok_or(CoreError::NoTarget)
    }

    /// Sets what a root sends to the target.
    pub fn set_sync_policy(&self, root_query: &str, policy: SyncPolicy) -> Result<()> {
        self.require_writer("setting a sync policy")?;
        let root = self.find_root(root_query)?;
        let mut cat = self.catalog();
        let mut batch = cat.batch(self.now_ms())?;
        batch.set_root_sync_policy(root.id, policy)?;
        batch.commit()?;
        Ok(())
    }

    /// What each watched root sends to the target, by root id.
    pub fn sync_policies(&self) -> Result<Vec<(i64, SyncPolicy)>> {
        let cat = self.catalog();
        let roots = cat.roots()?;
        Ok(cat
            .root_sync_policies()?
            .into_iter()
            .filter(|(id, _)| roots.iter().any(|r| r.id == *id))
            .collect())
    }

    /// Counts of synced, pending and failed objects.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let target = self.target()?;
        let cat = self.catalog();
        let counts = cat.sync_counts(target.id)?;
        let waits = cat.archive_waits(target.id)?;
        drop(cat);
        Ok(SyncStatus {
            archive_waits: waits.len() as u64,
            next_archive_look: waits.iter().map(|w| w.next_check_at).min(),
            target,
            counts,
        })
    }

    /// Opens the store of `target` with `credentials` (S3 only).
    pub(crate) async fn open_store(
        target: &Target,
        credentials: &CredentialSource,
        timeout: Duration,
    ) -> Result<AnyStore> {
        Ok(match TargetUrl::parse(&target.settings.url)? {
            TargetUrl::Folder { path } => AnyStore::Folder(FolderStore::new(path)),
            TargetUrl::S3 { bucket, prefix } => {
                let mut opts = S3Options::new(bucket, credentials.clone());
                opts.prefix = prefix;
                opts.endpoint = target.settings.endpoint.clone();
                opts.region = target.settings.region.clone();
                opts.path_style = target.settings.path_style;
                opts.server_side_encryption = target.settings.sse.clone();
                opts.sse_kms_key_id = target.settings.sse_kms_key_id.clone();
                opts.read_timeout = timeout;
                opts.stall_timeout = timeout.min(Duration::from_secs(20));
                AnyStore::S3(S3Store::connect(opts).await?)
            }
        })
    }

    /// Queues every object that is new or changed since the last plan.
    ///
    /// Planning follows the catalog's event log: only assets with events
    /// since the last plan are planned again, so a sync with nothing new
    /// costs a few queries, not one plan per asset (2.4 s at 100,000
    /// assets). Everything is planned again when that is not safe to skip:
    /// on the first plan for a target, after an event that touches a whole
    /// folder (added, removed, offline, online), when a folder's policy or
    /// path changed, when the catalog is older than the last plan (restored
    /// from a backup), and once a day in any case.
    pub fn plan_sync(&self) -> Result<PlanReport> {
        self.require_writer("planning a sync")?;
        let target = self.target()?;
        let policies: std::collections::HashMap<i64, SyncPolicy> =
            self.catalog().root_sync_policies()?.into_iter().collect();
        let roots = self.catalog().roots()?;
        let shape = plan_shape(&roots, &policies);
        let now = self.now_ms();
        let mark_key = format!("sync_plan.{}", target.id);
        let (last, mark) = {
            let cat = self.catalog();
            let mark = cat
                .setting(&mark_key)?
                .and_then(|s| serde_json::from_str::<PlanMark>(&s).ok());
            (cat.last_event_id()?, mark)
        };
        let touched = match &mark {
            Some(m) if m.shape == shape && m.seq <= last && now.saturating_sub(m.full_at) < FULL_PLAN_EVERY_MS => {
                self.assets_touched(m.seq, last)?
            }
            _ => None,
        };
        let mut report = PlanReport {
            full: touched.is_none(),
            ..PlanReport::default()
        };
        match touched {
            Some(rows) => {
                let rows: Vec<i64> = rows.into_iter().collect();
                for chunk in rows.chunks(500) {
                    self.plan_rows(target.id, chunk, &roots, &policies, &mut report)?;
                }
            }
            None => {
                let mut after = 0;
                loop {
                    let rows = self.catalog().asset_rows_after(after, 500)?;
                    let Some(&last_row) = rows.last() else { break };
                    after = last_row;
                    self.plan_rows(target.id, &rows, &roots, &policies, &mut report)?;
                }
            }
        }
        // Events logged while this ran are above `last`: the next plan
        // reads them.
        let mark = PlanMark {
            seq: last,
            shape,
            full_at: match (&mark, report.full) {
                (Some(m), false) => m.full_at,
                _ => now,
            },
        };
        self.catalog()
            .set_setting(&mark_key, &serde_json::to_string(&mark).unwrap_or_default())?;
        Ok(report)
    }

    /// The assets with events in `(after, upto]`, or `None` when an event
    /// touches a whole folder (everything must be planned again).
    fn assets_touched(&self, after: i64, upto: i64) -> Result<Option<std::collections::BTreeSet<i64>>> {
        let mut rows = std::collections::BTreeSet::new();
        let mut seq = after;
        while seq < upto {
            let events = self.catalog().events_after(seq, 10_000)?;
            let Some(newest) = events.last().map(|e| e.id) else {
                break;
            };
            for e in events.iter().filter(|e| e.id <= upto) {
                if let Some(edit) = e.edit_id() {
                    rows.extend(self.catalog().edit_asset_rows(edit)?);
                    continue;
                }
                match e.asset_row_id {
                    Some(row) => {
                        rows.insert(row);
                    }
                    None if FOLDER_WIDE_EVENTS.contains(&e.kind.as_str()) => return Ok(None),
                    None => {}
                }
            }
            seq = newest;
        }
        Ok(Some(rows))
    }

    /// Plans `rows` (read first, then written, so the shared connection is
    /// held for one batch at a time and other work can interleave).
    fn plan_rows(
        &self,
        target: i64,
        rows: &[i64],
        roots: &[trove_catalog::Root],
        policies: &std::collections::HashMap<i64, SyncPolicy>,
        report: &mut PlanReport,
    ) -> Result<()> {
        let mut planned = Vec::new();
        let mut current = Vec::new();
        {
            let cat = self.catalog();
            for &row in rows {
                if let Some(plan) = asset_plan(&cat, row, roots, policies)? {
                    report.assets += 1;
                    let first = planned.len();
                    planned.extend(plan.objects);
                    current.push((row, plan.hex, first..planned.len()));
                }
            }
        }
        let mut cat = self.catalog();
        let mut batch = cat.batch(self.now_ms())?;
        for o in &planned {
            if batch.plan_sync_object(target, o)? {
                report.queued += 1;
                report.queued_bytes += o.size;
            }
        }
        // The objects of an edited asset's earlier content, and proxies no
        // longer made: kept, marked from now, for the target's retention
        // to count from.
        for (row, hex, objects) in &current {
            let objects = &planned[objects.clone()];
            let keys: Vec<&str> = objects.iter().map(|o| o.key.as_str()).collect();
            let has_original = objects.iter().any(|o| o.role == ObjectRole::Original);
            report.replaced += batch.mark_replaced_objects(target, *row, hex, &keys, has_original)?;
        }
        batch.commit()?;
        Ok(())
    }

    /// The asset's objects in the target (original, proxies, manifest) with
    /// their state; empty when no target is set.
    pub fn asset_sync_state(&self, asset_row: i64) -> Result<Vec<trove_catalog::SyncObject>> {
        let cat = self.catalog();
        match cat.target()? {
            Some(t) => Ok(cat.sync_objects_of_asset(t.id, asset_row)?),
            None => Ok(Vec::new()),
        }
    }

    /// Failed objects become pending again.
    pub fn retry_failed_sync(&self) -> Result<u64> {
        self.require_writer("retrying sync")?;
        let target = self.target()?;
        let mut cat = self.catalog();
        let mut batch = cat.batch(self.now_ms())?;
        let n = batch.retry_failed_sync(target.id)?;
        batch.commit()?;
        Ok(n)
    }
}

/// Events that change what every asset of a folder plans to.
const FOLDER_WIDE_EVENTS: [&str; 4] = [
    trove_catalog::event_kind::ROOT_ADDED,
    trove_catalog::event_kind::ROOT_REMOVED,
    trove_catalog::event_kind::ROOT_OFFLINE,
    trove_catalog::event_kind::ROOT_ONLINE,
];

/// A full plan at least this often, whatever the event log says.
const FULL_PLAN_EVERY_MS: i64 = 24 * 3600 * 1000;

/// Where the last plan for a target stopped (kept in the catalog's
/// settings): the event it read up to, the folders and policies it saw, and
/// when every asset was last planned.
#[derive(serde::Serialize, serde::Deserialize)]
struct PlanMark {
    seq: i64,
    shape: String,
    full_at: i64,
}

/// The folders and their policies as a plan sees them: when this changes,
/// every asset is planned again.
fn plan_shape(roots: &[trove_catalog::Root], policies: &std::collections::HashMap<i64, SyncPolicy>) -> String {
    let mut parts: Vec<String> = roots
        .iter()
        .map(|r| {
            let policy = policies.get(&r.id).map_or("default", |p| p.as_str());
            format!("{}|{}|{policy}|{}", r.id, r.state.as_str(), r.path.display())
        })
        .collect();
    parts.sort();
    parts.join("\n")
}

/// The objects one asset should have in the target, and its manifest.
pub(crate) struct AssetPlan {
    pub objects: Vec<PlannedObject>,
    pub manifest: Vec<u8>,
    /// The BLAKE3 (hex) of the asset's content: every key of the plan holds it.
    pub hex: String,
}

/// Plans one asset: `None` when it is not present or its roots send nothing.
pub(crate) fn asset_plan(
    cat: &trove_catalog::Catalog,
    row: i64,
    roots: &[trove_catalog::Root],
    policies: &std::collections::HashMap<i64, SyncPolicy>,
) -> Result<Option<AssetPlan>> {
    let asset = cat.asset_by_row(row)?;
    if asset.status != trove_catalog::AssetStatus::Present {
        return Ok(None);
    }
    let policy_of = |f: &trove_catalog::FileRecord| policies.get(&f.root_id).copied().unwrap_or(SyncPolicy::All);
    // A folder that sends nothing sends nothing of itself either: its
    // copies of an asset another folder sends are not named in the
    // manifest (their paths may say what the person keeps private).
    let files: Vec<trove_catalog::FileRecord> = cat
        .files_of_asset(row)?
        .into_iter()
        .filter(|f| policy_of(f) != SyncPolicy::None)
        .collect();
    let policy = files
        .iter()
        .filter(|f| f.present)
        .map(policy_of)
        .max()
        .unwrap_or(SyncPolicy::None);
    if policy == SyncPolicy::None {
        return Ok(None);
    }
    let derivatives = cat.derivatives(row)?;
    let metadata = cat.metadata(row)?;
    let curation = cat.curation_given(row, metadata.as_ref())?;
    let hex = asset.blake3.to_hex();
    let primary = files.iter().find(|f| f.present).or(files.first());
    let ext = primary.map(|f| clean_ext(&f.rel_path)).unwrap_or_default();
    let include_original = policy == SyncPolicy::All;
    let mut objects = Vec::new();
    if include_original {
        objects.push(PlannedObject {
            key: original_key(&hex, &ext),
            asset_row: row,
            role: ObjectRole::Original,
            variant: None,
            size: asset.size,
            md5: asset.md5,
            fingerprint: format!("b3:{hex}"),
        });
    }
    for d in &derivatives {
        objects.push(PlannedObject {
            key: proxy_key(&hex, &d.variant, &d.format),
            asset_row: row,
            role: ObjectRole::Proxy,
            variant: Some(d.variant.clone()),
            size: d.size,
            md5: None,
            fingerprint: format!("g{}:{}:{}", d.generator, d.size, d.created_at),
        });
    }
    let manifest = manifest::manifest_json(
        &asset,
        &files,
        roots,
        metadata.as_ref(),
        &curation,
        &derivatives,
        include_original.then(|| original_key(&hex, &ext)).as_deref(),
    );
    objects.push(PlannedObject {
        key: manifest_key(&hex),
        asset_row: row,
        role: ObjectRole::Manifest,
        variant: None,
        size: manifest.len() as u64,
        md5: None,
        fingerprint: format!("m:{}", blake3::hash(&manifest).to_hex()),
    });
    Ok(Some(AssetPlan {
        objects,
        manifest,
        hex: asset.blake3.to_hex().to_string(),
    }))
}

/// Where an object's bytes come from when it is sent.
#[derive(Debug, Clone)]
pub(crate) enum Source {
    /// A file: an original under a root, or a proxy in the library.
    File {
        path: PathBuf,
        /// The original's MD5 from import; the bytes read must match, or the
        /// file changed since it was catalogued.
        expect_md5: Option<[u8; 16]>,
    },
    /// Bytes made now (a manifest).
    Bytes(bytes::Bytes),
}

/// A small tokio runtime for one sync, verify or restore run. The core's
/// other work is thread-based; only network I/O runs on tokio.
/// Unfinished multipart uploads under `prefix`; none where the server
/// cannot list them (s3s-fs, for one): those are left to the bucket's
/// lifecycle rules.
pub(crate) async fn listed_uploads(store: &AnyStore, prefix: &str) -> Result<Vec<trove_store::PendingUpload>> {
    match trove_store::ObjectStore::list_uploads(store, prefix).await {
        Ok(v) => Ok(v),
        Err(e) if e.code() == "store_unsupported" => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

pub(crate) fn runtime(threads: usize) -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .thread_name("trove-sync")
        .enable_all()
        .build()
        .map_err(|e| CoreError::io("start the sync runtime", PathBuf::from("."), e))
}

/// Back-off before retry `attempt` (1-based): 0.5 s doubling, at most 60 s.
pub(crate) fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500u64.saturating_mul(1 << attempt.min(7).saturating_sub(1))).min(Duration::from_secs(60))
}

/// `path` as it resolves on disk: the deepest part that exists,
/// canonicalized, with the rest appended (a target folder may not exist yet).
fn resolved(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_owned());
    let mut existing = abs.as_path();
    let mut rest = Vec::new();
    loop {
        if let Ok(c) = existing.canonicalize() {
            let mut out = c;
            for part in rest.iter().rev() {
                out.push(part);
            }
            return out;
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_owned());
                existing = parent;
            }
            _ => return abs,
        }
    }
}

/// The storage class of originals as given: empty is the bucket's default;
/// otherwise an S3 class name (upper case, digits, `_`). The archive
/// classes (GLACIER, DEEP_ARCHIVE) are allowed: a restore or fixity check
/// asks for an archived original's restore and waits (`archive.rs`).
pub fn check_storage_class(class: Option<&str>) -> Result<Option<String>> {
    let Some(class) = class.map(str::trim).filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    if class.len() > 32
        || !class
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(CoreError::BadTargetSetting {
            detail: format!(
                "{class:?} is not a storage class; use one such as STANDARD, STANDARD_IA or INTELLIGENT_TIERING"
            ),
        });
    }
    Ok(Some(class.to_owned()))
}

/// The storage class of proxies, manifests and catalog snapshots: as
/// [`check_storage_class`], but not an archive class. These are read to
/// browse and to recover a library, which cannot wait hours for a restore.
pub fn check_proxy_storage_class(class: Option<&str>) -> Result<Option<String>> {
    let class = check_storage_class(class)?;
    if let Some(c) = class.as_deref()
        && is_archive_class(c)
    {
        return Err(CoreError::BadTargetSetting {
            detail: format!(
                "{c} is an archive class: proxies, manifests and catalog snapshots are read to browse and to recover the library, which cannot wait hours for a restore; use it for originals, and GLACIER_IR (instant retrieval) or a standard class here"
            ),
        });
    }
    Ok(class)
}

/// The restore tier of archived originals as given: empty is Standard;
/// otherwise Standard, Bulk or Expedited (any case), kept as S3 spells it.
pub fn check_restore_tier(tier: Option<&str>) -> Result<Option<String>> {
    let Some(tier) = tier.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    match trove_store::RestoreTier::parse(tier) {
        Some(t) => Ok(Some(t.as_str().to_owned())),
        None => Err(CoreError::BadTargetSetting {
            detail: format!("{tier:?} is not a restore tier; use Standard, Bulk or Expedited"),
        }),
    }
}

/// Days a restored copy lasts: 1 to 365 (S3 takes more, but a copy kept a
/// year is a storage class of its own).
pub fn check_restore_days(days: Option<u32>) -> Result<Option<u32>> {
    match days {
        Some(d) if !(1..=365).contains(&d) => Err(CoreError::BadTargetSetting {
            detail: format!("a restored copy for {d} days: give 1 to 365"),
        }),
        other => Ok(other),
    }
}

/// S3's classes whose objects need a restore before they can be read.
fn is_archive_class(class: &str) -> bool {
    matches!(class, "GLACIER" | "DEEP_ARCHIVE")
}

/// Server-side encryption as given: empty is the bucket's default,
/// `AES256` (SSE-S3) or `aws:kms` (SSE-KMS).
pub fn check_sse(mode: Option<&str>) -> Result<Option<String>> {
    match mode.map(str::trim).unwrap_or_default() {
        "" => Ok(None),
        m @ ("AES256" | "aws:kms") => Ok(Some(m.to_owned())),
        other => Err(CoreError::BadTargetSetting {
            detail: format!(
                "{other:?} is not an encryption Trove can ask for; use AES256 or aws:kms, or leave it empty for the bucket's default"
            ),
        }),
    }
}

/// The KMS key for `aws:kms`: a key id, an `alias/...` or an ARN, as AWS
/// accepts them (no spaces, at most 2048 characters); empty uses the
/// bucket's key. Refused with any other encryption, which S3 would reject
/// on every upload.
pub fn check_kms_key(key: Option<&str>, sse: Option<&str>) -> Result<Option<String>> {
    let Some(key) = key.map(str::trim).filter(|k| !k.is_empty()) else {
        return Ok(None);
    };
    if sse != Some("aws:kms") {
        return Err(CoreError::BadTargetSetting {
            detail: format!(
                "a KMS key ({key}) is used only with aws:kms encryption; choose aws:kms, or leave the key empty"
            ),
        });
    }
    if key.len() > 2048 || !key.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CoreError::BadTargetSetting {
            detail: format!(
                "{key:?} is not a KMS key id, alias or ARN (such as alias/photos or arn:aws:kms:eu-west-1:111122223333:key/...)"
            ),
        });
    }
    Ok(Some(key.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_content_addressed() {
        let hex = "ab".repeat(32);
        assert_eq!(original_key(&hex, "jpg"), format!("originals/ab/{hex}.jpg"));
        assert_eq!(original_key(&hex, ""), format!("originals/ab/{hex}"));
        assert_eq!(proxy_key(&hex, "thumb", "jpg"), format!("proxies/ab/{hex}/thumb.jpg"));
        assert_eq!(manifest_key(&hex), format!("manifests/ab/{hex}.json"));
        for key in [
            original_key(&hex, "jpg"),
            proxy_key(&hex, "thumb", "webp"),
            manifest_key(&hex),
        ] {
            assert_eq!(
                key_content_hash(&key).map(|h| h.to_hex().to_string()),
                Some(hex.to_string()),
                "{key}"
            );
        }
        assert_eq!(key_content_hash("catalog/20261207T000000.000Z.db.zst"), None);
        assert_eq!(clean_ext(Path::new("a/IMG_1.CR2")), "cr2");
        assert_eq!(clean_ext(Path::new("a/weird.j p g")), "");
    }

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff(1), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(1));
        assert!(backoff(30) <= Duration::from_secs(60));
    }
}
