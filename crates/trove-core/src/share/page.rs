//! The static pages a share puts in the bucket: one self-contained HTML
//! file each (style, script and data inline; no external resources), with
//! a Content-Security-Policy that allows only its own inline script and
//! style (by hash) and media from the bucket's origin.

use std::collections::BTreeMap;

use base64::Engine as _;
use sha2::Digest as _;
use trove_catalog::ShareRecord;
use trove_types::AssetKind;

use crate::error::Result;
use crate::model::AssetDetail;

const SHARE_HTML: &str = include_str!("page/share.html");
const SHARE_CSS: &str = include_str!("page/share.css");
const SHARE_JS: &str = include_str!("page/share.js");
const REQUEST_HTML: &str = include_str!("page/request.html");
const REQUEST_CSS: &str = include_str!("page/request.css");
const REQUEST_JS: &str = include_str!("page/request.js");

/// What a share page shows of each item, as the person chose.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PageChoices {
    pub(crate) names: bool,
    pub(crate) captions: bool,
    pub(crate) times: bool,
    pub(crate) metadata: bool,
    pub(crate) gps: bool,
}

impl PageChoices {
    /// From a share's recorded options. Shares made before names and
    /// captions were choices showed both: their pages stay as published.
    pub(crate) fn from_options(options: &serde_json::Value) -> PageChoices {
        let metadata = options["metadata"].as_bool().unwrap_or(true);
        PageChoices {
            names: options["names"].as_bool().unwrap_or(true),
            captions: options["captions"].as_bool().unwrap_or(metadata),
            times: options["times"].as_bool().unwrap_or(metadata),
            metadata,
            gps: options["gps"].as_bool().unwrap_or(false),
        }
    }
}

/// What an item is called when its file name is not shown: "Photo 3".
pub(crate) fn neutral_name(kind: AssetKind, pos: i64) -> String {
    let noun = match kind {
        AssetKind::Image => "Photo",
        AssetKind::Video => "Video",
        AssetKind::Audio => "Sound",
        AssetKind::Document => "Document",
        AssetKind::Other => "File",
    };
    format!("{noun} {pos}")
}

/// One item of a share page, as its data JSON has it.
pub(crate) struct PageItem(serde_json::Value);

