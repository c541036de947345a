//! Restore: originals come back from the target, verified against the
//! catalog's BLAKE3 before they are renamed into place. An existing file is
//! never overwritten. Originals in an archive storage class are asked back
//! first (see `archive.rs`) and brought back once they are readable.

use std::path::{Path, PathBuf};
use std::time::Duration;

use trove_catalog::{ObjectRole, ObjectState};
use trove_store::ObjectStore;

use super::archive::{ArchiveOptions, Thaws};
use super::{CredentialSource, runtime};
use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::library::Library;

/// What a restore did.
#[derive(Debug, Clone, Default)]
pub struct RestoreReport {
    pub restored: Vec<PathBuf>,
    pub bytes: u64,
    /// Files already in place with the right content.
    pub already_there: u64,
    /// Assets with no verified original in the target (key or asset id).
    pub not_synced: Vec<String>,
    /// Originals in an archive storage class still waiting for their
    /// restore (asked for): the key and when Trove looks again (Unix ms).
    /// Empty after a restore that waited.
    pub archived: Vec<(String, i64)>,
}

/// How a restore goes.
#[derive(Debug, Clone, Copy, Default)]
pub struct RestoreOptions {
    /// How originals in an archive storage class are asked back; `None`:
    /// as the target's settings say.
    pub archive: Option<ArchiveOptions>,
    /// Wait for archived originals to come back and restore them too
    /// (hours, on the tier's schedule); otherwise ask for them and leave
    /// them to a later restore, which finds the request under way.
    pub wait: bool,
}

/// What a restore tells as it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreProgress {
    /// One more original dealt with (restored, found in place, or not in
    /// the target): `done` of `total`, `bytes` brought back so far.
    File { done: usize, total: usize, bytes: u64 },
    /// Waiting for `count` archived originals to come back; Trove looks
    /// next at `next_look_ms` (Unix ms).
    Waiting { count: usize, next_look_ms: i64 },
}

/// What one original's restore did.
enum Outcome {
    Restored(PathBuf, u64),
    AlreadyThere,
    /// Archived (its key): its restore is asked for; look again then
    /// (Unix ms).
    Archived(String, i64),
}

