//! `trove share` against a real S3 server that checks signatures
//! (SeaweedFS on 127.0.0.1): links fetched with a plain HTTP client (curl),
//! share pages rendered in headless Chromium, revocation, renewal and
//! upload requests.
//!
//! Share tests use a target at the bucket's root: the test server's
//! sharing key may read only `share/` and write only `incoming/` of the
//! bucket, like the key docs/sharing.md describes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use trove_testkit::s3::{BUCKET, S3Server, SECRET_KEY, SHARE_ACCESS_KEY, SHARE_SECRET_KEY};
use trove_testkit::{VideoSpec, write_jpeg, write_video};

use super::sync::{command, ok};
use super::{stderr, stdout_json, walk};

/// Runs trove with the main key and the sharing key in the environment.
fn share_cmd(lib: &Path, args: &[&str]) -> Output {
    command(lib, SECRET_KEY, args)
        .env("TROVE_SHARE_ACCESS_KEY_ID", SHARE_ACCESS_KEY)
        .env("TROVE_SHARE_SECRET_ACCESS_KEY", SHARE_SECRET_KEY)
        .env_remove("TROVE_SHARE_PROFILE")
        .output()
        .unwrap()
}

/// A library of three photos (and optionally a video) with proxies, whose
/// target is the test bucket's root; synced when `sync` is set.
/// `seed` makes the photos of each test unique (tests share the bucket).
fn library(tmp: &Path, seed: u32, video: bool, sync: bool) -> PathBuf {
    let lib = tmp.join("lib");
    let photos = tmp.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for i in 0..3u32 {
        let c = 30 + 70 * i as u8;
        let seed = i + 10 * seed + 1000 * std::process::id();
        write_jpeg(
            &photos.join(format!("IMG_{i}.jpg")),
            640,
            480,
            [c, 120, 220 - c],
            seed,
            None,
        );
    }
    if video {
        write_video(&photos.join("clip.mp4"), &VideoSpec::default());
    }
    ok(&share_cmd(&lib, &["add", photos.to_str().unwrap(), "--json"]));
    ok(&share_cmd(&lib, &["proxies", "--json"]));
    let server = S3Server::shared();
    ok(&share_cmd(
        &lib,
        &[
            "target",
            "set",
            &format!("s3://{BUCKET}"),
            "--endpoint",
            &server.endpoint,
            "--json",
        ],
    ));
    if sync {
        ok(&share_cmd(&lib, &["sync", "--json"]));
    }
    lib
}

/// exiftool's reading of a file (every group, numbers as numbers).
fn exiftool(path: &Path) -> serde_json::Value {
    let out = Command::new("exiftool")
        .args(["-j", "-G1", "-a", "-n"])
        .arg(path)
        .output()
        .expect("exiftool (scripts/deps.sh installs libimage-exiftool-perl)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()[0].clone()
}

/// A video a phone made (location, make and model in its atoms) shared
/// without originals plays from a copy that says nothing of where or with
/// what it was shot, checked with exiftool and ffprobe on the bytes the
/// link gives; shared as an original, it is the file's exact bytes.
#[test]
fn a_video_shared_without_originals_carries_no_location_or_camera() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let clip = photos.join("IMG_4411.mp4");
    write_video(
        &clip,
        &VideoSpec {
            location: Some("+64.1400-021.9400/"),
            make: Some("Apple"),
            model: Some("iPhone 15 Pro"),
            creation_time: Some("2024-06-01T12:00:00Z"),
            ..VideoSpec::default()
        },
    );
    let original = std::fs::read(&clip).unwrap();
    let said = exiftool(&clip).to_string();
    assert!(
        said.contains("iPhone 15 Pro") && said.contains("64.14"),
        "the test file has them: {said}"
    );
    ok(&share_cmd(&lib, &["add", photos.to_str().unwrap(), "--json"]));
    ok(&share_cmd(&lib, &["proxies", "--json"]));
    let server = S3Server::shared();
    ok(&share_cmd(
        &lib,
        &[
            "target",
            "set",
            &format!("s3://{BUCKET}"),
            "--endpoint",
            &server.endpoint,
            "--json",
        ],
    ));

    let v = ok(&share_cmd(&lib, &["share", clip.to_str().unwrap(), "--json"]));
    let (code, _, body) = get(&links(&v).remove(0));
    assert_eq!(code, 200);
    let shared = tmp.path().join("shared.mp4");
    std::fs::write(&shared, &body).unwrap();
    let said = exiftool(&shared);
    let text = said.to_string();
    for secret in ["iPhone", "Apple\"", "64.14", "21.94", "2024"] {
        assert!(!text.contains(secret), "{secret} in the shared copy: {said}");
    }
    assert!(said.get("Composite:GPSPosition").is_none(), "{said}");
    // Still the same video: ffprobe finds its streams and duration.
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type:format=duration:format_tags",
            "-of",
            "json",
        ])
        .arg(&shared)
        .output()
        .unwrap();
    let probe: serde_json::Value = serde_json::from_slice(&probe.stdout).unwrap();
    let kinds: Vec<&str> = probe["streams"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["codec_type"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["video", "audio"], "{probe}");
    assert!(probe["format"]["tags"].get("location").is_none(), "{probe}");
    assert!(
        !tmp.path()
            .join("lib/proxies/.tmp")
            .read_dir()
            .is_ok_and(|mut d| d.next().is_some()),
        "the stripped copy is removed once it is placed"
    );

    // Asked for originals: the file as it is, location included.
    let v = ok(&share_cmd(
        &lib,
        &["share", clip.to_str().unwrap(), "--originals", "--json"],
    ));
    let (_, _, body) = get(&links(&v).remove(0));
    assert_eq!(body, original);
}

