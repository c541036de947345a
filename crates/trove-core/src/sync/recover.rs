//! `trove recover`: a library from the bucket alone. The newest catalog
//! snapshot (or the newest taken at or before a chosen time) is fetched,
//! checked (zstd's frame checksum, then SQLite's integrity check) and
//! becomes the new library's catalog; the proxies the snapshot names as
//! stored can be fetched too, so the library browses at once. Originals
//! stay in the bucket until `trove restore` brings them back, verified.

use std::path::{Path, PathBuf};
use std::time::Duration;

use trove_catalog::{ObjectRole, ObjectState, TargetRecord, TargetSettings};
use trove_store::ObjectStore;

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
}

/// What `recover` did.
#[derive(Debug, Clone)]
pub struct RecoverReport {
    pub library: PathBuf,
    /// The snapshot the catalog came from.
    pub snapshot: SnapshotInfo,
    /// Assets in the recovered catalog.
    pub assets: u64,
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
    /// Builds a library in `dir` (which must not hold one) from a
    /// snapshot in the target, and opens it for writing.
    pub fn recover(
        dir: &Path,
        req: &RecoverRequest,
        credentials: &CredentialSource,
        opts: OpenOptions,
    ) -> Result<(Library, RecoverReport)> {
        let catalog_path = dir.join(CATALOG_FILE);
        if catalog_path.exists() {
            return Err(CoreError::LibraryExists { path: dir.to_owned() });
        }
        let tmp = dir.join("tmp");
        std::fs::create_dir_all(&tmp).map_err(|e| CoreError::io("create folder", &tmp, e))?;
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
            .find(|s| req.at_ms.is_none_or(|at| s.at_ms <= at))
            .cloned()
            .ok_or_else(|| CoreError::NoSnapshot {
                target: req.target.url.clone(),
                found: snapshots.len(),
            })?;
        let zst = tmp.join(format!("recover-{}.db.zst", uuid::Uuid::new_v4()));
        let partial = tmp.join(format!("recover-{}.db", uuid::Uuid::new_v4()));
        let fetched = rt.block_on(store.get_to_file(&chosen.key, &zst));
        let result = fetched.map_err(CoreError::from).and_then(|f| {
            if f.size != chosen.size {
                return Err(CoreError::Damaged {
                    key: chosen.key.clone(),
                    detail: format!("{} bytes read, {} listed", f.size, chosen.size),
                });
            }
            decompress(&zst, &partial, &chosen.key)?;
            trove_catalog::check_file(&partial)?;
            std::fs::rename(&partial, &catalog_path).map_err(|e| CoreError::io("place the catalog", &catalog_path, e))
        });
        let _ = std::fs::remove_file(&zst);
        let _ = std::fs::remove_file(&partial);
        result?;
        let lib = Library::open(dir, opts)?;
        lib.audit_target(&trove_catalog::NewAudit {
            event: trove_catalog::AuditEvent::Recovery,
            success: true,
            target: Some(&req.target.url),
            key: Some(&chosen.key),
            asset: None,
            md5: None,
            blake3: None,
            size: Some(chosen.size),
            detail: Some("library recovered from this catalog snapshot"),
            trigger: "recover",
        })?;
        let mut report = RecoverReport {
            library: lib.dir().to_owned(),
            snapshot: chosen,
            assets: lib.catalog().counts()?.assets,
            proxies_fetched: 0,
            proxies_missing: Vec::new(),
            originals_in_target: 0,
        };
        rt.block_on(lib.fetch_stored(&store, req.proxies, &mut report))?;
        tracing::info!(
            snapshot = %report.snapshot.key,
            assets = report.assets,
            proxies = report.proxies_fetched,
            missing = report.proxies_missing.len(),
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
                    ObjectRole::Original => report.originals_in_target += 1,
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
                        let dest = self.dir().join(&d.path);
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
    async fn fetch_checked(
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
