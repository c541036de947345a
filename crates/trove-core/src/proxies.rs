//! Making proxies (thumbnails, previews) of assets as durable jobs.
//!
//! Files are content-addressed under the library:
//! `proxies/<b3[0:2]>/<blake3>/<variant>.jpg`, so renames, moves and
//! duplicates never make them again. Each file is written to
//! `proxies/.tmp/` and renamed into place, and `.tmp/` is emptied when a
//! writer opens the library, so a crash leaves no half-written proxy.

use std::path::{Path, PathBuf};

use trove_catalog::{Derivative, NewJob, event_kind};
use trove_media::{MediaError, ProxySpec};
use trove_types::{AssetId, AssetKind};

use crate::error::{CoreError, Result};
use crate::jobs::{JobFailure, kind};
use crate::library::Library;

/// Version of the proxy generator. Raise it when outputs change: proxies
/// made by an older generator are made again by `trove thumbs`.
pub const PROXY_GENERATOR: u32 = 1;

/// The variants made for images.
const IMAGE_VARIANTS: u32 = 3;

/// Originals larger than this are not read into memory for proxies.
const MAX_ORIGINAL_BYTES: u64 = 1 << 30;

/// Priority of proxy jobs for assets the user is looking at (scans run at
/// 10, background proxies at 0).
const PRIORITY_ON_SCREEN: i32 = 100;

/// Asset kinds that get proxies (video, audio and PDF come next).
pub(crate) const PROXY_KINDS: &[&str] = &["image"];

pub(crate) fn wants_proxies(kind: AssetKind) -> bool {
    PROXY_KINDS.contains(&kind.as_str())
}

/// The job that makes the proxies of one asset.
pub(crate) fn proxy_job(asset: AssetId, priority: i32) -> NewJob {
    NewJob {
        kind: kind::MAKE_PROXIES.into(),
        payload: serde_json::json!({ "asset": asset.to_string() }),
        dedup_key: format!("proxies:{asset}"),
        priority,
        max_attempts: 3,
    }
}

/// Where the proxies of a content live, relative to the library folder.
pub fn proxy_rel_dir(blake3_hex: &str) -> PathBuf {
    PathBuf::from("proxies").join(&blake3_hex[..2]).join(blake3_hex)
}

impl Library {
    pub fn proxies_dir(&self) -> PathBuf {
        self.dir().join("proxies")
    }

    fn proxy_tmp_dir(&self) -> PathBuf {
        self.proxies_dir().join(".tmp")
    }

