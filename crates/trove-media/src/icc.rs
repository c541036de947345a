//! Embedded ICC colour profiles: proxies are sRGB, whatever the original's
//! colour space (Adobe RGB, Display P3, ProPhoto, a printer's CMYK...),
//! converted by moxcms (pure Rust).

use std::sync::Arc;

use image::RgbImage;
use moxcms::{ColorProfile, DataColorSpace, Layout, RenderingIntent, Transform8BitExecutor, TransformOptions};

/// The metadata segments of a JPEG before its image data: (marker, body).
/// Stops quietly at anything malformed (the decoder reports that).
fn jpeg_segments(bytes: &[u8]) -> impl Iterator<Item = (u8, &[u8])> {
    let mut i = 2;
    std::iter::from_fn(move || {
        if i + 4 > bytes.len() || bytes[i] != 0xff {
            return None;
        }
        let marker = bytes[i + 1];
        if marker == 0xda || marker == 0xd9 {
            return None; // image data: no more metadata segments
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let seg = bytes.get(i + 4..(i + 2 + len).max(i + 4))?;
        i += 2 + len;
        Some((marker, seg))
    })
}

/// The ICC profile of a JPEG: the `ICC_PROFILE` APP2 segments, in order.
pub(crate) fn from_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut chunks: Vec<(u8, &[u8])> = jpeg_segments(bytes)
        .filter(|(marker, seg)| *marker == 0xe2 && seg.len() > 14 && seg.starts_with(b"ICC_PROFILE\0"))
        .map(|(_, seg)| (seg[12], &seg[14..]))
        .collect();
    if chunks.is_empty() {
        return None;
    }
    chunks.sort_by_key(|c| c.0);
    Some(chunks.into_iter().flat_map(|c| c.1.iter().copied()).collect())
}

/// Whether a CMYK JPEG stores its inks inverted (255 = no ink), as
/// Photoshop writes them: it then carries Adobe's APP14 segment, and every
/// reader (browsers, lcms2's jpgicc) inverts them back.
pub(crate) fn adobe_inverted(bytes: &[u8]) -> bool {
    jpeg_segments(bytes).any(|(marker, seg)| marker == 0xee && seg.starts_with(b"Adobe"))
}

/// CMYK pixels (4 bytes each, inverted if `inverted`) to sRGB (3 bytes
/// each): through `icc` when it is a CMYK profile moxcms can use, else by
/// the plain formula (each channel (255 - ink) x (255 - black) / 255).
pub(crate) fn cmyk_to_srgb(mut cmyk: Vec<u8>, inverted: bool, icc: Option<&[u8]>) -> Vec<u8> {
    if inverted {
        for v in &mut cmyk {
            *v = 255 - *v;
        }
    }
    let transform = icc
        .and_then(|icc| ColorProfile::new_from_slice(icc).ok())
        .filter(|p| p.color_space == DataColorSpace::Cmyk)
        .and_then(|p| {
            // Relative colorimetric, from the profile's own tables: lcms2's
            // perceptual intent adds its own black-point scaling for version
            // 2 profiles, which moxcms does not, so this is the intent both
            // compute alike.
            let options = TransformOptions {
                rendering_intent: RenderingIntent::RelativeColorimetric,
                ..TransformOptions::default()
            };
            p.create_transform_8bit(Layout::Rgba, &ColorProfile::new_srgb(), Layout::Rgb, options)
                .ok()
        });
    let mut rgb = vec![0u8; cmyk.len() / 4 * 3];
    if let Some(t) = transform
        && t.transform(&cmyk, &mut rgb).is_ok()
    {
        return rgb;
    }
    for (out, px) in rgb.chunks_exact_mut(3).zip(cmyk.chunks_exact(4)) {
        let white = 255 - u32::from(px[3]);
        for c in 0..3 {
            out[c] = ((255 - u32::from(px[c])) * white / 255) as u8;
        }
    }
    rgb
}

/// A conversion from an image's profile to sRGB.
pub(crate) struct ToSrgb(Arc<Transform8BitExecutor>);

impl ToSrgb {
    pub(crate) fn apply(&self, img: &mut RgbImage) {
        let src = img.as_raw().clone();
        // Same layout and length in and out: the transform cannot fail on
        // size, and on any other failure the pixels stay as decoded.
        if self.0.transform(&src, img.as_mut()).is_err() {
            img.as_mut().copy_from_slice(&src);
        }
    }
}

/// The transform from `icc` to sRGB, or `None` when no conversion is
/// needed or possible (not an RGB profile, or one moxcms cannot read: the
/// pixels are then shown as if sRGB, as browsers do).
pub(crate) fn to_srgb(icc: &[u8]) -> Option<ToSrgb> {
    let profile = ColorProfile::new_from_slice(icc).ok()?;
    if profile.color_space != DataColorSpace::Rgb {
        return None;
    }
    let srgb = ColorProfile::new_srgb();
    profile
        .create_transform_8bit(Layout::Rgb, &srgb, Layout::Rgb, TransformOptions::default())
        .ok()
        .map(ToSrgb)
}
