//! Conversions between SQLite rows and catalog types.

use std::str::FromStr;

use rusqlite::Row;
use trove_types::{AssetId, AssetKind, CaptureSource, CaptureTime, ContentHash};

use crate::model::{Asset, AssetStatus, FileRecord, Root, RootState};
use crate::paths;

pub(crate) fn to_i64(v: u64) -> i64 {
    // SQLite integers are signed 64-bit; sizes, inodes and devices fit in
    // practice, and the bit pattern round-trips through `from_i64` anyway.
    v as i64
}

pub(crate) fn from_i64(v: i64) -> u64 {
    v as u64
}

fn bad(what: &'static str, value: impl ToString) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        0,
        rusqlite::types::Type::Text,
        Box::new(crate::CatalogError::BadValue {
            what,
            value: value.to_string(),
        }),
    )
}

pub(crate) const ROOT_COLUMNS: &str = "id, path, device, state, follow_symlinks, added_at, last_scan_at";

pub(crate) fn root(r: &Row<'_>) -> rusqlite::Result<Root> {
    let path: Vec<u8> = r.get(1)?;
    let state: String = r.get(3)?;
    Ok(Root {
        id: r.get(0)?,
        path: paths::from_bytes(&path),
        device: r.get::<_, Option<i64>>(2)?.map(from_i64),
        state: match state.as_str() {
            "online" => RootState::Online,
            "offline" => RootState::Offline,
            other => return Err(bad("roots.state", other)),
        },
        follow_symlinks: r.get(4)?,
        added_at: r.get(5)?,
        last_scan_at: r.get(6)?,
    })
}

pub(crate) const ASSET_COLUMNS: &str = "a.id, a.uuid, a.blake3, a.md5, a.size, a.kind, a.mime, \
     a.capture_ms, a.capture_offset, a.capture_source, a.width, a.height, a.duration_ms, \
     a.status, a.created_at, a.updated_at";

/// Number of columns [`ASSET_COLUMNS`] selects.
pub(crate) const ASSET_COLUMN_COUNT: usize = 16;

pub(crate) fn asset(r: &Row<'_>) -> rusqlite::Result<Asset> {
    let uuid: String = r.get(1)?;
    let hash: Vec<u8> = r.get(2)?;
    let md5: Option<Vec<u8>> = r.get(3)?;
    let kind: String = r.get(5)?;
    let capture_ms: Option<i64> = r.get(7)?;
    let capture_source: Option<String> = r.get(9)?;
    let status: String = r.get(13)?;
    let capture = match (capture_ms, capture_source) {
        (Some(ms), Some(src)) => Some(CaptureTime {
            unix_ms: ms,
            offset_minutes: r.get::<_, Option<i64>>(8)?.map(|m| m as i16),
            source: CaptureSource::from_str(&src).map_err(|e| bad("assets.capture_source", e))?,
        }),
        _ => None,
    };
    Ok(Asset {
        row_id: r.get(0)?,
        id: AssetId::from_str(&uuid).map_err(|_| bad("assets.uuid", &uuid))?,
        blake3: ContentHash::from_slice(&hash).ok_or_else(|| bad("assets.blake3", hash.len()))?,
        md5: md5.and_then(|m| <[u8; 16]>::try_from(m.as_slice()).ok()),
        size: from_i64(r.get(4)?),
        kind: AssetKind::from_str(&kind).map_err(|e| bad("assets.kind", e))?,
        mime: r.get(6)?,
        capture,
        width: r.get::<_, Option<i64>>(10)?.map(|v| v as u32),
        height: r.get::<_, Option<i64>>(11)?.map(|v| v as u32),
        duration_ms: r.get(12)?,
        status: parse_status(&status)?,
        created_at: r.get(14)?,
        updated_at: r.get(15)?,
    })
}

pub(crate) fn parse_status(s: &str) -> rusqlite::Result<AssetStatus> {
    match s {
        "present" => Ok(AssetStatus::Present),
        "missing" => Ok(AssetStatus::Missing),
        "offline" => Ok(AssetStatus::Offline),
        other => Err(bad("assets.status", other)),
    }
}

pub(crate) const FILE_COLUMNS: &str = "id, asset_id, root_id, rel_path, size, mtime_ns, inode, device, present, missing_since, hashed_at, sidecar_mtime_ns";

pub(crate) fn file(r: &Row<'_>) -> rusqlite::Result<FileRecord> {
    let rel: Vec<u8> = r.get(3)?;
    Ok(FileRecord {
        id: r.get(0)?,
        asset_row_id: r.get(1)?,
        root_id: r.get(2)?,
        rel_path: paths::from_bytes(&rel),
        size: from_i64(r.get(4)?),
        mtime_ns: r.get(5)?,
        inode: from_i64(r.get(6)?),
        device: from_i64(r.get(7)?),
        present: r.get(8)?,
        missing_since: r.get(9)?,
        hashed_at: r.get(10)?,
        sidecar_mtime_ns: r.get(11)?,
    })
}
