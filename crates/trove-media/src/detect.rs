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
    match ext.as_deref().and_then(extension_hint) {
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
    fn tiff_based_raw_is_named_by_its_extension() {
        let d = detect(Path::new("DSC_0001.NEF"), b"MM\0*\0\0\0\x08");
        assert_eq!(d.mime.as_deref(), Some("image/x-nikon-nef"));
    }
}
