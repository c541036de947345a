//! Embedded ICC colour profiles: proxies are sRGB, whatever the original's
//! colour space (Adobe RGB, Display P3, ProPhoto...), converted by moxcms
//! (pure Rust).

use std::sync::Arc;

use image::RgbImage;
use moxcms::{ColorProfile, DataColorSpace, Layout, Transform8BitExecutor, TransformOptions};

/// The ICC profile of a JPEG: the `ICC_PROFILE` APP2 segments, in order.
pub(crate) fn from_jpeg(bytes: &[u8]) -> Option<Vec<u8>> {
    let mut chunks: Vec<(u8, &[u8])> = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() && bytes[i] == 0xff {
        let marker = bytes[i + 1];
        if marker == 0xda || marker == 0xd9 {
            break; // image data: no more metadata segments
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        let seg = bytes.get(i + 4..i + 2 + len)?;
        if marker == 0xe2 && seg.len() > 14 && seg.starts_with(b"ICC_PROFILE\0") {
            chunks.push((seg[12], &seg[14..]));
        }
        i += 2 + len;
    }
    if chunks.is_empty() {
        return None;
    }
    chunks.sort_by_key(|c| c.0);
    Some(chunks.into_iter().flat_map(|c| c.1.iter().copied()).collect())
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
