//! RAW files with no usable embedded preview (some DNG converters, old
//! and scientific cameras, files whose preview was stripped), developed
//! from their sensor data by LibRaw's `dcraw_emu` (Debian's `libraw-bin`).
//!
//! Why a tool and not a crate: LibRaw is the decoder darktable's and
//! digiKam's previews rest on, with the widest camera list; the pure-Rust
//! `rawler` covers fewer cameras, and either way a sensor decode of a
//! hostile file belongs in a process of its own, with the same limits as
//! ffmpeg and libvips (address space, time, output size). Most RAW files
//! never get here: their embedded JPEG is the camera's own rendering and
//! costs nothing to decode (see `raw.rs`).

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use crate::{MediaError, Tools};

/// An embedded preview shorter than this on its long side (a 160 x 120
/// EXIF thumbnail) is too small for the grid's 2x thumbnails and the
/// viewer; the sensor data is developed instead.
pub const MIN_RAW_PREVIEW_SIDE: u32 = 1024;

/// How long LibRaw may take on one file (a 100-megapixel back at full
/// size takes about 20 s on one core).
const TIMEOUT: Duration = Duration::from_secs(180);

/// The largest TIFF taken back: 8-bit RGB of 400 megapixels.
const MAX_OUTPUT: usize = 1200 << 20;

/// Develops the RAW file at `path`: the camera's white balance, sRGB,
/// 8-bit, not turned (the caller turns it by the orientation it
/// catalogued, as it does the embedded previews); at half size when
/// `half` (each 2 x 2 block of sensor cells one pixel: four times faster,
/// and enough for proxies of any camera over 4 megapixels). Returns an
/// uncompressed TIFF.
pub fn raw_develop(tools: &Tools, path: &Path, half: bool) -> Result<Vec<u8>, MediaError> {
    // dcraw_emu reads any argument starting with '-' as an option.
    if !path.is_absolute() {
        return Err(MediaError::Unsupported {
            detail: format!("LibRaw is given absolute paths only, not {}", path.display()),
        });
    }
    let mut args: Vec<&OsStr> = ["-w", "-o", "1", "-t", "0", "-T", "-Z", "-"]
        .into_iter()
        .map(OsStr::new)
        .collect();
    if half {
        args.push(OsStr::new("-h"));
    }
    args.push(path.as_os_str());
    let out = tools.dcraw_emu(TIMEOUT, MAX_OUTPUT).exec(args)?;
    // dcraw_emu exits 0 with nothing written when LibRaw cannot open the
    // file; it says why on standard error.
    if !(out.stdout.starts_with(b"II*\0") || out.stdout.starts_with(b"MM\0*")) {
        let said = out
            .stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no reason given")
            .trim();
        let detail = format!("LibRaw could not develop the RAW data: {said}");
        // LibRaw names a camera or format it does not know; anything else
        // (an I/O error on a cut file, data out of range) is damage.
        return Err(if said.contains("Unsupported file format") {
            MediaError::Unsupported { detail }
        } else {
            MediaError::Corrupt { format: "RAW", detail }
        });
    }
    Ok(out.stdout)
}
