//! IPTC-IIM: the caption, keywords, credits and place that Photoshop,
//! Photo Mechanic and newsroom tools wrote into JPEGs before XMP (and still
//! write beside it). It sits in the JPEG's APP13 segment, inside
//! Photoshop's image resource blocks (`8BIM`, resource 0x0404), as a list
//! of datasets. Hand-written: the format is a few dozen lines to walk, and
//! the crates that read it decode the whole image or pull in a metadata
//! framework for it. Fuzzed with the other parsers (tests/fuzz).

use crate::xmp::XmpSummary;

/// The IPTC-IIM block of a JPEG (from its head: APP13 comes before the
/// image data), as the same summary XMP gives; `None` without one.
pub fn probe_iptc(head: &[u8]) -> Option<XmpSummary> {
    let irb = jpeg_app13(head)?;
    let iim = irb_resource(&irb, 0x0404)?;
    let out = parse_iim(iim);
    (!out.is_empty()).then_some(out)
}

/// The Photoshop resource blocks of every APP13 segment, joined (a large
/// block is split across segments).
fn jpeg_app13(bytes: &[u8]) -> Option<Vec<u8>> {
    const PHOTOSHOP: &[u8] = b"Photoshop 3.0\0";
    if !bytes.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            break;
        }
        let marker = bytes[i + 1];
        match marker {
            // Fill bytes before a marker.
            0xFF => {
                i += 1;
                continue;
            }
            // Markers without a length.
            0x01 | 0xD0..=0xD7 => {
                i += 2;
                continue;
            }
            // Start of scan or end of image: no metadata segments follow.
            0xDA | 0xD9 => break,
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if len < 2 {
            break;
        }
        let start = i + 4;
        let end = (i + 2 + len).min(bytes.len());
        if marker == 0xED
            && start <= end
            && let Some(body) = bytes[start..end].strip_prefix(PHOTOSHOP)
        {
            out.extend_from_slice(body);
        }
        i += 2 + len;
    }
    (!out.is_empty()).then_some(out)
}

/// The data of resource `id` among Photoshop image resource blocks:
/// `8BIM`, a 16-bit id, a Pascal-string name padded to an even length, a
/// 32-bit size, then the data padded to an even length.
fn irb_resource(irb: &[u8], id: u16) -> Option<&[u8]> {
    let mut i = 0;
    while i + 12 <= irb.len() {
        if &irb[i..i + 4] != b"8BIM" {
            return None;
        }
        let rid = u16::from_be_bytes([irb[i + 4], irb[i + 5]]);
        let name_len = usize::from(irb[i + 6]);
        // The length byte and the name, padded to even.
        let name_total = (1 + name_len + 1) & !1;
        let size_at = i + 6 + name_total;
        let size_bytes = irb.get(size_at..size_at + 4)?;
        let size = u32::from_be_bytes([size_bytes[0], size_bytes[1], size_bytes[2], size_bytes[3]]) as usize;
        let data_at = size_at + 4;
        let data = irb.get(data_at..data_at.checked_add(size)?.min(irb.len()))?;
        if rid == id {
            return Some(data);
        }
        i = data_at.checked_add((size + 1) & !1)?;
    }
    None
}

/// The datasets Trove reads (record 2, the application record).
fn parse_iim(data: &[u8]) -> XmpSummary {
    let mut out = XmpSummary::default();
    let mut utf8 = false;
    let (mut date, mut time) = (None::<String>, None::<String>);
    let mut i = 0;
    while i + 5 <= data.len() && data[i] == 0x1C {
        let (record, dataset) = (data[i + 1], data[i + 2]);
        let mut len = usize::from(u16::from_be_bytes([data[i + 3], data[i + 4]]));
        let mut at = i + 5;
        if len & 0x8000 != 0 {
            // An extended dataset: the low bits count the length's bytes.
            let n = len & 0x7FFF;
            let Some(bytes) = data.get(at..at + n).filter(|_| n <= 4) else {
                break;
            };
            len = bytes.iter().fold(0usize, |acc, b| acc << 8 | usize::from(*b));
            at += n;
        }
        let Some(value) = data.get(at..at.saturating_add(len)) else {
            break;
        };
        i = at + len;
        if record == 1 && dataset == 90 {
            // CodedCharacterSet: ESC % G is UTF-8.
            utf8 = value == b"\x1b%G";
            continue;
        }
        if record != 2 {
            continue;
        }
        let text = decode(value, utf8);
        if text.is_empty() {
            continue;
        }
        match dataset {
            5 => out.title = out.title.or(Some(text)),
            25 => out.keywords.push(text),
            40 => out.instructions = out.instructions.or(Some(text)),
            55 => date = Some(text),
            60 => time = Some(text),
            80 => out.creator = out.creator.or(Some(text)),
            90 => out.city = out.city.or(Some(text)),
            92 => out.location = out.location.or(Some(text)),
            95 => out.state = out.state.or(Some(text)),
            101 => out.country = out.country.or(Some(text)),
            105 => out.headline = out.headline.or(Some(text)),
            116 => out.rights = out.rights.or(Some(text)),
            120 => out.description = out.description.or(Some(text)),
            _ => {}
        }
    }
    out.date_taken = date.as_deref().and_then(|d| iso_date(d, time.as_deref()));
    out
}

