//! A decoded image as the proxy makers take it, and the checks every
//! decoder applies (shared by the generic, JPEG and HEIF paths).

use image::{DynamicImage, RgbImage};

use crate::MediaError;

/// An image decoded to 8-bit RGB (possibly at a reduced scale), with what
/// the proxies need to know of its source.
pub(crate) struct Decoded {
    pub(crate) image: RgbImage,
    /// Stored size of the original.
    pub(crate) source_width: u32,
    pub(crate) source_height: u32,
    /// The embedded ICC profile, when the file has one.
    pub(crate) icc: Option<Vec<u8>>,
    /// The decoder's complaint about a damaged file it decoded anyway.
    pub(crate) warning: Option<MediaError>,
}

/// Refuses an image of more than `max_pixels` before it is decoded.
pub(crate) fn check_pixels(w: u64, h: u64, max_pixels: u64) -> Result<(), MediaError> {
    if w.saturating_mul(h) > max_pixels {
        return Err(MediaError::TooLarge {
            width: w,
            height: h,
            limit_mp: max_pixels / 1_000_000,
        });
    }
    Ok(())
}

/// 8-bit RGB, transparent areas composited over white (JPEG proxies have no
/// alpha).
pub(crate) fn flatten(img: DynamicImage) -> RgbImage {
    if !img.color().has_alpha() {
        return img.into_rgb8();
    }
    let rgba = img.into_rgba8();
    let (w, h) = rgba.dimensions();
    let mut out = RgbImage::new(w, h);
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u16::from(p[3]);
        for c in 0..3 {
            o[c] = ((u16::from(p[c]) * a + 255 * (255 - a)) / 255) as u8;
        }
    }
    out
}