/// GET with curl: (status, headers, body).
fn get(url: &str) -> (u16, String, Vec<u8>) {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body");
    let headers = dir.path().join("headers");
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-o"])
        .arg(&body)
        .arg("-D")
        .arg(&headers)
        .args(["-w", "%{http_code}", url])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "curl {url}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let code = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    (
        code,
        std::fs::read_to_string(&headers).unwrap_or_default(),
        std::fs::read(&body).unwrap_or_default(),
    )
}

fn status(url: &str) -> u16 {
    get(url).0
}

fn asset_id(lib: &Path, name: &str) -> String {
    let v = ok(&share_cmd(lib, &["ls", "--json"]));
    v.as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no asset {name} in {v}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn links(v: &serde_json::Value) -> Vec<String> {
    v["links"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["url"].as_str().unwrap().to_owned())
        .collect()
}

/// Keys of the bucket under `prefix`, read with rclone (main key).
fn bucket_keys(prefix: &str) -> Vec<String> {
    let out = S3Server::shared()
        .rclone()
        .args(["lsf", "-R", "--files-only", &format!("s3:{BUCKET}/{prefix}")])
        .output()
        .unwrap();
    if !out.status.success() {
        // A prefix with nothing under it; any other failure is the test's.
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("directory not found"), "rclone failed: {err}");
        return Vec::new();
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn a_link_gives_the_exact_bytes_until_it_expires_and_refuses_tampering() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = library(tmp.path(), 1, false, true);
    let id = asset_id(&lib, "IMG_1.jpg");
    let original = std::fs::read(tmp.path().join("photos/IMG_1.jpg")).unwrap();

    // An 8-day link is refused before anything is sent: the target of this
    // second library is a closed port, so reaching it would fail otherwise.
    let lib2 = tmp.path().join("lib2");
    ok(&share_cmd(
        &lib2,
        &["add", tmp.path().join("photos").to_str().unwrap(), "--json"],
    ));
    ok(&share_cmd(
        &lib2,
        &[
            "target",
            "set",
            &format!("s3://{BUCKET}"),
            "--endpoint",
            "http://127.0.0.1:9",
            "--json",
        ],
    ));
    let out = share_cmd(&lib2, &["share", &id, "--expires", "8d", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("7 days"), "{}", stderr(&out));
    assert_eq!(
        ok(&share_cmd(&lib2, &["share", "list", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let out = share_cmd(&lib, &["share", &id, "--expires", "8d", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(
        ok(&share_cmd(&lib, &["share", "list", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let v = ok(&share_cmd(
        &lib,
        &["share", &id, "--originals", "--names", "--expires", "3d", "--json"],
    ));
    assert_eq!(v["share"]["signed_with"], "share key");
    let url = links(&v).remove(0);
    let share_id = v["share"]["id"].as_str().unwrap().to_owned();
    assert_eq!(share_id.len(), 32);
    assert!(url.contains(&format!("/{BUCKET}/share/{share_id}/")), "{url}");
    assert!(url.contains(&format!("X-Amz-Credential={SHARE_ACCESS_KEY}")), "{url}");
    let (code, headers, body) = get(&url);
    assert_eq!(code, 200);
    assert_eq!(body, original, "the link must give the original's exact bytes");
    assert!(
        headers
            .to_ascii_lowercase()
            .contains("content-disposition: attachment; filename=\"img_1.jpg\""),
        "{headers}"
    );

    // Tampered signature, another key, a longer expiry, a bucket listing
    // with the same signature: all refused.
    let tampered = url.replace("X-Amz-Signature=", "X-Amz-Signature=f");
    assert_eq!(status(&tampered), 403);
    let longer = url.replace("X-Amz-Expires=259200", "X-Amz-Expires=604800");
    assert_ne!(longer, url);
    assert_eq!(status(&longer), 403);
    let (base, query) = url.split_once('?').unwrap();
    let bucket_url = &base[..base.find(&format!("/{BUCKET}/")).unwrap() + BUCKET.len() + 1];
    let (code, _, body) = get(&format!("{bucket_url}?list-type=2&{query}"));
    assert!(
        code == 403 || code == 400,
        "listing answered {code}: {}",
        String::from_utf8_lossy(&body)
    );
    assert!(!String::from_utf8_lossy(&body).contains("<Contents>"));

    // The sharing key cannot read originals even with a valid signature.
    let hex = blake3::hash(&original).to_hex();
    let server = S3Server::shared();
    let direct = format!("{}/{BUCKET}/originals/{}/{hex}.jpg", server.endpoint, &hex[..2]);
    let signed = |user: &str| {
        Command::new("curl")
            .args([
                "-sS",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                "--aws-sigv4",
                "aws:amz:us-east-1:s3",
                "--user",
                user,
                &direct,
            ])
            .output()
            .unwrap()
    };
    let out = signed(&format!("{SHARE_ACCESS_KEY}:{SHARE_SECRET_KEY}"));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "403",
        "the sharing key read an original"
    );
    // The same request with the main key works (so the 403 is the key's).
    let out = signed(&format!("{}:{SECRET_KEY}", trove_testkit::s3::ACCESS_KEY));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "200",
        "the signed request itself is broken"
    );

    // A link of a few seconds stops working once it expired.
    let v = ok(&share_cmd(&lib, &["share", &id, "--expires", "2s", "--json"]));
    let short = links(&v).remove(0);
    assert_eq!(status(&short), 200);
    // The first link's signature on this existing object: refused.
    let other_key = format!(
        "{}?{}",
        short.split('?').next().unwrap(),
        url.split_once('?').unwrap().1
    );
    assert_eq!(status(&other_key), 403, "a signature was accepted for another key");
    std::thread::sleep(Duration::from_secs(4));
    assert_eq!(status(&short), 403, "an expired link still works");
    let list = ok(&share_cmd(&lib, &["share", "list", "--json"]));
    let states: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["expired", "live"]);
    // The clean-up removes the expired share's objects, and only those.
    let cleaned = ok(&share_cmd(&lib, &["share", "clean", "--json"]));
    assert_eq!(cleaned["cleaned"], 1);
    let expired_id = v["share"]["id"].as_str().unwrap();
    assert!(bucket_keys(&format!("share/{expired_id}/")).is_empty());
    assert_eq!(status(&url), 200, "the live share must keep working");
}

/// The HTML of a page after headless Chromium ran its script.
fn chromium_dom(url: &str, profile: &Path) -> String {
    let out = Command::new("timeout")
        .args(["90", "chromium", "--headless", "--no-sandbox", "--disable-gpu"])
        .args([
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
        ])
        .args([
            "--autoplay-policy=no-user-gesture-required",
            "--virtual-time-budget=15000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--dump-dom", url])
        .output()
        .expect("chromium runs (scripts/deps.sh installs it)");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The JSON data a share or request page carries inline.
fn page_data(html: &str) -> serde_json::Value {
    let marker = "id=\"trove-data\">";
    let start = html.find(marker).expect("the page has its data") + marker.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// Every http(s) URL in a text.
fn urls_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("http") {
        let tail = &rest[i..];
        if tail.starts_with("http://") || tail.starts_with("https://") {
            let end = tail
                .find(|c: char| c == '"' || c == '\'' || c == '<' || c.is_whitespace())
                .unwrap_or(tail.len());
            let url = tail[..end].replace("&amp;", "&").replace("\\u0026", "&");
            // Origins (the page's CSP) and XML namespaces (the script's
            // SVG icons) are names, not resources.
            let after_scheme = url.split_once("://").map(|x| x.1).unwrap_or_default();
            if after_scheme.contains('/') && !url.starts_with("http://www.w3.org/") {
                out.push(url);
            }
            rest = &tail[end..];
        } else {
            rest = &tail[4..];
        }
    }
    out
}

#[test]
fn a_share_page_renders_every_item_plays_video_and_reaches_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = library(tmp.path(), 2, true, true);
    let v = ok(&share_cmd(
        &lib,
        &[
            "share",
            "kind:image OR kind:video",
            "--page",
            "--title",
            "Trip <2026>",
            "--json",
        ],
    ));
    let page = links(&v).remove(0);
    let share_id = v["share"]["id"].as_str().unwrap().to_owned();
    assert_eq!(v["share"]["assets"], 4);
    assert!(page.contains(&format!("/share/{share_id}/index.html?")), "{page}");

    // The page as served: every URL in it points inside this share.
    let (code, headers, html) = get(&page);
    assert_eq!(code, 200);
    assert!(
        headers.to_ascii_lowercase().contains("content-type: text/html"),
        "{headers}"
    );
    let html = String::from_utf8(html).unwrap();
    assert!(html.contains("<title>Trip &lt;2026&gt;</title>"));
    let inside = format!("/{BUCKET}/share/{share_id}/");
    let found = urls_in(&html);
    assert!(found.len() >= 4 * 2, "too few URLs in the page: {found:?}");
    for u in &found {
        assert!(u.contains(&inside), "the page reaches outside its share: {u}");
        assert_eq!(status(u), 200, "{u}");
    }
    // Only this share's objects are under its prefix: copies, no originals
    // (not allowed), the page and its data.
    let keys = bucket_keys(&format!("share/{share_id}/"));
    assert!(
        keys.contains(&"index.html".to_owned()) && keys.contains(&"data.json".to_owned()),
        "{keys:?}"
    );
    assert!(
        !keys.iter().any(|k| k.contains("original.jpg")),
        "originals were copied: {keys:?}"
    );

    // Rendered: the grid shows every item and every thumbnail loads.
    let profile = tmp.path().join("chromium");
    let dom = chromium_dom(&page, &profile);
    assert!(dom.contains("data-items=\"4\""), "{dom}");
    assert_eq!(dom.matches("class=\"cell").count(), 4, "{dom}");
    // (Attributes, not the style sheet's selectors.)
    let loaded = dom.matches(" data-state=\"loaded\"").count();
    assert!(loaded >= 4, "only {loaded} images loaded:\n{dom}");
    assert!(!dom.contains(" data-state=\"error\""), "{dom}");
    // The video opens in the viewer and plays.
    let video_pos = {
        let data = ok(&share_cmd(&lib, &["share", "list", "--json"]));
        assert_eq!(data[0]["assets"], 4);
        page_data(&html)["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["kind"] == "video")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let dom = chromium_dom(&format!("{page}#item={video_pos}"), &profile);
    assert!(dom.contains("<video"), "{dom}");
    assert!(
        dom.contains(" data-state=\"playing\""),
        "the video did not play:\n{dom}"
    );
}

#[test]
fn revoking_stops_every_link_at_once_and_renewing_mints_new_ones() {
    let tmp = tempfile::tempdir().unwrap();
    // Not synced: the share uploads the proxies from the library itself.
    let lib = library(tmp.path(), 3, false, false);
    let v = ok(&share_cmd(
        &lib,
        &["share", "kind:image", "--page", "--expires", "1h", "--json"],
    ));
    let share_id = v["share"]["id"].as_str().unwrap().to_owned();
    let page = links(&v).remove(0);
    let (_, _, html) = get(&page);
    let mut all: Vec<String> = urls_in(&String::from_utf8(html).unwrap());
    all.push(page.clone());
    assert!(all.len() > 4);
    for u in &all {
        assert_eq!(status(u), 200, "{u}");
    }

    // Renew: new links with the new expiry; the page is rewritten.
    let renewed = ok(&share_cmd(
        &lib,
        &["share", "renew", &share_id, "--expires", "2d", "--json"],
    ));
    let new_page = links(&renewed).remove(0);
    assert!(new_page.contains("X-Amz-Expires=172800"), "{new_page}");
    let (_, _, html) = get(&new_page);
    let html = String::from_utf8(html).unwrap();
    let renewed_urls = urls_in(&html);
    assert!(renewed_urls.len() > 4, "{renewed_urls:?}");
    assert!(renewed_urls.iter().all(|u| u.contains("X-Amz-Expires=172800")));
    // Printing the links again while live works.
    let again = ok(&share_cmd(&lib, &["share", "links", &share_id, "--json"]));
    assert_eq!(status(&links(&again)[0]), 200);

    // Revoke: once the command returns, every link fails at once (the
    // first check starts right away; none may still answer).
    let r = ok(&share_cmd(&lib, &["share", "revoke", &share_id, "--json"]));
    let revoked = Instant::now();
    assert!(r["deleted"].as_u64().unwrap() >= 5, "{r}");
    all.extend(urls_in(&html));
    all.push(new_page);
    let first = status(&all[0]);
    assert!(
        revoked.elapsed() < Duration::from_secs(1),
        "the first check took over a second"
    );
    assert!(
        first == 403 || first == 404,
        "{} still answers {first} after revoking",
        all[0]
    );
    for u in &all[1..] {
        let code = status(u);
        assert!(code == 403 || code == 404, "{u} still answers {code} after revoking");
    }
    assert!(bucket_keys(&format!("share/{share_id}/")).is_empty());
    let out = share_cmd(&lib, &["share", "links", &share_id, "--json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
    let list = ok(&share_cmd(&lib, &["share", "list", "--json"]));
    assert_eq!(list[0]["state"], "revoked");
}

/// Posts a file through an upload request's form fields, as the page
/// does; returns the HTTP status and the answer.
fn post(data: &serde_json::Value, accept: &str, key: &str, content_type: &str, file: &Path) -> (u16, String) {
    let mut cmd = Command::new("curl");
    cmd.args(["-sS", "-o", "-", "-w", "\n%{http_code}"]);
    for (name, value) in data["policies"][accept].as_object().unwrap() {
        cmd.arg("-F").arg(format!("{name}={}", value.as_str().unwrap()));
    }
    cmd.arg("-F").arg(format!("key={key}"));
    cmd.arg("-F").arg(format!("Content-Type={content_type}"));
    cmd.arg("-F").arg(format!("file=@{}", file.display()));
    cmd.arg(data["action"].as_str().unwrap());
    let out = cmd.output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (body, code) = text.rsplit_once('\n').unwrap();
    (code.trim().parse().unwrap(), body.to_owned())
}

fn refused((code, body): (u16, String)) -> bool {
    assert!(code >= 400, "accepted ({code}): {body}");
    true
}

#[test]
fn an_upload_request_receives_into_its_prefix_only_and_imports_verified() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = library(tmp.path(), 4, false, false);
    let v = ok(&share_cmd(
        &lib,
        &[
            "share",
            "request",
            "--max-size",
            "200K",
            "--expires",
            "1h",
            "--title",
            "Send me the photos",
            "--json",
        ],
    ));
    let share_id = v["share"]["id"].as_str().unwrap().to_owned();
    let page = links(&v).remove(0);
    let (code, _, html) = get(&page);
    assert_eq!(code, 200);
    let html = String::from_utf8(html).unwrap();
    let data = page_data(&html);
    let prefix = data["key_prefix"].as_str().unwrap().to_owned();
    assert_eq!(prefix, format!("incoming/{share_id}/"));

    let sent = tmp.path().join("from-a-friend.jpg");
    write_jpeg(&sent, 400, 300, [200, 40, 90], std::process::id(), None);
    let big = tmp.path().join("big.jpg");
    write_jpeg(&big, 2400, 1800, [10, 200, 90], 7, None);
    assert!(
        std::fs::metadata(&big).unwrap().len() > 200 * 1024 || {
            std::fs::write(&big, vec![0xFFu8; 300 * 1024]).unwrap();
            true
        }
    );
    let ok_key = format!("{prefix}1-abc123-from-a-friend.jpg");
    let (code, body) = post(&data, "image/", &ok_key, "image/jpeg", &sent);
    assert!((200..300).contains(&code), "{code}: {body}");
    // Oversize, outside the prefix, another type with an image policy: refused.
    assert!(refused(post(
        &data,
        "image/",
        &format!("{prefix}2-big.jpg"),
        "image/jpeg",
        &big
    )));
    assert!(refused(post(&data, "image/", "share/x/evil.html", "image/jpeg", &sent)));
    assert!(refused(post(
        &data,
        "image/",
        &format!("{prefix}3-page.html"),
        "text/html",
        &sent
    )));
    let keys = bucket_keys(&format!("incoming/{share_id}/"));
    assert_eq!(keys, ["1-abc123-from-a-friend.jpg"]);
    assert!(bucket_keys("share/x/").is_empty());

    // Import: downloaded, verified, catalogued; a second run finds it done.
    let inbox = tmp.path().join("inbox");
    let r = ok(&share_cmd(
        &lib,
        &[
            "share",
            "incoming",
            &share_id,
            "--to",
            inbox.to_str().unwrap(),
            "--json",
        ],
    ));
    let imported = r["imported"].as_array().unwrap();
    assert_eq!(imported.len(), 1, "{r}");
    let path = PathBuf::from(imported[0]["path"].as_str().unwrap());
    assert_eq!(std::fs::read(&path).unwrap(), std::fs::read(&sent).unwrap());
    let info = ok(&share_cmd(
        &lib,
        &["info", imported[0]["asset"].as_str().unwrap(), "--json"],
    ));
    assert_eq!(info["kind"], "image", "{info}");
    let r = ok(&share_cmd(
        &lib,
        &[
            "share",
            "incoming",
            &share_id,
            "--to",
            inbox.to_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(r["imported"].as_array().unwrap().len(), 0);
    assert_eq!(r["already"], 1);

    // A second request takes at most 2 files: the third is refused at
    // import with why, and stays in the bucket until the request is
    // revoked, which deletes it; a revoked request imports nothing.
    let v = ok(&share_cmd(
        &lib,
        &["share", "request", "--max-files", "2", "--max-size", "200K", "--json"],
    ));
    let capped = v["share"]["id"].as_str().unwrap().to_owned();
    let (_, _, html) = get(&links(&v).remove(0));
    let data = page_data(&String::from_utf8(html).unwrap());
    assert_eq!(data["max_files"], 2, "the page says the limits: {data}");
    let prefix = data["key_prefix"].as_str().unwrap().to_owned();
    for i in 1..=3 {
        let (code, body) = post(&data, "image/", &format!("{prefix}{i}-photo.jpg"), "image/jpeg", &sent);
        assert!((200..300).contains(&code), "{code}: {body}");
    }
    let inbox2 = tmp.path().join("inbox2");
    let out = share_cmd(
        &lib,
        &["share", "incoming", &capped, "--to", inbox2.to_str().unwrap(), "--json"],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused file is a partial failure: {}",
        stderr(&out)
    );
    let r = stdout_json(&out);
    assert_eq!(r["imported"].as_array().unwrap().len(), 2, "{r}");
    let refused = r["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{r}");
    assert!(refused[0].to_string().contains("at most 2 files"), "{r}");
    assert_eq!(bucket_keys(&format!("incoming/{capped}/")).len(), 3);
    ok(&share_cmd(&lib, &["share", "revoke", &capped, "--json"]));
    assert!(
        bucket_keys(&format!("incoming/{capped}/")).is_empty(),
        "revoking deletes what strangers sent"
    );
    let out = share_cmd(
        &lib,
        &["share", "incoming", &capped, "--to", inbox2.to_str().unwrap(), "--json"],
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("revoked"), "{}", stderr(&out));
}

#[test]
fn a_folder_target_cannot_make_links() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    let backup = tmp.path().join("backup");
    std::fs::create_dir_all(&photos).unwrap();
    std::fs::create_dir_all(&backup).unwrap();
    write_jpeg(&photos.join("a.jpg"), 64, 48, [1, 2, 3], 1, None);
    ok(&share_cmd(&lib, &["add", photos.to_str().unwrap(), "--json"]));
    ok(&share_cmd(
        &lib,
        &[
            "target",
            "set",
            &format!("file://{}", backup.display()),
            "--no-snapshot",
            "--json",
        ],
    ));
    let out = share_cmd(&lib, &["share", photos.join("a.jpg").to_str().unwrap(), "--originals"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("is a folder, which cannot make links"),
        "{}",
        stderr(&out)
    );
    assert!(
        std::fs::read_dir(&backup).unwrap().next().is_none(),
        "something was written"
    );
}

#[test]
fn a_share_whose_copy_fails_halfway_leaves_nothing_behind() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = library(tmp.path(), 5, false, false);
    // One proxy file is gone from the library (and nothing is synced).
    let previews: Vec<PathBuf> = walk(&lib.join("proxies"))
        .into_iter()
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("preview"))
        })
        .collect();
    assert_eq!(previews.len(), 3, "{previews:?}");
    std::fs::remove_file(&previews[1]).unwrap();
    let out = share_cmd(&lib, &["share", "kind:image", "--page", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stderr(&out).contains("copying"), "{}", stderr(&out));
    let list = ok(&share_cmd(&lib, &["share", "list", "--json"]));
    assert_eq!(list[0]["state"], "revoked", "{list}");
    assert_eq!(list[0]["cleaned"], true, "{list}");
    let id = list[0]["id"].as_str().unwrap();
    assert!(
        bucket_keys(&format!("share/{id}/")).is_empty(),
        "objects were left behind"
    );
}

/// The docs' example: an album shared as a page holds the album's assets
/// and nothing else.
#[test]
fn an_album_is_shared_as_a_page_by_its_name() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = library(tmp.path(), 4, false, false);
    ok(&share_cmd(&lib, &["album", "create", "Iceland 2024", "--json"]));
    let photos = tmp.path().join("photos");
    let (a, b) = (photos.join("IMG_0.jpg"), photos.join("IMG_2.jpg"));
    ok(&share_cmd(
        &lib,
        &[
            "album",
            "add",
            "Iceland 2024",
            a.to_str().unwrap(),
            b.to_str().unwrap(),
            "--json",
        ],
    ));
    ok(&share_cmd(
        &lib,
        &["caption", a.to_str().unwrap(), "Puffins at the cliff", "--json"],
    ));
    let v = ok(&share_cmd(
        &lib,
        &["share", "album:\"Iceland 2024\"", "--page", "--expires", "1h", "--json"],
    ));
    assert_eq!(v["share"]["assets"], 2, "{v}");
    let (code, _, html) = get(&links(&v).remove(0));
    assert_eq!(code, 200);
    let html = String::from_utf8(html).unwrap();
    let names: Vec<String> = page_data(&html)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["Photo 1", "Photo 2"], "file names are not shared unless asked");
    assert!(!html.contains("IMG_"), "no file name anywhere on the page");
    assert!(
        html.contains("Puffins at the cliff"),
        "the person's caption is on the page"
    );

    // Asked for names, without captions and capture times.
    let v = ok(&share_cmd(
        &lib,
        &[
            "share",
            "album:\"Iceland 2024\"",
            "--page",
            "--names",
            "--no-captions",
            "--no-times",
            "--expires",
            "1h",
            "--json",
        ],
    ));
    let (_, _, html) = get(&links(&v).remove(0));
    let html = String::from_utf8(html).unwrap();
    assert!(
        html.contains("IMG_0.jpg") && html.contains("IMG_2.jpg"),
        "both photos on the page, by name"
    );
    assert!(!html.contains("IMG_1.jpg"), "and not the one outside the album");
    assert!(!html.contains("Puffins at the cliff"), "no captions");
    let data = page_data(&html);
    assert!(
        data["items"].as_array().unwrap().iter().all(|i| i["taken"].is_null()),
        "no capture times: {data}"
    );
}

/// What must never leave the keychain or the environment: after a sync, a
/// share and a failed sync with a wrong key, the secret keys appear in
/// nothing Trove wrote or said (the catalog and everything else in the
/// library folder, its log at the most verbose level, the manifests, share
/// pages and catalog snapshots in the bucket, every command's output), and
/// the log holds no signed URL.
#[test]
fn no_secret_reaches_the_catalog_the_log_the_bucket_or_a_message() {
    const WRONG_SECRET: &str = "wrongSecretKeyThatIsNeverToBeWritten0123";
    let started = Instant::now();
    let tmp = tempfile::tempdir().unwrap();
    let lib = library(tmp.path(), 41, false, false);
    let server = S3Server::shared();
    let mut said: Vec<u8> = Vec::new();
    let mut run = |secret: &str, args: &[&str]| -> Output {
        let out = command(&lib, secret, args)
            .env("TROVE_SHARE_ACCESS_KEY_ID", SHARE_ACCESS_KEY)
            .env("TROVE_SHARE_SECRET_ACCESS_KEY", SHARE_SECRET_KEY)
            .env_remove("TROVE_SHARE_PROFILE")
            // Everything, including the AWS SDK's own tracing.
            .env("RUST_LOG", "trace")
            .output()
            .unwrap();
        said.extend_from_slice(&out.stdout);
        said.extend_from_slice(&out.stderr);
        out
    };
    ok(&run(SECRET_KEY, &["sync", "--json"]));
    let id = asset_id(&lib, "IMG_2.jpg");
    let shared = ok(&run(
        SECRET_KEY,
        &["share", &id, "--names", "--expires", "1d", "--json"],
    ));
    assert!(!links(&shared).is_empty());
    let failed = run(WRONG_SECRET, &["sync", "--json"]);
    assert!(!failed.status.success(), "a wrong key must fail");
    let failed = run(WRONG_SECRET, &["verify", "--json"]);
    assert!(!failed.status.success(), "a wrong key must fail");

    let needles = [SECRET_KEY, SHARE_SECRET_KEY, WRONG_SECRET];
    let mut haystacks: Vec<(String, Vec<u8>)> = vec![("the commands' output".into(), said)];
    let mut logs = 0;
    for file in walk(&lib) {
        let name = file.to_string_lossy().into_owned();
        if name.contains("log") {
            logs += 1;
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            assert!(!text.contains("X-Amz-Signature="), "{name} holds a signed URL");
        }
        haystacks.push((name, std::fs::read(&file).unwrap()));
    }
    assert!(logs > 0, "the library keeps a log: {:?}", walk(&lib));
    // What this test wrote (tests share the bucket: objects written since
    // it started, which may include other tests', which must be clean too).
    let since = format!("{}s", started.elapsed().as_secs() + 5);
    let keys: Vec<String> = ["manifests/", "share/", "catalog/"]
        .iter()
        .flat_map(|p| {
            let out = server
                .rclone()
                .args(["lsf", "-R", "--files-only", "--max-age", &since])
                .arg(format!("s3:{BUCKET}/{p}"))
                .output()
                .unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(|k| format!("{p}{k}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(keys.iter().any(|k| k.starts_with("manifests/")), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("share/")), "{keys:?}");
    assert!(keys.iter().any(|k| k.starts_with("catalog/")), "{keys:?}");
    for key in keys {
        let mut bytes = server.read_object(&key);
        if key.ends_with(".zst") {
            bytes = zstd::decode_all(&bytes[..]).unwrap();
        }
        haystacks.push((key, bytes));
    }
    for (name, bytes) in &haystacks {
        for needle in needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "a secret key is in {name}"
            );
        }
    }
}