    /// Removes half-written proxies a crash may have left.
    pub(crate) fn sweep_proxy_temps(&self) -> Result<()> {
        let tmp = self.proxy_tmp_dir();
        match std::fs::remove_dir_all(&tmp) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(CoreError::io("clean up temporary proxies", tmp, e)),
        }
    }

    /// Queues proxy jobs for assets that lack current proxies (or for all
    /// with `force`). Returns how many were queued.
    pub fn enqueue_proxies(&self, force: bool) -> Result<u64> {
        self.require_writer("making thumbnails")?;
        let mut cat = self.catalog();
        let todo = cat.assets_needing_proxies(PROXY_KINDS, IMAGE_VARIANTS, PROXY_GENERATOR, force)?;
        let mut b = cat.batch(self.now_ms())?;
        for (_, uuid) in &todo {
            if let Ok(id) = uuid.parse::<AssetId>() {
                b.enqueue(&proxy_job(id, 0))?;
            }
        }
        b.commit()?;
        drop(cat);
        self.job_signal().notify();
        Ok(todo.len() as u64)
    }

    /// Moves the proxy jobs of these assets (the ones on screen) to the
    /// front of the queue. Returns how many queued jobs were raised.
    pub fn prioritize_proxies(&self, assets: &[AssetId]) -> Result<u64> {
        self.require_writer("prioritizing thumbnails")?;
        let keys: Vec<String> = assets.iter().map(|a| proxy_job(*a, 0).dedup_key).collect();
        let n = self.catalog().prioritize_jobs(&keys, PRIORITY_ON_SCREEN)?;
        self.job_signal().notify();
        Ok(n)
    }

    /// Makes and records the proxies of one asset.
    pub(crate) fn make_proxies(&self, asset: &str) -> std::result::Result<(), JobFailure> {
        let id: AssetId = asset
            .parse()
            .map_err(|_| JobFailure::permanent(format!("bad asset id {asset:?}")))?;
        let (detail, orientation) = {
            let d = self.asset_detail(&id.to_string())?;
            let orientation = d.metadata.as_ref().and_then(|m| m.orientation);
            (d, orientation)
        };
        let a = &detail.asset;
        let Some(file) = detail.files.iter().find(|f| f.record.present && f.path.is_file()) else {
            return Err(JobFailure::permanent(format!(
                "no copy of asset {id} can be read (missing or offline); proxies will be made when it is back"
            )));
        };
        let path = &file.path;
        if a.size > MAX_ORIGINAL_BYTES {
            return self.proxy_failed(
                a.row_id,
                &MediaError::OverMemoryLimit {
                    detail: format!(
                        "the file is {} bytes; Trove makes proxies of originals up to {} bytes",
                        a.size, MAX_ORIGINAL_BYTES
                    ),
                },
                path,
            );
        }
        let bytes =
            std::fs::read(path).map_err(|e| JobFailure::retryable(format!("reading {}: {e}", path.display())))?;
        if blake3::hash(&bytes).as_bytes() != &a.blake3.0 {
            return Err(JobFailure::permanent(format!(
                "{} changed since it was catalogued; the next scan catalogues it and queues its proxies again",
                path.display()
            )));
        }
        let made = match trove_media::image_proxies(&bytes, orientation, &ProxySpec::default()) {
            Ok(m) => m,
            Err(e) => return self.proxy_failed(a.row_id, &e, path),
        };
        drop(bytes);
        let hex = a.blake3.to_hex();
        let rel_dir = proxy_rel_dir(&hex);
        let dir = self.dir().join(&rel_dir);
        std::fs::create_dir_all(&dir)
            .and_then(|_| std::fs::create_dir_all(self.proxy_tmp_dir()))
            .map_err(|e| JobFailure::retryable(format!("creating {}: {e}", dir.display())))?;
        let mut rows = Vec::with_capacity(made.proxies.len());
        for p in &made.proxies {
            let name = format!("{}.jpg", p.variant.name());
            self.write_atomically(&dir.join(&name), &p.jpeg)
                .map_err(|e| JobFailure::retryable(format!("writing a proxy of {}: {e}", path.display())))?;
            rows.push(Derivative {
                variant: p.variant.name().to_owned(),
                path: rel_dir.join(&name).to_string_lossy().into_owned(),
                size: p.jpeg.len() as u64,
                width: Some(p.width),
                height: Some(p.height),
                format: "jpeg".into(),
                generator: PROXY_GENERATOR,
                source_blake3: a.blake3,
                created_at: self.now_ms(),
            });
        }
        let mut cat = self.catalog();
        let mut b = cat.batch(self.now_ms()).map_err(CoreError::from)?;
        for d in &rows {
            b.put_derivative(a.row_id, d).map_err(CoreError::from)?;
        }
        b.set_thumbhash(a.row_id, &made.thumbhash).map_err(CoreError::from)?;
        b.log(event_kind::PROXIES_MADE, Some(a.row_id), None, None, None)
            .map_err(CoreError::from)?;
        b.commit().map_err(CoreError::from)?;
        Ok(())
    }

    fn proxy_failed(&self, asset_row: i64, e: &MediaError, path: &Path) -> std::result::Result<(), JobFailure> {
        let message = format!("{}: {e}", e.code());
        let mut cat = self.catalog();
        let mut b = cat.batch(self.now_ms()).map_err(CoreError::from)?;
        b.set_proxy_error(asset_row, &message).map_err(CoreError::from)?;
        b.log(
            event_kind::PROXIES_FAILED,
            Some(asset_row),
            None,
            Some(path),
            Some(e.code()),
        )
        .map_err(CoreError::from)?;
        b.commit().map_err(CoreError::from)?;
        Err(JobFailure::permanent(format!("{}: {message}", path.display())))
    }

    fn write_atomically(&self, dest: &Path, bytes: &[u8]) -> std::io::Result<()> {
        let tmp = self
            .proxy_tmp_dir()
            .join(format!("{}.part", uuid::Uuid::new_v4().simple()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, dest).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}
