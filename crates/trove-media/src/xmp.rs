//! XMP: the ratings, labels, titles and keywords photo tools write, parsed
//! as XML (with namespaces) by quick-xml. The packet is found in the head of
//! the file (JPEG APP1, TIFF/RAW, PNG iTXt, PDF, MP4 all embed it as plain
//! text) or read from a `.xmp` sidecar by the caller.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use trove_types::{CaptureSource, CaptureTime, Metadata};

use crate::MediaError;

const NS_RDF: &[u8] = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const NS_XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/";
const NS_DC: &[u8] = b"http://purl.org/dc/elements/1.1/";
const NS_LR: &[u8] = b"http://ns.adobe.com/lightroom/1.0/";
const NS_XML: &[u8] = b"http://www.w3.org/XML/1998/namespace";
const NS_EXIF: &[u8] = b"http://ns.adobe.com/exif/1.0/";
const NS_EXIF_EX: &[u8] = b"http://cipa.jp/exif/1.0/";
const NS_AUX: &[u8] = b"http://ns.adobe.com/exif/1.0/aux/";
const NS_TIFF: &[u8] = b"http://ns.adobe.com/tiff/1.0/";
const NS_PHOTOSHOP: &[u8] = b"http://ns.adobe.com/photoshop/1.0/";
const NS_IPTC_CORE: &[u8] = b"http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/";

/// The XMP facts Trove uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XmpSummary {
    /// -1 (rejected) to 5.
    pub rating: Option<i8>,
    /// Colour label, e.g. "Red".
    pub label: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    /// dc:subject.
    pub keywords: Vec<String>,
    /// lr:hierarchicalSubject, e.g. "family|kids" (levels separated by `|`).
    pub hierarchical_keywords: Vec<String>,
    /// When the photo was taken, as XMP writes it (ISO 8601, maybe with an
    /// offset): exif:DateTimeOriginal, else photoshop:DateCreated, else
    /// xmp:CreateDate (exiftool's and Lightroom's order).
    pub date_taken: Option<String>,
    /// tiff:Orientation, 1 to 8.
    pub orientation: Option<u8>,
    /// exifEX:LensModel or aux:Lens.
    pub lens: Option<String>,
    /// dc:creator (the first of its list) and dc:rights.
    pub creator: Option<String>,
    pub rights: Option<String>,
    /// photoshop:Headline and photoshop:Instructions.
    pub headline: Option<String>,
    pub instructions: Option<String>,
    /// Where: Iptc4xmpCore:Location, photoshop:City, photoshop:State,
    /// photoshop:Country.
    pub location: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
    /// While parsing: which date property `date_taken` came from (3
    /// exif:DateTimeOriginal, 2 photoshop:DateCreated, 1 xmp:CreateDate).
    date_rank: u8,
}

impl XmpSummary {
    pub fn is_empty(&self) -> bool {
        XmpSummary {
            date_rank: 0,
            ..self.clone()
        } == XmpSummary::default()
    }

    /// Writes these values into an asset's metadata: rating, label, title
    /// and description replace what was there; the keywords go under
    /// `raw.xmp`.
    pub fn apply_to(&self, m: &mut Metadata) {
        m.rating = self.rating;
        m.color_label = self.label.clone();
        m.title = self.title.clone();
        m.description = self.description.clone();
        if m.lens.is_none() {
            m.lens = self.lens.clone();
        }
        if m.orientation.is_none() {
            m.orientation = self.orientation;
        }
        let mut xmp = serde_json::json!({
            "keywords": self.keywords,
            "hierarchical_keywords": self.hierarchical_keywords,
        });
        for (key, value) in [
            ("date_taken", &self.date_taken),
            ("creator", &self.creator),
            ("rights", &self.rights),
            ("headline", &self.headline),
            ("instructions", &self.instructions),
            ("location", &self.location),
            ("city", &self.city),
            ("state", &self.state),
            ("country", &self.country),
        ] {
            if let Some(v) = value {
                xmp[key] = serde_json::Value::String(v.clone());
            }
        }
        m.add_raw("xmp", xmp);
    }

    /// The capture time the XMP date names (for a file whose EXIF has
    /// none).
    pub fn capture(&self) -> Option<CaptureTime> {
        parse_xmp_date(self.date_taken.as_deref()?)
    }

