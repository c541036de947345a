//! The per-asset manifest kept beside the objects in the target: enough to
//! rebuild the catalog entry of an asset from the bucket alone.

use serde_json::json;
use trove_catalog::{Asset, Derivative, FileRecord, Metadata, Root};

use super::proxy_key;

/// Version of the manifest format.
pub(crate) const MANIFEST_VERSION: u32 = 1;

/// The manifest of an asset as compact JSON. Deterministic: the same
/// catalog state gives the same bytes (object keys are sorted), so its hash
/// tells whether it must be sent again.
pub(crate) fn manifest_json(
    asset: &Asset,
    files: &[FileRecord],
    roots: &[Root],
    metadata: Option<&Metadata>,
    derivatives: &[Derivative],
    original_key: Option<&str>,
) -> Vec<u8> {
    let hex = asset.blake3.to_hex();
    let files: Vec<_> = files
        .iter()
        .map(|f| {
            let root = roots.iter().find(|r| r.id == f.root_id);
            json!({
                "root": root.map(|r| r.path.to_string_lossy().into_owned()),
                "path": f.rel_path.to_string_lossy(),
                "size": f.size,
                "mtime_ns": f.mtime_ns,
                "present": f.present,
            })
        })
        .collect();
    let proxies: Vec<_> = derivatives
        .iter()
        .map(|d| {
            json!({
                "variant": d.variant,
                "key": proxy_key(&hex, &d.variant, &d.format),
                "format": d.format,
                "size": d.size,
                "width": d.width,
                "height": d.height,
                "generator": d.generator,
            })
        })
        .collect();
    let meta = metadata.map(|m| {
        json!({
            "camera_make": m.camera_make,
            "camera_model": m.camera_model,
            "lens": m.lens,
            "focal_length_mm": m.focal_length_mm,
            "aperture": m.aperture,
            "exposure_s": m.exposure_s,
            "iso": m.iso,
            "gps": m.gps_lat.zip(m.gps_lon).map(|(lat, lon)| json!({"lat": lat, "lon": lon, "alt": m.gps_alt})),
            "title": m.title,
            "description": m.description,
            "rating": m.rating,
            "color_label": m.color_label,
            "artist": m.artist,
            "album": m.album,
            "author": m.author,
            "page_count": m.page_count,
        })
    });
    let value = json!({
        "trove_manifest": MANIFEST_VERSION,
        "id": asset.id.to_string(),
        "blake3": hex,
        "md5": asset.md5.map(hex::encode),
        "size": asset.size,
        "kind": asset.kind.as_str(),
        "mime": asset.mime,
        "capture": asset.capture.as_ref().map(|c| json!({
            "unix_ms": c.unix_ms,
            "offset_minutes": c.offset_minutes,
            "source": c.source.as_str(),
        })),
        "width": asset.width,
        "height": asset.height,
        "duration_ms": asset.duration_ms,
        "original": original_key,
        "files": files,
        "proxies": proxies,
        "metadata": meta,
    });
    serde_json::to_vec(&value).unwrap_or_default()
}
