//! Media probing for Trove: what a file is and what its content says about
//! itself (capture time, camera, pixel size).
//!
//! This crate works on bytes and files only. It knows nothing of the
//! catalog, the search index or storage; callers map its results into their
//! own types. Images are decoded in-process under pixel and memory limits;
//! video, audio and PDF go through external tools (ffprobe, ffmpeg,
//! poppler) run as restrained subprocesses (see [`Tools`]). Files are
//! written only where the caller says.

mod audio;
mod decoded;
mod detect;
mod error;
mod exif_probe;
mod heif;
mod heif_meta;
mod icc;
mod iptc;
mod libraw;
mod pdf;
mod proxies;
mod raw;
mod tools;
mod video;
mod vips;
mod xmp;
mod xmp_write;

pub use audio::{AudioTags, probe_audio};
pub use pdf::{PdfInfo, parse_pdfinfo, pdf_info, pdf_page_png};
pub use raw::{EmbeddedJpeg, is_raw_mime, raw_preview};
pub use tools::Tools;
pub use video::{
    AudioStream, AvProbe, ScrubStrip, SubtitleStream, VideoStream, closed_captions_vtt, has_closed_captions,
    is_web_playable, parse_probe, poster_frame, probe_av, scrub_strip, shot_changes, strip_av_metadata, subtitles_vtt,
    transcode_audio, transcode_video, vtt_text,
};

pub use detect::{Detected, detect};
pub use error::MediaError;
pub use exif_probe::{ExifSummary, probe_exif};
pub use iptc::probe_iptc;
pub use libraw::{MIN_RAW_PREVIEW_SIDE, raw_develop};
pub use proxies::{
    FullImage, ImageProxies, Proxy, ProxySpec, Variant, decode_memory, full_size_jpeg, full_size_spec, image_proxies,
    orient,
};
pub use vips::{VipsPreview, vips_may_read, vips_preview};
pub use xmp::{XmpSummary, find_xmp_packet, parse_xmp, probe_xmp};
pub use xmp_write::{MAX_SIDECAR_BYTES, SidecarFields, update_sidecar};

/// How many leading bytes of a file the probes want. Importers keep this
/// much of the first read so metadata comes from the same pass as hashing.
pub const HEAD_LEN: usize = 256 * 1024;

/// The most a scan keeps of a file whose metadata lies beyond [`HEAD_LEN`].
pub const MAX_HEAD_LEN: usize = 64 << 20;

/// How many leading bytes of a file of `size` bytes, which starts with
/// `first`, the probes need: [`HEAD_LEN`], or more (up to
/// [`MAX_HEAD_LEN`]) for a TIFF whose first IFD lies past it (scanners and
/// old tools write the pixels first) and a JPEG whose frame header sits
/// behind large segments (a 400 KB ICC profile, Photoshop's resources).
pub fn head_len_for(first: &[u8], size: u64) -> usize {
    let whole = usize::try_from(size).unwrap_or(usize::MAX).min(MAX_HEAD_LEN);
    let far = |offset: u64| offset.saturating_add(4096) > HEAD_LEN as u64;
    let wants_more = match first {
        [b'I', b'I', 42, 0, a, b, c, d, ..] => far(u64::from(u32::from_le_bytes([*a, *b, *c, *d]))),
        [b'M', b'M', 0, 42, a, b, c, d, ..] => far(u64::from(u32::from_be_bytes([*a, *b, *c, *d]))),
        // BigTIFF: 8-byte offsets.
        [b'I', b'I', 43, 0, 8, 0, 0, 0, rest @ ..] if rest.len() >= 8 => {
            far(u64::from_le_bytes(rest[..8].try_into().unwrap_or([0; 8])))
        }
        [b'M', b'M', 0, 43, 0, 8, 0, 0, rest @ ..] if rest.len() >= 8 => {
            far(u64::from_be_bytes(rest[..8].try_into().unwrap_or([0; 8])))
        }
        [0xFF, 0xD8, 0xFF, ..] => !jpeg_frame_header_within(first, HEAD_LEN),
        // HEIF whose EXIF lies past the head (after the image data, as
        // Samsung and Xiaomi phones and Canon's HIF write it): as far as
        // the EXIF's end, not the whole file.
        _ if heif::is_heif(first) => {
            // One whose `meta` box comes after the image data (Samsung's
            // phones): the whole file.
            let Some(meta) = heif_meta::heif_meta(first) else {
                return whole.max(HEAD_LEN);
            };
            let end = meta
                .exif
                .and_then(|(offset, len)| usize::try_from(offset.checked_add(len)?).ok());
            return match end {
                Some(end) if end > HEAD_LEN => end.min(whole).max(HEAD_LEN),
                _ => HEAD_LEN,
            };
        }
        _ => false,
    };
    if wants_more { whole.max(HEAD_LEN) } else { HEAD_LEN }
}