/// Text as the block declares it (UTF-8), else UTF-8 when it is valid
/// (many tools write UTF-8 without saying so), else Latin-1; without the
/// NULs and spaces some writers pad with.
fn decode(value: &[u8], utf8: bool) -> String {
    let text = match std::str::from_utf8(value) {
        Ok(s) => s.to_owned(),
        Err(_) if utf8 => String::from_utf8_lossy(value).into_owned(),
        Err(_) => value.iter().map(|b| char::from(*b)).collect(),
    };
    text.trim_matches(|c: char| c == '\0' || c.is_whitespace()).to_owned()
}

/// IIM's `CCYYMMDD` and `HHMMSS±HHMM` as the ISO 8601 an XMP date is.
fn iso_date(date: &str, time: Option<&str>) -> Option<String> {
    let d = date.as_bytes();
    if d.len() != 8 || !d.iter().all(u8::is_ascii_digit) || &date[..4] == "0000" {
        return None;
    }
    let day = format!("{}-{}-{}", &date[..4], &date[4..6], &date[6..8]);
    let Some(t) = time.filter(|t| t.len() >= 6 && t.as_bytes()[..6].iter().all(u8::is_ascii_digit)) else {
        return Some(day);
    };
    let clock = format!("{}:{}:{}", &t[..2], &t[2..4], &t[4..6]);
    let offset = match t.get(6..11) {
        Some(o) if (o.starts_with('+') || o.starts_with('-')) && o[1..].bytes().all(|b| b.is_ascii_digit()) => {
            format!("{}:{}", &o[..3], &o[3..5])
        }
        _ => String::new(),
    };
    Some(format!("{day}T{clock}{offset}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dataset(record: u8, id: u8, value: &[u8]) -> Vec<u8> {
        let mut v = vec![0x1C, record, id];
        v.extend_from_slice(&(value.len() as u16).to_be_bytes());
        v.extend_from_slice(value);
        v
    }

    fn jpeg_with(iim: &[u8]) -> Vec<u8> {
        let mut irb = b"8BIM\x04\x04\x00\x00".to_vec();
        irb.extend_from_slice(&(iim.len() as u32).to_be_bytes());
        irb.extend_from_slice(iim);
        if iim.len() % 2 == 1 {
            irb.push(0);
        }
        let mut seg = b"Photoshop 3.0\0".to_vec();
        seg.extend_from_slice(&irb);
        let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xED];
        jpeg.extend_from_slice(&((seg.len() + 2) as u16).to_be_bytes());
        jpeg.extend_from_slice(&seg);
        jpeg.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9]);
        jpeg
    }

    #[test]
    fn reads_the_fields_photographers_use() {
        let mut iim = dataset(1, 90, b"\x1b%G");
        for (id, v) in [
            (5u8, "Puffins".as_bytes()),
            (25, b"Iceland"),
            (25, b"Puffin"),
            (80, "Ann Ösp".as_bytes()),
            (90, "Reykjavík".as_bytes()),
            (101, b"Iceland"),
            (105, b"Birds"),
            (116, b"(c) Ann"),
            (120, b"Two puffins on a cliff\0"),
            (55, b"20190714"),
            (60, b"182205+0000"),
        ] {
            iim.extend(dataset(2, id, v));
        }
        let x = probe_iptc(&jpeg_with(&iim)).unwrap();
        assert_eq!(x.title.as_deref(), Some("Puffins"));
        assert_eq!(x.keywords, ["Iceland", "Puffin"]);
        assert_eq!(x.creator.as_deref(), Some("Ann Ösp"));
        assert_eq!(x.city.as_deref(), Some("Reykjavík"));
        assert_eq!(x.country.as_deref(), Some("Iceland"));
        assert_eq!(x.headline.as_deref(), Some("Birds"));
        assert_eq!(x.rights.as_deref(), Some("(c) Ann"));
        assert_eq!(x.description.as_deref(), Some("Two puffins on a cliff"));
        assert_eq!(x.date_taken.as_deref(), Some("2019-07-14T18:22:05+00:00"));
    }

    #[test]
    fn latin1_without_a_declared_charset_and_broken_blocks_are_safe() {
        let iim = dataset(2, 80, b"Bj\xf6rk");
        assert_eq!(probe_iptc(&jpeg_with(&iim)).unwrap().creator.as_deref(), Some("Björk"));
        // Cut anywhere: a value or nothing, never a panic.
        let full = jpeg_with(&[dataset(2, 25, b"a"), dataset(2, 120, b"caption")].concat());
        for cut in 0..full.len() {
            let _ = probe_iptc(&full[..cut]);
        }
        // A length past the end, and an extended length.
        let mut bad = dataset(2, 120, b"x");
        bad[3] = 0xFF;
        assert_eq!(probe_iptc(&jpeg_with(&bad)), None);
        let mut ext = vec![0x1C, 2, 120, 0x80, 0x02, 0x00, 0x03];
        ext.extend_from_slice(b"abc");
        assert_eq!(
            probe_iptc(&jpeg_with(&ext)).unwrap().description.as_deref(),
            Some("abc")
        );
        assert_eq!(probe_iptc(b"not a jpeg"), None);
    }
}
