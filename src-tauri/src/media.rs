//! A loopback HTTP server for video and audio. WebKitGTK's media player
//! cannot read from a custom URI scheme (WebKit bug 146351, Tauri issue
//! 3725), so the viewer's `<video>` asks `http://127.0.0.1:PORT/TOKEN/...`
//! instead of `thumb:`. It answers exactly what the `thumb:` scheme answers
//! (the same [`thumbs::respond`], by asset id and variant, ranges included);
//! the random per-launch token in every path and the Host check keep other
//! local programs and web pages out.

use std::sync::Arc;

use tiny_http::{Header, Method, Response, Server};
use trove_core::Library;

use crate::thumbs;

/// Threads answering requests: a few, so seeking while another range loads
/// does not wait.
const WORKERS: usize = 3;

/// A running media server.
#[derive(Debug, Clone)]
pub struct MediaServer {
    /// `http://127.0.0.1:PORT/TOKEN`: append `/<asset id>/<variant>`.
    pub base: String,
}

impl MediaServer {
    /// Binds a free loopback port and serves `lib`'s media until the process
    /// ends.
    pub fn start(lib: Arc<Library>) -> std::io::Result<MediaServer> {
        let server = Server::http("127.0.0.1:0").map_err(std::io::Error::other)?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .ok_or_else(|| std::io::Error::other("the media server has no IP address"))?;
        let mut token = [0u8; 16];
        getrandom::fill(&mut token).map_err(|e| std::io::Error::other(format!("no random token: {e}")))?;
        let token = hex::encode(token);
        let host = format!("127.0.0.1:{port}");
        let server = Arc::new(server);
        for i in 0..WORKERS {
            let (server, lib, token, host) = (server.clone(), lib.clone(), token.clone(), host.clone());
            std::thread::Builder::new()
                .name(format!("trove-media-{i}"))
                .spawn(move || {
                    for request in server.incoming_requests() {
                        let response = answer(&lib, &token, &host, &request);
                        // A client that went away (seeking) is not an error.
                        let _ = request.respond(response);
                    }
                })?;
        }
        Ok(MediaServer {
            base: format!("http://{host}/{token}"),
        })
    }
}

fn text(status: u16, body: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(body.as_bytes().to_vec()).with_status_code(status)
}

/// The answer to one request; pure apart from reading the file, so it is
/// tested without a socket.
fn answer(lib: &Library, token: &str, host: &str, request: &tiny_http::Request) -> Response<std::io::Cursor<Vec<u8>>> {
    if !matches!(request.method(), Method::Get | Method::Head) {
        return text(405, "only GET");
    }
    let host_ok = request
        .headers()
        .iter()
        .any(|h| h.field.equiv("Host") && h.value.as_str() == host);
    if !host_ok {
        return text(403, "wrong host");
    }
    let url = request.url();
    let path = url.split('?').next().unwrap_or("");
    let Some(rest) = path.strip_prefix('/').and_then(|p| p.strip_prefix(token)) else {
        return text(403, "unknown path");
    };
    let range = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Range"))
        .map(|h| h.value.as_str().to_owned());
    let head = *request.method() == Method::Head;
    let (parts, body) = thumbs::respond_to(Some(lib), rest, range.as_deref(), head).into_parts();
    // The length a GET sends: for a HEAD, the header says it and no body
    // goes out (tiny_http sends none for HEAD).
    let length = parts
        .headers
        .get(tauri::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(body.len());
    let headers: Vec<Header> = parts
        .headers
        .iter()
        .filter(|(name, _)| *name != tauri::http::header::CONTENT_LENGTH)
        .filter_map(|(name, value)| Header::from_bytes(name.as_str().as_bytes(), value.as_bytes()).ok())
        .collect();
    Response::new(
        tiny_http::StatusCode(parts.status.as_u16()),
        headers,
        std::io::Cursor::new(body),
        Some(length),
        None,
    )
    // Always a Content-Length (players seek by it), never chunked.
    .with_chunked_threshold(usize::MAX)
}
