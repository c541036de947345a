//! `trove recover`: a library from the bucket alone. The newest catalog
//! snapshot (or the newest taken at or before a chosen time) is fetched,
//! checked (zstd's frame checksum, then SQLite's integrity check) and
//! becomes the new library's catalog; the manifests written after it are
//! applied on top (an asset added, moved or curated since). Without any
//! snapshot the catalog is rebuilt from the manifests alone. The proxies
//! the catalog names as stored can be fetched too, so the library browses
//! at once. Originals stay in the bucket until `trove restore` brings them
//! back, verified.
//!
//! A recovery that stops halfway (a kill, a dead network) is resumed by
//! running it again: the catalog remembers it is being recovered, and
//! applying a manifest twice writes the same record.

use std::path::{Path, PathBuf};
use std::time::Duration;

use trove_catalog::{Catalog, ObjectRole, ObjectState, TargetRecord, TargetSettings};
use trove_store::ObjectStore;

use super::rebuild::{is_manifest_key, list_all, stored_sizes};
use super::snapshot::{SnapshotInfo, decompress, list_snapshots};
use super::{CredentialSource, runtime};
use crate::error::{CoreError, Result};
use crate::library::{CATALOG_FILE, Library, OpenOptions};

/// Which proxies `recover` fetches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecoverProxies {
    /// None: the grid shows placeholders until they are fetched or made.
    None,
    /// Grid thumbnails (small, and what browsing needs first).
    #[default]
    Thumbnails,
    /// Every stored proxy (previews, posters, video and audio proxies).
    All,
}

/// What to recover, from where.
#[derive(Debug, Clone)]
pub struct RecoverRequest {
    /// The target the library synced to (its URL, endpoint, region...).
    pub target: TargetSettings,
    /// The newest snapshot taken at or before this time (Unix ms); `None`:
    /// the newest.
    pub at_ms: Option<i64>,
    pub proxies: RecoverProxies,
    pub request_timeout: Duration,
    /// Where the folders go when only manifests name them (they hold each
    /// folder's name, never its path on the lost machine): `DIR/<name>`.
    /// A snapshot keeps the folders' own paths.
    pub folders_in: PathBuf,
    /// Rebuild from the manifests alone, whatever snapshots the target
    /// holds (when they cannot be trusted, or to compare).
    pub manifests_only: bool,
}

/// The catalog setting that marks a recovery in progress (the target's
/// URL): running `recover` again resumes it.
const RECOVERING: &str = "recovering_from";
/// Manifests written up to this long before a snapshot's time are applied
/// on top of it too: the time in its key is the app's clock, a manifest's
/// is the server's, and S3 refuses requests signed more than 15 minutes
/// off its own clock, so no two clocks that synced differ by more. Applying
/// one the snapshot has already writes the same record.
const CLOCK_SLACK_MS: i64 = 15 * 60 * 1000;

/// What `recover` did.
#[derive(Debug, Clone)]
pub struct RecoverReport {
    pub library: PathBuf,
    /// The snapshot the catalog came from; `None`: rebuilt from manifests
    /// alone.
    pub snapshot: Option<SnapshotInfo>,
    /// Assets in the recovered catalog.
    pub assets: u64,
    /// Manifests applied (written after the snapshot, or all of them).
    pub manifests_applied: u64,
    /// Of those, assets the snapshot did not have.
    pub assets_from_manifests: u64,
    /// Manifests that could not be read or used: key and why.
    pub manifests_unreadable: Vec<(String, String)>,
    /// Originals the catalog or a manifest names that the target lacks
    /// (listed, never invented).
    pub originals_missing: Vec<String>,
    /// Proxies fetched and checked.
    pub proxies_fetched: u64,
    /// Proxies the catalog lists as stored that the target lacked or
    /// that did not match (listed, never invented).
    pub proxies_missing: Vec<String>,
    /// Originals the catalog lists as stored in the target (`trove restore`
    /// brings them back).
    pub originals_in_target: u64,
}

