//! The loopback media server over a real socket: by asset id and variant
//! with ranges, behind the per-launch token and the Host check.
#![allow(clippy::unwrap_used)]

use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::Arc;

use trove_core::{Cancel, Library, NoEvents, OpenOptions, WorkerOptions};
use trove_desktop::media::MediaServer;

fn get(base: &str, path: &str, host: Option<&str>, range: Option<&str>) -> (u16, String, Vec<u8>) {
    request("GET", base, path, host, range)
}

fn request(method: &str, base: &str, path: &str, host: Option<&str>, range: Option<&str>) -> (u16, String, Vec<u8>) {
    let authority = base.trim_start_matches("http://").split('/').next().unwrap().to_owned();
    let mut s = TcpStream::connect(&authority).unwrap();
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
        host.unwrap_or(&authority)
    );
    if let Some(r) = range {
        req.push_str(&format!("Range: {r}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    (status, head, raw[split + 4..].to_vec())
}

#[test]
fn media_is_served_by_id_with_ranges_only_to_the_token_holder() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    trove_testkit::write_png(&photos.join("a.png"), 8, 8, [1, 2, 3], 0);
    let lib = Arc::new(Library::open(&tmp.path().join("lib"), OpenOptions::write().create(true)).unwrap());
    let (root, _) = lib.add_root(&photos, Default::default()).unwrap();
    lib.enqueue_scan(root.id).unwrap();
    lib.run_jobs(&WorkerOptions::for_cores(1), &NoEvents, &Cancel::new())
        .unwrap();
    let id = lib.assets(&Default::default()).unwrap()[0].id;
    let original = std::fs::read(photos.join("a.png")).unwrap();

    let server = MediaServer::start(lib.clone()).unwrap();
    let (authority, token) = {
        let rest = server.base.trim_start_matches("http://");
        let (a, t) = rest.split_once('/').unwrap();
        (a.to_owned(), t.to_owned())
    };
    assert!(authority.starts_with("127.0.0.1:"), "{}", server.base);
    assert_eq!(token.len(), 32);

    let (status, head, body) = get(&server.base, &format!("/{token}/{id}/original"), None, None);
    assert_eq!(status, 200, "{head}");
    assert_eq!(body, original);
    assert!(head.to_ascii_lowercase().contains("content-type: image/png"), "{head}");
    let (status, head, body) = get(
        &server.base,
        &format!("/{token}/{id}/original?v=1"),
        None,
        Some("bytes=4-11"),
    );
    assert_eq!(status, 206, "{head}");
    assert_eq!(body, &original[4..12]);

    let (status, ..) = get(&server.base, &format!("/{}/{id}/original", "0".repeat(32)), None, None);
    assert_eq!(status, 403, "a wrong token");
    let (status, ..) = get(
        &server.base,
        &format!("/{token}/{id}/original"),
        Some("evil.example:80"),
        None,
    );
    assert_eq!(status, 403, "another Host (DNS rebinding)");
    let (status, ..) = get(&server.base, &format!("/{token}/../../etc/passwd"), None, None);
    assert_eq!(status, 400);
}

/// The process's resident memory, in MB (Linux).
fn rss_mb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .unwrap()
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .unwrap();
    kb / 1024
}

/// A 2 GB video original (a real MP4 head, sparse after it): a request
/// without a range, a HEAD and an unsatisfiable range are each answered
/// from a bounded buffer, never the whole file in memory.
#[test]
fn a_two_gigabyte_original_is_served_from_a_bounded_buffer() {
    const LEN: u64 = 2 << 30;
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("photos");
    let clip = photos.join("long.mp4");
    std::fs::create_dir_all(&photos).unwrap();
    trove_testkit::write_video(&clip, &trove_testkit::VideoSpec::default());
    std::fs::File::options()
        .write(true)
        .open(&clip)
        .unwrap()
        .set_len(LEN)
        .unwrap();
    let lib = Arc::new(Library::open(&tmp.path().join("lib"), OpenOptions::write().create(true)).unwrap());
    let (root, _) = lib.add_root(&photos, Default::default()).unwrap();
    lib.enqueue_scan(root.id).unwrap();
    lib.run_jobs(
        &WorkerOptions::for_cores(1).only(&[trove_core::job_kind::SCAN_ROOT]),
        &NoEvents,
        &Cancel::new(),
    )
    .unwrap();
    let asset = &lib.assets(&Default::default()).unwrap()[0];
    assert_eq!((asset.size, asset.mime.as_deref()), (LEN, Some("video/mp4")));
    let server = MediaServer::start(lib.clone()).unwrap();
    let token = server.base.rsplit('/').next().unwrap().to_owned();
    let path = format!("/{token}/{}/original", asset.id);
    let before = rss_mb();

    let (status, head, body) = get(&server.base, &path, None, None);
    assert_eq!(status, 206, "too large to send whole: its start, as a range: {head}");
    assert!(head.contains(&format!("bytes 0-{}/{LEN}", (16 << 20) - 1)), "{head}");
    assert_eq!(body.len(), 16 << 20);
    let (status, head, body) = request("HEAD", &server.base, &path, None, None);
    assert_eq!(status, 206, "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("content-length: {}", 16 << 20)),
        "{head}"
    );
    assert!(body.is_empty());
    let (status, head, _) = get(&server.base, &path, None, Some(&format!("bytes={LEN}-")));
    assert_eq!(status, 416, "{head}");
    assert!(head.contains(&format!("bytes */{LEN}")), "{head}");
    let (status, _, body) = get(&server.base, &path, None, Some("bytes=1000000000-"));
    assert_eq!((status, body.len()), (206, 16 << 20));
    let grew = rss_mb().saturating_sub(before);
    assert!(grew < 200, "serving a 2 GB file grew the process by {grew} MB");
}
