//! Camera RAW files (DNG, CR2, CR3, NEF, ARW, RAF, ORF, RW2, PEF, SRW):
//! proxies come from the largest JPEG preview the camera embedded, which is
//! what the camera showed on its own screen, rendered with its own colour
//! science, at a fraction of the cost of demosaicing the sensor data.
//!
//! Every RAW format stores that preview as a plain baseline JPEG, but each
//! points to it differently (TIFF IFDs and SubIFDs, maker notes, CR3's
//! `PRVW` box, RAF's header). Rather than a parser per format (the RAW
//! crates on crates.io decode sensor data and cover previews for a subset
//! of cameras), this finds every structurally valid embedded JPEG by its
//! markers and keeps the largest. Lossless JPEG (SOF3), which CR2 and DNG
//! use for the sensor data itself, is skipped.

use memchr::memmem;

use crate::MediaError;

/// MIME types `detect` gives RAW files.
pub fn is_raw_mime(mime: &str) -> bool {
    matches!(
        mime,
        "image/x-adobe-dng"
            | "image/x-canon-cr2"
            | "image/x-canon-cr3"
            | "image/x-nikon-nef"
            | "image/x-sony-arw"
            | "image/x-fuji-raf"
            | "image/x-olympus-orf"
            | "image/x-panasonic-rw2"
            | "image/x-pentax-pef"
            | "image/x-samsung-srw"
    )
}

/// At most this many candidate JPEG starts are examined, so a hostile file
/// full of fake markers costs a bounded number of passes.
const MAX_CANDIDATES: usize = 256;

/// A JPEG found inside a RAW file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedJpeg {
    pub offset: usize,
    pub len: usize,
    pub width: u32,
    pub height: u32,
}

/// The largest baseline or progressive JPEG embedded in `bytes`.
pub fn raw_preview(bytes: &[u8]) -> Result<EmbeddedJpeg, MediaError> {
    let mut best: Option<EmbeddedJpeg> = None;
    let mut from = 0;
    let finder = memmem::Finder::new(b"\xff\xd8\xff");
    for _ in 0..MAX_CANDIDATES {
        let Some(pos) = finder.find(&bytes[from..]).map(|p| p + from) else {
            break;
        };
        match jpeg_extent(&bytes[pos..]) {
            Some(found) => {
                let j = EmbeddedJpeg {
                    offset: pos,
                    len: found.len,
                    width: found.width,
                    height: found.height,
                };
                let pixels = |j: &EmbeddedJpeg| u64::from(j.width) * u64::from(j.height);
                if found.displayable && best.as_ref().is_none_or(|b| pixels(&j) > pixels(b)) {
                    best = Some(j);
                }
                from = pos + found.len;
            }
            None => from = pos + 2,
        }
    }
    best.ok_or_else(|| MediaError::Unsupported {
        detail: "the RAW file has no embedded JPEG preview Trove can show".into(),
    })
}

struct Extent {
    len: usize,
    width: u32,
    height: u32,
    /// Baseline or progressive Huffman: what ordinary decoders show.
    displayable: bool,
}

/// Walks a JPEG's marker segments from its SOI to its EOI. `None` when the
/// structure breaks (not a JPEG, or cut off).
fn jpeg_extent(b: &[u8]) -> Option<Extent> {
    let mut i = 2;
    let mut frame: Option<(u32, u32, bool)> = None;
    loop {
        // Markers may be padded with any number of 0xFF.
        if *b.get(i)? != 0xff {
            return None;
        }
        while *b.get(i)? == 0xff {
            i += 1;
        }
        let marker = *b.get(i)?;
        i += 1;
        match marker {
            0xd9 => {
                let (width, height, displayable) = frame?;
                return Some(Extent {
                    len: i,
                    width,
                    height,
                    displayable,
                });
            }
            0xd0..=0xd7 | 0x01 => continue,
            0x00 => return None,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*b.get(i)?, *b.get(i + 1)?]));
        if len < 2 {
            return None;
        }
        let segment = b.get(i + 2..i + len)?;
        match marker {
            0xc0..=0xcf if !matches!(marker, 0xc4 | 0xc8 | 0xcc) => {
                if segment.len() < 5 {
                    return None;
                }
                let height = u32::from(u16::from_be_bytes([segment[1], segment[2]]));
                let width = u32::from(u16::from_be_bytes([segment[3], segment[4]]));
                frame = Some((width, height, matches!(marker, 0xc0..=0xc2) && width > 0 && height > 0));
            }
            0xda => {
                frame?;
                // Entropy-coded data runs to the next marker that is not a
                // stuffed 0xFF00 or a restart marker.
                let mut j = i + len;
                loop {
                    j += memchr::memchr(0xff, b.get(j..)?)?;
                    match *b.get(j + 1)? {
                        0x00 | 0xd0..=0xd7 | 0xff => j += 1,
                        _ => break,
                    }
                }
                i = j;
                continue;
            }
            _ => {}
        }
        i += len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_jpeg(sof: u8, w: u16, h: u16) -> Vec<u8> {
        let mut v = vec![0xff, 0xd8, 0xff, sof, 0, 11, 8];
        v.extend_from_slice(&h.to_be_bytes());
        v.extend_from_slice(&w.to_be_bytes());
        v.extend_from_slice(&[1, 1, 0x11, 0]);
        v.extend_from_slice(&[0xff, 0xda, 0, 8, 1, 1, 0, 0, 63, 0]);
        v.extend_from_slice(&[0x12, 0xff, 0x00, 0x34, 0xff, 0xd3, 0x56]);
        v.extend_from_slice(&[0xff, 0xd9]);
        v
    }

    #[test]
    fn the_largest_displayable_jpeg_wins_and_lossless_is_skipped() {
        let mut file = b"II*\0garbage".to_vec();
        file.extend(fake_jpeg(0xc0, 160, 120));
        file.extend_from_slice(b"\xff\xd8\xffnot a jpeg");
        let big = file.len();
        file.extend(fake_jpeg(0xc0, 1024, 768));
        file.extend(fake_jpeg(0xc3, 6000, 4000));
        file.extend_from_slice(b"tail");
        let j = raw_preview(&file).unwrap();
        assert_eq!((j.offset, j.width, j.height), (big, 1024, 768));
        assert_eq!(&file[j.offset + j.len - 2..j.offset + j.len], b"\xff\xd9");
    }

    #[test]
    fn cut_off_or_absent_previews_are_unsupported() {
        let jpeg = fake_jpeg(0xc0, 100, 100);
        assert_eq!(raw_preview(&jpeg[..jpeg.len() - 3]).unwrap_err().code(), "unsupported");
        assert_eq!(raw_preview(b"").unwrap_err().code(), "unsupported");
        let many = b"\xff\xd8\xff\xc0".repeat(100_000);
        assert_eq!(raw_preview(&many).unwrap_err().code(), "unsupported");
    }
}
