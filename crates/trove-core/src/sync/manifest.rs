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

/// A manifest as read back from the target, any version written so far.
/// (Its `original` key is not read: the plan made from the rebuilt record
/// names the same key, and that is the one looked up in the target.)
#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct StoredManifest {
    pub trove_manifest: u32,
    pub id: String,
    pub blake3: String,
    #[serde(default)]
    pub md5: Option<String>,
    pub size: u64,
    pub kind: String,
    #[serde(default)]
    pub mime: Option<String>,
    #[serde(default)]
    pub capture: Option<StoredCapture>,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub duration_ms: Option<i64>,
    #[serde(default)]
    pub files: Vec<StoredFile>,
    #[serde(default)]
    pub proxies: Vec<StoredProxy>,
    /// Version 1's subset of fields reads as a [`Metadata`] with the rest
    /// empty (the names and the `gps` shape are the same).
    #[serde(default)]
    pub metadata: Option<Metadata>,
    /// Version 2 on.
    #[serde(default)]
    pub curation: Option<Curation>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct StoredCapture {
    pub unix_ms: i64,
    #[serde(default)]
    pub offset_minutes: Option<i16>,
    pub source: trove_types::CaptureSource,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct StoredFile {
    #[serde(default)]
    pub root: Option<StoredRoot>,
    pub path: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub mtime_ns: i64,
    #[serde(default = "yes")]
    pub present: bool,
}

fn yes() -> bool {
    true
}

/// A file's folder: by id and name (version 2), or by its absolute path
/// (version 1).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub(crate) enum StoredRoot {
    Named { id: i64, name: Option<String> },
    Path(String),
}

impl StoredRoot {
    /// The folder's own name (the last part of its path).
    pub fn name(&self) -> Option<String> {
        match self {
            StoredRoot::Named { name, .. } => name.clone(),
            StoredRoot::Path(p) => std::path::Path::new(p)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned()),
        }
    }
}

#[derive(Debug, Clone, serde::Deserialize)]
pub(crate) struct StoredProxy {
    pub variant: String,
    pub key: String,
    pub format: String,
    pub size: u64,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    #[serde(default)]
    pub generator: u32,
}

/// Reads a manifest's bytes; `Err` says why they are not one this Trove
/// reads (the caller names the key).
pub(crate) fn parse_manifest(bytes: &[u8]) -> Result<StoredManifest, String> {
    let m: StoredManifest = serde_json::from_slice(bytes).map_err(|e| format!("not a manifest: {e}"))?;
    if m.trove_manifest == 0 || m.trove_manifest > MANIFEST_VERSION {
        return Err(format!(
            "manifest format {} (this Trove reads 1 to {MANIFEST_VERSION}; a newer Trove wrote it)",
            m.trove_manifest
        ));
    }
    if m.blake3.len() != 64 || !m.blake3.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("its BLAKE3 {:?} is not 64 hex digits", m.blake3));
    }
    Ok(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both formats written so far read back; a future one is refused by
    /// name.
    #[test]
    fn every_version_reads() {
        let hex = "ab".repeat(32);
        let v1 = format!(
            r#"{{"trove_manifest":1,"id":"6f1c7c1e-58c5-4a52-8f4e-2f0a3f7c9b11","blake3":"{hex}","md5":null,
            "size":5,"kind":"image","mime":"image/jpeg","capture":{{"unix_ms":1000,"offset_minutes":60,"source":"exif_original"}},
            "width":4,"height":3,"duration_ms":null,"original":"originals/ab/{hex}.jpg",
            "files":[{{"root":"/home/a/Photos","path":"trip/a.jpg","size":5,"mtime_ns":7,"present":true}}],
            "proxies":[{{"variant":"thumb","key":"proxies/ab/{hex}/thumb.webp","format":"webp","size":9,"width":4,"height":3,"generator":3}}],
            "metadata":{{"camera_make":"Canon","gps":{{"lat":1.5,"lon":2.5,"alt":null}},"rating":3}}}}"#
        );
        let m = parse_manifest(v1.as_bytes()).unwrap();
        assert_eq!(m.files[0].root, Some(StoredRoot::Path("/home/a/Photos".into())));
        assert_eq!(m.files[0].root.as_ref().unwrap().name().as_deref(), Some("Photos"));
        let meta = m.metadata.unwrap();
        assert_eq!(meta.camera_make.as_deref(), Some("Canon"));
        assert_eq!(meta.gps.map(|g| g.lat), Some(1.5));
        assert!(m.curation.is_none());
        let v2 = v1
            .replace(r#""trove_manifest":1"#, r#""trove_manifest":2"#)
            .replace(r#""root":"/home/a/Photos""#, r#""root":{"id":3,"name":"Photos"}"#)
            .replace(
                r#""metadata":"#,
                r#""curation":{"rating":4,"flag":"pick","label":null,"title":null,"caption":null,"creator":null,"rights":null,"keywords":["Places|Iceland"],"albums":["Trips/Iceland"],"comments":[]},"metadata":"#,
            );
        let m = parse_manifest(v2.as_bytes()).unwrap();
        assert_eq!(
            m.files[0].root,
            Some(StoredRoot::Named {
                id: 3,
                name: Some("Photos".into())
            })
        );
        let c = m.curation.unwrap();
        assert_eq!((c.rating, c.albums.len(), c.keywords.len()), (4, 1, 1));
        let v9 = v1.replace(r#""trove_manifest":1"#, r#""trove_manifest":9"#);
        assert!(parse_manifest(v9.as_bytes()).unwrap_err().contains("newer Trove"));
        assert!(parse_manifest(b"{}").unwrap_err().contains("not a manifest"));
    }
}
