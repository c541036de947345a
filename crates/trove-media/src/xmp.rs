//! XMP: the ratings, labels, titles and keywords photo tools write, parsed
//! as XML (with namespaces) by quick-xml. The packet is found in the head of
//! the file (JPEG APP1, TIFF/RAW, PNG iTXt, PDF, MP4 all embed it as plain
//! text) or read from a `.xmp` sidecar by the caller.

use quick_xml::NsReader;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use trove_types::Metadata;

use crate::MediaError;

const NS_RDF: &[u8] = b"http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const NS_XMP: &[u8] = b"http://ns.adobe.com/xap/1.0/";
const NS_DC: &[u8] = b"http://purl.org/dc/elements/1.1/";
const NS_LR: &[u8] = b"http://ns.adobe.com/lightroom/1.0/";
const NS_XML: &[u8] = b"http://www.w3.org/XML/1998/namespace";

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
}

impl XmpSummary {
    pub fn is_empty(&self) -> bool {
        *self == XmpSummary::default()
    }

    /// Writes these values into an asset's metadata: rating, label, title
    /// and description replace what was there; the keywords go under
    /// `raw.xmp`.
    pub fn apply_to(&self, m: &mut Metadata) {
        m.rating = self.rating;
        m.color_label = self.label.clone();
        m.title = self.title.clone();
        m.description = self.description.clone();
        m.add_raw(
            "xmp",
            serde_json::json!({
                "keywords": self.keywords,
                "hierarchical_keywords": self.hierarchical_keywords,
            }),
        );
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
        }
    }
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
}

fn prop(ns: &[u8], local: &[u8]) -> Option<Prop> {
    Some(match (ns, local) {
        (NS_XMP, b"Rating") => Prop::Rating,
        (NS_XMP, b"Label") => Prop::Label,
        (NS_DC, b"title") => Prop::Title,
        (NS_DC, b"description") => Prop::Description,
        (NS_DC, b"subject") => Prop::Subject,
        (NS_LR, b"hierarchicalSubject") => Prop::Hierarchical,
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
            _ => {}
        }
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
