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
/// alpha). Floating-point samples (TIFFs from HDR merges, OpenEXR,
/// Radiance) are linear light, as libvips reads them (scRGB): they are
/// encoded with the sRGB curve, not scaled as they are, which would show
/// them far too dark.
pub(crate) fn flatten(img: DynamicImage) -> RgbImage {
    let img = match img {
        DynamicImage::ImageRgb32F(f) => DynamicImage::ImageRgb32F(encode_linear(f, 3)),
        DynamicImage::ImageRgba32F(f) => DynamicImage::ImageRgba32F(encode_linear(f, 4)),
        other => other,
    };
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

/// Linear-light samples in 0..1 encoded with the sRGB transfer curve, in
/// place; `channels` per pixel, of which only the first three are colour.
fn encode_linear<P: image::Pixel<Subpixel = f32>>(
    mut img: image::ImageBuffer<P, Vec<f32>>,
    channels: usize,
) -> image::ImageBuffer<P, Vec<f32>> {
    for px in img.chunks_exact_mut(channels) {
        for v in &mut px[..3] {
            *v = srgb_encode(*v);
        }
    }
    img
}

/// The sRGB transfer function (IEC 61966-2-1) of a linear value, clamped
/// to 0..1 (highlights above white are clipped, as vips does for sRGB).
fn srgb_encode(linear: f32) -> f32 {
    let l = if linear.is_nan() { 0.0 } else { linear.clamp(0.0, 1.0) };
    if l <= 0.003_130_8 {
        l * 12.92
    } else {
        1.055 * l.powf(1.0 / 2.4) - 0.055
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_images_are_linear_light_encoded_as_srgb() {
        // Linear 0.2159 is sRGB 128 (mid grey); 0 and 1 stay; beyond is clipped.
        let f = image::Rgb32FImage::from_raw(
            4,
            1,
            vec![
                0.2159,
                0.2159,
                0.2159,
                0.0,
                0.0,
                0.0,
                1.0,
                1.0,
                1.0,
                4.0,
                -1.0,
                f32::NAN,
            ],
        )
        .unwrap();
        let out = flatten(DynamicImage::ImageRgb32F(f));
        assert_eq!(out.get_pixel(0, 0).0, [128, 128, 128]);
        assert_eq!(out.get_pixel(1, 0).0, [0, 0, 0]);
        assert_eq!(out.get_pixel(2, 0).0, [255, 255, 255]);
        assert_eq!(out.get_pixel(3, 0).0, [255, 0, 0]);
        // Alpha is coverage, not light: half-covered black over white.
        let a = image::Rgba32FImage::from_raw(1, 1, vec![0.0, 0.0, 0.0, 0.5]).unwrap();
        let out = flatten(DynamicImage::ImageRgba32F(a));
        assert!(
            out.get_pixel(0, 0).0.iter().all(|&v| (126..=129).contains(&v)),
            "{:?}",
            out.get_pixel(0, 0)
        );
    }
}
