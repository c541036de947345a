//! Conversions between SQLite rows and catalog types.

use std::str::FromStr;

use rusqlite::{OptionalExtension, Row};
use trove_types::{AssetId, AssetKind, CaptureSource, CaptureTime, ContentHash, FolderKinds, GeoPoint, Metadata};

use crate::error::{Result, SqlContext};
use crate::model::{Asset, AssetStatus, FileRecord, Marks, Root, RootState};
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

pub(crate) const ROOT_COLUMNS: &str = "id, path, device, state, follow_symlinks, added_at, last_scan_at, kinds";
/// Number of columns [`ROOT_COLUMNS`] selects.
pub(crate) const ROOT_COLUMN_COUNT: usize = 8;

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
        kinds: {
            let kinds: String = r.get(7)?;
            FolderKinds::parse(&kinds).map_err(|_| bad("roots.kinds", &kinds))?
        },
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

/// The [`Marks`] of asset `a` as three SQL columns, with `cu` its curation
/// row and `m` its metadata row (both LEFT JOINed): the curation, or for
/// an asset never edited, its file's XMP read as `Curation::from_file`
/// reads it (rating -1 is a reject; labels by colour name).
pub(crate) const MARKS_COLUMNS: &str = "
    CASE WHEN cu.asset_id IS NOT NULL THEN cu.rating
         WHEN m.rating BETWEEN 1 AND 5 THEN m.rating ELSE 0 END,
    CASE WHEN cu.asset_id IS NOT NULL THEN cu.flag WHEN m.rating = -1 THEN 'reject' END,
    CASE WHEN cu.asset_id IS NOT NULL THEN cu.label
         WHEN lower(trim(m.color_label)) IN ('red', 'yellow', 'green', 'blue', 'purple')
         THEN lower(trim(m.color_label)) END";

/// The joins [`MARKS_COLUMNS`] reads from, for an `assets a`.
pub(crate) const MARKS_JOINS: &str =
    "LEFT JOIN curation cu ON cu.asset_id = a.id LEFT JOIN metadata m ON m.asset_id = a.id";

/// Reads [`MARKS_COLUMNS`] starting at column `at`.
pub(crate) fn marks(r: &Row<'_>, at: usize) -> rusqlite::Result<Marks> {
    let rating: i64 = r.get(at)?;
    let flag: Option<String> = r.get(at + 1)?;
    let label: Option<String> = r.get(at + 2)?;
    Ok(Marks {
        rating: u8::try_from(rating).unwrap_or(0).min(5),
        flag: flag.and_then(|f| f.parse().ok()),
        label: label.and_then(|l| l.parse().ok()),
    })
}

/// An asset's technical metadata, read on any connection (a batch's
/// transaction too).
pub(crate) fn metadata_in(conn: &rusqlite::Connection, asset_row: i64) -> Result<Option<Metadata>> {
    conn.prepare_cached(
        "SELECT camera_make, camera_model, lens, focal_length_mm, aperture, exposure_s,
                    iso, flash, orientation, gps_lat, gps_lon, gps_alt, title, description,
                    rating, color_label, raw, container, video_codec, audio_codec, frame_rate,
                    bit_rate, rotation, artist, album, genre, author, page_count, text
             FROM metadata WHERE asset_id = ?1",
    )
    .ctx("read metadata")?
    .query_row([asset_row], |r| {
        let raw: String = r.get(16)?;
        Ok(Metadata {
            camera_make: r.get(0)?,
            camera_model: r.get(1)?,
            lens: r.get(2)?,
            focal_length_mm: r.get(3)?,
            aperture: r.get(4)?,
            exposure_s: r.get(5)?,
            iso: r.get::<_, Option<i64>>(6)?.map(|v| v as u32),
            flash: r.get(7)?,
            orientation: r.get::<_, Option<i64>>(8)?.map(|v| v as u8),
            gps: match (r.get::<_, Option<f64>>(9)?, r.get::<_, Option<f64>>(10)?) {
                (Some(lat), Some(lon)) => Some(GeoPoint {
                    lat,
                    lon,
                    alt: r.get(11)?,
                }),
                _ => None,
            },
            title: r.get(12)?,
            description: r.get(13)?,
            rating: r.get::<_, Option<i64>>(14)?.map(|v| v as i8),
            color_label: r.get(15)?,
            raw: serde_json::from_str(&raw).unwrap_or_else(|_| serde_json::json!({})),
            container: r.get(17)?,
            video_codec: r.get(18)?,
            audio_codec: r.get(19)?,
            frame_rate: r.get(20)?,
            bit_rate: r.get::<_, Option<i64>>(21)?.map(from_i64),
            rotation: r.get(22)?,
            artist: r.get(23)?,
            album: r.get(24)?,
            genre: r.get(25)?,
            author: r.get(26)?,
            page_count: r.get(27)?,
            text: r.get(28)?,
        })
    })
    .optional()
    .ctx("read metadata")
}
