//! EXIF, read in-process with the pure-Rust kamadak-exif and the readers
//! around it here and in `heif_meta.rs` (HEIF's primary-image EXIF,
//! BigTIFF, WebP's and ImageMagick's odd EXIF places, IFD pointers typed
//! IFD, a malformed entry costing only itself).
//!
//! Chosen over Exiv2 (gexiv2, what digiKam, darktable and Shotwell use) by
//! measurement (`scripts/exif_library_compare.py`, docs/benchmarks.md):
//! on the 891 real images of the corpus, against `exiftool -n`, Exiv2
//! 0.27.6 agrees on 93.5 % of EXIF capture times, 93.8 % of makes, 92.6 %
//! of orientations, 75 % of GPS positions and 90.5 % of sizes, where this
//! reads 100 / 97.9 / 100 / 100 / 99.1 %; and Exiv2 is a C++ parser of
//! hostile input that would run in Trove's process (or cost a process,
//! about 5 ms, per file), where this costs tens of microseconds in safe
//! Rust that the fuzzer mutates real files against.

use std::io::Cursor;

use exif::{Exif, In, Tag, Value};
use trove_types::{CaptureSource, CaptureTime, GeoPoint, Metadata};

use crate::MediaError;

/// What EXIF says about a photo: when it was taken and its pixel size
/// (which the catalog keeps on the asset), and the technical metadata, with
/// every tag as text under `raw.exif`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExifSummary {
    pub capture: Option<CaptureTime>,
    pub pixel_width: Option<u32>,
    pub pixel_height: Option<u32>,
    pub metadata: Metadata,
}

/// Reads EXIF from the start of a file (JPEG, TIFF and TIFF-based RAW,
/// HEIF, PNG, WebP). `bytes` may be just the head of the file; EXIF that
/// lies beyond it is reported as corrupt (truncated) data.
///
/// A malformed entry (a count past the end of the block, an offset that
/// points nowhere, a broken sub-IFD: common in older cameras, phones and
/// scanners) costs that entry, never the rest of the block: the reader
/// continues past errors, and how many entries were dropped is recorded
/// under `raw.exif_dropped`.
pub fn probe_exif(bytes: &[u8]) -> Result<ExifSummary, MediaError> {
    let mut dropped = 0usize;
    let reader = {
        let mut r = exif::Reader::new();
        r.continue_on_error(true);
        r
    };
    // HEIF: the EXIF item that describes the primary image (a stereo pair
    // or a burst has several), by its place in the file.
    let heif_exif = crate::heif::is_heif(bytes)
        .then(|| crate::heif_meta::heif_meta(bytes))
        .flatten()
        .and_then(|m| m.exif)
        .and_then(|(offset, len)| {
            let start = usize::try_from(offset).ok()?;
            bytes.get(start..start.checked_add(usize::try_from(len).ok()?)?)
        })
        .and_then(crate::heif_meta::exif_tiff);
    let read = match (webp_exif_chunk(bytes), heif_exif) {
        // WebP's EXIF chunk is meant to hold a bare TIFF block, but many
        // writers (older libwebp tools, some phones) put JPEG's `Exif\0\0`
        // before it, which kamadak-exif refuses as a bad byte order.
        (Some(chunk), _) => reader.read_raw(chunk.strip_prefix(b"Exif\0\0").unwrap_or(chunk).to_vec()),
        (None, Some(tiff)) => reader.read_raw(tiff.to_vec()),
        (None, None) => match match ifd_pointers_typed_ifd(bytes).or_else(|| bigtiff_as_classic(bytes)) {
            // Read from a copy whose pointers say LONG, or a classic TIFF
            // made of a BigTIFF's tags (see below).
            Some(patched) => reader.read_raw(patched),
            None => reader.read_from_container(&mut Cursor::new(bytes)),
        } {
            // ImageMagick keeps a PNG's EXIF as hex in a text chunk (the
            // convention before PNG had `eXIf`).
            Err(exif::Error::NotFound(w)) => match png_text_exif(bytes) {
                Some(raw) => reader.read_raw(raw),
                None => Err(exif::Error::NotFound(w)),
            },
            other => other,
        },
    };
    let exif = read
        .or_else(|e| e.distill_partial_result(|errors| dropped = errors.len()))
        .map_err(|e| match e {
            exif::Error::NotFound(_) => MediaError::Absent { what: "EXIF" },
            other => MediaError::Corrupt {
                format: "EXIF",
                detail: other.to_string(),
            },
        })?;
    let mut summary = summarize(&exif);
    if dropped > 0 {
        summary
            .metadata
            .add_raw("exif_dropped", serde_json::Value::from(dropped));
    }
    Ok(summary)
}

