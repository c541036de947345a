//! Recovery from the manifests in the target: each asset's record rebuilt
//! from `manifests/<b3>/<blake3>.json`, on an empty catalog (no snapshot in
//! the bucket) or on top of a snapshot (the manifests written after it).
//! Every object a rebuilt record names is looked up in one listing of the
//! target: what is there counts as synced, what is not is listed, never
//! invented.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use trove_catalog::{
    AssetContent, Batch, Derivative, ObjectRole, RecoveredAs, RecoveredAsset, RecoveredFile, Root, RootId,
};
use trove_store::{AnyStore, ObjectInfo, ObjectStore};
use trove_types::{AssetId, AssetKind, CaptureTime, ContentHash};

use super::manifest::{StoredManifest, StoredRoot, parse_manifest};
use super::{asset_plan, proxy_key};
use crate::error::Result;
use crate::library::Library;

/// A manifest is a few KiB (tens with many raw tags); anything this large
/// is not one and is not read.
const MAX_MANIFEST_BYTES: u64 = 8 << 20;
/// Manifests fetched at once.
const FETCH_AT_ONCE: usize = 32;
/// Manifests written per catalog transaction.
const PER_BATCH: usize = 500;

/// Every object under `prefix`.
pub(crate) async fn list_all(store: &AnyStore, prefix: &str) -> Result<Vec<ObjectInfo>> {
    let mut out = Vec::new();
    let mut next = None;
    loop {
        let page = store.list(prefix, next).await?;
        out.extend(page.objects);
        match page.next {
            Some(n) => next = Some(n),
            None => return Ok(out),
        }
    }
}

/// The sizes of the originals and proxies the target holds, by key.
pub(crate) async fn stored_sizes(store: &AnyStore) -> Result<HashMap<String, u64>> {
    let mut out = HashMap::new();
    for prefix in ["originals/", "proxies/"] {
        out.extend(list_all(store, prefix).await?.into_iter().map(|o| (o.key, o.size)));
    }
    Ok(out)
}

/// The manifests in the target: `manifests/<2 hex>/<64 hex>.json`.
pub(crate) fn is_manifest_key(key: &str) -> bool {
    let Some(rest) = key.strip_prefix("manifests/") else {
        return false;
    };
    let Some((dir, name)) = rest.split_once('/') else {
        return false;
    };
    let Some(hex) = name.strip_suffix(".json") else {
        return false;
    };
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) && hex.starts_with(dir)
}

/// What applying manifests did.
#[derive(Debug, Clone, Default)]
pub(crate) struct Applied {
    /// Assets the catalog did not know.
    pub new: u64,
    /// Assets it knew (from an older snapshot) now as their manifest says.
    pub updated: u64,
    /// Manifests that could not be read or used: key, why.
    pub unreadable: Vec<(String, String)>,
    /// Originals a manifest names that the target lacks (or holds with
    /// another size).
    pub originals_missing: Vec<String>,
}

/// The folders recovered assets live in, matched to the catalog's when it
/// has them (a snapshot: the same ids, the same names) and made under
/// `base` when it does not. The folders a recovery made are remembered
/// (the setting [`MADE_FOLDERS`], written with them), so that a resumed
/// recovery finds them by what the manifests say, never by their own ids,
/// which may be another stored folder's.
struct Folders<'a> {
    base: &'a Path,
    /// The catalog's folders that this recovery did not make.
    known: Vec<Root>,
    /// Every folder path in the catalog (a new one must not take one).
    paths: Vec<PathBuf>,
    made: HashMap<StoredRoot, RootId>,
}

/// The setting that lists the folders a recovery made: JSON pairs of the
/// manifests' folder and the catalog's id.
const MADE_FOLDERS: &str = "recovery.made_folders";

