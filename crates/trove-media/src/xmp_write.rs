//! Writing XMP sidecars that Lightroom, darktable and digiKam read, by
//! updating what is there rather than replacing it: every property and
//! namespace Trove does not own (darktable's history, Lightroom's `crs:`
//! settings, anything unknown) goes through byte for byte, as quick-xml
//! reads and writes it; only Trove's own properties are dropped and
//! written again inside the first `rdf:Description`.

use quick_xml::NsReader;
use quick_xml::Writer;
use quick_xml::escape::escape;
use quick_xml::events::{BytesEnd, BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};

use crate::MediaError;

const NS_RDF: &str = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
const NS_XMP: &str = "http://ns.adobe.com/xap/1.0/";
const NS_DC: &str = "http://purl.org/dc/elements/1.1/";
const NS_LR: &str = "http://ns.adobe.com/lightroom/1.0/";
const NS_DIGIKAM: &str = "http://www.digikam.org/ns/1.0/";

/// The largest sidecar Trove updates (a darktable history of thousands of
/// steps is a few hundred KiB); a bigger one is left alone and reported.
pub const MAX_SIDECAR_BYTES: usize = 8 << 20;

/// The properties Trove owns in a sidecar.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SidecarFields {
    /// `xmp:Rating`: 0 to 5, or -1 for a reject (as Lightroom writes it).
    pub rating: Option<i8>,
    /// `xmp:Label`: `Red`, `Yellow`, `Green`, `Blue` or `Purple`.
    pub label: Option<String>,
    /// `dc:title`.
    pub title: Option<String>,
    /// `dc:description` (the caption).
    pub description: Option<String>,
    /// `dc:creator`.
    pub creator: Option<String>,
    /// `dc:rights`.
    pub rights: Option<String>,
    /// Keyword paths by level (`["Places", "Iceland"]`): written flat as
    /// `dc:subject` (every level, as Lightroom does), as
    /// `lr:hierarchicalSubject` (`Places|Iceland`) and as
    /// `digiKam:TagsList` (`Places/Iceland`).
    pub keywords: Vec<Vec<String>>,
}

/// Is (namespace, local name) one of Trove's properties?
fn owned(ns: &[u8], local: &[u8]) -> bool {
    matches!(
        (ns, local),
        (n, b"Rating" | b"Label") if n == NS_XMP.as_bytes()
    ) || matches!(
        (ns, local),
        (n, b"title" | b"description" | b"creator" | b"rights" | b"subject") if n == NS_DC.as_bytes()
    ) || (ns == NS_LR.as_bytes() && local == b"hierarchicalSubject")
        || (ns == NS_DIGIKAM.as_bytes() && local == b"TagsList")
}

fn bound<'a>(ns: &'a ResolveResult<'_>) -> Option<&'a [u8]> {
    match ns {
        ResolveResult::Bound(Namespace(n)) => Some(n),
        _ => None,
    }
}

/// A new sidecar holding only Trove's properties.
const EMPTY_SIDECAR: &str = concat!(
    "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n",
    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\" x:xmptk=\"Trove\">\n",
    " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n",
    "  <rdf:Description rdf:about=\"\">\n",
    "  </rdf:Description>\n",
    " </rdf:RDF>\n",
    "</x:xmpmeta>\n",
    "<?xpacket end=\"w\"?>\n",
);

