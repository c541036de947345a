//! HEIC/HEIF (iPhones since 2017) and AVIF through libheif.
//!
//! libheif applies the file's own rotation and mirroring (`irot`, `imir`)
//! while decoding, so HEIF images come out as shown: the EXIF orientation,
//! which merely repeats that, must not be applied again.

use image::{DynamicImage, RgbImage, RgbaImage};
use libheif_rs::{ColorSpace, HeifContext, LibHeif, RgbChroma};

use crate::MediaError;
use crate::decoded::{Decoded, check_pixels, flatten};

/// ISO-BMFF brands of still HEIF and AVIF images.
const BRANDS: &[&[u8; 4]] = &[b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"];

/// Whether the bytes start like a HEIF or AVIF file.
pub(crate) fn is_heif(bytes: &[u8]) -> bool {
    if bytes.len() < 16 || &bytes[4..8] != b"ftyp" {
        return false;
    }
    let major = &bytes[8..12];
    if BRANDS.iter().any(|b| &b[..] == major) {
        return true;
    }
    // A generic major brand (mif1 appears as a compatible brand too).
    let len = (u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize).min(bytes.len());
    bytes[16..len.max(16)]
        .chunks_exact(4)
        .any(|c| BRANDS.iter().any(|b| &b[..] == c))
}

fn corrupt(e: impl std::fmt::Display) -> MediaError {
    MediaError::Corrupt {
        format: "HEIF",
        detail: e.to_string(),
    }
}

/// Decodes the primary image as shown, refusing images over `max_pixels`
/// before any pixel is decoded.
pub(crate) fn decode(bytes: &[u8], max_pixels: u64) -> Result<Decoded, MediaError> {
    let ctx = HeifContext::read_from_bytes(bytes).map_err(corrupt)?;
    let handle = ctx.primary_image_handle().map_err(corrupt)?;
    let (w, h) = (handle.width(), handle.height());
    check_pixels(u64::from(w), u64::from(h), max_pixels)?;
    let icc = handle.color_profile_raw().map(|p| p.data);
    let alpha = handle.has_alpha_channel();
    let chroma = if alpha { RgbChroma::Rgba } else { RgbChroma::Rgb };
    let lib = LibHeif::new();
    let img = lib.decode(&handle, ColorSpace::Rgb(chroma), None).map_err(|e| {
        let text = e.to_string();
        if text.contains("Unsupported") || text.contains("No decoding plugin") {
            MediaError::Unsupported {
                detail: format!("libheif cannot decode this file: {text}"),
            }
        } else {
            corrupt(text)
        }
    })?;
    let planes = img.planes();
    let plane = planes.interleaved.ok_or_else(|| corrupt("no interleaved RGB plane"))?;
    let channels = if alpha { 4 } else { 3 };
    let (pw, ph) = (plane.width, plane.height);
    let row = pw as usize * channels;
    let mut pixels = Vec::with_capacity(row * ph as usize);
    for y in 0..ph as usize {
        let start = y * plane.stride;
        let line = plane
            .data
            .get(start..start + row)
            .ok_or_else(|| corrupt("decoded plane is shorter than its size"))?;
        pixels.extend_from_slice(line);
    }
    let rgb = if alpha {
        let rgba = RgbaImage::from_raw(pw, ph, pixels).ok_or_else(|| corrupt("bad RGBA buffer"))?;
        flatten(DynamicImage::ImageRgba8(rgba))
    } else {
        RgbImage::from_raw(pw, ph, pixels).ok_or_else(|| corrupt("bad RGB buffer"))?
    };
    Ok(Decoded {
        image: rgb,
        source_width: w,
        source_height: h,
        icc,
        warning: None,
    })
}