impl Library {
    /// Downloads the originals of an asset (by id or path) or of every asset
    /// under a root (by path or id) into `to` (keeping paths relative to the
    /// root), or, without `to`, back to where their files were. Every file
    /// is checked against the catalog's BLAKE3 before it appears.
    ///
    /// Originals in an archive storage class are asked back (once; the
    /// request is kept in the catalog) and, with `opts.wait`, restored when
    /// they are readable. `progress` hears of each file, and before each
    /// wait how many are still awaited and when Trove looks next. `cancel`
    /// stops it between files (and during a wait): the files restored so
    /// far stay, and the error is `Cancelled`.
    pub fn restore(
        &self,
        credentials: &CredentialSource,
        query: &str,
        to: Option<&Path>,
        opts: &RestoreOptions,
        progress: &dyn Fn(RestoreProgress),
        cancel: &Cancel,
    ) -> Result<RestoreReport> {
        let target = self.target()?;
        // (asset row, destination relative to `to` or absolute)
        let mut wanted: Vec<(i64, PathBuf, PathBuf)> = Vec::new();
        // Resolve first (these take the catalog lock themselves).
        let detail = match self.asset_detail(query) {
            Ok(d) => Some(d),
            Err(CoreError::AssetNotFound { .. }) => None,
            Err(e) => return Err(e),
        };
        let root = match detail {
            Some(_) => None,
            None => Some(self.find_root(query)?),
        };
        {
            let cat = self.catalog();
            let roots = cat.all_roots()?;
            // Back into their places only where the folder is there: a
            // folder written anew where a drive is not mounted would fill
            // the disk underneath.
            let check_place = |root_id: i64| -> Result<()> {
                match roots.iter().find(|r| r.id == root_id) {
                    Some(r) if to.is_none() && !r.path.is_dir() => {
                        Err(CoreError::RestoreFolderMissing { path: r.path.clone() })
                    }
                    _ => Ok(()),
                }
            };
            let place = |f: &trove_catalog::FileRecord| -> PathBuf {
                let root = roots.iter().find(|r| r.id == f.root_id);
                root.map(|r| r.path.join(&f.rel_path))
                    .unwrap_or_else(|| f.rel_path.clone())
            };
            if let Some(detail) = detail {
                let file = detail.files.first().ok_or_else(|| CoreError::AssetNotFound {
                    query: query.to_owned(),
                })?;
                check_place(file.record.root_id)?;
                let name = file.record.rel_path.file_name().map(PathBuf::from).unwrap_or_default();
                wanted.push((detail.asset.row_id, name, place(&file.record)));
            } else if let Some(root) = root {
                check_place(root.id)?;
                let mut seen = std::collections::HashSet::new();
                for f in cat.files_of_root(root.id)? {
                    if seen.insert(f.asset_row_id) {
                        wanted.push((f.asset_row_id, f.rel_path.clone(), place(&f)));
                    }
                }
            }
        }
        let rt = runtime(2)?;
        let store = rt.block_on(Library::open_store(&target, credentials, Duration::from_secs(60)))?;
        rt.block_on(store.check())?;
        let archive = opts.archive.unwrap_or_else(|| ArchiveOptions::of_target(&target));
        let mut thaws = Thaws::load(self, &target, archive, "restore")?;
        let mut report = RestoreReport::default();
        let step = |row: i64, relative: &Path, original_place: &Path| Step {
            rt: &rt,
            store: &store,
            target: &target,
            row,
            dest: match to {
                Some(dir) => dir.join(relative),
                None => original_place.to_owned(),
            },
        };
        // Archived originals: (row, relative, place, key, when to look).
        let mut awaited = Vec::new();
        let total = wanted.len();
        let done = |report: &RestoreReport| RestoreProgress::File {
            done: report.restored.len() + report.already_there as usize + report.not_synced.len(),
            total,
            bytes: report.bytes,
        };
        for (row, relative, original_place) in wanted {
            if cancel.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            match self.restore_one(&step(row, &relative, &original_place), &mut thaws, &mut report)? {
                Some(Outcome::Archived(key, next)) => awaited.push((row, relative, original_place, key, next)),
                Some(outcome) => report.count(outcome),
                None => {}
            }
            progress(done(&report));
        }
        while opts.wait && !awaited.is_empty() {
            let soonest = awaited.iter().map(|a| a.4).min().unwrap_or(0);
            progress(RestoreProgress::Waiting {
                count: awaited.len(),
                next_look_ms: soonest,
            });
            // In steps, so a stop is heard within a second.
            while self.now_ms() < soonest {
                if cancel.is_cancelled() {
                    return Err(CoreError::Cancelled);
                }
                let wait = u64::try_from(soonest.saturating_sub(self.now_ms())).unwrap_or(0);
                std::thread::sleep(Duration::from_millis(wait.min(1000)));
            }
            let mut still = Vec::new();
            for (row, relative, original_place, key, next) in awaited {
                if cancel.is_cancelled() {
                    return Err(CoreError::Cancelled);
                }
                if next > self.now_ms() {
                    still.push((row, relative, original_place, key, next));
                    continue;
                }
                match self.restore_one(&step(row, &relative, &original_place), &mut thaws, &mut report)? {
                    Some(Outcome::Archived(key, next)) => still.push((row, relative, original_place, key, next)),
                    Some(outcome) => {
                        report.count(outcome);
                        progress(done(&report));
                    }
                    None => {}
                }
            }
            awaited = still;
        }
        report.archived = awaited.into_iter().map(|a| (a.3, a.4)).collect();
        Ok(report)
    }
}

/// One original to restore: where from and where to.
struct Step<'a> {
    rt: &'a tokio::runtime::Runtime,
    store: &'a trove_store::AnyStore,
    target: &'a super::Target,
    row: i64,
    dest: PathBuf,
}