/// The payload of a WebP file's `EXIF` chunk, if `bytes` is a WebP file
/// that has one (within `bytes`).
fn webp_exif_chunk(bytes: &[u8]) -> Option<&[u8]> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WEBP" {
        return None;
    }
    let mut at = 12usize;
    while at + 8 <= bytes.len() {
        let fourcc = &bytes[at..at + 4];
        let len = u32::from_le_bytes(bytes[at + 4..at + 8].try_into().ok()?) as usize;
        let data = at + 8;
        if fourcc == b"EXIF" {
            return bytes.get(data..data.checked_add(len)?);
        }
        // Chunks are padded to an even length.
        at = data.checked_add(len)?.checked_add(len & 1)?;
    }
    None
}

/// A BigTIFF's metadata (IFD0, and the Exif and GPS IFDs it points to) as
/// a classic TIFF block, which kamadak-exif reads (it knows no BigTIFF:
/// 8-byte counts and offsets, 20-byte entries). Scanners, slide and
/// microscope cameras and stitching tools write BigTIFF for files over
/// 4 GB. Image data (strips, tiles) is not copied; entries whose values
/// are over 64 KiB (an embedded thumbnail, a large profile) are left out.
/// Written by hand: no crate converts between the two layouts.
fn bigtiff_as_classic(bytes: &[u8]) -> Option<Vec<u8>> {
    /// One entry of a BigTIFF IFD, its value as stored.
    struct Entry {
        tag: u16,
        typ: u16,
        count: u64,
        value: Vec<u8>,
    }
    type Ifd = Vec<Entry>;
    let big_endian = match bytes.get(..8)? {
        [b'M', b'M', 0, 43, 0, 8, 0, 0] => true,
        [b'I', b'I', 43, 0, 8, 0, 0, 0] => false,
        _ => return None,
    };
    let read = |at: usize, n: usize| -> Option<u64> {
        let b = bytes.get(at..at.checked_add(n)?)?;
        let mut v = 0u64;
        for i in 0..n {
            let byte = if big_endian { b[i] } else { b[n - 1 - i] };
            v = (v << 8) | u64::from(byte);
        }
        Some(v)
    };
    let put16 =
        |out: &mut Vec<u8>, v: u16| out.extend_from_slice(&if big_endian { v.to_be_bytes() } else { v.to_le_bytes() });
    let put32 =
        |out: &mut Vec<u8>, v: u32| out.extend_from_slice(&if big_endian { v.to_be_bytes() } else { v.to_le_bytes() });
    const MAX_VALUE: u64 = 64 << 10;
    const MAX_ENTRIES: u64 = 1024;
    const MAX_IFD_BYTES: u64 = 4 << 20;
    /// Bytes of one value of a TIFF type; `None` for types not kept.
    fn unit(t: u16) -> Option<u64> {
        Some(match t {
            1 | 2 | 6 | 7 => 1,
            3 | 8 => 2,
            4 | 9 | 11 | 13 => 4,
            5 | 10 | 12 => 8,
            16..=18 => 8,
            _ => return None,
        })
    }
    // One IFD, its entries as (tag, type, count, value bytes as stored).
    let entries = |ifd: u64| -> Option<Ifd> {
        let at = usize::try_from(ifd).ok()?;
        let n = read(at, 8)?.min(MAX_ENTRIES);
        let mut out = Vec::new();
        // A hostile file's thousand 64 KiB values stop here.
        let mut copied = 0u64;
        for i in 0..n as usize {
            let e = at + 8 + i * 20;
            let (tag, typ, count) = (read(e, 2)? as u16, read(e + 2, 2)? as u16, read(e + 4, 8)?);
            let Some(size) = unit(typ).and_then(|u| u.checked_mul(count)).filter(|&s| s <= MAX_VALUE) else {
                continue;
            };
            copied += size;
            if copied > MAX_IFD_BYTES {
                break;
            }
            let value = if size <= 8 {
                bytes.get(e + 12..e + 12 + size as usize)?.to_vec()
            } else {
                let off = usize::try_from(read(e + 12, 8)?).ok()?;
                match off.checked_add(size as usize).and_then(|end| bytes.get(off..end)) {
                    Some(v) => v.to_vec(),
                    None => continue, // past the head: that entry only
                }
            };
            out.push(Entry { tag, typ, count, value });
        }
        Some(out)
    };
    // Writes an IFD at the end of `out`; sub-IFD pointers (Exif, GPS) are
    // written after it and patched in.
    fn write_ifd(
        out: &mut Vec<u8>,
        list: &[Entry],
        subs: &[(u16, Ifd)],
        put16: &dyn Fn(&mut Vec<u8>, u16),
        put32: &dyn Fn(&mut Vec<u8>, u32),
        big_endian: bool,
    ) -> Option<()> {
        // Entries in tag order; 8-byte integers become LONG when they fit.
        let mut kept: Vec<(u16, u16, u32, Vec<u8>)> = Vec::new();
        for Entry { tag, typ, count, value } in list {
            if matches!(tag, 273 | 279 | 324 | 325 | 0x8769 | 0x8825) {
                continue; // image data places, and the pointers written below
            }
            let (typ, value) = match typ {
                // 8-byte integers narrowed to 4; an entry whose values do
                // not fit is left out (only that entry).
                16..=18 => {
                    let narrowed: Option<Vec<u8>> = value
                        .chunks_exact(8)
                        .map(|chunk| {
                            let b: [u8; 8] = chunk.try_into().ok()?;
                            let n = if big_endian {
                                u64::from_be_bytes(b)
                            } else {
                                u64::from_le_bytes(b)
                            };
                            let n = u32::try_from(n).ok()?;
                            Some(if big_endian { n.to_be_bytes() } else { n.to_le_bytes() })
                        })
                        .collect::<Option<Vec<[u8; 4]>>>()
                        .map(|v| v.concat());
                    let Some(v) = narrowed else { continue };
                    (if *typ == 17 { 9 } else { 4 }, v)
                }
                t => (*t, value.clone()),
            };
            kept.push((*tag, typ, u32::try_from(*count).ok()?, value));
        }
        for (tag, _) in subs {
            kept.push((*tag, 4, 1, Vec::new()));
        }
        kept.sort_by_key(|e| e.0);
        let start = out.len();
        let n = kept.len();
        put16(out, u16::try_from(n).ok()?);
        let data_at = start + 2 + n * 12 + 4;
        let mut data: Vec<u8> = Vec::new();
        let mut pointers = Vec::new();
        for (tag, typ, count, value) in &kept {
            put16(out, *tag);
            put16(out, *typ);
            put32(out, *count);
            if subs.iter().any(|(t, _)| t == tag) {
                pointers.push((*tag, out.len()));
                put32(out, 0);
            } else if value.len() <= 4 {
                let mut v = value.clone();
                v.resize(4, 0);
                out.extend_from_slice(&v);
            } else {
                put32(out, u32::try_from(data_at + data.len()).ok()?);
                data.extend_from_slice(value);
                if data.len() % 2 == 1 {
                    data.push(0);
                }
            }
        }
        put32(out, 0);
        out.extend_from_slice(&data);
        for (tag, at) in pointers {
            let sub = subs.iter().find(|(t, _)| *t == tag).map(|(_, l)| l)?;
            let here = u32::try_from(out.len()).ok()?;
            let b = if big_endian {
                here.to_be_bytes()
            } else {
                here.to_le_bytes()
            };
            out[at..at + 4].copy_from_slice(&b);
            write_ifd(out, sub, &[], put16, put32, big_endian)?;
        }
        Some(())
    }
    let ifd0 = entries(read(8, 8)?)?;
    let mut subs = Vec::new();
    for pointer in [0x8769u16, 0x8825] {
        if let Some(Entry { value: v, .. }) = ifd0.iter().find(|e| e.tag == pointer) {
            let off = v
                .get(..8)
                .and_then(|b| {
                    let b: [u8; 8] = b.try_into().ok()?;
                    Some(if big_endian {
                        u64::from_be_bytes(b)
                    } else {
                        u64::from_le_bytes(b)
                    })
                })
                .or_else(|| {
                    let b: [u8; 4] = v.get(..4)?.try_into().ok()?;
                    Some(u64::from(if big_endian {
                        u32::from_be_bytes(b)
                    } else {
                        u32::from_le_bytes(b)
                    }))
                })?;
            if let Some(list) = entries(off) {
                subs.push((pointer, list));
            }
        }
    }
    let mut out = if big_endian {
        b"MM\0*".to_vec()
    } else {
        b"II*\0".to_vec()
    };
    put32(&mut out, 8);
    write_ifd(&mut out, &ifd0, &subs, &put16, &put32, big_endian)?;
    Some(out)
}

