//! The per-asset manifest kept beside the objects in the target: enough to
//! rebuild the catalog entry of an asset from the bucket alone.

use serde_json::json;
use trove_catalog::{Asset, Curation, Derivative, FileRecord, Root};
use trove_types::Metadata;

use super::proxy_key;

/// Version of the manifest format.
///
/// - 1: metadata as a hand-picked subset of fields.
/// - 2: metadata as the whole [`Metadata`] record in its serde shape (every
///   field, `gps` as `{lat, lon, alt}`, and the raw tags by source), and
///   `curation`: what the person set (rating, flag, label, title, caption,
///   creator, rights, keyword paths `A|B|C`, albums, comments); each file's
///   folder is `{id, name}`, its path relative to that folder (no absolute
///   path leaves the machine).
pub(crate) const MANIFEST_VERSION: u32 = 2;

/// The manifest of an asset as compact JSON. Deterministic: the same
/// catalog state gives the same bytes (object keys are sorted), so its hash
/// tells whether it must be sent again.
pub(crate) fn manifest_json(
    asset: &Asset,
    files: &[FileRecord],
    roots: &[Root],
    metadata: Option<&Metadata>,
    curation: &Curation,
    derivatives: &[Derivative],
    original_key: Option<&str>,
) -> Vec<u8> {
    let hex = asset.blake3.to_hex();
    let files: Vec<_> = files
        .iter()
        .map(|f| {
            let root = roots.iter().find(|r| r.id == f.root_id);
            json!({
                // The folder by its id and name, never its absolute path
                // (which says where a person keeps things on their disk).
                "root": root.map(|r| json!({
                    "id": r.id,
                    "name": r.path.file_name().map(|n| n.to_string_lossy().into_owned()),
                })),
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
        "metadata": metadata,
        "curation": curation,
    });
    serde_json::to_vec(&value).unwrap_or_default()
}
