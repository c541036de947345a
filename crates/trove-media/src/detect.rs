use std::path::Path;

use trove_types::AssetKind;

/// What a file is, from its first bytes, with its name as a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detected {
    pub kind: AssetKind,
    pub mime: Option<String>,
}

/// Detects the kind of a file by magic bytes (via `infer`), falling back to
/// the extension only for formats that have no reliable signature (RAW
/// files that are plain TIFF, text documents, some audio).
pub fn detect(path: &Path, head: &[u8]) -> Detected {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    // RAW formats are TIFF containers; infer calls many of them image/tiff,
    // and the extension is the better name for what they are.
    if let Some(ext) = ext.as_deref()
        && let Some(mime) = raw_mime(ext)
        && (head.starts_with(b"II") || head.starts_with(b"MM") || head.starts_with(b"FUJIFILM") || is_iso_bmff(head))
    {
        return Detected {
            kind: AssetKind::Image,
            mime: Some(mime.to_owned()),
        };
    }
    if let Some(mime) = image_signature(head) {
        return Detected {
            kind: AssetKind::Image,
            mime: Some(mime.to_owned()),
        };
    }
    if is_transport_stream(head) {
        return Detected {
            kind: AssetKind::Video,
            mime: Some("video/mp2t".to_owned()),
        };
    }
    if let Some(t) = infer::get(head) {
        let mut mime = t.mime_type();
        // infer calls every EBML file WebM; the DocType says which it is.
        if mime == "video/webm" && head.len() >= 64 && head[..64.min(head.len())].windows(8).any(|w| w == b"matroska") {
            mime = "video/x-matroska";
        }
        let kind = match t.matcher_type() {
            infer::MatcherType::Image => AssetKind::Image,
            infer::MatcherType::Video => AssetKind::Video,
            infer::MatcherType::Audio => AssetKind::Audio,
            infer::MatcherType::Doc | infer::MatcherType::Book => AssetKind::Document,
            _ if mime == "application/pdf" || mime == "application/rtf" => AssetKind::Document,
            _ => AssetKind::Other,
        };
        return Detected {
            kind,
            mime: Some(mime.to_owned()),
        };
    }
    match ext
        .as_deref()
        .and_then(extension_hint)
        .filter(|(_, mime)| plausible(mime, head))
    {
        Some((kind, mime)) => Detected {
            kind,
            mime: Some(mime.to_owned()),
        },
        None => Detected {
            kind: AssetKind::Other,
            mime: None,
        },
    }
}

/// Image formats `infer` does not know, by their signatures: BigTIFF,
/// Netpbm, PCX and DCX, a bare JPEG 2000 codestream, Windows cursors, QOI,
/// FITS (scientific and astronomy images), DDS textures, SGI and Sun
/// raster images, XPM, GIMP's XCF working files, and OpenEXR. (libvips reads those
/// Trove's decoders do not; XCF through ImageMagick, the versions it
/// knows.)
fn image_signature(head: &[u8]) -> Option<&'static str> {
    Some(match head {
        [b'D', b'D', b'S', b' ', ..] => "image/vnd-ms.dds",
        [0x01, 0xDA, 0 | 1, 1 | 2, ..] => "image/x-sgi",
        [0x59, 0xA6, 0x6A, 0x95, ..] => "image/x-sun-raster",
        [0xB1, 0x68, 0xDE, 0x3A, ..] => "image/x-dcx",
        _ if head.starts_with(b"/* XPM */") => "image/x-xpixmap",
        _ if head.starts_with(b"gimp xcf ") => "image/x-xcf",
        [0x76, 0x2F, 0x31, 0x01, ..] => "image/x-exr",
        [b'I', b'I', 43, 0, 8, 0, 0, 0, ..] | [b'M', b'M', 0, 43, 0, 8, 0, 0, ..] => "image/tiff",
        [b'P', b'1'..=b'7', ws, ..] if ws.is_ascii_whitespace() => "image/x-portable-anymap",
        [b'P', b'F' | b'f', ws, ..] if ws.is_ascii_whitespace() => "image/x-portable-floatmap",
        [0x0A, 0 | 2 | 3 | 4 | 5, 1, 1 | 2 | 4 | 8, ..] => "image/vnd.zbrush.pcx",
        [0xFF, 0x4F, 0xFF, 0x51, ..] => "image/x-jp2-codestream",
        [0, 0, 2, 0, n, 0, ..] if *n > 0 => "image/x-win-bitmap",
        [b'q', b'o', b'i', b'f', ..] => "image/qoi",
        _ if head.starts_with(b"SIMPLE  =") => "image/fits",
        _ => return None,
    })
}