impl<'a> Folders<'a> {
    fn new(lib: &Library, base: &'a Path) -> Result<Folders<'a>> {
        let cat = lib.catalog();
        let made: Vec<(StoredRoot, RootId)> = cat
            .setting(MADE_FOLDERS)?
            .and_then(|s| serde_json::from_str(&s).ok())
            .unwrap_or_default();
        let roots = cat.all_roots()?;
        Ok(Folders {
            base,
            paths: roots.iter().map(|r| r.path.clone()).collect(),
            known: roots
                .into_iter()
                .filter(|r| !made.iter().any(|(_, id)| *id == r.id))
                .collect(),
            made: made.into_iter().collect(),
        })
    }

    fn root_for(&mut self, b: &mut Batch<'_>, stored: &StoredRoot) -> Result<RootId> {
        if let Some(id) = self.made.get(stored) {
            return Ok(*id);
        }
        let name = stored.name();
        let same = |r: &&Root| match stored {
            StoredRoot::Named { id, .. } => {
                r.id == *id && r.path.file_name().map(|n| n.to_string_lossy().into_owned()) == name
            }
            StoredRoot::Path(p) => r.path == Path::new(p),
        };
        if let Some(r) = self.known.iter().find(same) {
            self.made.insert(stored.clone(), r.id);
            return Ok(r.id);
        }
        // A plain name: never a path that climbs out of `base`.
        let clean = name
            .filter(|n| !n.is_empty() && n != "." && n != ".." && !n.contains(['/', '\\', '\0']))
            .unwrap_or_else(|| match stored {
                StoredRoot::Named { id, .. } => format!("folder-{id}"),
                StoredRoot::Path(_) => "folder".to_owned(),
            });
        let mut path = self.base.join(&clean);
        let mut n = 2;
        while self.paths.contains(&path) {
            path = self.base.join(format!("{clean} ({n})"));
            n += 1;
        }
        // Online, as a snapshot's folders are: the next scan of a folder
        // that is not there (yet) marks it offline, and its files stay.
        let (root, _) = b.add_root(&path, None, false)?;
        self.paths.push(path);
        self.made.insert(stored.clone(), root.id);
        let pairs: Vec<(&StoredRoot, &RootId)> = self.made.iter().collect();
        b.set_setting(MADE_FOLDERS, &serde_json::to_string(&pairs).unwrap_or_default())?;
        Ok(root.id)
    }
}

/// A relative path with plain parts only: restore writes originals to
/// `folder/path`, so a manifest must not name a place outside its folder.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let p = PathBuf::from(path);
    (!path.is_empty() && p.components().all(|c| matches!(c, Component::Normal(_)))).then_some(p)
}

/// A proxy variant or format as a file name part.
fn safe_part(s: &str) -> bool {
    !s.is_empty() && s.len() <= 32 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"@_-".contains(&b))
}

fn hex_bytes<const N: usize>(s: &str) -> Option<[u8; N]> {
    hex::decode(s).ok()?.try_into().ok()
}

/// The record a manifest describes, its files' folders resolved.
fn recovered_asset(
    m: &StoredManifest,
    b: &mut Batch<'_>,
    folders: &mut Folders<'_>,
    now: i64,
) -> std::result::Result<RecoveredAsset, String> {
    let blake3 = ContentHash(hex_bytes::<32>(&m.blake3).ok_or("its BLAKE3 is not 64 hex digits")?);
    let md5 = match &m.md5 {
        Some(s) => Some(hex_bytes::<16>(s).ok_or_else(|| format!("its MD5 {s:?} is not 32 hex digits"))?),
        None => None,
    };
    let kind: AssetKind = m.kind.parse().map_err(|_| format!("unknown kind {:?}", m.kind))?;
    let mut files = Vec::new();
    for f in &m.files {
        let Some(root) = &f.root else {
            continue;
        };
        let rel_path =
            safe_relative(&f.path).ok_or_else(|| format!("the path {:?} is not inside its folder", f.path))?;
        let root = folders.root_for(b, root).map_err(|e| e.to_string())?;
        files.push(RecoveredFile {
            root,
            rel_path,
            size: f.size,
            mtime_ns: f.mtime_ns,
            present: f.present,
        });
    }
    let hex = &m.blake3.to_ascii_lowercase();
    let derivatives = m
        .proxies
        .iter()
        .filter(|p| safe_part(&p.variant) && safe_part(&p.format) && p.key == proxy_key(hex, &p.variant, &p.format))
        .map(|p| Derivative {
            variant: p.variant.clone(),
            path: crate::proxies::proxy_rel_dir(hex)
                .join(format!("{}.{}", p.variant, p.format))
                .to_string_lossy()
                .into_owned(),
            size: p.size,
            width: p.width,
            height: p.height,
            format: p.format.clone(),
            generator: p.generator,
            source_blake3: blake3,
            created_at: now,
        })
        .collect();
    Ok(RecoveredAsset {
        id: m.id.parse::<AssetId>().unwrap_or_else(|_| AssetId::new_random()),
        content: AssetContent {
            blake3,
            md5,
            size: m.size,
            kind,
            mime: m.mime.clone(),
            capture: m.capture.as_ref().map(|c| CaptureTime {
                unix_ms: c.unix_ms,
                offset_minutes: c.offset_minutes,
                source: c.source,
            }),
            width: m.width,
            height: m.height,
            duration_ms: m.duration_ms,
            metadata: m.metadata.clone(),
        },
        files,
        curation: m.curation.clone(),
        derivatives,
    })
}