/// A TIFF whose IFD0 points to its Exif, GPS or Interoperability IFD with
/// an entry of type IFD (13) rather than LONG (FLIR's cameras, and others
/// following TIFF's later spelling), which kamadak-exif skips with all
/// that the IFD holds: a copy with those entries' type set to LONG, the
/// same four bytes. `None` for anything else.
fn ifd_pointers_typed_ifd(bytes: &[u8]) -> Option<Vec<u8>> {
    let big = match bytes.get(..4)? {
        b"MM\0*" => true,
        b"II*\0" => false,
        _ => return None,
    };
    let u16_at = |b: &[u8], at: usize| -> Option<u16> {
        let v: [u8; 2] = b.get(at..at + 2)?.try_into().ok()?;
        Some(if big {
            u16::from_be_bytes(v)
        } else {
            u16::from_le_bytes(v)
        })
    };
    let ifd0 = {
        let v: [u8; 4] = bytes.get(4..8)?.try_into().ok()?;
        (if big {
            u32::from_be_bytes(v)
        } else {
            u32::from_le_bytes(v)
        }) as usize
    };
    let count = usize::from(u16_at(bytes, ifd0)?);
    let typed_ifd: Vec<usize> = (0..count)
        .map(|i| ifd0 + 2 + i * 12)
        .filter(|&e| matches!(u16_at(bytes, e), Some(0x8769 | 0x8825 | 0xA005)) && u16_at(bytes, e + 2) == Some(13))
        .collect();
    if typed_ifd.is_empty() {
        return None;
    }
    let mut patched = bytes.to_vec();
    let long: [u8; 2] = if big { 4u16.to_be_bytes() } else { 4u16.to_le_bytes() };
    for e in typed_ifd {
        patched[e + 2..e + 4].copy_from_slice(&long);
    }
    Some(patched)
}