    /// These values, with `other`'s wherever these have none (a sidecar
    /// over what the file embeds).
    pub fn or(self, other: XmpSummary) -> XmpSummary {
        let list = |mine: Vec<String>, theirs: Vec<String>| if mine.is_empty() { theirs } else { mine };
        XmpSummary {
            rating: self.rating.or(other.rating),
            label: self.label.or(other.label),
            title: self.title.or(other.title),
            description: self.description.or(other.description),
            keywords: list(self.keywords, other.keywords),
            hierarchical_keywords: list(self.hierarchical_keywords, other.hierarchical_keywords),
            date_taken: self.date_taken.or(other.date_taken),
            orientation: self.orientation.or(other.orientation),
            lens: self.lens.or(other.lens),
            creator: self.creator.or(other.creator),
            rights: self.rights.or(other.rights),
            headline: self.headline.or(other.headline),
            instructions: self.instructions.or(other.instructions),
            location: self.location.or(other.location),
            city: self.city.or(other.city),
            state: self.state.or(other.state),
            country: self.country.or(other.country),
            date_rank: 0,
        }
    }
}

/// An XMP date (ISO 8601: `2017-03-13T23:03:09-07:00`, with optional
/// seconds, fraction and offset; or a date alone, taken as midnight) as a
/// capture time. Without an offset the time is a wall clock, stored as
/// if UTC (as EXIF times without an offset are).
pub fn parse_xmp_date(s: &str) -> Option<CaptureTime> {
    let s = s.trim();
    let (date, rest) = s.split_at(s.find('T').unwrap_or(s.len()));
    let mut d = date.split('-');
    let year: i32 = d.next()?.parse().ok()?;
    let month: u8 = d.next().map_or(Some(1), |m| m.parse().ok())?;
    let day: u8 = d.next().map_or(Some(1), |v| v.parse().ok())?;
    if !(1800..=9999).contains(&year) {
        return None;
    }
    let date = time::Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
    let rest = rest.strip_prefix('T').unwrap_or(rest);
    // The offset: Z, or +hh:mm / -hh:mm after the time.
    let (clock, offset) = match rest.find(['Z', '+', '-']) {
        Some(i) => {
            let (c, o) = rest.split_at(i);
            let minutes = if o == "Z" {
                0
            } else {
                let sign = if o.starts_with('-') { -1 } else { 1 };
                let mut hm = o[1..].split(':');
                let h: i16 = hm.next()?.parse().ok()?;
                let m: i16 = hm.next().map_or(Some(0), |m| m.parse().ok())?;
                if h > 14 || m > 59 {
                    return None;
                }
                sign * (h * 60 + m)
            };
            (c, Some(minutes))
        }
        None => (rest, None),
    };
    let mut t = clock.split(':');
    let hour: u8 = t.next().filter(|h| !h.is_empty()).map_or(Some(0), |h| h.parse().ok())?;
    let minute: u8 = t.next().map_or(Some(0), |m| m.parse().ok())?;
    let (second, nanos) = match t.next() {
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            let frac: String = frac.chars().take(9).collect();
            let nanos = if frac.is_empty() {
                0
            } else {
                frac.parse::<u32>().ok()? * 10u32.pow(9 - frac.len() as u32)
            };
            (whole.parse::<u8>().ok()?, nanos)
        }
        None => (0, 0),
    };
    let time = time::Time::from_hms_nano(hour, minute, second, nanos).ok()?;
    let wall_ms = (time::PrimitiveDateTime::new(date, time)
        .assume_utc()
        .unix_timestamp_nanos()
        / 1_000_000) as i64;
    Some(CaptureTime {
        unix_ms: wall_ms - i64::from(offset.unwrap_or(0)) * 60_000,
        offset_minutes: offset,
        source: CaptureSource::Xmp,
    })
}

/// The properties we read, by (namespace, local name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prop {
    Rating,
    Label,
    Title,
    Description,
    Subject,
    Hierarchical,
    DateOriginal,
    DateCreated,
    CreateDate,
    Orientation,
    Lens,
    Creator,
    Rights,
    Headline,
    Instructions,
    Location,
    City,
    State,
    Country,
}