/// The sidecar to write: `existing` (a sidecar's bytes, if there is one)
/// with Trove's properties replaced by `fields`, everything else as it
/// was. A sidecar that is not UTF-8 XMP, is larger than
/// [`MAX_SIDECAR_BYTES`], or has no `rdf:Description` is refused with the
/// reason, and must be left as it is.
pub fn update_sidecar(existing: Option<&[u8]>, fields: &SidecarFields) -> Result<Vec<u8>, MediaError> {
    let refuse = |detail: String| MediaError::Corrupt {
        format: "XMP sidecar",
        detail,
    };
    let xml = existing.unwrap_or(EMPTY_SIDECAR.as_bytes());
    if xml.len() > MAX_SIDECAR_BYTES {
        return Err(refuse(format!(
            "{} bytes, more than the {} MiB Trove updates",
            xml.len(),
            MAX_SIDECAR_BYTES >> 20
        )));
    }
    let text = std::str::from_utf8(xml).map_err(|e| refuse(format!("not UTF-8 ({e})")))?;
    if let Some(enc) = declared_encoding(text)
        && !enc.eq_ignore_ascii_case("utf-8")
        && !enc.eq_ignore_ascii_case("utf8")
    {
        return Err(refuse(format!("declared as {enc}, not UTF-8")));
    }

    let mut reader = NsReader::from_reader(xml);
    let mut out = Writer::new(Vec::with_capacity(xml.len() + 1024));
    let mut buf = Vec::new();
    let mut depth = 0usize;
    // Inside one of Trove's properties (being dropped): its depth.
    let mut skipping: Option<usize> = None;
    // The first rdf:Description: its depth, until Trove's are written in.
    let mut first_desc: Option<usize> = None;
    let mut written = false;
    let mut saw_root = false;
    let ours = properties(fields);
    // Whitespace between elements, held until the next event: dropped
    // with a property of Trove's that follows it (and before Trove's own,
    // which bring theirs), so rewriting never piles up blank lines.
    let mut pending_ws: Option<Vec<u8>> = None;
    loop {
        let (ns, event) = {
            let (ns, event) = reader
                .read_resolved_event_into(&mut buf)
                .map_err(|e| refuse(format!("not well-formed XML ({e})")))?;
            (bound(&ns).map(<[u8]>::to_vec), event)
        };
        let ns = ns.as_deref();
        let put = |out: &mut Writer<Vec<u8>>, e: Event<'_>| {
            out.write_event(e)
                .map_err(|e| refuse(format!("cannot write it back ({e})")))
        };
        match event {
            Event::Eof => break,
            Event::Start(e) => {
                depth += 1;
                saw_root = true;
                if skipping.is_some() {
                    continue;
                }
                let local = e.local_name();
                if let Some(n) = ns
                    && owned(n, local.as_ref())
                {
                    skipping = Some(depth);
                    pending_ws = None;
                    continue;
                }
                flush(&mut out, &mut pending_ws);
                if ns == Some(NS_RDF.as_bytes()) && local.as_ref() == b"Description" {
                    let e = without_owned_attributes(&reader, &e)?;
                    if !written && first_desc.is_none() {
                        first_desc = Some(depth);
                    }
                    put(&mut out, Event::Start(e))?;
                } else {
                    put(&mut out, Event::Start(e))?;
                }
            }
            Event::End(e) => {
                if let Some(d) = skipping {
                    if d == depth {
                        skipping = None;
                    }
                    depth -= 1;
                    continue;
                }
                if first_desc == Some(depth) {
                    pending_ws = None;
                    out.get_mut().extend_from_slice(ours.as_bytes());
                    written = true;
                    first_desc = None;
                }
                flush(&mut out, &mut pending_ws);
                depth -= 1;
                put(&mut out, Event::End(e))?;
            }
            Event::Empty(e) => {
                saw_root = true;
                if skipping.is_some() {
                    continue;
                }
                let local = e.local_name();
                if let Some(n) = ns
                    && owned(n, local.as_ref())
                {
                    pending_ws = None;
                    continue;
                }
                flush(&mut out, &mut pending_ws);
                if ns == Some(NS_RDF.as_bytes()) && local.as_ref() == b"Description" {
                    let e = without_owned_attributes(&reader, &e)?;
                    if written {
                        put(&mut out, Event::Empty(e))?;
                    } else {
                        // `<rdf:Description .../>`: opened to hold Trove's.
                        let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                        put(&mut out, Event::Start(e))?;
                        out.get_mut().extend_from_slice(ours.as_bytes());
                        put(&mut out, Event::End(BytesEnd::new(name)))?;
                        written = true;
                    }
                } else {
                    put(&mut out, Event::Empty(e))?;
                }
            }
            Event::Text(t) if skipping.is_none() && t.iter().all(u8::is_ascii_whitespace) => {
                flush(&mut out, &mut pending_ws);
                pending_ws = Some(t.to_vec());
            }
            other => {
                if skipping.is_none() {
                    flush(&mut out, &mut pending_ws);
                    put(&mut out, other)?;
                }
            }
        }
        buf.clear();
    }
    flush(&mut out, &mut pending_ws);
    if !saw_root || !written {
        return Err(refuse(
            "no rdf:Description to hold the properties (not an XMP sidecar)".into(),
        ));
    }
    Ok(out.into_inner())
}

