//! Proxies fetched on demand: a library recovered without its proxies (or
//! with only the thumbnails) fetches the others from its target the first
//! time they are shown, each checked against what the catalog recorded
//! when it was sent. Only proxies the catalog lists as stored and verified
//! there are fetched; nothing is invented.

use std::time::Duration;

use trove_catalog::{ObjectRole, ObjectState};
use trove_types::AssetId;

use super::{CredentialSource, runtime};
use crate::error::{CoreError, Result};
use crate::library::Library;

/// What one fetch did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchReport {
    /// Proxies fetched and checked.
    pub fetched: u64,
    /// Proxies the target should hold but did not give back whole (key,
    /// why); the asset shows its placeholder.
    pub failed: Vec<(String, String)>,
}

impl Library {
    /// Whether this proxy of the asset is missing here but stored in the
    /// target (verified): what a front end asks before it queues a fetch.
    /// No network.
    pub fn proxy_stored_elsewhere(&self, asset: AssetId, variant: &str) -> Result<bool> {
        let Ok(target) = self.target() else {
            return Ok(false);
        };
        let cat = self.catalog();
        let row = match cat.asset(asset) {
            Ok(a) => a.row_id,
            Err(e) if e.is_not_found() => return Ok(false),
            Err(e) => return Err(e.into()),
        };
        let Some(d) = cat.derivatives(row)?.into_iter().find(|d| d.variant == variant) else {
            return Ok(false);
        };
        let Some(dest) = self.proxy_dest(&d) else {
            return Ok(false);
        };
        if std::fs::metadata(dest).is_ok_and(|m| m.len() == d.size) {
            return Ok(false);
        }
        Ok(cat.sync_objects_of_asset(target.id, row)?.iter().any(|o| {
            o.role == ObjectRole::Proxy && o.state == ObjectState::Verified && o.variant.as_deref() == Some(variant)
        }))
    }

    /// Fetches from the target the proxies of `assets` (of `variants`; all
    /// when empty) that the catalog lists as stored there and the library
    /// lacks, each checked against its recorded MD5 and size.
    pub fn fetch_missing_proxies(
        &self,
        credentials: &CredentialSource,
        assets: &[AssetId],
        variants: &[&str],
    ) -> Result<FetchReport> {
        self.require_writer("fetching proxies")?;
        let target = self.target()?;
        // (key, MD5, size, destination)
        let mut wanted = Vec::new();
        {
            let cat = self.catalog();
            for id in assets {
                let row = match cat.asset(*id) {
                    Ok(a) => a.row_id,
                    Err(e) if e.is_not_found() => continue,
                    Err(e) => return Err(e.into()),
                };
                let derivatives = cat.derivatives(row)?;
                for o in cat.sync_objects_of_asset(target.id, row)? {
                    let Some(variant) = o.variant.as_deref() else { continue };
                    if o.role != ObjectRole::Proxy
                        || o.state != ObjectState::Verified
                        || !(variants.is_empty() || variants.contains(&variant))
                    {
                        continue;
                    }
                    let Some(d) = derivatives.iter().find(|d| d.variant == variant) else {
                        continue;
                    };
                    let Some(dest) = self.proxy_dest(d) else { continue };
                    if std::fs::metadata(&dest).is_ok_and(|m| m.len() == d.size) {
                        continue;
                    }
                    wanted.push((o.key, o.md5, o.size, dest));
                }
            }
        }
        let mut report = FetchReport::default();
        if wanted.is_empty() {
            return Ok(report);
        }
        let rt = runtime(2)?;
        let store = rt.block_on(Library::open_store(&target, credentials, Duration::from_secs(60)))?;
        for (key, md5, size, dest) in wanted {
            match rt.block_on(self.fetch_checked(&store, &key, md5, &dest)) {
                Ok(()) if std::fs::metadata(&dest).is_ok_and(|m| m.len() == size) => report.fetched += 1,
                Ok(()) => {
                    let _ = std::fs::remove_file(&dest);
                    report
                        .failed
                        .push((key, "its size differs from the one recorded".into()));
                }
                Err(e @ CoreError::Store(_)) if is_fatal(&e) => return Err(e),
                Err(e) => report.failed.push((key, e.to_string())),
            }
        }
        Ok(report)
    }
}

impl Library {
    /// Where a fetched proxy goes: its recorded path, if that is a plain
    /// path inside the library's proxy folder (a catalog that came from a
    /// bucket's snapshot is not trusted to name any other place).
    pub(super) fn proxy_dest(&self, d: &trove_catalog::Derivative) -> Option<std::path::PathBuf> {
        let rel = std::path::Path::new(&d.path);
        let plain = rel.components().all(|c| matches!(c, std::path::Component::Normal(_)));
        (plain && rel.starts_with("proxies")).then(|| self.dir().join(rel))
    }
}

/// Errors that would fail every other fetch the same way (keys refused, no
/// bucket): the caller hears them once instead of once per proxy.
fn is_fatal(e: &CoreError) -> bool {
    matches!(e, CoreError::Store(s) if s.stops_everything())
}

#[cfg(test)]
mod tests {
    use crate::library::{Library, OpenOptions};

    /// A recorded proxy path is written to only inside the proxy folder.
    #[test]
    fn proxies_are_fetched_only_into_the_proxy_folder() {
        let tmp = tempfile::tempdir().unwrap();
        let lib = Library::open(tmp.path(), OpenOptions::write().create(true)).unwrap();
        let d = |path: &str| trove_catalog::Derivative {
            variant: "thumb".into(),
            path: path.into(),
            size: 1,
            width: None,
            height: None,
            format: "webp".into(),
            generator: 1,
            source_blake3: trove_types::ContentHash([0; 32]),
            created_at: 0,
        };
        assert_eq!(
            lib.proxy_dest(&d("proxies/ab/x/thumb.webp")),
            Some(lib.dir().join("proxies/ab/x/thumb.webp"))
        );
        for bad in [
            "proxies/../../etc/x",
            "/etc/passwd",
            "catalog.db",
            "tmp/x",
            "./proxies/x",
            "",
        ] {
            assert_eq!(lib.proxy_dest(&d(bad)), None, "{bad}");
        }
    }
}