/// Whether a JPEG's frame header (SOFn) starts within its first `limit`
/// bytes (and within `bytes`), walking the segments.
fn jpeg_frame_header_within(bytes: &[u8], limit: usize) -> bool {
    let end = bytes.len().min(limit);
    let mut at = 2usize;
    while at + 4 <= end {
        if bytes[at] != 0xFF {
            // Not a marker where one should be: leave it to the decoders.
            return true;
        }
        let marker = bytes[at + 1];
        if marker == 0xFF {
            at += 1; // fill byte
            continue;
        }
        if matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return true;
        }
        if marker == 0xDA || marker == 0xD9 {
            return true;
        }
        at += 2 + usize::from(u16::from_be_bytes([bytes[at + 2], bytes[at + 3]]));
    }
    at < end
}

/// Pixel size read from an image header, with EXIF orientation applied.
pub fn image_dimensions(head: &[u8], orientation: Option<u8>) -> Option<(u32, u32)> {
    // HEIF: the primary image's own size, turned by its `irot` as libheif
    // shows it (its EXIF orientation only repeats that).
    if heif::is_heif(head)
        && let Some(meta) = heif_meta::heif_meta(head)
        && let Some((w, h)) = meta.size
    {
        return Some(if meta.quarter_turns % 2 == 1 { (h, w) } else { (w, h) });
    }
    let (w, h) = match bmp_size(head)
        .or_else(|| jpeg2000_size(head))
        .or_else(|| xcf_size(head))
        .or_else(|| pcx_size(head))
        .or_else(|| pfm_size(head))
        .or_else(|| exr_size(head))
    {
        Some(size) => size,
        None => {
            let size = imagesize::blob_size(head).ok()?;
            (u32::try_from(size.width).ok()?, u32::try_from(size.height).ok()?)
        }
    };
    if w == 0 || h == 0 {
        return None;
    }
    // Orientations 5-8 rotate by 90 degrees: the shown picture is h x w.
    Some(match orientation {
        Some(5..=8) => (h, w),
        _ => (w, h),
    })
}

/// A GIMP XCF file's canvas size: after `gimp xcf ` and its version
/// (`file`, `v001`...) with a NUL, width and height as big-endian u32.
fn xcf_size(head: &[u8]) -> Option<(u32, u32)> {
    let rest = head.strip_prefix(b"gimp xcf ")?;
    let nul = rest.iter().take(8).position(|&b| b == 0)?;
    let at = 9 + nul + 1;
    let be32 = |i: usize| -> Option<u32> { Some(u32::from_be_bytes(head.get(i..i + 4)?.try_into().ok()?)) };
    Some((be32(at)?, be32(at + 4)?))
}

/// A PCX (or DCX page) image's size: its window, `xmax - xmin + 1` by
/// `ymax - ymin + 1`, little-endian u16s after the 4-byte signature.
fn pcx_size(head: &[u8]) -> Option<(u32, u32)> {
    if !matches!(head, [0x0A, 0 | 2 | 3 | 4 | 5, 1, 1 | 2 | 4 | 8, ..]) {
        return None;
    }
    let le16 = |i: usize| -> Option<u32> { Some(u32::from(u16::from_le_bytes(head.get(i..i + 2)?.try_into().ok()?))) };
    let (x0, y0, x1, y1) = (le16(4)?, le16(6)?, le16(8)?, le16(10)?);
    Some((x1.checked_sub(x0)? + 1, y1.checked_sub(y0)? + 1))
}

