//! The `thumb:` URI scheme: the web view asks for a proxy by asset id and
//! variant (`thumb://localhost/<asset-uuid>/<variant>`, built by the page
//! with `convertFileSrc`), never by path. Only files inside the library's
//! proxy folder are served (`Library::proxy_file` checks), read off the UI
//! thread.

use tauri::http::{Response, StatusCode, header};
use trove_core::Library;
use trove_core::types::AssetId;

/// The scheme's name.
pub const SCHEME: &str = "thumb";

/// `<asset-uuid>/<variant>` from a request path (percent-encoded or not).
pub fn parse(path: &str) -> Option<(AssetId, String)> {
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8().ok()?;
    let mut parts = decoded.trim_start_matches('/').splitn(2, '/');
    let id = parts.next()?.parse::<AssetId>().ok()?;
    let variant = parts.next()?.to_owned();
    if !trove_core::SERVABLE_VARIANTS.contains(&variant.as_str()) {
        return None;
    }
    Some((id, variant))
}

fn plain(status: StatusCode, text: &str) -> Response<Vec<u8>> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "text/plain; charset=utf-8")
        .body(text.as_bytes().to_vec())
        .unwrap_or_default()
}

/// The answer to one request: the proxy's bytes, 404 when the asset has no
/// such proxy yet, 400 for anything that is not `<uuid>/<variant>`.
pub fn respond(lib: Option<&Library>, path: &str) -> Response<Vec<u8>> {
    let Some((id, variant)) = parse(path) else {
        return plain(StatusCode::BAD_REQUEST, "ask for <asset id>/<variant>");
    };
    let Some(lib) = lib else {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "the library is not open yet");
    };
    match lib.proxy_file(id, &variant) {
        Ok(Some(file)) => match std::fs::read(&file.path) {
            Ok(bytes) => Response::builder()
                .status(StatusCode::OK)
                .header(header::CONTENT_TYPE, file.mime)
                // A regenerated proxy gets the same URL; an hour keeps
                // scrolling back cheap without serving stale images long.
                .header(header::CACHE_CONTROL, "private, max-age=3600")
                .body(bytes)
                .unwrap_or_default(),
            Err(_) => plain(StatusCode::NOT_FOUND, "the proxy file is gone; it will be made again"),
        },
        Ok(None) => plain(StatusCode::NOT_FOUND, "no such proxy yet"),
        Err(e) => plain(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}
