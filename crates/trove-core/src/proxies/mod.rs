//! Making proxies (thumbnails, previews, playable copies) and reading the
//! technical metadata that needs a decoder or a tool, as durable jobs.
//!
//! Two job kinds split the work so the grid fills first:
//! - `make_proxies` (one per asset, queued with the asset): image
//!   thumbnails and previews; for video, ffprobe metadata, a poster frame
//!   and subtitles; for audio, tags and cover art; for PDF, document
//!   information and the first page.
//! - `make_playable` (queued by the first when needed, lower priority):
//!   the heavy ffmpeg work: a video's scrub strip, shot changes and an
//!   H.264 proxy when the webview cannot play the original; an AAC proxy
//!   of audio it cannot play.
//!
//! Files are content-addressed under the library:
//! `proxies/<b3[0:2]>/<blake3>/<variant>.<ext>`, so renames, moves and
//! duplicates never make them again. Each file is written in
//! `proxies/.tmp/` and renamed into place, and `.tmp/` is emptied when a
//! writer opens the library, so a crash leaves no half-written proxy.

pub(crate) mod budget;
mod make;

use std::path::{Path, PathBuf};

use trove_catalog::{Derivative, NewJob, event_kind};
use trove_media::MediaError;
use trove_types::{AssetId, AssetKind, CaptureTime, Metadata};

use crate::error::{CoreError, Result};
use crate::jobs::failure::JobFailure;
use crate::jobs::kind;
use crate::library::Library;
use crate::model::AssetDetail;

/// Version of the proxy generator. Raise it when outputs change: proxies
/// made by an older generator are made again by `trove thumbs`.
/// 2: video, audio and PDF proxies and metadata. 3: JPEGs decode at n/8
/// scales with a 1.9x margin (sharper previews), ICC profiles honoured.
pub const PROXY_GENERATOR: u32 = 3;

/// Originals larger than this are not read into memory for image proxies.
const MAX_ORIGINAL_BYTES: u64 = 1 << 30;

/// Priority of proxy jobs for assets the user is looking at (scans run at
/// 10, background proxies at 0, playable copies below them).
const PRIORITY_ON_SCREEN: i32 = 100;
const PRIORITY_PLAYABLE: i32 = -10;

/// Asset kinds that get proxies or probed metadata.
pub(crate) const PROXY_KINDS: &[&str] = &["image", "video", "audio", "document"];

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

/// The job that makes the playable copy (and other heavy video work).
fn playable_job(asset: AssetId) -> NewJob {
    NewJob {
        kind: kind::MAKE_PLAYABLE.into(),
        payload: serde_json::json!({ "asset": asset.to_string() }),
        dedup_key: format!("playable:{asset}"),
        priority: PRIORITY_PLAYABLE,
        max_attempts: 2,
    }
}

/// Where the proxies of a content live, relative to the library folder.
pub fn proxy_rel_dir(blake3_hex: &str) -> PathBuf {
    PathBuf::from("proxies").join(&blake3_hex[..2]).join(blake3_hex)
}

/// Proxies a front end may serve by asset id.
pub const SERVABLE_VARIANTS: &[&str] = &["thumb", "thumb@2x", "preview", "video", "audio", "scrub"];

/// The long side of a PDF page image made on demand, in pixels.
pub const PAGE_LONG_SIDE: u32 = 2048;

/// Types of originals every desktop web view decodes as they are.
pub const WEB_VIEWABLE: &[&str] = &[
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "video/mp4",
    "video/quicktime",
    "audio/mpeg",
    "audio/mp4",
    "audio/aac",
];

/// Where [`Library::full_image`] keeps what it rendered, under `proxies/`.
const FULL_CACHE_DIR: &str = "full";
/// How many full-size renders the cache keeps (each 5-30 MB).
pub const FULL_CACHE_KEEP: usize = 12;
/// JPEG quality of full-size renders: close to the original at 100%.
const FULL_QUALITY: u8 = 92;
/// The largest image rendered at full size, in pixels (the proxies' limit).
const FULL_MAX_PIXELS: u64 = 250_000_000;

/// How many rendered pages of one PDF the cache keeps (each 0.1-1 MB): a
/// 2,000-page manual read through leaves at most these.
const PAGE_CACHE_KEEP: usize = 64;