impl RestoreReport {
    fn count(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Restored(dest, bytes) => {
                self.bytes += bytes;
                self.restored.push(dest);
            }
            Outcome::AlreadyThere => self.already_there += 1,
            Outcome::Archived(..) => {}
        }
    }
}

impl Library {
    /// Restores one asset's original to `step.dest`: `None` when the
    /// target has no verified original of it (noted in the report).
    fn restore_one(
        &self,
        step: &Step<'_>,
        thaws: &mut Thaws<'_>,
        report: &mut RestoreReport,
    ) -> Result<Option<Outcome>> {
        let (asset, object) = {
            let cat = self.catalog();
            let asset = cat.asset_by_row(step.row)?;
            let object = cat
                .sync_objects_of_asset(step.target.id, step.row)?
                .into_iter()
                .find(|o| o.role == ObjectRole::Original && o.state == ObjectState::Verified);
            (asset, object)
        };
        let Some(object) = object else {
            report.not_synced.push(asset.id.to_string());
            return Ok(None);
        };
        let dest = &step.dest;
        if dest.exists() {
            if same_content(dest, &asset.blake3.0)? {
                return Ok(Some(Outcome::AlreadyThere));
            }
            return Err(CoreError::RestoreConflict { path: dest.clone() });
        }
        if let Some(next) = thaws.not_due(object.id) {
            return Ok(Some(Outcome::Archived(object.key, next)));
        }
        let parent = dest.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|e| CoreError::io("create folder", parent, e))?;
        let tmp = parent.join(format!(
            ".{}.trove-restore-{}",
            dest.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            uuid::Uuid::new_v4().simple()
        ));
        let fetched = match step.rt.block_on(step.store.get_to_file(&object.key, &tmp)) {
            Ok(f) => f,
            Err(e) if e.is_archived() => {
                let _ = std::fs::remove_file(&tmp);
                let next = thaws.refused(step.rt, step.store, &object)?;
                return Ok(Some(Outcome::Archived(object.key, next)));
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
        };
        if fetched.blake3 != asset.blake3.0 || fetched.size != asset.size {
            let _ = std::fs::remove_file(&tmp);
            return Err(CoreError::Damaged {
                key: object.key,
                detail: format!("downloaded {} bytes with another BLAKE3", fetched.size),
            });
        }
        // No overwrite: a file that appeared meanwhile wins, with no
        // moment between a check and the move.
        match crate::fsmeta::place_no_replace(&tmp, dest) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let _ = std::fs::remove_file(&tmp);
                return Err(CoreError::RestoreConflict { path: dest.clone() });
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                return Err(CoreError::io("move into place", dest, e));
            }
        }
        if thaws.read(object.id) && self.is_writer() {
            let mut cat = self.catalog();
            let mut b = cat.batch(self.now_ms())?;
            b.clear_archive_wait(object.id)?;
            b.commit()?;
        }
        self.audit_target(&trove_catalog::NewAudit {
            event: trove_catalog::AuditEvent::Restore,
            success: true,
            target: Some(&step.target.settings.url),
            key: Some(&object.key),
            asset: Some(&asset.id.to_string()),
            md5: Some(fetched.md5),
            blake3: Some(fetched.blake3),
            size: Some(fetched.size),
            detail: Some(&format!("restored to {}", dest.display())),
            trigger: "restore",
        })?;
        Ok(Some(Outcome::Restored(dest.clone(), fetched.size)))
    }
}

fn same_content(path: &Path, blake3: &[u8; 32]) -> Result<bool> {
    let mut hasher = blake3::Hasher::new();
    let mut file = std::fs::File::open(path).map_err(|e| CoreError::io("read", path, e))?;
    std::io::copy(&mut file, &mut hasher).map_err(|e| CoreError::io("read", path, e))?;
    Ok(hasher.finalize().as_bytes() == blake3)
}