/// A manifest's bytes and hashes, or why it could not be read.
type Fetched = std::result::Result<(Vec<u8>, trove_store::Fetched), String>;

/// Reads `objects` (manifests), [`FETCH_AT_ONCE`] at a time, in the order
/// given.
async fn fetch_manifests(store: &AnyStore, objects: &[ObjectInfo]) -> Vec<(String, Fetched)> {
    let sem = std::sync::Arc::new(tokio::sync::Semaphore::new(FETCH_AT_ONCE));
    let mut set = tokio::task::JoinSet::new();
    for (i, o) in objects.iter().enumerate() {
        let (store, sem, key, size) = (store.clone(), sem.clone(), o.key.clone(), o.size);
        set.spawn(async move {
            let _permit = sem.acquire_owned().await;
            let got = if size > MAX_MANIFEST_BYTES {
                Err(format!("{size} bytes: too large for a manifest"))
            } else {
                store
                    .get_bytes(&key, MAX_MANIFEST_BYTES)
                    .await
                    .map_err(|e| e.to_string())
            };
            (i, got)
        });
    }
    let mut out: Vec<(String, Fetched)> = objects
        .iter()
        .map(|o| (o.key.clone(), Err("its download stopped unexpectedly".to_owned())))
        .collect();
    while let Some(done) = set.join_next().await {
        if let Ok((i, got)) = done {
            out[i].1 = got;
        }
    }
    out
}

impl Library {
    /// The MD5 the catalog recorded for each manifest it holds as stored
    /// in its target, by key.
    pub(crate) fn manifest_md5s(&self) -> Result<HashMap<String, [u8; 16]>> {
        let target = self.target()?;
        let mut out = HashMap::new();
        let mut after = 0;
        loop {
            let page =
                self.catalog()
                    .sync_objects(target.id, Some(trove_catalog::ObjectState::Verified), after, 5000)?;
            let Some(last) = page.last() else {
                return Ok(out);
            };
            after = last.id;
            out.extend(
                page.into_iter()
                    .filter(|o| o.role == ObjectRole::Manifest)
                    .filter_map(|o| Some((o.key, o.md5?))),
            );
        }
    }