/// Keeps the `keep` most recently shown (by access time) `page-N.png` files in
/// one asset's proxy folder and removes the rest (the asset's proxies
/// themselves are never touched).
fn prune_pages(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut pages: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let name = e.file_name();
            let name = name.to_str()?;
            if !(name.starts_with("page-") && name.ends_with(".png")) {
                return None;
            }
            let meta = e.metadata().ok()?;
            let used = meta.accessed().or_else(|_| meta.modified()).ok()?;
            Some((used, e.path()))
        })
        .collect();
    if pages.len() <= keep {
        return;
    }
    pages.sort_by_key(|p| std::cmp::Reverse(p.0));
    for (_, path) in pages.into_iter().skip(keep) {
        let _ = std::fs::remove_file(path);
    }
}

/// Keeps the `keep` most recently written or shown files of the full-size
/// cache and removes the rest (a failure to remove one is not an error:
/// the next render tries again).
fn prune_full_cache(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(|e| {
            let e = e.ok()?;
            let meta = e.metadata().ok()?;
            if !meta.is_file() {
                return None;
            }
            Some((meta.modified().ok()?, e.path()))
        })
        .collect();
    if files.len() <= keep {
        return;
    }
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    for (_, path) in files.into_iter().skip(keep) {
        let _ = std::fs::remove_file(path);
    }
}

/// A proxy's file, checked to lie inside the library's proxy folder.
#[derive(Debug, Clone)]
pub struct ProxyFile {
    pub path: PathBuf,
    pub mime: &'static str,
    pub size: u64,
}

/// What one job made, recorded in one transaction.
#[derive(Debug, Default)]
struct Made {
    files: Vec<MadeFile>,
    thumbhash: Option<Vec<u8>>,
    /// Replaces the asset's metadata row.
    metadata: Option<Metadata>,
    facts: Option<Facts>,
    /// Queue the heavy follow-up job.
    playable: bool,
    /// Something could not be made (a missing tool): recorded as the
    /// asset's proxy error, next to what was made.
    problem: Option<MediaError>,
}

/// Pixel size, duration and capture time learnt by probing.
#[derive(Debug, Default)]
struct Facts {
    width: Option<u32>,
    height: Option<u32>,
    duration_ms: Option<u64>,
    capture: Option<CaptureTime>,
}

#[derive(Debug)]
struct MadeFile {
    variant: String,
    ext: &'static str,
    format: &'static str,
    width: Option<u32>,
    height: Option<u32>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Bytes(Vec<u8>),
    /// Written by a tool into the proxy temp folder.
    Temp(PathBuf),
}

impl Made {
    fn image(&mut self, made: trove_media::ImageProxies) {
        for p in made.proxies {
            self.files.push(MadeFile {
                variant: p.variant.name().to_owned(),
                ext: "jpg",
                format: "jpeg",
                width: Some(p.width),
                height: Some(p.height),
                body: Body::Bytes(p.jpeg),
            });
        }
        self.thumbhash = Some(made.thumbhash);
        if self.problem.is_none() {
            self.problem = made.warning;
        }
    }
}

/// The original a job works from.
struct Source<'a> {
    id: AssetId,
    detail: &'a AssetDetail,
    path: &'a Path,
}

impl Library {
    pub fn proxies_dir(&self) -> PathBuf {
        self.dir().join("proxies")
    }

    fn proxy_tmp_dir(&self) -> PathBuf {
        self.proxies_dir().join(".tmp")
    }