fn flush(out: &mut Writer<Vec<u8>>, pending: &mut Option<Vec<u8>>) {
    if let Some(ws) = pending.take() {
        out.get_mut().extend_from_slice(&ws);
    }
}

/// The encoding an XML declaration names, if it names one.
fn declared_encoding(text: &str) -> Option<&str> {
    let decl = text.trim_start_matches('\u{feff}').strip_prefix("<?xml")?;
    let decl = &decl[..decl.find("?>")?];
    let at = decl.find("encoding")?;
    let rest = decl[at + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?
        .trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let rest = &rest[1..];
    Some(&rest[..rest.find(quote)?])
}

/// `e` without the attributes that are Trove's properties (Lightroom
/// writes `xmp:Rating="3"` as an attribute of `rdf:Description`).
fn without_owned_attributes<'a>(
    reader: &NsReader<&[u8]>,
    e: &BytesStart<'a>,
) -> Result<BytesStart<'static>, MediaError> {
    let mut kept = BytesStart::new(String::from_utf8_lossy(e.name().as_ref()).into_owned());
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| MediaError::Corrupt {
            format: "XMP sidecar",
            detail: format!("a bad attribute ({err})"),
        })?;
        let (ns, local) = reader.resolve_attribute(attr.key);
        if let Some(n) = bound(&ns)
            && owned(n, local.as_ref())
        {
            continue;
        }
        kept.push_attribute(quick_xml::events::attributes::Attribute {
            key: quick_xml::name::QName(attr.key.as_ref()),
            value: attr.value.clone(),
        });
    }
    Ok(kept.into_owned())
}

