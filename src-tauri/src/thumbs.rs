//! The `thumb:` URI scheme: the web view asks for a proxy by asset id and
//! variant (`thumb://localhost/<asset-uuid>/<variant>`, built by the page
//! with `convertFileSrc`), never by path. Proxies are served only from
//! inside the library's proxy folder (`Library::proxy_file` checks); the
//! `original` variant serves an asset's own file only when the web view can
//! show its type (`Library::original_file`), `full` an image at its own
//! size (the original, or for what the web view cannot decode a full-size
//! render, `Library::full_image`), and `page-N` a PDF's page, rendered on
//! demand (`Library::pdf_page`). Read off the UI thread.

use tauri::http::{Response, StatusCode, header};
use trove_core::Library;
use trove_core::types::AssetId;

/// The scheme's name.
pub const SCHEME: &str = "thumb";

/// The pseudo-variant that asks for the original itself (zoom to 100%,
/// videos that play without a proxy); `Library::original_file` decides
/// whether it may be shown.
pub const ORIGINAL: &str = "original";

/// The pseudo-variant for zoom to 100%: any image at its own size.
pub const FULL: &str = "full";

/// The most bytes one ranged answer carries: a range past it is answered
/// in part (206 with the shorter Content-Range), as HTTP allows, so seeking
/// in a long video never reads gigabytes into memory.
const MAX_RANGE: u64 = 16 << 20;

/// The largest file answered whole to a request without a range (images,
/// proxies, a PDF page). A larger one (a long video's original) is answered
/// with its first [`MAX_RANGE`] bytes as a 206, from which players go on
/// with ranges: no request reads more than that into memory.
const MAX_WHOLE: u64 = 64 << 20;

/// `<asset-uuid>/<variant>` from a request path (percent-encoded or not).
pub fn parse(path: &str) -> Option<(AssetId, String)> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    let mut parts = decoded.trim_start_matches('/').splitn(2, '/');
    let id = parts.next()?.parse::<AssetId>().ok()?;
    let variant = parts.next()?.to_owned();
    if variant != ORIGINAL
        && variant != FULL
        && page_number(&variant).is_none()
        && !trove_core::SERVABLE_VARIANTS.contains(&variant.as_str())
    {
        return None;
    }
    Some((id, variant))
}

/// `page-N` (N from 1): a PDF page, rendered on demand.
fn page_number(variant: &str) -> Option<u32> {
    let n = variant.strip_prefix("page-")?;
    if n.is_empty() || n.len() > 6 || !n.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    n.parse().ok().filter(|n| *n > 0)
}

fn plain(status: StatusCode, text: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(text.as_bytes().to_vec())
        .unwrap_or_default()
}

/// A single `bytes=START-END`, `bytes=START-` or `bytes=-SUFFIX` range
/// within `len` bytes, as (first, last) inclusive; `None` when absent or
/// not satisfiable.
fn byte_range(header: Option<&str>, len: u64) -> Option<(u64, u64)> {
    let spec = header?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') || len == 0 {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (first, last) = match (a.trim(), b.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (len.saturating_sub(n), len - 1)
        }
        (start, "") => (start.parse().ok()?, len - 1),
        (start, end) => (start.parse().ok()?, end.parse::<u64>().ok()?.min(len - 1)),
    };
    (first <= last && first < len).then_some((first, last))
}

/// The answer to a GET: the proxy's bytes (or the asked range of them, so
/// video can seek without reading the whole file), 404 when the asset has
/// no such proxy yet, 400 for anything that is not `<uuid>/<variant>`.
pub fn respond(lib: Option<&Library>, path: &str, range: Option<&str>) -> Response<Vec<u8>> {
    respond_to(lib, path, range, false)
}