impl PageItem {
    /// `urls` maps a role (`thumb`, `preview`, `media`, `original`) to its
    /// signed URL and size.
    pub(crate) fn new(
        pos: i64,
        d: &AssetDetail,
        urls: BTreeMap<String, (String, u64)>,
        choices: &PageChoices,
    ) -> PageItem {
        let name = if choices.names {
            d.files
                .iter()
                .find(|f| f.record.present)
                .or(d.files.first())
                .and_then(|f| f.path.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| neutral_name(d.asset.kind, pos))
        } else {
            neutral_name(d.asset.kind, pos)
        };
        let kind = match d.asset.kind {
            AssetKind::Image => "image",
            AssetKind::Video => "video",
            AssetKind::Audio => "audio",
            AssetKind::Document => "document",
            AssetKind::Other => "other",
        };
        let url = |role: &str| urls.get(role).map(|(u, _)| u.clone());
        let mut meta = serde_json::Map::new();
        let taken = if choices.times {
            d.asset.capture.as_ref().map(|c| rfc3339(c.unix_ms))
        } else {
            None
        };
        // What the person wrote comes first; the file's own texts after.
        let caption = if choices.captions {
            let c = &d.curation;
            c.caption.clone().or_else(|| c.title.clone()).or_else(|| {
                d.metadata
                    .as_ref()
                    .and_then(|m| m.description.clone().or_else(|| m.title.clone()))
            })
        } else {
            None
        };
        if choices.metadata {
            let c = &d.curation;
            for (k, v) in [("Creator", &c.creator), ("Copyright", &c.rights)] {
                if let Some(v) = v.as_ref().filter(|v| !v.trim().is_empty()) {
                    meta.insert(k.to_owned(), v.clone().into());
                }
            }
            if let Some(m) = &d.metadata {
                let mut put = |k: &str, v: Option<String>| {
                    if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
                        meta.insert(k.to_owned(), v.into());
                    }
                };
                put("Camera", m.camera());
                put("Lens", m.lens.clone());
                let exposure = [
                    m.exposure_text(),
                    m.aperture.map(|a| format!("f/{a}")),
                    m.iso.map(|i| format!("ISO {i}")),
                    m.focal_length_mm.map(|f| format!("{f} mm")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                put("Exposure", Some(exposure));
                put("Artist", m.artist.clone().or_else(|| m.author.clone()));
                put("Album", m.album.clone());
                if choices.gps
                    && let Some(g) = m.gps
                {
                    put("Location", Some(format!("{:.5}, {:.5}", g.lat, g.lon)));
                }
            }
            if let (Some(w), Some(h)) = (d.asset.width, d.asset.height) {
                meta.insert("Size".into(), format!("{w} × {h}").into());
            }
            if let Some(ms) = d.asset.duration_ms {
                let s = ms / 1000;
                meta.insert("Duration".into(), format!("{}:{:02}", s / 60, s % 60).into());
            }
        }
        PageItem(serde_json::json!({
            "id": pos.to_string(),
            "name": name,
            "kind": kind,
            "width": d.asset.width,
            "height": d.asset.height,
            "thumb": url("thumb"),
            "preview": url("preview"),
            "media": url("media").or_else(|| if matches!(d.asset.kind, AssetKind::Video | AssetKind::Audio) { url("original") } else { None }),
            "original": url("original"),
            "original_size": urls.get("original").map(|(_, s)| *s),
            "caption": caption,
            "taken": taken,
            "meta": meta,
        }))
    }
}

/// RFC 3339 (UTC) of a Unix time in milliseconds.
pub(crate) fn rfc3339(unix_ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(unix_ms) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The data of a share page.
pub(crate) fn share_data(record: &ShareRecord, items: &[PageItem]) -> serde_json::Value {
    serde_json::json!({
        "title": page_title(record),
        "message": record.message,
        "created": rfc3339(record.created_at),
        "expires": rfc3339(record.expires_at),
        "items": items.iter().map(|i| &i.0).collect::<Vec<_>>(),
    })
}

fn page_title(record: &ShareRecord) -> String {
    record.title.clone().unwrap_or_else(|| "Shared photos".to_owned())
}

/// The share page: one HTML file.
pub(crate) fn render_share_page(record: &ShareRecord, items: &[PageItem], page_url: &str) -> Result<String> {
    let data = share_data(record, items);
    let origin = origin_of(page_url);
    let csp = format!(
        "default-src 'none'; img-src {origin} data:; media-src {origin}; style-src {}; script-src {}; \
         base-uri 'none'; form-action 'none'",
        hash_source(SHARE_CSS),
        hash_source(SHARE_JS)
    );
    Ok(fill(SHARE_HTML, &page_title(record), &csp, SHARE_CSS, SHARE_JS, &data))
}

/// The upload-request page: one HTML file whose form posts to `action`.
pub(crate) fn render_request_page(title: &str, data: &serde_json::Value, page_url: &str, action: &str) -> String {
    let csp = format!(
        "default-src 'none'; img-src {page} blob: data:; connect-src {action_origin}; style-src {}; script-src {}; \
         base-uri 'none'; form-action {action_origin}",
        hash_source(REQUEST_CSS),
        hash_source(REQUEST_JS),
        page = origin_of(page_url),
        action_origin = origin_of(action),
    );
    fill(REQUEST_HTML, title, &csp, REQUEST_CSS, REQUEST_JS, data)
}

/// `'sha256-...'` of an inline script or style, for the CSP.
fn hash_source(text: &str) -> String {
    let digest = sha2::Sha256::digest(text.as_bytes());
    format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return "'none'".into();
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    format!("{scheme}://{host}")
}

fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON that is safe inside a `<script type="application/json">` block:
/// nothing in it can close the element or open a comment.
fn script_json(data: &serde_json::Value) -> String {
    data.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Fills the template's placeholders in one pass (so text the user wrote
/// is never read as a placeholder).
fn fill(template: &str, title: &str, csp: &str, css: &str, js: &str, data: &serde_json::Value) -> String {
    let title = escape_html(title);
    let csp = escape_html(csp);
    let data = script_json(data);
    let mut out = String::with_capacity(template.len() + css.len() + js.len() + data.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[start..]);
            rest = "";
            break;
        };
        let value = match &after[..end] {
            "TITLE" => title.as_str(),
            "CSP" => csp.as_str(),
            "CSS" => css,
            "JS" => js,
            "DATA" => data.as_str(),
            _ => {
                out.push_str("{{");
                rest = after;
                continue;
            }
        };
        out.push_str(value);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_cannot_close_its_script_element() {
        let data = serde_json::json!({ "title": "</script><script>alert(1)</script>", "x": "<!--" });
        let html = fill(
            SHARE_HTML,
            "a <b> & \"c\"",
            "default-src 'none'",
            SHARE_CSS,
            SHARE_JS,
            &data,
        );
        assert!(!html.contains("</script><script>alert"));
        assert!(!html.contains("<!--"));
        assert!(html.contains("<title>a &lt;b&gt; &amp; &quot;c&quot;</title>"));
        // The inline script is exactly the hashed text.
        assert!(html.contains(&format!("<script>{SHARE_JS}</script>")));
        assert!(html.contains(&format!("<style>{SHARE_CSS}</style>")));
    }

    #[test]
    fn placeholders_in_user_text_stay_text() {
        let data = serde_json::json!({ "title": "{{JS}}" });
        let html = fill("<t>{{TITLE}}</t><d>{{DATA}}</d>", "{{CSS}}", "", "CSS!", "JS!", &data);
        assert_eq!(html, "<t>{{CSS}}</t><d>{\"title\":\"{{JS}}\"}</d>");
    }

    #[test]
    fn origins_and_hashes() {
        assert_eq!(
            origin_of("http://127.0.0.1:9000/bucket/share/x/index.html?X=1"),
            "http://127.0.0.1:9000"
        );
        assert_eq!(origin_of("https://b.s3.amazonaws.com/k"), "https://b.s3.amazonaws.com");
        // The known SHA-256 of the empty string.
        assert_eq!(hash_source(""), "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
    }
}