/// Trove's properties as XML elements, each declaring the namespaces it
/// uses (so no prefix in the file can clash with them).
fn properties(f: &SidecarFields) -> String {
    let mut x = String::new();
    let ind = "\n   ";
    let lang_alt = |x: &mut String, prop: &str, ns: &str, text: &str| {
        x.push_str(&format!(
            "{ind}<{prop} xmlns:{p}=\"{ns}\" xmlns:rdf=\"{NS_RDF}\"><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></{prop}>",
            escape(text),
            p = prop.split(':').next().unwrap_or("dc"),
        ));
    };
    let list = |x: &mut String, prop: &str, ns: &str, kind: &str, items: &[String]| {
        if items.is_empty() {
            return;
        }
        let lis: String = items
            .iter()
            .map(|i| format!("<rdf:li>{}</rdf:li>", escape(i)))
            .collect();
        x.push_str(&format!(
            "{ind}<{prop} xmlns:{p}=\"{ns}\" xmlns:rdf=\"{NS_RDF}\"><rdf:{kind}>{lis}</rdf:{kind}></{prop}>",
            p = prop.split(':').next().unwrap_or("dc"),
        ));
    };
    if let Some(r) = f.rating {
        x.push_str(&format!("{ind}<xmp:Rating xmlns:xmp=\"{NS_XMP}\">{r}</xmp:Rating>"));
    }
    if let Some(l) = &f.label {
        x.push_str(&format!(
            "{ind}<xmp:Label xmlns:xmp=\"{NS_XMP}\">{}</xmp:Label>",
            escape(l)
        ));
    }
    if let Some(t) = &f.title {
        lang_alt(&mut x, "dc:title", NS_DC, t);
    }
    if let Some(d) = &f.description {
        lang_alt(&mut x, "dc:description", NS_DC, d);
    }
    if let Some(c) = &f.creator {
        list(&mut x, "dc:creator", NS_DC, "Seq", std::slice::from_ref(c));
    }
    if let Some(r) = &f.rights {
        lang_alt(&mut x, "dc:rights", NS_DC, r);
    }
    let mut flat: Vec<String> = Vec::new();
    for levels in &f.keywords {
        for l in levels {
            if !flat.contains(l) {
                flat.push(l.clone());
            }
        }
    }
    list(&mut x, "dc:subject", NS_DC, "Bag", &flat);
    let hierarchical: Vec<String> = f.keywords.iter().map(|k| k.join("|")).collect();
    list(&mut x, "lr:hierarchicalSubject", NS_LR, "Bag", &hierarchical);
    let digikam: Vec<String> = f.keywords.iter().map(|k| k.join("/")).collect();
    list(&mut x, "digiKam:TagsList", NS_DIGIKAM, "Seq", &digikam);
    x.push_str("\n  ");
    x
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_xmp;

    fn fields() -> SidecarFields {
        SidecarFields {
            rating: Some(4),
            label: Some("Red".into()),
            title: Some("Harbour & boats".into()),
            description: Some("Puffins <3".into()),
            creator: Some("Ana".into()),
            rights: Some("© Ana".into()),
            keywords: vec![vec!["Places".into(), "Iceland".into()], vec!["Birds".into()]],
        }
    }

    #[test]
    fn a_new_sidecar_reads_back_as_written() {
        let xml = update_sidecar(None, &fields()).unwrap();
        let x = parse_xmp(&xml).unwrap();
        assert_eq!(x.rating, Some(4));
        assert_eq!(x.label.as_deref(), Some("Red"));
        assert_eq!(x.title.as_deref(), Some("Harbour & boats"));
        assert_eq!(x.description.as_deref(), Some("Puffins <3"));
        assert_eq!(x.keywords, ["Places", "Iceland", "Birds"]);
        assert_eq!(x.hierarchical_keywords, ["Places|Iceland", "Birds"]);
    }

    #[test]
    fn an_update_replaces_troves_properties_and_keeps_everything_else() {
        let darktable = r#"<?xml version="1.0" encoding="UTF-8"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="XMP Core 4.4.0-Exiv2">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:darktable="http://darktable.sf.net/" xmlns:crs="http://ns.adobe.com/camera-raw-settings/1.0/" xmp:Rating="1" darktable:xmp_version="5" crs:Exposure2012="+0.50">
   <darktable:history><rdf:Seq><rdf:li darktable:operation="exposure" darktable:params="0000c0bf"/></rdf:Seq></darktable:history>
   <dc:subject><rdf:Bag><rdf:li>old</rdf:li></rdf:Bag></dc:subject>
   <x:unknown xmlns:x="urn:example:other">kept &amp; sound</x:unknown>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>"#;
        let xml = update_sidecar(Some(darktable.as_bytes()), &fields()).unwrap();
        let text = String::from_utf8(xml.clone()).unwrap();
        for kept in [
            r#"darktable:xmp_version="5""#,
            r#"crs:Exposure2012="+0.50""#,
            r#"<rdf:li darktable:operation="exposure" darktable:params="0000c0bf"/>"#,
            "<x:unknown xmlns:x=\"urn:example:other\">kept &amp; sound</x:unknown>",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
        ] {
            assert!(text.contains(kept), "{kept} lost:\n{text}");
        }
        assert!(
            !text.contains("xmp:Rating=\"1\""),
            "the old rating attribute is gone:\n{text}"
        );
        assert!(!text.contains(">old<"), "the old keywords are gone:\n{text}");
        let x = parse_xmp(&xml).unwrap();
        assert_eq!(x.rating, Some(4));
        assert_eq!(x.keywords, ["Places", "Iceland", "Birds"]);
        // Updating again changes nothing more.
        let again = String::from_utf8(update_sidecar(Some(&xml), &fields()).unwrap()).unwrap();
        assert_eq!(again, text);
    }

    #[test]
    fn bad_sidecars_are_refused_with_the_reason() {
        let cases: [(&[u8], &str); 5] = [
            (b"this is not xml at all", "rdf:Description"),
            (b"<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF", "not well-formed"),
            (b"\xff\xfe<\x00x\x00", "not UTF-8"),
            (
                b"<?xml version='1.0' encoding='ISO-8859-1'?><x:xmpmeta xmlns:x='adobe:ns:meta/'/>",
                "ISO-8859-1",
            ),
            (b"<a><b></a>", "not well-formed"),
        ];
        for (bad, why) in cases {
            let e = update_sidecar(Some(bad), &fields()).unwrap_err().to_string();
            assert!(e.contains(why), "{:?}: {e}", String::from_utf8_lossy(bad));
        }
        let huge = vec![b' '; MAX_SIDECAR_BYTES + 1];
        assert!(
            update_sidecar(Some(&huge), &fields())
                .unwrap_err()
                .to_string()
                .contains("MiB")
        );
    }

    #[test]
    fn cleared_values_leave_no_property_behind() {
        let xml = update_sidecar(None, &fields()).unwrap();
        let cleared = update_sidecar(Some(&xml), &SidecarFields::default()).unwrap();
        let x = parse_xmp(&cleared).unwrap();
        assert!(x.is_empty(), "{x:?}");
    }
}
