//! Restore: originals come back from the target, verified against the
//! catalog's BLAKE3 before they are renamed into place. An existing file is
//! never overwritten.

use std::path::{Path, PathBuf};
use std::time::Duration;

use trove_catalog::{ObjectRole, ObjectState};
use trove_store::ObjectStore;

use super::{CredentialSource, runtime};
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
}

impl Library {
    /// Downloads the originals of an asset (by id or path) or of every asset
    /// under a root (by path or id) into `to` (keeping paths relative to the
    /// root), or, without `to`, back to where their files were. Every file
    /// is checked against the catalog's BLAKE3 before it appears.
    pub fn restore(&self, credentials: &CredentialSource, query: &str, to: Option<&Path>) -> Result<RestoreReport> {
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
            let place = |f: &trove_catalog::FileRecord| -> PathBuf {
                let root = roots.iter().find(|r| r.id == f.root_id);
                root.map(|r| r.path.join(&f.rel_path))
                    .unwrap_or_else(|| f.rel_path.clone())
            };
            if let Some(detail) = detail {
                let file = detail.files.first().ok_or_else(|| CoreError::AssetNotFound {
                    query: query.to_owned(),
                })?;
                let name = file.record.rel_path.file_name().map(PathBuf::from).unwrap_or_default();
                wanted.push((detail.asset.row_id, name, place(&file.record)));
            } else if let Some(root) = root {
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
        let mut report = RestoreReport::default();
        for (row, relative, original_place) in wanted {
            let (asset, object) = {
                let cat = self.catalog();
                let asset = cat.asset_by_row(row)?;
                let object = cat
                    .sync_objects_of_asset(target.id, row)?
                    .into_iter()
                    .find(|o| o.role == ObjectRole::Original && o.state == ObjectState::Verified);
                (asset, object)
            };
            let Some(object) = object else {
                report.not_synced.push(asset.id.to_string());
                continue;
            };
            let dest = match to {
                Some(dir) => dir.join(&relative),
                None => original_place,
            };
            if dest.exists() {
                if same_content(&dest, &asset.blake3.0)? {
                    report.already_there += 1;
                    continue;
                }
                return Err(CoreError::RestoreConflict { path: dest });
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
            let fetched = match rt.block_on(store.get_to_file(&object.key, &tmp)) {
                Ok(f) => f,
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
            match crate::fsmeta::place_no_replace(&tmp, &dest) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(CoreError::RestoreConflict { path: dest });
                }
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    return Err(CoreError::io("move into place", &dest, e));
                }
            }
            self.audit_target(&trove_catalog::NewAudit {
                event: trove_catalog::AuditEvent::Restore,
                success: true,
                target: Some(&target.settings.url),
                key: Some(&object.key),
                asset: Some(&asset.id.to_string()),
                md5: Some(fetched.md5),
                blake3: Some(fetched.blake3),
                size: Some(fetched.size),
                detail: Some(&format!("restored to {}", dest.display())),
                trigger: "restore",
            })?;
            report.bytes += fetched.size;
            report.restored.push(dest);
        }
        Ok(report)
    }
}

fn same_content(path: &Path, blake3: &[u8; 32]) -> Result<bool> {
    let mut hasher = blake3::Hasher::new();
    let mut file = std::fs::File::open(path).map_err(|e| CoreError::io("read", path, e))?;
    std::io::copy(&mut file, &mut hasher).map_err(|e| CoreError::io("read", path, e))?;
    Ok(hasher.finalize().as_bytes() == blake3)
}
