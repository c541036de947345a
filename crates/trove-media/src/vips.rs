//! libvips, through its command-line tools (`vips`, `vipsheader`; Debian's
//! `libvips-tools`), for the images Trove's own decoders refuse: PSD and
//! PSB composites, 16-bit, float, CMYK, tiled and JPEG-compressed TIFF
//! variants, BMP variants, JPEG 2000, JPEG XL, OpenEXR, FITS, PNGs with
//! bad checksums, and images over the pixel limit, which vips shrinks while
//! it decodes (in strips or tiles, never the whole bitmap).
//!
//! Why the tools and not the library: the fast paths (libjpeg-turbo at a
//! reduced DCT scale, the `image` crate) stay in-process for the common
//! formats, where they beat vipsthumbnail by 2.7x (docs/benchmarks.md);
//! the fallback runs for the few files they cannot read, in a process of
//! its own with the same limits as ffmpeg (address space, time, output
//! size), so a decoder crash on a hostile file costs that file, never
//! Trove. A subprocess per odd file costs about 30 ms of start-up, which
//! is nothing next to decoding a PSD or a 40,000-pixel scan.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use crate::{MediaError, Tools};

/// What vips made of an image: a JPEG at most `long_side` pixels on its
/// long side (never enlarged), as stored (not turned by its orientation),
/// in sRGB without metadata; and the original's size.
#[derive(Debug, Clone)]
pub struct VipsPreview {
    pub jpeg: Vec<u8>,
    pub width: u32,
    pub height: u32,
    /// vips read a damaged file as far as it goes (a truncated PNG or GIF,
    /// a bad checksum) and said so: recorded on the asset beside the
    /// proxies, as libjpeg-turbo's warnings are.
    pub warning: Option<MediaError>,
}

/// How long vips may take on one image.
const TIMEOUT: Duration = Duration::from_secs(180);

/// Whether libvips may read what failed with `e` in Trove's own decoders:
/// a format they do not know, a file they found damaged, or one over the
/// pixel limit.
pub fn vips_may_read(e: &MediaError) -> bool {
    matches!(
        e,
        MediaError::Corrupt { .. }
            | MediaError::Unsupported { .. }
            | MediaError::TooLarge { .. }
            | MediaError::OverMemoryLimit { .. }
    )
}

/// Reads the image at `path` with libvips: its size, and a JPEG of it at
/// most `long_side` pixels long.
pub fn vips_preview(tools: &Tools, path: &Path, long_side: u32) -> Result<VipsPreview, MediaError> {
    // vips reads `name[options]` as options: a path with a bracket cannot
    // be passed safely.
    if path.as_os_str().as_encoded_bytes().contains(&b'[') {
        return Err(MediaError::Unsupported {
            detail: "libvips cannot be given a file name with a '['".into(),
        });
    }
    let width = header_field(tools, path, "width")?;
    let height = header_field(tools, path, "height")?;
    let side = long_side.to_string();
    let out = tools.vips(TIMEOUT, 64 << 20).exec([
        OsStr::new("thumbnail"),
        path.as_os_str(),
        // To standard output, as a JPEG without metadata (colour in sRGB).
        OsStr::new(".jpg[Q=92,strip]"),
        OsStr::new(&side),
        OsStr::new("--height"),
        OsStr::new(&side),
        OsStr::new("--size"),
        OsStr::new("down"),
        OsStr::new("--no-rotate"),
    ])?;
    if !out.stdout.starts_with(&[0xFF, 0xD8]) {
        return Err(MediaError::ToolFailed {
            tool: "vips",
            detail: "it wrote no JPEG".into(),
        });
    }
    Ok(VipsPreview {
        jpeg: out.stdout,
        width,
        height,
        warning: damage_warning(&out.stderr),
    })
}

/// The first of vips's warnings that says the file is damaged and its
/// picture incomplete (`not enough data`, `Unexpected end of GIF source
/// data`), without its `(vips:123): VIPS-WARNING **: 12:34:56.789:`
/// prefix. Other warnings are not damage: an unknown TIFF tag, an ICC
/// profile it ignores, and a PNG chunk's bad CRC, where the picture
/// itself decoded whole (libpng's checksum over data that inflated
/// fine; every viewer shows such files as they are).
fn damage_warning(stderr: &str) -> Option<MediaError> {
    const DAMAGE: &[&str] = &[
        "not enough data",
        "end of",
        "truncat",
        "premature",
        "corrupt",
        "read error",
        "out of data",
    ];
    stderr
        .lines()
        .filter(|l| l.contains("WARNING"))
        .map(|l| l.rsplit_once(": ").map_or(l, |(_, msg)| msg).trim())
        .find(|msg| {
            let lower = msg.to_ascii_lowercase();
            DAMAGE.iter().any(|d| lower.contains(d))
        })
        .map(|msg| MediaError::Damaged {
            format: "image",
            detail: format!("libvips: {msg}"),
        })
}

fn header_field(tools: &Tools, path: &Path, field: &str) -> Result<u32, MediaError> {
    let out = tools.vipsheader(Duration::from_secs(60), 4096).exec([
        OsStr::new("-f"),
        OsStr::new(field),
        path.as_os_str(),
    ])?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.trim()
        .parse::<u32>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(|| MediaError::ToolFailed {
            tool: "vipsheader",
            detail: format!("its {field} was {:?}", text.trim()),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn damage_warnings_are_told_from_harmless_ones() {
        let cut = "\n(vipsthumbnail:15010): VIPS-WARNING **: 17:54:53.855: not enough data\n";
        match damage_warning(cut) {
            Some(MediaError::Damaged { detail, .. }) => assert_eq!(detail, "libvips: not enough data"),
            other => panic!("{other:?}"),
        }
        assert!(damage_warning("(vips:1): VIPS-WARNING **: 10:00:00.000: Unexpected end of GIF source data").is_some());
        assert!(damage_warning("(vips:1): VIPS-WARNING **: 10:00:00.000: unknown tag 34665 ignored").is_none());
        assert!(damage_warning("(vips:1): VIPS-WARNING **: 10:00:00.000: CRC error").is_none());
        assert!(damage_warning("").is_none());
    }
}