/// The answer to a GET, or to a HEAD (`head`): the same status and
/// headers, a `Content-Length` of what the GET would send, and no body
/// (nothing is read). An unsatisfiable range is a 416.
pub fn respond_to(lib: Option<&Library>, path: &str, range: Option<&str>, head: bool) -> Response<Vec<u8>> {
    let Some((id, variant)) = parse(path) else {
        return plain(StatusCode::BAD_REQUEST, "ask for <asset id>/<variant>");
    };
    let Some(lib) = lib else {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "the library is not open yet");
    };
    let found = if variant == ORIGINAL {
        lib.original_file(id)
    } else if variant == FULL {
        lib.full_image(id)
    } else if let Some(page) = page_number(&variant) {
        lib.pdf_page(id, page)
    } else {
        lib.proxy_file(id, &variant)
    };
    let file = match found {
        Ok(Some(file)) => file,
        Ok(None) => return plain(StatusCode::NOT_FOUND, "no such proxy yet, or no viewable original"),
        Err(e) => return plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    let gone = || plain(StatusCode::NOT_FOUND, "the proxy file is gone; it will be made again");
    let Ok(mut f) = std::fs::File::open(&file.path) else {
        return gone();
    };
    let Ok(len) = f.metadata().map(|m| m.len()) else {
        return gone();
    };
    let builder = Response::builder()
        .header(header::CONTENT_TYPE, file.mime)
        .header(header::ACCEPT_RANGES, "bytes")
        // A regenerated proxy gets the same URL; an hour keeps scrolling
        // back cheap without serving stale images long.
        .header(header::CACHE_CONTROL, "private, max-age=3600");
    // A single byte range it cannot satisfy (past the end, reversed) is a
    // 416; other forms (several ranges, another unit) are ignored, as HTTP
    // allows, and answered like a request without one.
    let single_bytes = range.is_some_and(|r| r.trim().starts_with("bytes=") && !r.contains(','));
    let part = match byte_range(range, len) {
        Some(r) => Some(r),
        None if single_bytes => {
            return builder
                .status(StatusCode::RANGE_NOT_SATISFIABLE)
                .header(header::CONTENT_RANGE, format!("bytes */{len}"))
                .body(Vec::new())
                .unwrap_or_default();
        }
        // Too large to answer whole: its start, as a range.
        None if len > MAX_WHOLE => Some((0, len - 1)),
        None => None,
    };
    let (status, first, count, builder) = match part {
        Some((first, last)) => {
            let last = last.min(first + MAX_RANGE - 1);
            let builder = builder.header(header::CONTENT_RANGE, format!("bytes {first}-{last}/{len}"));
            (StatusCode::PARTIAL_CONTENT, first, last - first + 1, builder)
        }
        None => (StatusCode::OK, 0, len, builder),
    };
    let builder = builder.status(status).header(header::CONTENT_LENGTH, count);
    if head {
        return builder.body(Vec::new()).unwrap_or_default();
    }
    use std::io::{Read as _, Seek as _};
    let mut body = vec![0u8; count as usize];
    if f.seek(std::io::SeekFrom::Start(first)).is_err() || f.read_exact(&mut body).is_err() {
        return gone();
    }
    builder.body(body).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{byte_range, page_number};

    #[test]
    fn page_variants() {
        assert_eq!(page_number("page-1"), Some(1));
        assert_eq!(page_number("page-240"), Some(240));
        for bad in [
            "page-0",
            "page-",
            "page--1",
            "page-1x",
            "page-9999999",
            "pages-1",
            "page-+1",
        ] {
            assert_eq!(page_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn ranges() {
        assert_eq!(byte_range(Some("bytes=0-9"), 100), Some((0, 9)));
        assert_eq!(byte_range(Some("bytes=90-"), 100), Some((90, 99)));
        assert_eq!(byte_range(Some("bytes=-10"), 100), Some((90, 99)));
        assert_eq!(byte_range(Some("bytes=50-500"), 100), Some((50, 99)));
        assert_eq!(byte_range(Some("bytes=100-"), 100), None);
        assert_eq!(byte_range(Some("bytes=5-1"), 100), None);
        assert_eq!(byte_range(Some("bytes=0-1,5-6"), 100), None);
        assert_eq!(byte_range(Some("items=0-1"), 100), None);
        assert_eq!(byte_range(None, 100), None);
    }
}