    /// Reads the manifests `keys` from the target and writes the records
    /// they describe; the objects each names are marked synced when
    /// `stored` (the target's listing) holds them with the right size.
    pub(crate) async fn apply_manifests(
        &self,
        store: &AnyStore,
        keys: &[ObjectInfo],
        stored: &HashMap<String, u64>,
        folders_in: &Path,
    ) -> Result<Applied> {
        let target = self.target()?;
        let mut applied = Applied::default();
        let mut folders = Folders::new(self, folders_in)?;
        for chunk in keys.chunks(PER_BATCH) {
            let fetched = fetch_manifests(store, chunk).await;
            let now = self.now_ms();
            // key, row, the stored manifest's hashes (to tell whether the
            // one the catalog would write now is the stored one).
            let mut written: Vec<(String, i64, trove_store::Fetched)> = Vec::new();
            {
                let mut cat = self.catalog();
                let mut b = cat.batch(now)?;
                for (key, got) in fetched {
                    let parsed = got.and_then(|(bytes, hash)| parse_manifest(&bytes).map(|m| (m, hash)));
                    let (m, hash) = match parsed {
                        Ok(x) => x,
                        Err(why) => {
                            tracing::warn!(%key, %why, "manifest not recovered");
                            applied.unreadable.push((key, why));
                            continue;
                        }
                    };
                    let asset = match recovered_asset(&m, &mut b, &mut folders, now) {
                        Ok(a) => a,
                        Err(why) => {
                            tracing::warn!(%key, %why, "manifest not recovered");
                            applied.unreadable.push((key, why));
                            continue;
                        }
                    };
                    match b.recover_asset(&asset)? {
                        RecoveredAs::New(row) => {
                            applied.new += 1;
                            written.push((key, row, hash));
                        }
                        RecoveredAs::Updated(row) => {
                            applied.updated += 1;
                            written.push((key, row, hash));
                        }
                    }
                }
                b.commit()?;
            }
            self.mark_recovered_objects(target.id, &written, stored, &mut applied)?;
        }
        Ok(applied)
    }

    /// Plans the objects of each rebuilt asset as a sync would, and marks
    /// those the target holds as synced; originals it lacks are listed.
    fn mark_recovered_objects(
        &self,
        target: i64,
        written: &[(String, i64, trove_store::Fetched)],
        stored: &HashMap<String, u64>,
        applied: &mut Applied,
    ) -> Result<()> {
        let mut cat = self.catalog();
        let roots = cat.all_roots()?;
        let policies = cat.root_sync_policies()?.into_iter().collect();
        let mut plans = Vec::with_capacity(written.len());
        for (_, row, manifest) in written {
            if let Some(plan) = asset_plan(&cat, *row, &roots, &policies)? {
                plans.push((plan, manifest));
            }
        }
        let mut b = cat.batch(self.now_ms())?;
        for (plan, manifest) in plans {
            let manifest_same = *blake3::hash(&plan.manifest).as_bytes() == manifest.blake3;
            for o in &plan.objects {
                b.plan_sync_object(target, o)?;
                let found = match o.role {
                    ObjectRole::Manifest => manifest_same,
                    _ => stored.get(&o.key) == Some(&o.size),
                };
                if o.role == ObjectRole::Original && !found {
                    applied.originals_missing.push(o.key.clone());
                }
                // A snapshot's verified object keeps its record (and the
                // time of its last fixity check).
                if found && let Some((id, false)) = b.sync_object_state(target, &o.key)? {
                    let md5 = match o.role {
                        ObjectRole::Manifest => Some(manifest.md5),
                        _ => o.md5,
                    };
                    b.mark_sync_found(id, o.size, md5)?;
                }
            }
        }
        b.commit()?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_keys_and_paths_are_checked() {
        let hex = "ab".repeat(32);
        assert!(is_manifest_key(&format!("manifests/ab/{hex}.json")));
        assert!(!is_manifest_key(&format!("manifests/cd/{hex}.json")));
        assert!(!is_manifest_key("manifests/ab/x.json"));
        assert!(!is_manifest_key(&format!("catalog/ab/{hex}.json")));
        assert_eq!(safe_relative("trip/a.jpg"), Some(PathBuf::from("trip/a.jpg")));
        for bad in ["", "/etc/passwd", "../a.jpg", "trip/../../a.jpg", "./a.jpg"] {
            assert_eq!(safe_relative(bad), None, "{bad}");
        }
        assert!(safe_part("thumb@2x") && safe_part("webp"));
        assert!(!safe_part("../x") && !safe_part("") && !safe_part("a/b"));
    }
}