impl Library {
    /// Builds a library in `dir` (which must not hold one, unless it is a
    /// recovery from the same target that stopped halfway) from the target
    /// alone, and opens it for writing.
    pub fn recover(
        dir: &Path,
        req: &RecoverRequest,
        credentials: &CredentialSource,
        opts: OpenOptions,
    ) -> Result<(Library, RecoverReport)> {
        let catalog_path = dir.join(CATALOG_FILE);
        let resuming = catalog_path.exists();
        if resuming && recovering_from(&catalog_path).as_deref() != Some(req.target.url.as_str()) {
            return Err(CoreError::LibraryExists { path: dir.to_owned() });
        }
        let rt = runtime(2)?;
        let target = TargetRecord {
            id: 0,
            settings: req.target.clone(),
            created_at: 0,
        };
        let store = rt.block_on(Library::open_store(&target, credentials, req.request_timeout))?;
        rt.block_on(store.check())?;
        let snapshots = rt.block_on(list_snapshots(&store))?;
        let chosen = snapshots
            .iter()
            .rev()
            .find(|s| !req.manifests_only && req.at_ms.is_none_or(|at| s.at_ms <= at))
            .cloned();
        let since = chosen.as_ref().map(|s| s.at_ms - CLOCK_SLACK_MS);
        let listed: Vec<_> = rt
            .block_on(list_all(&store, "manifests/"))?
            .into_iter()
            .filter(|o| is_manifest_key(&o.key))
            .filter(|o| match (o.last_modified_ms, req.at_ms) {
                (Some(t), Some(at)) => t <= at,
                _ => true,
            })
            .collect();
        if chosen.is_none() && listed.is_empty() {
            return Err(CoreError::NoSnapshot {
                target: req.target.url.clone(),
                found: snapshots.len(),
            });
        }
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| CoreError::io("create folder", &tmp, e))?;
        if !resuming {
            // The catalog is made (or fetched) beside, marked as being
            // recovered, and only then moved into place: a recovery killed
            // at any point either left no catalog or one it resumes.
            let partial = tmp.join(format!("recover-{}.db", uuid::Uuid::new_v4()));
            let made = match &chosen {
                Some(snapshot) => rt.block_on(fetch_snapshot(&store, snapshot, &tmp, &partial)),
                None => Ok(()),
            }
            .and_then(|()| {
                Catalog::open(&partial)?.set_setting(RECOVERING, &req.target.url)?;
                std::fs::rename(&partial, &catalog_path)
                    .map_err(|e| CoreError::io("place the catalog", &catalog_path, e))
            });
            if made.is_err() {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
                }
            }
            made?;
        }
        let lib = Library::open(dir, OpenOptions { create: true, ..opts })?;
        if lib.target().is_err() {
            lib.set_target(&req.target)?;
        }
        // The manifests to apply: those the catalog does not hold as they
        // are stored (the ETag of a manifest, sent in one part, is its MD5,
        // which the catalog recorded when it sent it, or when a recovery
        // applied it); where either is unknown (a server whose ETags are
        // not MD5s, a folder target), those the target dated after the
        // snapshot.
        let known = lib.manifest_md5s()?;
        let manifests: Vec<_> = listed
            .into_iter()
            .filter(|o| match (o.etag_md5(), known.get(&o.key)) {
                (Some(stored), Some(recorded)) => stored != *recorded,
                _ => match (since, o.last_modified_ms) {
                    (Some(s), Some(t)) => t > s,
                    _ => true,
                },
            })
            .collect();
        let stored = rt.block_on(stored_sizes(&store))?;
        let applied = rt.block_on(lib.apply_manifests(&store, &manifests, &stored, &req.folders_in))?;
        let mut report = RecoverReport {
            library: lib.dir().to_owned(),
            snapshot: chosen,
            assets: 0,
            manifests_applied: applied.new + applied.updated,
            assets_from_manifests: applied.new,
            manifests_unreadable: applied.unreadable,
            originals_missing: applied.originals_missing,
            proxies_fetched: 0,
            proxies_missing: Vec::new(),
            originals_in_target: 0,
        };
        rt.block_on(lib.fetch_stored(&store, &stored, req.proxies, &mut report))?;
        report.assets = lib.catalog().counts()?.assets;
        let detail = match &report.snapshot {
            Some(_) => format!(
                "library recovered from this catalog snapshot and {} newer manifest(s)",
                report.manifests_applied
            ),
            None => format!(
                "library recovered from {} manifest(s) (no catalog snapshot{})",
                report.manifests_applied,
                if snapshots.is_empty() {
                    ""
                } else {
                    " at or before the time asked"
                }
            ),
        };
        lib.audit_target(&trove_catalog::NewAudit {
            event: trove_catalog::AuditEvent::Recovery,
            success: report.originals_missing.is_empty() && report.manifests_unreadable.is_empty(),
            target: Some(&req.target.url),
            key: report.snapshot.as_ref().map(|s| s.key.as_str()),
            asset: None,
            md5: None,
            blake3: None,
            size: report.snapshot.as_ref().map(|s| s.size),
            detail: Some(&detail),
            trigger: "recover",
        })?;
        lib.catalog().set_setting(RECOVERING, "")?;
        tracing::info!(
            snapshot = ?report.snapshot.as_ref().map(|s| &s.key),
            manifests = report.manifests_applied,
            assets = report.assets,
            proxies = report.proxies_fetched,
            missing = report.proxies_missing.len() + report.originals_missing.len(),
            "library recovered"
        );
        Ok((lib, report))
    }

    /// Fetches the proxies the catalog lists as stored in its target, each
    /// checked against the MD5 recorded when it was sent; counts the
    /// originals stored.
    async fn fetch_stored(
        &self,
        store: &trove_store::AnyStore,
        stored: &std::collections::HashMap<String, u64>,
        which: RecoverProxies,
        report: &mut RecoverReport,
    ) -> Result<()> {
        let Ok(target) = self.target() else {
            return Ok(());
        };
        let mut after = 0;
        loop {
            let page = self
                .catalog()
                .sync_objects(target.id, Some(ObjectState::Verified), after, 500)?;
            let Some(last) = page.last() else {
                return Ok(());
            };
            after = last.id;
            for obj in page {
                match obj.role {
                    ObjectRole::Original => {
                        if stored.get(&obj.key) == Some(&obj.size) {
                            report.originals_in_target += 1;
                        } else {
                            // Not synced after all: restore lists it as
                            // such, and a sync sends it again once the file
                            // is back (a repair in the trail).
                            let mut cat = self.catalog();
                            let mut b = cat.batch(self.now_ms())?;
                            b.mark_sync_pending(
                                obj.id,
                                "reconcile_missing: not in the target when the library was recovered",
                            )?;
                            b.commit()?;
                            if !report.originals_missing.contains(&obj.key) {
                                report.originals_missing.push(obj.key.clone());
                            }
                        }
                    }
                    ObjectRole::Proxy => {
                        let (Some(asset), Some(variant)) = (obj.asset_row, obj.variant.as_deref()) else {
                            continue;
                        };
                        let wanted = match which {
                            RecoverProxies::None => false,
                            RecoverProxies::Thumbnails => variant.starts_with("thumb"),
                            RecoverProxies::All => true,
                        };
                        if !wanted {
                            continue;
                        }
                        let derivatives = self.catalog().derivatives(asset)?;
                        let Some(d) = derivatives.iter().find(|d| d.variant == variant) else {
                            continue;
                        };
                        let Some(dest) = self.proxy_dest(d) else {
                            report.proxies_missing.push(obj.key.clone());
                            continue;
                        };
                        if std::fs::metadata(&dest).is_ok_and(|m| m.len() == d.size) {
                            // Fetched by a recovery that stopped halfway.
                            report.proxies_fetched += 1;
                            continue;
                        }
                        if stored.get(&obj.key) != Some(&obj.size) {
                            report.proxies_missing.push(obj.key.clone());
                            continue;
                        }
                        match self.fetch_checked(store, &obj.key, obj.md5, &dest).await {
                            Ok(()) => report.proxies_fetched += 1,
                            Err(e) => {
                                tracing::warn!(key = %obj.key, error = %e, "proxy not recovered");
                                report.proxies_missing.push(obj.key.clone());
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
    }

    /// Downloads `key` to `dest` through a temporary file beside it,
    /// checking its MD5 when one was recorded.
    pub(super) async fn fetch_checked(
        &self,
        store: &trove_store::AnyStore,
        key: &str,
        md5: Option<[u8; 16]>,
        dest: &Path,
    ) -> Result<()> {
        let parent = dest.parent().unwrap_or(self.dir());
        std::fs::create_dir_all(parent).map_err(|e| CoreError::io("create folder", parent, e))?;
        let tmp = parent.join(format!(".recover-{}", uuid::Uuid::new_v4()));
        let fetched = store.get_to_file(key, &tmp).await;
        let result = fetched.map_err(CoreError::from).and_then(|f| match md5 {
            Some(want) if want != f.md5 => Err(CoreError::Damaged {
                key: key.to_owned(),
                detail: "its MD5 differs from the one recorded when it was sent".into(),
            }),
            _ => std::fs::rename(&tmp, dest).map_err(|e| CoreError::io("place the proxy", dest, e)),
        });
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

/// The target a catalog is being recovered from, if a recovery into it
/// stopped halfway.
/// Where a recovery for the library in `dir` is built before it takes the
/// library's place (the desktop recovers while its library is open):
/// `<dir>.recovered`, beside it, so the swap is a rename on one disk.
pub fn recovery_staging_dir(dir: &Path) -> PathBuf {
    let mut name = dir
        .file_name()
        .map(std::ffi::OsString::from)
        .unwrap_or_else(|| "trove".into());
    name.push(".recovered");
    dir.with_file_name(name)
}

/// Whether a finished recovery waits in [`recovery_staging_dir`] for the
/// library in `dir` (it takes that library's place at the next start).
pub fn recovery_waiting(dir: &Path) -> bool {
    let staged = recovery_staging_dir(dir).join(CATALOG_FILE);
    staged.exists() && recovering_from(&staged).is_none()
}

/// What [`adopt_recovered`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Adopted {
    /// No finished recovery waits beside the library.
    Nothing,
    /// The recovered library is now in place; the empty one it replaced
    /// was moved here (`None`: there was none).
    Swapped { replaced: Option<PathBuf> },
    /// A finished recovery waits, but the library in place is no longer
    /// empty (folders, assets or a target were added meanwhile): both are
    /// left as they are.
    Kept { staged: PathBuf },
}

/// Run before the library in `dir` is opened (the desktop's start): when a
/// finished recovery waits in [`recovery_staging_dir`] and the library in
/// `dir` is empty (no folders, no assets, no target) or absent, the
/// recovered library takes its place; the empty one moves aside to
/// `<dir>.replaced-<unix ms>`, never deleted. The library's lock is held
/// throughout, so no other Trove process has it open.
pub fn adopt_recovered(dir: &Path) -> Result<Adopted> {
    let staged = recovery_staging_dir(dir);
    let staged_catalog = staged.join(CATALOG_FILE);
    if !recovery_waiting(dir) {
        return Ok(Adopted::Nothing);
    }
    // Its own check: a recovery killed before its catalog was placed left
    // no catalog; one placed is whole (SQLite's integrity check ran on the
    // snapshot), so opening it read-only is enough here.
    Catalog::open_read_only(&staged_catalog)?;
    if !dir.join(CATALOG_FILE).exists() {
        if dir.exists() {
            let aside = aside_name(dir);
            std::fs::rename(dir, &aside).map_err(|e| CoreError::io("move the empty library aside", dir, e))?;
            std::fs::rename(&staged, dir).map_err(|e| CoreError::io("put the recovered library in place", dir, e))?;
            return Ok(Adopted::Swapped { replaced: Some(aside) });
        }
        std::fs::rename(&staged, dir).map_err(|e| CoreError::io("put the recovered library in place", dir, e))?;
        return Ok(Adopted::Swapped { replaced: None });
    }
    let _lock = crate::library::take_lock(dir)?;
    let current = Catalog::open_read_only(&dir.join(CATALOG_FILE))?;
    let empty = current.all_roots()?.is_empty() && current.counts()?.assets == 0 && current.target()?.is_none();
    drop(current);
    if !empty {
        tracing::warn!(
            library = %dir.display(),
            recovered = %staged.display(),
            "a recovered library waits beside a library that is no longer empty; both kept"
        );
        return Ok(Adopted::Kept { staged });
    }
    let aside = aside_name(dir);
    // The lock file's descriptor stays valid across the rename (flock is
    // on the file, not its name).
    std::fs::rename(dir, &aside).map_err(|e| CoreError::io("move the empty library aside", dir, e))?;
    if let Err(e) = std::fs::rename(&staged, dir) {
        // Put the empty one back: the person finds what they had.
        let _ = std::fs::rename(&aside, dir);
        return Err(CoreError::io("put the recovered library in place", dir, e));
    }
    tracing::info!(library = %dir.display(), replaced = %aside.display(), "the recovered library is in place");
    Ok(Adopted::Swapped { replaced: Some(aside) })
}

/// `<dir>.replaced-<unix ms>`.
fn aside_name(dir: &Path) -> PathBuf {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut name = dir
        .file_name()
        .map(std::ffi::OsString::from)
        .unwrap_or_else(|| "trove".into());
    name.push(format!(".replaced-{ms}"));
    dir.with_file_name(name)
}

fn recovering_from(catalog: &Path) -> Option<String> {
    Catalog::open_read_only(catalog)
        .ok()?
        .setting(RECOVERING)
        .ok()
        .flatten()
        .filter(|s| !s.is_empty())
}

/// Fetches a snapshot into `dest` and checks it whole.
async fn fetch_snapshot(store: &trove_store::AnyStore, chosen: &SnapshotInfo, tmp: &Path, dest: &Path) -> Result<()> {
    let zst = tmp.join(format!("recover-{}.db.zst", uuid::Uuid::new_v4()));
    let fetched = store.get_to_file(&chosen.key, &zst).await;
    let result = fetched.map_err(CoreError::from).and_then(|f| {
        if f.size != chosen.size {
            return Err(CoreError::Damaged {
                key: chosen.key.clone(),
                detail: format!("{} bytes read, {} listed", f.size, chosen.size),
            });
        }
        decompress(&zst, dest, &chosen.key)?;
        Ok(trove_catalog::check_file(dest)?)
    });
    let _ = std::fs::remove_file(&zst);
    result
}