/// A portable float map's size: `PF` or `Pf`, then width and height as
/// text, as Netpbm writes them (`imagesize` reads P1-P7 only).
fn pfm_size(head: &[u8]) -> Option<(u32, u32)> {
    let rest = head.strip_prefix(b"PF").or_else(|| head.strip_prefix(b"Pf"))?;
    // The header is ASCII; the float samples after it are not.
    let end = rest
        .iter()
        .take(64)
        .position(|b| !b.is_ascii())
        .unwrap_or(rest.len().min(64));
    let text = std::str::from_utf8(&rest[..end]).ok()?;
    let mut words = text.split_ascii_whitespace();
    Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
}

/// An OpenEXR image's size, from its header's `dataWindow` attribute (the
/// pixels stored; `box2i`: xMin, yMin, xMax, yMax), as exiftool reads it.
/// Attributes are `name\0type\0`, a little-endian i32 size, the value.
fn exr_size(head: &[u8]) -> Option<(u32, u32)> {
    if !head.starts_with(&[0x76, 0x2F, 0x31, 0x01]) {
        return None;
    }
    // After the magic and the version field.
    let mut at = 8usize;
    let cstr = |from: usize| -> Option<(&[u8], usize)> {
        let len = head.get(from..)?.iter().take(256).position(|&b| b == 0)?;
        Some((&head[from..from + len], from + len + 1))
    };
    let le32 = |i: usize| -> Option<i32> { Some(i32::from_le_bytes(head.get(i..i + 4)?.try_into().ok()?)) };
    // A header has a few tens of attributes; a hostile one is cut short.
    for _ in 0..256 {
        let (name, next) = cstr(at)?;
        if name.is_empty() {
            return None;
        }
        let (_, next) = cstr(next)?;
        let size = usize::try_from(le32(next)?).ok()?;
        let value = next + 4;
        if name == b"dataWindow" && size == 16 {
            let (x0, y0, x1, y1) = (le32(value)?, le32(value + 4)?, le32(value + 8)?, le32(value + 12)?);
            let w = u32::try_from(i64::from(x1) - i64::from(x0) + 1).ok()?;
            let h = u32::try_from(i64::from(y1) - i64::from(y0) + 1).ok()?;
            return Some((w, h));
        }
        at = value.checked_add(size)?;
    }
    None
}

/// A JPEG 2000 image's pixel size, which `imagesize` does not read: from
/// the `ihdr` box inside the `jp2h` header of a JP2/JPX file, or from the
/// SIZ marker of a bare codestream (`.j2k`, `.j2c`).
fn jpeg2000_size(head: &[u8]) -> Option<(u32, u32)> {
    let be32 = |b: &[u8], at: usize| -> Option<u32> { Some(u32::from_be_bytes(b.get(at..at + 4)?.try_into().ok()?)) };
    // A bare codestream: SOC, then SIZ (Lsiz, Rsiz, Xsiz, Ysiz, XOsiz, YOsiz).
    if head.starts_with(&[0xFF, 0x4F, 0xFF, 0x51]) {
        let (x, y, xo, yo) = (be32(head, 8)?, be32(head, 12)?, be32(head, 16)?, be32(head, 20)?);
        return Some((x.checked_sub(xo)?, y.checked_sub(yo)?));
    }
    if !head.starts_with(b"\0\0\0\x0cjP  \r\n\x87\n") {
        return None;
    }
    // Boxes: a 32-bit length (1: a 64-bit one follows; 0: to the end),
    // a type, the payload. `ihdr` (height, width) sits inside `jp2h`.
    let find = |data: &[u8], want: &[u8; 4]| -> Option<(usize, usize)> {
        let mut at = 0usize;
        while at + 8 <= data.len() {
            let len = be32(data, at)? as usize;
            let (start, len) = match len {
                1 => {
                    let long = u64::from_be_bytes(data.get(at + 8..at + 16)?.try_into().ok()?);
                    (at + 16, usize::try_from(long).ok()?.checked_sub(16)?)
                }
                0 => (at + 8, data.len() - at - 8),
                n => (at + 8, n.checked_sub(8)?),
            };
            if &data[at + 4..at + 8] == want {
                return Some((start, len.min(data.len().saturating_sub(start))));
            }
            at = start.checked_add(len)?;
        }
        None
    };
    let (h_at, h_len) = find(head, b"jp2h")?;
    let header = &head[h_at..h_at + h_len];
    let (i_at, _) = find(header, b"ihdr")?;
    Some((be32(header, i_at + 4)?, be32(header, i_at)?))
}