/// Whether the head fits the format an extension names, for the formats
/// whose extension alone is too weak: a Targa header (colour map type 0
/// or 1, a known image type), X bitmap source, a DIB's header size.
fn plausible(mime: &str, head: &[u8]) -> bool {
    match mime {
        "image/x-tga" => matches!(head, [_, 0 | 1, 1 | 2 | 3 | 9 | 10 | 11, ..]),
        "image/x-xbitmap" => head.starts_with(b"#define"),
        "image/bmp" => matches!(head, [12 | 40 | 52 | 56 | 64 | 108 | 124, 0, 0, 0, ..]),
        _ => true,
    }
}

/// An MPEG transport stream (broadcast recordings, `.ts`; camcorders' AVCHD,
/// `.mts`/`.m2ts`): its sync byte 0x47 at the start of four packets in a
/// row, every 188 bytes, or every 192 for M2TS (a 4-byte time stamp before
/// each packet). By content, since `.ts` also names TypeScript source.
fn is_transport_stream(head: &[u8]) -> bool {
    let synced = |first: usize, step: usize| (0..4).all(|i| head.get(first + i * step) == Some(&0x47));
    synced(0, 188) || synced(4, 192)
}

fn is_iso_bmff(head: &[u8]) -> bool {
    head.len() >= 12 && &head[4..8] == b"ftyp"
}

fn raw_mime(ext: &str) -> Option<&'static str> {
    Some(match ext {
        "dng" => "image/x-adobe-dng",
        "cr2" => "image/x-canon-cr2",
        "cr3" => "image/x-canon-cr3",
        "nef" => "image/x-nikon-nef",
        "arw" => "image/x-sony-arw",
        "raf" => "image/x-fuji-raf",
        "orf" => "image/x-olympus-orf",
        "rw2" => "image/x-panasonic-rw2",
        "pef" => "image/x-pentax-pef",
        "srw" => "image/x-samsung-srw",
        _ => return None,
    })
}

