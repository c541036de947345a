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
mod icc;
mod pdf;
mod proxies;
mod raw;
mod tools;
mod video;
mod xmp;
mod xmp_write;

pub use audio::{AudioTags, probe_audio};
pub use pdf::{PdfInfo, parse_pdfinfo, pdf_info, pdf_page_png};
pub use raw::{EmbeddedJpeg, is_raw_mime, raw_preview};
pub use tools::Tools;
pub use video::{
    AudioStream, AvProbe, ScrubStrip, SubtitleStream, VideoStream, closed_captions_vtt, has_closed_captions,
    is_web_playable, parse_probe, poster_frame, probe_av, scrub_strip, shot_changes, subtitles_vtt, transcode_audio,
    transcode_video, vtt_text,
};

pub use detect::{Detected, detect};
pub use error::MediaError;
pub use exif_probe::{ExifSummary, probe_exif};
pub use proxies::{FullImage, ImageProxies, Proxy, ProxySpec, Variant, full_size_jpeg, image_proxies, orient};
pub use xmp::{XmpSummary, find_xmp_packet, parse_xmp, probe_xmp};
pub use xmp_write::{MAX_SIDECAR_BYTES, SidecarFields, update_sidecar};

/// How many leading bytes of a file the probes want. Importers keep this
/// much of the first read so metadata comes from the same pass as hashing.
pub const HEAD_LEN: usize = 256 * 1024;

/// Pixel size read from an image header, with EXIF orientation applied.
pub fn image_dimensions(head: &[u8], orientation: Option<u8>) -> Option<(u32, u32)> {
    let size = imagesize::blob_size(head).ok()?;
    let (w, h) = (u32::try_from(size.width).ok()?, u32::try_from(size.height).ok()?);
    if w == 0 || h == 0 {
        return None;
    }
    // Orientations 5-8 rotate by 90 degrees: the shown picture is h x w.
    Some(match orientation {
        Some(5..=8) => (h, w),
        _ => (w, h),
    })
}