fn prop(ns: &[u8], local: &[u8]) -> Option<Prop> {
    Some(match (ns, local) {
        (NS_XMP, b"Rating") => Prop::Rating,
        (NS_XMP, b"Label") => Prop::Label,
        (NS_DC, b"title") => Prop::Title,
        (NS_DC, b"description") => Prop::Description,
        (NS_DC, b"subject") => Prop::Subject,
        (NS_LR, b"hierarchicalSubject") => Prop::Hierarchical,
        (NS_EXIF, b"DateTimeOriginal") => Prop::DateOriginal,
        (NS_PHOTOSHOP, b"DateCreated") => Prop::DateCreated,
        (NS_XMP, b"CreateDate") => Prop::CreateDate,
        (NS_TIFF, b"Orientation") => Prop::Orientation,
        (NS_EXIF_EX, b"LensModel") | (NS_AUX, b"Lens") => Prop::Lens,
        (NS_DC, b"creator") => Prop::Creator,
        (NS_DC, b"rights") => Prop::Rights,
        (NS_PHOTOSHOP, b"Headline") => Prop::Headline,
        (NS_PHOTOSHOP, b"Instructions") => Prop::Instructions,
        (NS_IPTC_CORE, b"Location") => Prop::Location,
        (NS_PHOTOSHOP, b"City") => Prop::City,
        (NS_PHOTOSHOP, b"State") => Prop::State,
        (NS_PHOTOSHOP, b"Country") => Prop::Country,
        _ => return None,
    })
}