/// A BMP's pixel size, read here because the header has two layouts that
/// `imagesize` misreads: OS/2 1.x (16-bit sizes in a 12-byte header) and
/// top-down bitmaps (a negative height).
fn bmp_size(head: &[u8]) -> Option<(u32, u32)> {
    if head.len() < 26 || &head[0..2] != b"BM" {
        return None;
    }
    let header_len = u32::from_le_bytes(head[14..18].try_into().ok()?);
    if header_len == 12 {
        let w = u16::from_le_bytes(head[18..20].try_into().ok()?);
        let h = u16::from_le_bytes(head[20..22].try_into().ok()?);
        return Some((u32::from(w), u32::from(h)));
    }
    let w = i32::from_le_bytes(head[18..22].try_into().ok()?);
    let h = i32::from_le_bytes(head[22..26].try_into().ok()?);
    Some((w.unsigned_abs(), h.unsigned_abs()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg2000_sizes_come_from_ihdr_and_siz() {
        let mut jp2 = b"\0\0\0\x0cjP  \r\n\x87\n".to_vec();
        jp2.extend_from_slice(b"\0\0\0\x14ftypjp2 \0\0\0\0jp2 ");
        let mut ihdr = b"\0\0\0\x16ihdr".to_vec();
        ihdr.extend_from_slice(&480u32.to_be_bytes()); // height
        ihdr.extend_from_slice(&640u32.to_be_bytes()); // width
        ihdr.extend_from_slice(&[0, 3, 7, 7, 0, 0]);
        jp2.extend_from_slice(&((8 + ihdr.len()) as u32).to_be_bytes());
        jp2.extend_from_slice(b"jp2h");
        jp2.extend_from_slice(&ihdr);
        assert_eq!(image_dimensions(&jp2, None), Some((640, 480)));
        assert_eq!(image_dimensions(&jp2, Some(6)), Some((480, 640)));
        let mut j2k = vec![0xFF, 0x4F, 0xFF, 0x51, 0, 41, 0, 0];
        for v in [1000u32, 800, 10, 20] {
            j2k.extend_from_slice(&v.to_be_bytes());
        }
        assert_eq!(image_dimensions(&j2k, None), Some((990, 780)));
        for cut in 0..jp2.len() {
            let _ = image_dimensions(&jp2[..cut], None);
        }
    }

    #[test]
    fn exr_sizes_come_from_the_data_window() {
        // chlist first (a value of 37 bytes), then dataWindow 10..105 x 20..83.
        let mut exr = vec![0x76, 0x2f, 0x31, 0x01, 2, 0, 0, 0];
        exr.extend_from_slice(b"channels\0chlist\0");
        exr.extend_from_slice(&37i32.to_le_bytes());
        exr.extend_from_slice(&[0u8; 37]);
        exr.extend_from_slice(b"dataWindow\0box2i\0");
        exr.extend_from_slice(&16i32.to_le_bytes());
        for v in [10i32, 20, 105, 83] {
            exr.extend_from_slice(&v.to_le_bytes());
        }
        exr.push(0);
        assert_eq!(image_dimensions(&exr, None), Some((96, 64)));
        for cut in 0..exr.len() {
            let _ = image_dimensions(&exr[..cut], None);
        }
    }

    #[test]
    fn pcx_and_pfm_sizes_come_from_their_headers() {
        let mut pcx = vec![0x0A, 5, 1, 8];
        for v in [10u16, 20, 329, 219] {
            pcx.extend_from_slice(&v.to_le_bytes());
        }
        assert_eq!(image_dimensions(&pcx, None), Some((320, 200)));
        let mut pfm = b"PF\n128 96\n-1.0\n".to_vec();
        pfm.extend_from_slice(&[0x80, 0xff, 0xfe, 0x3f]);
        assert_eq!(image_dimensions(&pfm, None), Some((128, 96)));
        for cut in 0..pfm.len() {
            let _ = image_dimensions(&pfm[..cut], None);
            let _ = image_dimensions(&pcx[..cut.min(pcx.len())], None);
        }
    }

    #[test]
    fn xcf_sizes_come_from_the_header_of_every_version() {
        for version in [&b"file"[..], b"v001", b"v011"] {
            let mut xcf = b"gimp xcf ".to_vec();
            xcf.extend_from_slice(version);
            xcf.push(0);
            xcf.extend_from_slice(&61u32.to_be_bytes());
            xcf.extend_from_slice(&72u32.to_be_bytes());
            xcf.extend_from_slice(&0u32.to_be_bytes());
            assert_eq!(image_dimensions(&xcf, None), Some((61, 72)), "{version:?}");
            for cut in 0..xcf.len() {
                let _ = image_dimensions(&xcf[..cut], None);
            }
        }
    }

    #[test]
    fn top_down_and_os2_bitmaps_have_their_real_size() {
        let mut bmp = b"BM".to_vec();
        bmp.extend_from_slice(&[0; 12]);
        bmp.extend_from_slice(&40u32.to_le_bytes());
        bmp.extend_from_slice(&127i32.to_le_bytes());
        bmp.extend_from_slice(&(-64i32).to_le_bytes());
        assert_eq!(image_dimensions(&bmp, None), Some((127, 64)));
        let mut os2 = b"BM".to_vec();
        os2.extend_from_slice(&[0; 12]);
        os2.extend_from_slice(&12u32.to_le_bytes());
        os2.extend_from_slice(&127u16.to_le_bytes());
        os2.extend_from_slice(&64u16.to_le_bytes());
        os2.extend_from_slice(&[1, 0, 8, 0]);
        assert_eq!(image_dimensions(&os2, None), Some((127, 64)));
    }

    #[test]
    fn a_tiff_with_its_ifd_at_the_end_and_a_jpeg_behind_a_big_profile_are_read_further() {
        let size = 10 << 20;
        let mut tiff = b"II*\0".to_vec();
        tiff.extend_from_slice(&(900_000u32).to_le_bytes());
        assert_eq!(head_len_for(&tiff, size), 10 << 20);
        let mut near = b"MM\0*".to_vec();
        near.extend_from_slice(&8u32.to_be_bytes());
        assert_eq!(head_len_for(&near, size), HEAD_LEN);
        assert_eq!(head_len_for(&tiff, 1 << 40), MAX_HEAD_LEN);

        // SOI, then APP2 segments of 64 KB (an ICC profile) past HEAD_LEN.
        let mut jpeg = vec![0xFF, 0xD8];
        while jpeg.len() < HEAD_LEN + 1000 {
            jpeg.extend_from_slice(&[0xFF, 0xE2, 0xFF, 0xFF]);
            jpeg.extend_from_slice(&[0; 0xFFFF - 2]);
        }
        assert_eq!(head_len_for(&jpeg, size), 10 << 20);
        let mut small = vec![0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11];
        small.extend_from_slice(&[0; 64]);
        assert_eq!(head_len_for(&small, size), HEAD_LEN);
    }
}