/// The EXIF block ImageMagick writes into a PNG as a `Raw profile type
/// exif` (or `APP1`) text chunk, `tEXt` or zlib-compressed `zTXt`: a blank
/// line, the profile's name, its length in bytes, then the bytes in hex.
fn png_text_exif(bytes: &[u8]) -> Option<Vec<u8>> {
    use std::io::Read;
    const MAX_PROFILE: u64 = 1 << 20;
    if !bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        return None;
    }
    let mut at = 8usize;
    while at + 8 <= bytes.len() {
        let len = u32::from_be_bytes(bytes[at..at + 4].try_into().ok()?) as usize;
        let kind = &bytes[at + 4..at + 8];
        let data = bytes.get(at + 8..(at + 8).checked_add(len)?)?;
        at = (at + 12).checked_add(len)?;
        if kind != b"tEXt" && kind != b"zTXt" {
            continue;
        }
        let Some(nul) = data.iter().position(|b| *b == 0) else {
            continue;
        };
        let keyword = &data[..nul];
        if !keyword.eq_ignore_ascii_case(b"Raw profile type exif")
            && !keyword.eq_ignore_ascii_case(b"Raw profile type APP1")
        {
            continue;
        }
        let text: Vec<u8> = if kind == b"zTXt" {
            let mut out = Vec::new();
            let compressed = data.get(nul + 2..)?;
            flate2::read::ZlibDecoder::new(compressed)
                .take(MAX_PROFILE * 3)
                .read_to_end(&mut out)
                .ok()?;
            out
        } else {
            data[nul + 1..].to_vec()
        };
        let text = String::from_utf8_lossy(&text);
        let mut lines = text.split('\n').map(str::trim).filter(|l| !l.is_empty());
        let _name = lines.next()?;
        let size: usize = lines.next()?.parse().ok().filter(|n| (*n as u64) <= MAX_PROFILE)?;
        let hex: Vec<u8> = lines
            .flat_map(str::bytes)
            .filter(|b| !b.is_ascii_whitespace())
            .collect();
        let mut raw = vec![0u8; size];
        hex::decode_to_slice(hex.get(..size * 2)?, &mut raw).ok()?;
        return Some(match raw.strip_prefix(b"Exif\0\0") {
            Some(tiff) => tiff.to_vec(),
            None => raw,
        });
    }
    None
}