/// Finds an XMP packet in `bytes` (the head of a file).
pub fn find_xmp_packet(bytes: &[u8]) -> Option<&[u8]> {
    let start = find(bytes, b"<x:xmpmeta").or_else(|| find(bytes, b"<rdf:RDF"))?;
    let rest = &bytes[start..];
    let end = find(rest, b"</x:xmpmeta>")
        .map(|e| e + b"</x:xmpmeta>".len())
        .or_else(|| find(rest, b"</rdf:RDF>").map(|e| e + b"</rdf:RDF>".len()))?;
    Some(&rest[..end])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Reads the XMP packet embedded in the head of a file.
pub fn probe_xmp(head: &[u8]) -> Result<XmpSummary, MediaError> {
    let packet = find_xmp_packet(head).ok_or(MediaError::Absent { what: "XMP" })?;
    parse_xmp(packet)
}

/// Parses an XMP packet or a whole `.xmp` sidecar.
pub fn parse_xmp(xml: &[u8]) -> Result<XmpSummary, MediaError> {
    let corrupt = |detail: String| MediaError::Corrupt { format: "XMP", detail };
    let mut reader = NsReader::from_reader(xml);
    reader.config_mut().trim_text(true);
    let mut out = XmpSummary::default();
    let mut buf = Vec::new();
    // The property element we are inside, and whether the current rdf:li
    // is the default language of an Alt.
    let mut current: Option<Prop> = None;
    let mut depth_in_prop = 0usize;
    let mut li_default = true;
    let mut alt_seen_default = false;
    loop {
        // Own the namespace so `reader` is free to resolve attributes below.
        let (ns, event) = {
            let (ns, event) = reader
                .read_resolved_event_into(&mut buf)
                .map_err(|e| corrupt(e.to_string()))?;
            (bound(&ns).map(<[u8]>::to_vec), event)
        };
        let ns = ns.as_deref();
        match event {
            Event::Start(e) => {
                if current.is_some() {
                    depth_in_prop += 1;
                    if ns == Some(NS_RDF) && e.local_name().as_ref() == b"li" {
                        li_default = lang_is_default(&reader, &e);
                    }
                } else if let Some(p) = ns.and_then(|n| prop(n, e.local_name().as_ref())) {
                    current = Some(p);
                    depth_in_prop = 0;
                    alt_seen_default = false;
                } else if ns == Some(NS_RDF) && e.local_name().as_ref() == b"Description" {
                    read_attributes(&reader, &e, &mut out);
                }
            }
            Event::Empty(e) if ns == Some(NS_RDF) && e.local_name().as_ref() == b"Description" => {
                read_attributes(&reader, &e, &mut out);
            }
            Event::Text(t) => {
                let Some(p) = current else { continue };
                let text = t.unescape().map_err(|e| corrupt(e.to_string()))?;
                let text = text.trim();
                if text.is_empty() {
                    continue;
                }
                match p {
                    Prop::Rating => out.rating = parse_rating(text),
                    Prop::Label => out.label = Some(text.to_owned()),
                    Prop::Title | Prop::Description => {
                        let slot = if p == Prop::Title {
                            &mut out.title
                        } else {
                            &mut out.description
                        };
                        // Prefer the x-default language; else the first.
                        if (li_default && !alt_seen_default) || slot.is_none() {
                            *slot = Some(text.to_owned());
                            alt_seen_default |= li_default && depth_in_prop > 0;
                        }
                    }
                    Prop::Subject => push_unique(&mut out.keywords, text),
                    Prop::Hierarchical => push_unique(&mut out.hierarchical_keywords, text),
                    Prop::Rights => {
                        if (li_default && !alt_seen_default) || out.rights.is_none() {
                            out.rights = Some(text.to_owned());
                            alt_seen_default |= li_default && depth_in_prop > 0;
                        }
                    }
                    other => set_simple(&mut out, other, text),
                }
            }
            Event::End(_) if current.is_some() => {
                if depth_in_prop == 0 {
                    current = None;
                } else {
                    depth_in_prop -= 1;
                    li_default = true;
                }
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(out)
}

fn bound<'a>(ns: &'a ResolveResult<'_>) -> Option<&'a [u8]> {
    match ns {
        ResolveResult::Bound(Namespace(n)) => Some(n),
        _ => None,
    }
}

fn is(ns: &ResolveResult<'_>, want: &[u8]) -> bool {
    bound(ns) == Some(want)
}

fn lang_is_default(reader: &NsReader<&[u8]>, e: &BytesStart<'_>) -> bool {
    for attr in e.attributes().flatten() {
        let (ns, local) = reader.resolve_attribute(attr.key);
        if (is(&ns, NS_XML) || attr.key.as_ref() == b"xml:lang") && local.as_ref() == b"lang" {
            return attr.value.as_ref() == b"x-default";
        }
    }
    true
}

/// Simple properties written as attributes of rdf:Description.
fn read_attributes(reader: &NsReader<&[u8]>, e: &BytesStart<'_>, out: &mut XmpSummary) {
    for attr in e.attributes().flatten() {
        let (ns, local) = reader.resolve_attribute(attr.key);
        let Some(p) = bound(&ns).and_then(|n| prop(n, local.as_ref())) else {
            continue;
        };
        let Ok(value) = attr.unescape_value() else { continue };
        let value = value.trim();
        match p {
            Prop::Rating => out.rating = parse_rating(value),
            Prop::Label if !value.is_empty() => out.label = Some(value.to_owned()),
            Prop::Title | Prop::Description | Prop::Subject | Prop::Hierarchical | Prop::Label => {}
            Prop::Rights if !value.is_empty() => out.rights = Some(value.to_owned()),
            other if !value.is_empty() => set_simple(out, other, value),
            _ => {}
        }
    }
}

/// A property with one value (text, a date, a number), as an element's
/// text or an attribute. The first value of a list (dc:creator) is kept;
/// of the dates, the most specific property wins whatever their order.
fn set_simple(out: &mut XmpSummary, p: Prop, text: &str) {
    let keep_first = |slot: &mut Option<String>| {
        if slot.is_none() {
            *slot = Some(text.to_owned());
        }
    };
    match p {
        Prop::DateOriginal => out.date_taken = Some(text.to_owned()),
        Prop::DateCreated => {
            if out.date_rank < 2 {
                out.date_taken = Some(text.to_owned());
            }
        }
        Prop::CreateDate => {
            if out.date_rank < 1 {
                out.date_taken = Some(text.to_owned());
            }
        }
        Prop::Orientation => out.orientation = text.parse().ok().filter(|o| (1..=8).contains(o)),
        Prop::Lens => keep_first(&mut out.lens),
        Prop::Creator => keep_first(&mut out.creator),
        Prop::Headline => keep_first(&mut out.headline),
        Prop::Instructions => keep_first(&mut out.instructions),
        Prop::Location => keep_first(&mut out.location),
        Prop::City => keep_first(&mut out.city),
        Prop::State => keep_first(&mut out.state),
        Prop::Country => keep_first(&mut out.country),
        Prop::Rating
        | Prop::Label
        | Prop::Title
        | Prop::Description
        | Prop::Subject
        | Prop::Hierarchical
        | Prop::Rights => {}
    }
    match p {
        Prop::DateOriginal => out.date_rank = 3,
        Prop::DateCreated => out.date_rank = out.date_rank.max(2),
        Prop::CreateDate => out.date_rank = out.date_rank.max(1),
        _ => {}
    }
}

fn parse_rating(s: &str) -> Option<i8> {
    // Some tools write "5.0".
    let v: f64 = s.parse().ok()?;
    (-1.0..=5.0).contains(&v).then_some(v.round() as i8)
}

fn push_unique(list: &mut Vec<String>, s: &str) {
    if list.len() < 1000 && !list.iter().any(|x| x == s) {
        list.push(s.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIGHTROOM: &str = r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:lr="http://ns.adobe.com/lightroom/1.0/"
    xmp:Rating="4" xmp:Label="Red">
   <dc:title><rdf:Alt>
     <rdf:li xml:lang="de">Strand</rdf:li>
     <rdf:li xml:lang="x-default">Beach &amp; dunes</rdf:li>
   </rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">Evening light</rdf:li></rdf:Alt></dc:description>
   <dc:subject><rdf:Bag><rdf:li>beach</rdf:li><rdf:li>kids</rdf:li><rdf:li>beach</rdf:li></rdf:Bag></dc:subject>
   <lr:hierarchicalSubject><rdf:Bag><rdf:li>family|kids</rdf:li><rdf:li>places|Iceland|Reykjavik</rdf:li></rdf:Bag></lr:hierarchicalSubject>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"#;

    #[test]
    fn lightroom_style_packet() {
        let x = parse_xmp(LIGHTROOM.as_bytes()).unwrap();
        assert_eq!(x.rating, Some(4));
        assert_eq!(x.label.as_deref(), Some("Red"));
        assert_eq!(
            x.title.as_deref(),
            Some("Beach & dunes"),
            "x-default wins over the first language"
        );
        assert_eq!(x.description.as_deref(), Some("Evening light"));
        assert_eq!(x.keywords, ["beach", "kids"]);
        assert_eq!(x.hierarchical_keywords, ["family|kids", "places|Iceland|Reykjavik"]);
    }

    /// What Photoshop writes: the dates, orientation, lens, creator,
    /// rights and the IPTC core fields, as elements and as attributes.
    #[test]
    fn dates_orientation_lens_and_the_iptc_fields_photographers_use() {
        let xml = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
          <rdf:Description rdf:about=""
            xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
            xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/"
            xmlns:exifEX="http://cipa.jp/exif/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/"
            xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/"
            xmp:CreateDate="2017-03-13T23:03:09-07:00" photoshop:DateCreated="2017-03-13T23:00:00"
            tiff:Orientation="6" photoshop:City="Reykjavík" photoshop:Country="Iceland"
            Iptc4xmpCore:Location="Harpa">
           <exif:DateTimeOriginal>2010-07-11T13:53:00.25+02:00</exif:DateTimeOriginal>
           <exifEX:LensModel>E 10-18mm F4 OSS</exifEX:LensModel>
           <dc:creator><rdf:Seq><rdf:li>Ana Sigurðardóttir</rdf:li><rdf:li>Second</rdf:li></rdf:Seq></dc:creator>
           <dc:rights><rdf:Alt><rdf:li xml:lang="x-default">© 2024 Ana</rdf:li></rdf:Alt></dc:rights>
           <photoshop:Headline>Concert hall</photoshop:Headline>
           <photoshop:Instructions>Credit required</photoshop:Instructions>
          </rdf:Description></rdf:RDF></x:xmpmeta>"#;
        let x = parse_xmp(xml.as_bytes()).unwrap();
        assert_eq!(
            x.date_taken.as_deref(),
            Some("2010-07-11T13:53:00.25+02:00"),
            "exif:DateTimeOriginal wins over the other dates, whatever their order"
        );
        let c = x.capture().unwrap();
        assert_eq!((c.offset_minutes, c.source), (Some(120), CaptureSource::Xmp));
        // 13:53:00.250 at +02:00 is 11:53:00.250 UTC.
        assert_eq!(c.unix_ms, 1_278_849_180_250);
        assert_eq!(x.orientation, Some(6));
        assert_eq!(x.lens.as_deref(), Some("E 10-18mm F4 OSS"));
        assert_eq!(x.creator.as_deref(), Some("Ana Sigurðardóttir"));
        assert_eq!(x.rights.as_deref(), Some("© 2024 Ana"));
        assert_eq!(x.headline.as_deref(), Some("Concert hall"));
        assert_eq!(x.instructions.as_deref(), Some("Credit required"));
        assert_eq!(
            (x.location.as_deref(), x.city.as_deref(), x.country.as_deref()),
            (Some("Harpa"), Some("Reykjavík"), Some("Iceland"))
        );
        let mut m = Metadata::empty();
        x.apply_to(&mut m);
        assert_eq!((m.orientation, m.lens.as_deref()), (Some(6), Some("E 10-18mm F4 OSS")));
        assert_eq!(m.raw["xmp"]["city"], "Reykjavík");
    }

    #[test]
    fn xmp_dates_in_their_shapes() {
        let wall = |s: &str| {
            parse_xmp_date(s).map(|c| {
                (
                    c.unix_ms + i64::from(c.offset_minutes.unwrap_or(0)) * 60_000,
                    c.offset_minutes,
                )
            })
        };
        // 2017-03-13 23:03:09 as a wall clock.
        let t = 1_489_446_189_000;
        assert_eq!(wall("2017-03-13T23:03:09"), Some((t, None)));
        assert_eq!(wall("2017-03-13T23:03:09Z"), Some((t, Some(0))));
        assert_eq!(wall("2017-03-13T23:03:09-07:00"), Some((t, Some(-420))));
        assert_eq!(wall("2017-03-13T23:03-07:00"), Some((t - 9_000, Some(-420))));
        assert_eq!(wall("2017-03-13"), Some((t - 82_989_000, None)));
        assert_eq!(wall("2017"), Some((1_483_228_800_000, None)));
        for bad in [
            "",
            "yesterday",
            "2017-13-01",
            "0000-00-00T00:00:00",
            "2017-03-13T25:00:00",
            "2017-03-13T10:00+99:00",
        ] {
            assert_eq!(parse_xmp_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn element_form_and_other_prefixes() {
        let xml = r#"<x:xmpmeta xmlns:x="adobe:ns:meta/"><r:RDF xmlns:r="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
          <r:Description xmlns:a="http://ns.adobe.com/xap/1.0/"><a:Rating>5.0</a:Rating><a:Label>Green</a:Label></r:Description>
          </r:RDF></x:xmpmeta>"#;
        let x = parse_xmp(xml.as_bytes()).unwrap();
        assert_eq!((x.rating, x.label.as_deref()), (Some(5), Some("Green")));
    }

    #[test]
    fn packet_is_found_inside_binary_data() {
        let mut file = b"\xff\xd8\xff\xe1\x00\x10http://ns.adobe.com/xap/1.0/\0".to_vec();
        file.extend_from_slice(LIGHTROOM.as_bytes());
        file.extend_from_slice(&[0, 1, 2, 0xff, 0xd9]);
        assert_eq!(probe_xmp(&file).unwrap().rating, Some(4));
        assert!(matches!(probe_xmp(b"no xmp here"), Err(MediaError::Absent { .. })));
    }

    #[test]
    fn hostile_packets_are_errors_or_empty_never_panics() {
        let cases: Vec<Vec<u8>> = vec![
            b"<x:xmpmeta><rdf:RDF></x:xmpmeta>".to_vec(),
            b"<x:xmpmeta xmlns:x='a'><unclosed".to_vec(),
            LIGHTROOM.as_bytes()[..LIGHTROOM.len() / 2].to_vec(),
            b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]><x:xmpmeta>&a;</x:xmpmeta>".to_vec(),
            (0..=255u8).cycle().take(4096).collect(),
        ];
        for c in cases {
            let _ = parse_xmp(&c);
            let _ = probe_xmp(&c);
        }
        let x = parse_xmp(b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'><rdf:Description xmlns:xmp='http://ns.adobe.com/xap/1.0/' xmp:Rating='99'/></rdf:RDF>").unwrap();
        assert_eq!(x.rating, None, "out-of-range ratings are ignored");
    }
}