    /// A fresh path in the proxy temp folder (created on demand).
    pub(crate) fn proxy_temp_path(&self, ext: &str) -> std::io::Result<PathBuf> {
        let dir = self.proxy_tmp_dir();
        std::fs::create_dir_all(&dir)?;
        Ok(dir.join(format!("{}.{ext}", uuid::Uuid::new_v4().simple())))
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
    /// with `force`), and for assets that waited for a tool. Returns how
    /// many were queued.
    pub fn enqueue_proxies(&self, force: bool) -> Result<u64> {
        self.require_writer("making thumbnails")?;
        let mut cat = self.catalog();
        let todo = cat.assets_needing_proxies(PROXY_KINDS, PROXY_GENERATOR, force)?;
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

    /// The file of one proxy of an asset, for front ends that serve
    /// thumbnails to a web view by asset id: `None` when the asset has no
    /// such proxy (yet). Only files inside the library's proxy folder are
    /// ever returned, whatever the catalog says.
    pub fn proxy_file(&self, asset: AssetId, variant: &str) -> Result<Option<ProxyFile>> {
        if !SERVABLE_VARIANTS.contains(&variant) {
            return Ok(None);
        }
        let cat = self.catalog();
        let row = match cat.asset(asset) {
            Ok(a) => a.row_id,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let Some(d) = cat.derivatives(row)?.into_iter().find(|d| d.variant == variant) else {
            return Ok(None);
        };
        drop(cat);
        let Some(real) = self.inside_proxies(&d.path) else {
            return Ok(None);
        };
        let mime = match d.format.as_str() {
            "jpg" | "jpeg" => "image/jpeg",
            "webp" => "image/webp",
            "png" => "image/png",
            "mp4" => "video/mp4",
            "m4a" => "audio/mp4",
            "vtt" => "text/vtt",
            _ => "application/octet-stream",
        };
        Ok(Some(ProxyFile {
            path: real,
            mime,
            size: d.size,
        }))
    }

    /// The asset's text tracks (closed captions, then subtitle streams by
    /// index) as WebVTT, for a player: (variant, text). Read only from
    /// inside the library's proxy folder; a file larger than 8 MiB (a
    /// WebVTT file of hours of dialogue is far smaller) is left out.
    pub fn text_tracks(&self, asset: AssetId) -> Result<Vec<(String, String)>> {
        let cat = self.catalog();
        let row = match cat.asset(asset) {
            Ok(a) => a.row_id,
            Err(e) if e.is_not_found() => return Ok(Vec::new()),
            Err(e) => return Err(e.into()),
        };
        let mut tracks: Vec<_> = cat
            .derivatives(row)?
            .into_iter()
            .filter(|d| d.format == "webvtt" && (d.variant == "captions" || d.variant.starts_with("subtitles-")))
            .collect();
        drop(cat);
        tracks.sort_by_key(|d| (d.variant != "captions", d.variant.len(), d.variant.clone()));
        let mut out = Vec::new();
        for d in tracks {
            let Some(real) = self.inside_proxies(&d.path).filter(|_| d.size <= 8 << 20) else {
                continue;
            };
            let bytes = std::fs::read(&real).map_err(|e| CoreError::io("read", &real, e))?;
            out.push((d.variant, String::from_utf8_lossy(&bytes).into_owned()));
        }
        Ok(out)
    }

    /// A derivative's file (`rel`, from the catalog) with links and `..`
    /// resolved, when it really is under the library's proxies/ folder.
    fn inside_proxies(&self, rel: &str) -> Option<PathBuf> {
        let real = self.dir().join(rel).canonicalize().ok()?;
        let root = self.dir().join("proxies").canonicalize().ok()?;
        real.starts_with(&root).then_some(real)
    }

    /// An asset's original file, for front ends that show it in a web view
    /// by asset id (zoom to 100%, playing a video that needs no proxy): the
    /// first present copy on a reachable folder, and only when the web view
    /// can decode its type ([`WEB_VIEWABLE`]). `None` otherwise.
    pub fn original_file(&self, asset: AssetId) -> Result<Option<ProxyFile>> {
        let Some(detail) = self.detail_of(asset)? else {
            return Ok(None);
        };
        let Some(mime) = detail
            .asset
            .mime
            .as_deref()
            .and_then(|m| WEB_VIEWABLE.iter().find(|w| **w == m))
        else {
            return Ok(None);
        };
        Ok(self.reachable_copy(&detail)?.map(|path| ProxyFile {
            path,
            mime,
            size: detail.asset.size,
        }))
    }

    /// Where the asset's original can be opened now, whatever its type (the
    /// desktop's "Open in the system player"): its first present copy on
    /// an online folder. `None` when the asset is unknown or no copy is
    /// reachable.
    pub fn original_path(&self, asset: AssetId) -> Result<Option<PathBuf>> {
        let Some(detail) = self.detail_of(asset)? else {
            return Ok(None);
        };
        self.reachable_copy(&detail)
    }

    /// Page `page` (from 1) of a PDF as a PNG of at most [`PAGE_LONG_SIDE`]
    /// pixels on its long side, for the viewer: rendered on first request
    /// with poppler, then kept beside the asset's proxies (a cache, not a
    /// catalogued derivative; the first page is the asset's preview).
    /// `None` when the asset is not a PDF, the page does not exist, or no
    /// copy of the file is reachable.
    pub fn pdf_page(&self, asset: AssetId, page: u32) -> Result<Option<ProxyFile>> {
        let Some(detail) = self.detail_of(asset)? else {
            return Ok(None);
        };
        let pages = detail.metadata.as_ref().and_then(|m| m.page_count).unwrap_or(0);
        if detail.asset.mime.as_deref() != Some("application/pdf") || page == 0 || page > pages {
            return Ok(None);
        }
        let dir = self.dir().join(proxy_rel_dir(&detail.asset.blake3.to_hex()));
        let path = dir.join(format!("page-{page}.png"));
        if !path.is_file() {
            let Some(source) = self.reachable_copy(&detail)? else {
                return Ok(None);
            };
            let png = trove_media::pdf_page_png(self.tools(), &source, page, PAGE_LONG_SIDE).map_err(|e| {
                CoreError::PageRender {
                    path: source.clone(),
                    page,
                    detail: e.to_string(),
                }
            })?;
            std::fs::create_dir_all(&dir).map_err(|e| CoreError::io("create proxy folder", &dir, e))?;
            self.write_atomically(&path, &png)
                .map_err(|e| CoreError::io("write page image", &path, e))?;
            prune_pages(&dir, PAGE_CACHE_KEEP);
        } else {
            // Shown again: the newest in the cache, by its access time (its
            // modification time says when it was rendered). A failure only
            // makes it older to the pruning.
            let _ = std::fs::File::options()
                .write(true)
                .open(&path)
                .and_then(|f| f.set_times(std::fs::FileTimes::new().set_accessed(std::time::SystemTime::now())));
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Ok(Some(ProxyFile {
            path,
            mime: "image/png",
            size,
        }))
    }

    /// An image asset at its own pixel size, for the viewer's zoom to 100%:
    /// the original itself when the web view can show it
    /// ([`Library::original_file`]), else (HEIC, TIFF, RAW, 16-bit PNG...)
    /// the original decoded whole, upright and in sRGB, as a JPEG; for a RAW
    /// file that is the largest JPEG its camera embedded. Rendered on first
    /// request, one at a time, and kept in a small cache beside the proxies
    /// (the [`FULL_CACHE_KEEP`] most recently shown; not catalogued
    /// derivatives). `None` when the asset is not an image or no copy of
    /// it is reachable.
    pub fn full_image(&self, asset: AssetId) -> Result<Option<ProxyFile>> {
        let Some(detail) = self.detail_of(asset)? else {
            return Ok(None);
        };
        if detail.asset.kind != AssetKind::Image {
            return Ok(None);
        }
        if detail.asset.mime.as_deref().is_some_and(|m| WEB_VIEWABLE.contains(&m)) {
            return self.original_file(asset);
        }
        let dir = self.proxies_dir().join(FULL_CACHE_DIR);
        let path = dir.join(format!("{}.jpg", detail.asset.blake3.to_hex()));
        // One render at a time: a full decode of a large original holds
        // hundreds of MB, and paging through zoomed images must not stack them.
        let _one = self.full_render();
        if path.is_file() {
            // Shown again: it moves to the front of the cache.
            let _ = std::fs::File::options()
                .append(true)
                .open(&path)
                .and_then(|f| f.set_modified(std::time::SystemTime::now()));
        } else {
            let Some(source) = self.reachable_copy(&detail)? else {
                return Ok(None);
            };
            let failed = |detail: String| CoreError::FullImage {
                path: source.clone(),
                detail,
            };
            if detail.asset.size > MAX_ORIGINAL_BYTES {
                return Err(failed(format!(
                    "the file is {} bytes; Trove decodes originals up to {MAX_ORIGINAL_BYTES} bytes",
                    detail.asset.size
                )));
            }
            let bytes = std::fs::read(&source).map_err(|e| CoreError::io("read original", &source, e))?;
            // The render is cached under the catalogued content: a file that
            // changed since must not fill that entry with other pixels.
            if blake3::hash(&bytes).as_bytes() != &detail.asset.blake3.0 {
                return Err(failed(
                    "the file changed since it was catalogued; rescan its folder, then zoom again".into(),
                ));
            }
            let orientation = detail.metadata.as_ref().and_then(|m| m.orientation);
            let raw = detail.asset.mime.as_deref().is_some_and(trove_media::is_raw_mime);
            // A RAW file at full size: its embedded preview when that is
            // big enough for the proxies, else its sensor data developed
            // by LibRaw at full size.
            let developed;
            let pixels = match raw.then(|| trove_media::raw_preview(&bytes)) {
                None => &bytes[..],
                Some(Ok(j)) if j.width.max(j.height) >= trove_media::MIN_RAW_PREVIEW_SIDE => {
                    &bytes[j.offset..j.offset + j.len]
                }
                Some(embedded) => match trove_media::raw_develop(self.tools(), &source, false) {
                    Ok(tiff) => {
                        developed = tiff;
                        &developed[..]
                    }
                    Err(e) => match embedded {
                        Ok(j) => &bytes[j.offset..j.offset + j.len],
                        Err(_) => return Err(failed(e.to_string())),
                    },
                },
            };
            let full_spec = trove_media::full_size_spec(FULL_MAX_PIXELS, FULL_QUALITY);
            let decoding = self
                .decode_budget()
                .take(trove_media::decode_memory(pixels, &full_spec).saturating_add(bytes.len() as u64));
            let jpeg = match trove_media::full_size_jpeg(pixels, orientation, FULL_MAX_PIXELS, FULL_QUALITY) {
                Ok(full) => full.jpeg,
                // What the fast decoders refuse (PSD, CMYK TIFF, FITS, a
                // scan over the pixel limit...), libvips renders, as it
                // made the proxies: at full size up to the pixel limit.
                Err(e) if !raw && trove_media::vips_may_read(&e) => {
                    drop(decoding);
                    self.full_through_vips(&source, &detail, orientation)
                        .map_err(|ve| failed(format!("{e}; libvips could not read it either: {ve}")))?
                }
                Err(e) => return Err(failed(e.to_string())),
            };
            drop(bytes);
            std::fs::create_dir_all(&dir).map_err(|e| CoreError::io("create proxy folder", &dir, e))?;
            self.write_atomically(&path, &jpeg)
                .map_err(|e| CoreError::io("write full-size image", &path, e))?;
            prune_full_cache(&dir, FULL_CACHE_KEEP);
        }
        let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        Ok(Some(ProxyFile {
            path,
            mime: "image/jpeg",
            size,
        }))
    }

    /// A full-size JPEG of `source` made by libvips: its catalogued size
    /// (as shown), or as near as the pixel limit allows, upright.
    fn full_through_vips(
        &self,
        source: &Path,
        detail: &AssetDetail,
        orientation: Option<u8>,
    ) -> std::result::Result<Vec<u8>, MediaError> {
        // vips never enlarges (`--size down`): a size not catalogued yet
        // asks for the largest square within the limit.
        let square_limit = (FULL_MAX_PIXELS as f64).sqrt() as u64;
        let long_side = match (detail.asset.width, detail.asset.height) {
            (Some(w), Some(h)) if w > 0 && h > 0 => {
                let (w, h) = (u64::from(w), u64::from(h));
                let pixels = w.saturating_mul(h);
                if pixels <= FULL_MAX_PIXELS {
                    w.max(h)
                } else {
                    (w.max(h) as f64 * (FULL_MAX_PIXELS as f64 / pixels as f64).sqrt()) as u64
                }
            }
            _ => square_limit,
        };
        let long_side = u32::try_from(long_side).unwrap_or(u32::MAX);
        let v = trove_media::vips_preview(self.tools(), source, long_side)?;
        match orientation {
            // vips gives the pixels as stored: turned here when they must
            // be, within the decode budget (the render's size, not the
            // original's).
            Some(2..=8) => {
                let spec = trove_media::full_size_spec(FULL_MAX_PIXELS, FULL_QUALITY);
                let _decoding = self.decode_budget().take(trove_media::decode_memory(&v.jpeg, &spec));
                Ok(trove_media::full_size_jpeg(&v.jpeg, orientation, FULL_MAX_PIXELS, FULL_QUALITY)?.jpeg)
            }
            _ => Ok(v.jpeg),
        }
    }

    fn detail_of(&self, asset: AssetId) -> Result<Option<AssetDetail>> {
        match self.asset_detail(&asset.to_string()) {
            Ok(d) => Ok(Some(d)),
            Err(CoreError::AssetNotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The first present copy of an asset on a reachable (online) folder.
    fn reachable_copy(&self, detail: &AssetDetail) -> Result<Option<PathBuf>> {
        let roots = self.catalog().roots()?;
        let online = |root_id: i64| {
            roots
                .iter()
                .any(|r| r.id == root_id && r.state == trove_catalog::RootState::Online)
        };
        Ok(detail
            .files
            .iter()
            .find(|f| f.record.present && online(f.record.root_id) && f.path.is_file())
            .map(|f| f.path.clone()))
    }

    /// The `make_proxies` job.
    pub(crate) fn make_proxies(&self, asset: &str) -> std::result::Result<(), JobFailure> {
        self.with_source(asset, |src| {
            let started = std::time::Instant::now();
            let result = match src.detail.asset.kind {
                AssetKind::Image => self.image_proxies(&src),
                AssetKind::Video => self.video_proxies(&src),
                AssetKind::Audio => self.audio_proxies(&src),
                AssetKind::Document => self.document_proxies(&src),
                AssetKind::Other => Ok(Made::default()),
            };
            let ms = started.elapsed().as_millis() as u64;
            match &result {
                Ok(made) => tracing::debug!(asset, kind = %src.detail.asset.kind, ms, files = made.files.len(), problem = ?made.problem.as_ref().map(MediaError::code), "proxies made"),
                Err(Failure::Media(e)) => tracing::info!(asset, path = %src.path.display(), ms, error = %e, "proxies could not be made"),
                Err(Failure::Job(_)) => {}
            }
            match result {
                Ok(made) => self.record(&src, made, true),
                Err(Failure::Media(e)) if e.code() == "disk_full" => Err(tool_disk_full(src.path, &e)),
                Err(Failure::Media(e)) => self.proxy_failed(src.detail.asset.row_id, &e, src.path),
                Err(Failure::Job(f)) => Err(f),
            }
        })
    }

    /// The `make_playable` job.
    pub(crate) fn make_playable(&self, asset: &str) -> std::result::Result<(), JobFailure> {
        self.with_source(asset, |src| match self.playable_proxies(&src) {
            Ok(made) => self.record(&src, made, false),
            Err(Failure::Media(e)) if e.code() == "disk_full" => Err(tool_disk_full(src.path, &e)),
            Err(Failure::Media(e)) => Err(JobFailure::permanent(format!(
                "{}: {}: {e}",
                src.path.display(),
                e.code()
            ))),
            Err(Failure::Job(f)) => Err(f),
        })
    }

    /// Finds a readable copy of the asset, unchanged since it was
    /// catalogued, and runs `f` on it.
    fn with_source(
        &self,
        asset: &str,
        f: impl FnOnce(Source<'_>) -> std::result::Result<(), JobFailure>,
    ) -> std::result::Result<(), JobFailure> {
        let id: AssetId = asset
            .parse()
            .map_err(|_| JobFailure::permanent(format!("bad asset id {asset:?}")))?;
        let detail = self.asset_detail(&id.to_string())?;
        let Some(file) = detail.files.iter().find(|f| f.record.present && f.path.is_file()) else {
            return Err(JobFailure::permanent(format!(
                "no copy of asset {id} can be read (missing or offline); proxies will be made when it is back"
            )));
        };
        // Proxies are filed under the content hash: a file edited since it
        // was catalogued must be catalogued again first. Images are hashed
        // as they are read (`changed` if the hash differs); for the rest,
        // whose tools read the file themselves, the stat must still match.
        // A mismatch is retried: the next scan records a mere touch, or
        // catalogues the new content and queues its own proxies.
        if detail.asset.kind != AssetKind::Image {
            let meta = std::fs::metadata(&file.path)
                .map_err(|e| JobFailure::io(format!("reading {}", file.path.display()), &e))?;
            let stat = crate::fsmeta::file_stat(&meta);
            if stat.size != file.record.size || stat.mtime_ns != file.record.mtime_ns {
                return Err(JobFailure::retryable(format!(
                    "{} changed since it was catalogued; waiting for the next scan",
                    file.path.display()
                )));
            }
        }
        f(Source {
            id,
            detail: &detail,
            path: &file.path,
        })
    }

    /// Writes the files of `made` into place and records everything in one
    /// transaction. `complete` marks the asset's proxies done.
    fn record(&self, src: &Source<'_>, made: Made, complete: bool) -> std::result::Result<(), JobFailure> {
        let a = &src.detail.asset;
        let hex = a.blake3.to_hex();
        let rel_dir = proxy_rel_dir(&hex);
        let dir = self.dir().join(&rel_dir);
        if !made.files.is_empty() {
            std::fs::create_dir_all(&dir).map_err(|e| JobFailure::io(format!("creating {}", dir.display()), &e))?;
        }
        let mut rows = Vec::with_capacity(made.files.len());
        for f in made.files {
            let name = format!("{}.{}", f.variant, f.ext);
            let dest = dir.join(&name);
            let size = match f.body {
                Body::Bytes(bytes) => {
                    self.write_atomically(&dest, &bytes).map_err(|e| {
                        JobFailure::io(
                            format!("writing a proxy of {} to {}", src.path.display(), dest.display()),
                            &e,
                        )
                    })?;
                    bytes.len() as u64
                }
                Body::Temp(tmp) => {
                    let size = std::fs::metadata(&tmp).map(|m| m.len()).unwrap_or(0);
                    std::fs::rename(&tmp, &dest).map_err(|e| {
                        let _ = std::fs::remove_file(&tmp);
                        JobFailure::io(format!("moving a proxy of {} into place", src.path.display()), &e)
                    })?;
                    size
                }
            };
            rows.push(Derivative {
                variant: f.variant,
                path: rel_dir.join(&name).to_string_lossy().into_owned(),
                size,
                width: f.width,
                height: f.height,
                format: f.format.into(),
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
        if let Some(m) = &made.metadata {
            b.put_metadata(a.row_id, m).map_err(CoreError::from)?;
        }
        if let Some(f) = &made.facts {
            b.set_probed_facts(a.row_id, f.width, f.height, f.duration_ms, f.capture.as_ref())
                .map_err(CoreError::from)?;
        }
        if let Some(t) = &made.thumbhash {
            b.set_thumbhash(a.row_id, t).map_err(CoreError::from)?;
        }
        if complete {
            b.mark_proxies_done(a.row_id, PROXY_GENERATOR, &a.blake3)
                .map_err(CoreError::from)?;
        }
        if let Some(e) = &made.problem {
            b.set_proxy_error(a.row_id, &format!("{}: {e}", e.code()))
                .map_err(CoreError::from)?;
        }
        if made.playable {
            b.enqueue(&playable_job(src.id)).map_err(CoreError::from)?;
        }
        b.log(event_kind::PROXIES_MADE, Some(a.row_id), None, None, None)
            .map_err(CoreError::from)?;
        b.commit().map_err(CoreError::from)?;
        drop(cat);
        if made.playable {
            self.job_signal().notify();
        }
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
        let tmp = self.proxy_temp_path("part")?;
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, dest).inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
    }
}

/// Why a producer stopped.
#[derive(Debug)]
enum Failure {
    /// The file (or a tool) gives a media error: recorded on the asset.
    Media(MediaError),
    /// Job trouble (I/O, the catalog): the job's own error and retry.
    Job(JobFailure),
}

impl From<MediaError> for Failure {
    fn from(e: MediaError) -> Self {
        Failure::Media(e)
    }
}

impl From<JobFailure> for Failure {
    fn from(e: JobFailure) -> Self {
        Failure::Job(e)
    }
}

/// A tool (ffmpeg) stopped for lack of space: the file is fine, so
/// nothing is recorded on the asset and the job waits for space.
fn tool_disk_full(path: &Path, e: &MediaError) -> JobFailure {
    JobFailure::disk_full(format!("making the proxies of {}: {e}", path.display()))
}

fn changed(path: &Path) -> JobFailure {
    JobFailure::permanent(format!(
        "{} changed since it was catalogued; the next scan catalogues it and queues its proxies again",
        path.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::prune_pages;

    #[test]
    fn the_page_cache_keeps_the_newest_pages_and_never_a_proxy() {
        let dir = tempfile::tempdir().unwrap();
        let now = std::time::SystemTime::now();
        for n in 1..=10u64 {
            let p = dir.path().join(format!("page-{n}.png"));
            std::fs::write(&p, b"png").unwrap();
            let f = std::fs::File::options().write(true).open(&p).unwrap();
            f.set_times(std::fs::FileTimes::new().set_accessed(now - std::time::Duration::from_secs(100 - n)))
                .unwrap();
        }
        std::fs::write(dir.path().join("preview.webp"), b"proxy").unwrap();
        prune_pages(dir.path(), 4);
        let mut left: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            ["page-10.png", "page-7.png", "page-8.png", "page-9.png", "preview.webp"]
        );
    }
}