fn summarize(exif: &Exif) -> ExifSummary {
    let gps = gps_coord(exif, Tag::GPSLatitude, Tag::GPSLatitudeRef, b'S')
        .zip(gps_coord(exif, Tag::GPSLongitude, Tag::GPSLongitudeRef, b'W'))
        .map(|(lat, lon)| GeoPoint {
            lat,
            lon,
            alt: gps_altitude(exif),
        });
    let metadata = Metadata {
        orientation: uint(exif, Tag::Orientation)
            .and_then(|o| u8::try_from(o).ok())
            .filter(|o| (1..=8).contains(o)),
        camera_make: text(exif, Tag::Make),
        camera_model: text(exif, Tag::Model),
        lens: text(exif, Tag::LensModel),
        focal_length_mm: rational(exif, Tag::FocalLength),
        aperture: rational(exif, Tag::FNumber),
        exposure_s: rational(exif, Tag::ExposureTime),
        iso: uint(exif, Tag::PhotographicSensitivity),
        flash: uint(exif, Tag::Flash).map(|f| f & 1 == 1),
        gps,
        ..Metadata::empty()
    };
    let mut raw = serde_json::Map::new();
    for f in exif.fields() {
        // Thumbnail IFD tags describe the embedded preview, not the photo.
        if f.ifd_num != In::PRIMARY && f.ifd_num != In(0) {
            continue;
        }
        if matches!(f.value, Value::Undefined(ref b, _) if b.len() > 256) {
            continue; // maker notes and other blobs
        }
        // Text as text: kamadak-exif's display quotes ASCII values
        // (`"KONICA MINOLTA DIGITAL CAMERA"`), which the metadata panel
        // showed as is.
        let mut value = match &f.value {
            Value::Ascii(parts) => parts
                .iter()
                .map(|p| {
                    String::from_utf8_lossy(p)
                        .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                        .to_owned()
                })
                .filter(|p| !p.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
            _ => f.display_value().with_unit(exif).to_string(),
        };
        if value.len() > 1024 {
            value.truncate(value.floor_char_boundary(1024));
        }
        raw.insert(format!("{}", f.tag), serde_json::Value::String(value));
    }
    let mut s = ExifSummary {
        capture: capture_time(exif),
        pixel_width: uint(exif, Tag::PixelXDimension),
        pixel_height: uint(exif, Tag::PixelYDimension),
        metadata,
    };
    s.metadata.add_raw("exif", serde_json::Value::Object(raw));
    s
}

fn field(exif: &Exif, tag: Tag) -> Option<&exif::Field> {
    exif.get_field(tag, In::PRIMARY).or_else(|| {
        // An entry some writer put in the other IFD of the primary image
        // (a LensModel in IFD0, as Nikon's D800 writes it): found by its
        // number there, as exiftool finds it. GPS numbers overlap others,
        // so GPS entries are looked up only where they belong.
        if tag.context() == exif::Context::Gps {
            return None;
        }
        exif.fields().find(|f| {
            f.ifd_num == In::PRIMARY
                && f.tag.number() == tag.number()
                && matches!(f.tag.context(), exif::Context::Tiff | exif::Context::Exif)
        })
    })
}

fn text(exif: &Exif, tag: Tag) -> Option<String> {
    match &field(exif, tag)?.value {
        Value::Ascii(parts) => {
            let joined: Vec<u8> = parts.first()?.clone();
            // Not UTF-8: Latin-1, as older cameras and scanners write it,
            // without control characters.
            let s = String::from_utf8(joined)
                .unwrap_or_else(|e| e.into_bytes().iter().map(|b| char::from(*b)).collect())
                .chars()
                .filter(|c| !c.is_control() || *c == '\0')
                .collect::<String>()
                .trim_matches(|c: char| c == '\0' || c.is_whitespace())
                .to_owned();
            (!s.is_empty()).then_some(s)
        }
        _ => None,
    }
}

fn uint(exif: &Exif, tag: Tag) -> Option<u32> {
    let value = &field(exif, tag)?.value;
    // Signed types for unsigned tags (gThumb writes Orientation as SLONG):
    // read as exiftool reads them, when not negative.
    value.get_uint(0).or_else(|| match value {
        Value::SLong(v) => v.first().and_then(|n| u32::try_from(*n).ok()),
        Value::SShort(v) => v.first().and_then(|n| u32::try_from(*n).ok()),
        _ => None,
    })
}

fn rational(exif: &Exif, tag: Tag) -> Option<f64> {
    match &field(exif, tag)?.value {
        Value::Rational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        Value::SRational(v) => v.first().filter(|r| r.denom != 0).map(|r| r.to_f64()),
        _ => None,
    }
    .filter(|v| v.is_finite())
}

fn ascii_bytes(exif: &Exif, tag: Tag) -> Option<Vec<u8>> {
    match &field(exif, tag)?.value {
        Value::Ascii(parts) => parts.first().cloned(),
        _ => None,
    }
}

fn capture_time(exif: &Exif) -> Option<CaptureTime> {
    let candidates = [
        (
            Tag::DateTimeOriginal,
            Tag::OffsetTimeOriginal,
            Tag::SubSecTimeOriginal,
            CaptureSource::ExifOriginal,
        ),
        (
            Tag::DateTimeDigitized,
            Tag::OffsetTimeDigitized,
            Tag::SubSecTimeDigitized,
            CaptureSource::ExifCreate,
        ),
    ];
    for (dt_tag, off_tag, sub_tag, source) in candidates {
        let Some(raw) = ascii_bytes(exif, dt_tag) else {
            continue;
        };
        let Ok(mut dt) = exif::DateTime::from_ascii(&raw) else {
            continue;
        };
        if let Some(sub) = ascii_bytes(exif, sub_tag) {
            let _ = dt.parse_subsec(&sub);
        }
        if let Some(off) = ascii_bytes(exif, off_tag) {
            let _ = dt.parse_offset(&off);
        }
        if let Some(wall_ms) = wall_clock_ms(&dt) {
            // With an offset the wall-clock time names one instant: store it.
            let offset_ms = dt.offset.map_or(0, |m| i64::from(m) * 60_000);
            return Some(CaptureTime {
                unix_ms: wall_ms - offset_ms,
                offset_minutes: dt.offset,
                source,
            });
        }
    }
    None
}

/// The wall-clock time as milliseconds since the epoch as if it were UTC.
fn wall_clock_ms(dt: &exif::DateTime) -> Option<i64> {
    let month = time::Month::try_from(dt.month).ok()?;
    let date = time::Date::from_calendar_date(i32::from(dt.year), month, dt.day).ok()?;
    let t = time::Time::from_hms_nano(dt.hour, dt.minute, dt.second, dt.nanosecond.unwrap_or(0)).ok()?;
    let odt = time::PrimitiveDateTime::new(date, t).assume_utc();
    Some((odt.unix_timestamp_nanos() / 1_000_000) as i64)
}

fn gps_coord(exif: &Exif, tag: Tag, ref_tag: Tag, negative: u8) -> Option<f64> {
    let Value::Rational(parts) = &field(exif, tag)?.value else {
        return None;
    };
    if parts.len() < 3 || parts.iter().take(3).any(|r| r.denom == 0) {
        return None;
    }
    let deg = parts[0].to_f64() + parts[1].to_f64() / 60.0 + parts[2].to_f64() / 3600.0;
    let sign = match ascii_bytes(exif, ref_tag).as_deref() {
        Some([c, ..]) if c.eq_ignore_ascii_case(&negative) => -1.0,
        _ => 1.0,
    };
    Some(sign * deg).filter(|v| v.is_finite() && v.abs() <= 180.0)
}

fn gps_altitude(exif: &Exif) -> Option<f64> {
    let alt = rational(exif, Tag::GPSAltitude)?;
    let below = matches!(uint(exif, Tag::GPSAltitudeRef), Some(1));
    Some(if below { -alt } else { alt })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A big-endian TIFF whose first IFD has Make, a Model whose value
    /// offset points far past the end of the block (as some old cameras
    /// and scanners write), and Orientation.
    fn tiff_with_a_broken_entry() -> Vec<u8> {
        let mut t = b"MM\0*\0\0\0\x08".to_vec();
        t.extend_from_slice(&3u16.to_be_bytes());
        let data_at: u32 = 8 + 2 + 3 * 12 + 4;
        let entry = |t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: [u8; 4]| {
            t.extend_from_slice(&tag.to_be_bytes());
            t.extend_from_slice(&typ.to_be_bytes());
            t.extend_from_slice(&count.to_be_bytes());
            t.extend_from_slice(&value);
        };
        entry(&mut t, 0x010F, 2, 6, data_at.to_be_bytes());
        entry(&mut t, 0x0110, 2, 1000, 0x7FFF_0000u32.to_be_bytes());
        entry(&mut t, 0x0112, 3, 1, [0, 6, 0, 0]);
        t.extend_from_slice(&0u32.to_be_bytes());
        t.extend_from_slice(b"Canon\0");
        t
    }

    /// One little-endian IFD entry.
    fn le_entry(t: &mut Vec<u8>, tag: u16, typ: u16, count: u32, value: [u8; 4]) {
        t.extend_from_slice(&tag.to_le_bytes());
        t.extend_from_slice(&typ.to_le_bytes());
        t.extend_from_slice(&count.to_le_bytes());
        t.extend_from_slice(&value);
    }

    /// Entries as odd writers leave them: Orientation as SLONG (gThumb),
    /// LensModel in IFD0 (Nikon D800), a Make in Latin-1 (old scanners).
    #[test]
    fn signed_orientation_lens_in_ifd0_and_latin1_text_are_read() {
        let mut t = b"II*\0\x08\0\0\0".to_vec();
        t.extend_from_slice(&3u16.to_le_bytes());
        let data_at: u32 = 8 + 2 + 3 * 12 + 4;
        le_entry(&mut t, 0x010F, 2, 7, data_at.to_le_bytes());
        le_entry(&mut t, 0x0112, 9, 1, 6i32.to_le_bytes());
        le_entry(&mut t, 0xA434, 2, 8, (data_at + 8).to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        t.extend_from_slice(b"Nikon\xe9\0\0");
        t.extend_from_slice(b"24-70mm\0");
        let m = probe_exif(&t).unwrap().metadata;
        assert_eq!(m.orientation, Some(6));
        assert_eq!(m.lens.as_deref(), Some("24-70mm"));
        assert_eq!(m.camera_make.as_deref(), Some("Nikoné"));
    }

    /// A TIFF whose Exif and GPS pointers are typed IFD (13), as FLIR's
    /// cameras write them (Pillow's `ifd_tag_type.tiff`): their dates and
    /// position are read.
    #[test]
    fn ifd_pointers_of_type_ifd_are_followed() {
        let mut t = b"II*\0\x08\0\0\0".to_vec();
        // IFD0 at 8: one entry, the Exif pointer typed IFD, to 26.
        t.extend_from_slice(&1u16.to_le_bytes());
        le_entry(&mut t, 0x8769, 13, 1, 26u32.to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        assert_eq!(t.len(), 26);
        // The Exif IFD: DateTimeOriginal, its 20 bytes after the IFD.
        t.extend_from_slice(&1u16.to_le_bytes());
        le_entry(&mut t, 0x9003, 2, 20, (26u32 + 2 + 12 + 4).to_le_bytes());
        t.extend_from_slice(&0u32.to_le_bytes());
        t.extend_from_slice(b"2021:05:06 07:08:09\0");
        let s = probe_exif(&t).unwrap();
        let capture = s.capture.expect("the date in the Exif IFD");
        assert_eq!(capture.unix_ms, 1_620_284_889_000);
    }

    /// A PNG whose EXIF ImageMagick kept as hex in a `tEXt` or `zTXt`
    /// chunk, as Pillow's `exif_imagemagick.png` has it.
    #[test]
    fn imagemagick_png_text_chunk_exif_is_read() {
        use std::io::Write;
        let mut profile = b"Exif\0\0".to_vec();
        profile.extend(tiff_with_a_broken_entry());
        let hex_lines: Vec<String> = hex::encode(&profile)
            .as_bytes()
            .chunks(72)
            .map(|c| String::from_utf8(c.to_vec()).unwrap())
            .collect();
        let text = format!("\nexif\n{:8}\n{}\n", profile.len(), hex_lines.join("\n"));
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut c = (data.len() as u32).to_be_bytes().to_vec();
            c.extend_from_slice(kind);
            c.extend_from_slice(data);
            c.extend_from_slice(&[0; 4]); // CRC: not checked here
            c
        };
        let mut ztxt = b"Raw profile type exif\0\0".to_vec();
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(text.as_bytes()).unwrap();
        ztxt.extend(z.finish().unwrap());
        let mut text_chunk = b"Raw profile type exif\0".to_vec();
        text_chunk.extend_from_slice(text.as_bytes());
        for (kind, data) in [(&b"tEXt"[..], text_chunk), (&b"zTXt"[..], ztxt)] {
            let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
            png.extend(chunk(b"IHDR", &[0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]));
            png.extend(chunk(kind, &data));
            png.extend(chunk(b"IEND", &[]));
            let m = probe_exif(&png).unwrap().metadata;
            assert_eq!(
                m.camera_make.as_deref(),
                Some("Canon"),
                "{:?}",
                std::str::from_utf8(kind)
            );
            assert_eq!(m.orientation, Some(6));
        }
    }

    /// A WebP whose EXIF chunk starts with JPEG's `Exif\0\0`, as Pillow's
    /// `flower.webp` and many phones write it.
    #[test]
    fn webp_exif_with_the_jpeg_prefix_is_read() {
        let tiff = tiff_with_a_broken_entry();
        for prefix in [&b"Exif\0\0"[..], &b""[..]] {
            let mut chunk = prefix.to_vec();
            chunk.extend_from_slice(&tiff);
            let mut webp = b"RIFF\0\0\0\0WEBPVP8X".to_vec();
            webp.extend_from_slice(&10u32.to_le_bytes());
            webp.extend_from_slice(&[8, 0, 0, 0, 15, 0, 0, 15, 0, 0]);
            webp.extend_from_slice(b"EXIF");
            webp.extend_from_slice(&(chunk.len() as u32).to_le_bytes());
            webp.extend_from_slice(&chunk);
            let s = probe_exif(&webp).unwrap_or_else(|e| panic!("prefix {prefix:?}: {e}"));
            assert_eq!(s.metadata.camera_make.as_deref(), Some("Canon"));
            assert_eq!(s.metadata.orientation, Some(6));
        }
    }

    /// A little-endian BigTIFF as a scanner writes one: IFD0 with a make
    /// (8 bytes, inline), an orientation, a model stored elsewhere, a
    /// strip, and an Exif IFD (pointer of type LONG8) with the date.
    fn bigtiff() -> Vec<u8> {
        let mut b = b"II\x2b\0\x08\0\0\0".to_vec();
        b.extend_from_slice(&16u64.to_le_bytes());
        let entry = |b: &mut Vec<u8>, tag: u16, typ: u16, count: u64, value: u64| {
            b.extend_from_slice(&tag.to_le_bytes());
            b.extend_from_slice(&typ.to_le_bytes());
            b.extend_from_slice(&count.to_le_bytes());
            b.extend_from_slice(&value.to_le_bytes());
        };
        // IFD0 at 16: 5 entries (8 + 5 * 20 + 8 = 116 bytes), so data at 132.
        let model_at = 132u64;
        let exif_at = model_at + 16;
        b.extend_from_slice(&5u64.to_le_bytes());
        entry(&mut b, 0x010F, 2, 8, u64::from_le_bytes(*b"Scanner\0"));
        entry(&mut b, 0x0110, 2, 16, model_at);
        entry(&mut b, 0x0112, 3, 1, 6);
        entry(&mut b, 0x0111, 16, 1, 4096);
        entry(&mut b, 0x8769, 18, 1, exif_at);
        b.extend_from_slice(&0u64.to_le_bytes());
        assert_eq!(b.len() as u64, model_at);
        b.extend_from_slice(b"FilmScan 9000\0\0\0");
        // Exif IFD: one entry, the date stored after it.
        let date_at = exif_at + 8 + 20 + 8;
        b.extend_from_slice(&1u64.to_le_bytes());
        entry(&mut b, 0x9003, 2, 20, date_at);
        b.extend_from_slice(&0u64.to_le_bytes());
        b.extend_from_slice(b"2021:03:04 05:06:07\0");
        b
    }

    #[test]
    fn bigtiff_metadata_is_read_through_a_classic_copy() {
        let s = probe_exif(&bigtiff()).unwrap();
        assert_eq!(s.metadata.camera_make.as_deref(), Some("Scanner"));
        assert_eq!(s.metadata.camera_model.as_deref(), Some("FilmScan 9000"));
        assert_eq!(s.metadata.orientation, Some(6));
        let capture = s.capture.expect("the date in the Exif IFD");
        assert_eq!(capture.unix_ms, 1_614_834_367_000);
        let b = bigtiff();
        for cut in 0..b.len() {
            let _ = probe_exif(&b[..cut]);
        }
        // Offsets and counts garbled (8-byte values near u64::MAX among
        // them): never a panic or an overflow.
        let mut rng = trove_testkit::Rng::new(26);
        for _ in 0..5000 {
            let mut g = b.clone();
            for _ in 0..3 {
                let i = 8 + rng.below(g.len() as u64 - 8) as usize;
                g[i] = if rng.chance(50) { 0xff } else { rng.next_u64() as u8 };
            }
            let _ = probe_exif(&g);
        }
    }

    #[test]
    fn a_malformed_entry_costs_that_entry_not_the_block() {
        let s = probe_exif(&tiff_with_a_broken_entry()).expect("the rest of the block is read");
        assert_eq!(s.metadata.camera_make.as_deref(), Some("Canon"));
        assert_eq!(s.metadata.orientation, Some(6));
        assert_eq!(s.metadata.camera_model, None, "the broken entry is dropped");
        assert_eq!(s.metadata.raw["exif_dropped"], 1);
    }
}