/// Formats without a signature `infer` knows.
fn extension_hint(ext: &str) -> Option<(AssetKind, &'static str)> {
    Some(match ext {
        // Targa has no magic at its start; the extension with a plausible
        // header (checked in `detect`) names it.
        "tga" | "icb" | "vda" | "vst" => (AssetKind::Image, "image/x-tga"),
        "xbm" => (AssetKind::Image, "image/x-xbitmap"),
        // A BMP without its file header.
        "dib" => (AssetKind::Image, "image/bmp"),
        "txt" => (AssetKind::Document, "text/plain"),
        "md" => (AssetKind::Document, "text/markdown"),
        "csv" => (AssetKind::Document, "text/csv"),
        "srt" => (AssetKind::Document, "application/x-subrip"),
        "vtt" => (AssetKind::Document, "text/vtt"),
        "svg" => (AssetKind::Image, "image/svg+xml"),
        "mts" | "m2ts" => (AssetKind::Video, "video/mp2t"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transport_streams_are_video_by_their_sync_bytes_not_their_extension() {
        let packets = |size: usize, at: usize| {
            let mut b = vec![0u8; size * 5];
            for i in 0..5 {
                b[i * size + at] = 0x47;
            }
            b
        };
        for (name, head) in [
            ("rec.ts", packets(188, 0)),
            ("00001.MTS", packets(192, 4)),
            ("clip.bin", packets(188, 0)),
        ] {
            let d = detect(Path::new(name), &head);
            assert_eq!(
                (d.kind, d.mime.as_deref()),
                (AssetKind::Video, Some("video/mp2t")),
                "{name}"
            );
        }
        // TypeScript source is not video.
        assert_ne!(
            detect(Path::new("app.ts"), b"import { x } from './y';\n").kind,
            AssetKind::Video
        );
        // One sync byte is not a stream.
        assert_ne!(detect(Path::new("x.ts"), &[0x47; 1][..]).kind, AssetKind::Video);
    }

    #[test]
    fn magic_bytes_win_over_a_wrong_extension() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let d = detect(Path::new("holiday.jpg"), png);
        assert_eq!(d.kind, AssetKind::Image);
        assert_eq!(d.mime.as_deref(), Some("image/png"));
    }

    #[test]
    fn unknown_bytes_fall_back_to_the_extension_then_other() {
        assert_eq!(detect(Path::new("notes.txt"), b"hello").kind, AssetKind::Document);
        assert_eq!(detect(Path::new("blob.bin"), b"hello").kind, AssetKind::Other);
    }

    #[test]
    fn image_formats_infer_does_not_know_are_images() {
        for (head, mime) in [
            (&b"II+\0\x08\0\0\0\x10\0\0\0\0\0\0\0"[..], "image/tiff"),
            (b"P6\n64 48\n255\n", "image/x-portable-anymap"),
            (b"Pf\n64 48\n-1.0\n", "image/x-portable-floatmap"),
            (b"\x0a\x05\x01\x08\0\0\0\0", "image/vnd.zbrush.pcx"),
            (b"\xff\x4f\xff\x51\0\x2f", "image/x-jp2-codestream"),
            (b"qoif\0\0\0\x40", "image/qoi"),
            (b"SIMPLE  =                    T", "image/fits"),
            (b"DDS |\0\0\0", "image/vnd-ms.dds"),
            (b"\x01\xda\x01\x01\0\x03", "image/x-sgi"),
            (b"\x59\xa6\x6a\x95\0\0", "image/x-sun-raster"),
            (b"/* XPM */\nstatic char", "image/x-xpixmap"),
            (b"gimp xcf v011\0\0\0", "image/x-xcf"),
            (b"\x76\x2f\x31\x01\x02\0\0\0", "image/x-exr"),
        ] {
            let d = detect(Path::new("x"), head);
            assert_eq!((d.kind, d.mime.as_deref()), (AssetKind::Image, Some(mime)), "{head:?}");
        }
        // Text that merely starts with a P is not Netpbm.
        assert_eq!(detect(Path::new("x.txt"), b"Packing list").kind, AssetKind::Document);
        // Targa by its extension and a plausible header; text named .tga is not.
        let tga = detect(Path::new("la.tga"), b"\0\0\x03\0\0\0\0\0\0\0\0\0\x40\0\x40\0\x08\0");
        assert_eq!((tga.kind, tga.mime.as_deref()), (AssetKind::Image, Some("image/x-tga")));
        assert_eq!(detect(Path::new("notes.tga"), b"hello world").kind, AssetKind::Other);
        assert_eq!(
            detect(Path::new("hopper.xbm"), b"#define hopper_width 128").kind,
            AssetKind::Image
        );
        assert_eq!(
            detect(Path::new("clip.dib"), b"\x28\0\0\0\x40\0").kind,
            AssetKind::Image
        );
    }

    #[test]
    fn tiff_based_raw_is_named_by_its_extension() {
        let d = detect(Path::new("DSC_0001.NEF"), b"MM\0*\0\0\0\x08");
        assert_eq!(d.mime.as_deref(), Some("image/x-nikon-nef"));
    }
}
