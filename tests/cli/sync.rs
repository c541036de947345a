//! `trove sync`, `verify`, `reconcile` and `restore` against a real S3
//! server (SeaweedFS on 127.0.0.1, started by the testkit) and a folder
//! target, read back with an independent client (rclone).

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use trove_testkit::s3::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY, ServerKind};
use trove_testkit::{Rng, write_jpeg};

use super::{stderr, stdout_json, trove_bin, walk};

/// Runs trove with the S3 server's credentials in the environment.
pub(crate) fn trove_s3(lib: &Path, secret: &str, args: &[&str]) -> Output {
    command(lib, secret, args).output().unwrap()
}

pub(crate) fn command(lib: &Path, secret: &str, args: &[&str]) -> Command {
    let mut cmd = Command::new(trove_bin());
    cmd.arg("--library")
        .arg(lib)
        .args(args)
        .env_remove("TROVE_LIBRARY")
        .env_remove("RUST_LOG")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CA_BUNDLE")
        .env_remove("AWS_ENDPOINT_URL")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", secret)
        .env("AWS_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/nonexistent")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent");
    cmd
}

pub(crate) fn ok(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "trove failed ({:?}):\n{}\n{}",
        out.status,
        stderr(out),
        String::from_utf8_lossy(&out.stdout)
    );
    stdout_json(out)
}

fn random_file(path: &Path, len: usize, seed: u64) {
    let mut v = vec![0u8; len];
    Rng::new(seed).fill(&mut v);
    std::fs::write(path, v).unwrap();
}

/// A prefix of the test bucket that no other test uses.
pub(crate) fn unique_prefix(kind: &str, tmp: &Path) -> String {
    format!("{kind}/{}", tmp.file_name().unwrap().to_string_lossy().to_lowercase())
}

/// `trove target set s3://BUCKET/<prefix> --endpoint <endpoint>`.
pub(crate) fn set_s3_target(lib: &Path, prefix: &str, endpoint: &str) {
    let set = ok(&trove_s3(
        lib,
        SECRET_KEY,
        &[
            "target",
            "set",
            &format!("s3://{BUCKET}/{prefix}"),
            "--endpoint",
            endpoint,
            "--json",
        ],
    ));
    // A new target gets the catalog at once.
    assert!(
        set["snapshot"]["key"]
            .as_str()
            .is_some_and(|k| k.starts_with("catalog/")),
        "{set}"
    );
}

/// `trove recover --from FROM --endpoint ENDPOINT [EXTRA...] --json` into
/// `lib`, which must succeed.
fn recover_json(lib: &Path, from: &str, endpoint: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["recover", "--from", from, "--endpoint", endpoint];
    args.extend_from_slice(extra);
    args.push("--json");
    ok(&trove_s3(lib, SECRET_KEY, &args))
}

/// `trove restore FOLDER --to DIR --json`, which must succeed.
fn restore_into(lib: &Path, folder: &Path, to: &Path) -> serde_json::Value {
    ok(&trove_s3(
        lib,
        SECRET_KEY,
        &[
            "restore",
            folder.to_str().unwrap(),
            "--to",
            to.to_str().unwrap(),
            "--json",
        ],
    ))
}

/// The key under which sync keeps an original with these bytes.
fn original_key(bytes: &[u8], ext: &str) -> String {
    let hex = blake3::hash(bytes).to_hex();
    format!("originals/{}/{hex}.{ext}", &hex[..2])
}

/// A library with three photos and one 17 MiB file (sent in parts), synced
/// to a fresh prefix of the test bucket. Returns the prefix.
fn synced_library(tmp: &Path) -> String {
    let lib = tmp.join("lib");
    let photos = tmp.join("photos");
    std::fs::create_dir_all(photos.join("trip")).unwrap();
    for i in 0..3u32 {
        let c = 40 + 60 * i as u8;
        write_jpeg(
            &photos.join(format!("trip/IMG_{i}.jpg")),
            320,
            240,
            [c, 90, 200 - c],
            i,
            None,
        );
    }
    random_file(&photos.join("clip.bin"), 17 * 1024 * 1024, 99);
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["add", photos.to_str().unwrap(), "--kinds", "all", "--json"],
    ));
    ok(&trove_s3(&lib, SECRET_KEY, &["thumbs", "--json"]));
    let prefix = unique_prefix("e2e", tmp);
    let server = S3Server::shared();
    set_s3_target(&lib, &prefix, &server.endpoint);
    prefix
}

fn rclone_keys(prefix: &str) -> Vec<String> {
    let out = S3Server::shared()
        .rclone()
        .args(["lsf", "-R", "--files-only", &format!("s3:{BUCKET}/{prefix}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let mut keys: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect();
    keys.sort();
    keys
}

/// Writes `bytes` under `key` with rclone: another client changing the bucket.
fn rclone_put(prefix: &str, key: &str, bytes: &[u8]) {
    let out = S3Server::shared()
        .rclone()
        .args(["rcat", &format!("s3:{BUCKET}/{prefix}/{key}")])
        .stdin(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

fn rclone_cat(prefix: &str, key: &str) -> Vec<u8> {
    S3Server::shared().read_object(&format!("{prefix}/{key}"))
}

#[test]
fn sync_verifies_every_object_and_a_rename_sends_only_the_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = synced_library(tmp.path());
    let lib = tmp.path().join("lib");

    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(report["failed"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    let uploaded = report["uploaded"].as_u64().unwrap();
    // 4 originals + 4 manifests + 3 photos x 3 proxies at least.
    assert!(uploaded >= 4 + 4 + 9, "{report}");

    // Read back with rclone: every original is there, byte for byte.
    let keys = rclone_keys(&prefix);
    let originals: Vec<&String> = keys.iter().filter(|k| k.starts_with("originals/")).collect();
    let manifests: Vec<&String> = keys.iter().filter(|k| k.starts_with("manifests/")).collect();
    assert_eq!(originals.len(), 4, "{keys:?}");
    assert_eq!(manifests.len(), 4, "{keys:?}");
    assert!(
        keys.iter().filter(|k| k.starts_with("proxies/")).count() >= 9,
        "{keys:?}"
    );
    let clip = std::fs::read(tmp.path().join("photos/clip.bin")).unwrap();
    let clip_key = original_key(&clip, "bin");
    assert!(keys.contains(&clip_key), "{clip_key} not in {keys:?}");
    assert_eq!(rclone_cat(&prefix, &clip_key), clip, "the multipart original differs");
    let img = std::fs::read(tmp.path().join("photos/trip/IMG_1.jpg")).unwrap();
    let img_key = original_key(&img, "jpg");
    assert_eq!(rclone_cat(&prefix, &img_key), img);

    // Nothing left to do: a second sync sends nothing.
    let again = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(again["uploaded"], 0, "{again}");

    // Rename and move: the original and its proxies stay; only the
    // manifest (which lists the paths) is sent again.
    std::fs::create_dir_all(tmp.path().join("photos/moved")).unwrap();
    std::fs::rename(
        tmp.path().join("photos/trip/IMG_1.jpg"),
        tmp.path().join("photos/moved/renamed.jpg"),
    )
    .unwrap();
    ok(&trove_s3(&lib, SECRET_KEY, &["scan", "--json"]));
    let after = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(after["uploaded"], 1, "only the manifest should be sent: {after}");
    assert!(after["uploaded_bytes"].as_u64().unwrap() < 4096, "{after}");
    let manifest_key = original_key(&img, "jpg")
        .replace("originals/", "manifests/")
        .replace(".jpg", ".json");
    let manifest: serde_json::Value = serde_json::from_slice(&rclone_cat(&prefix, &manifest_key)).unwrap();
    assert_eq!(manifest["files"][0]["path"], "moved/renamed.jpg", "{manifest}");
    assert_eq!(manifest["blake3"], blake3::hash(&img).to_hex().as_str());

    let info = ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &[
            "info",
            tmp.path().join("photos/moved/renamed.jpg").to_str().unwrap(),
            "--json",
        ],
    ));
    let objects = info["sync"].as_array().unwrap();
    assert!(objects.len() >= 5, "original, manifest and proxies: {info}");
    assert!(objects.iter().all(|o| o["state"] == "verified"), "{info}");
    assert!(
        objects
            .iter()
            .any(|o| o["role"] == "original" && o["key"] == img_key.as_str()),
        "{info}"
    );
    let status = ok(&trove_s3(&lib, SECRET_KEY, &["status", "--json"]));
    assert_eq!(status["sync"]["pending"], 0, "{status}");
    assert_eq!(status["sync"]["failed"], 0, "{status}");

    // Restore the whole folder elsewhere: byte-identical.
    let out_dir = tmp.path().join("restored");
    let photos = tmp.path().join("photos");
    let restored = restore_into(&lib, &photos, &out_dir);
    assert_eq!(restored["restored"].as_array().unwrap().len(), 4, "{restored}");
    assert_eq!(std::fs::read(out_dir.join("clip.bin")).unwrap(), clip);
    assert_eq!(std::fs::read(out_dir.join("moved/renamed.jpg")).unwrap(), img);
    // Restoring again overwrites nothing.
    let again = restore_into(&lib, &photos, &out_dir);
    assert_eq!(again["already_there"], 4, "{again}");

    // Another client replaces an object: verify finds it, sync mends it.
    rclone_put(&prefix, &img_key, b"not the photo");
    let verify = trove_s3(&lib, SECRET_KEY, &["verify", "--json"]);
    assert_eq!(verify.status.code(), Some(1), "{}", stderr(&verify));
    let v = stdout_json(&verify);
    assert_eq!(v["damaged"][0]["key"], img_key.as_str(), "{v}");
    let mended = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(mended["uploaded"], 1, "{mended}");
    assert_eq!(rclone_cat(&prefix, &img_key), img);
    let clean = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--json"]));
    assert_eq!(clean["damaged"].as_array().unwrap().len(), 0, "{clean}");

    // The audit trail holds all of it for this photo's original: its
    // upload, checks, the failed check, the repair and the restores, in
    // order, with its checksums; as PREMIS events too.
    let trail = ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &[
            "audit",
            "--asset",
            tmp.path().join("photos/moved/renamed.jpg").to_str().unwrap(),
            "--json",
        ],
    ));
    let rows: Vec<(String, bool)> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["key"] == img_key.as_str())
        .map(|r| (r["event"].as_str().unwrap().to_owned(), r["success"].as_bool().unwrap()))
        .collect();
    let events: Vec<(&str, bool)> = rows.iter().map(|(e, s)| (e.as_str(), *s)).collect();
    assert_eq!(events.first(), Some(&("upload", true)), "{trail}");
    let failed_check = events
        .iter()
        .position(|e| *e == ("fixity_check", false))
        .expect("the failed check");
    assert_eq!(events[failed_check + 1], ("repair", true), "{trail}");
    assert_eq!(events.last(), Some(&("fixity_check", true)), "{trail}");
    assert_eq!(events.iter().filter(|e| e.0 == "restore").count(), 1, "{trail}");
    let upload = trail
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["key"] == img_key.as_str())
        .unwrap();
    assert_eq!(upload["blake3"], blake3::hash(&img).to_hex().as_str(), "{upload}");
    assert_eq!(upload["trigger"], "sync");
    let premis = trove_s3(&lib, SECRET_KEY, &["audit", "--premis"]);
    assert!(premis.status.success(), "{}", stderr(&premis));
    let events: Vec<serde_json::Value> = String::from_utf8_lossy(&premis.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(events.len() > 10);
    assert!(events.iter().any(
        |e| e["eventType"]["label"] == "fixity check" && e["eventOutcomeInformation"]["eventOutcome"] == "failure"
    ));
    assert!(
        events
            .iter()
            .all(|e| e["eventDateTime"].as_str().unwrap().ends_with('Z'))
    );

    // A proxy changed in place, same size: only its MD5, kept by sync even
    // where the server's SHA-256 confirmation verified the upload, tells.
    let proxy_key = keys.iter().find(|k| k.starts_with("proxies/")).unwrap().clone();
    let mut bytes = rclone_cat(&prefix, &proxy_key);
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0xff;
    rclone_put(&prefix, &proxy_key, &bytes);
    let verify = trove_s3(&lib, SECRET_KEY, &["verify", "--json"]);
    assert_eq!(verify.status.code(), Some(1), "{}", stderr(&verify));
    let v = stdout_json(&verify);
    assert_eq!(v["damaged"][0]["key"], proxy_key.as_str(), "{v}");
    let mended = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(mended["uploaded"], 1, "{mended}");
    bytes[mid] ^= 0xff;
    assert_eq!(rclone_cat(&prefix, &proxy_key), bytes);

    // The log says what each stage did and how long it took, and holds no
    // secret: no key, no signed URL.
    let log_dir = lib.join("logs");
    let log: String = std::fs::read_dir(&log_dir)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
        .collect();
    for stage in [
        "scan finished",
        "sync finished",
        "fixity check finished",
        "object damaged",
    ] {
        assert!(log.contains(stage), "no {stage:?} in the log:\n{log}");
    }
    assert!(log.contains(&format!("key={proxy_key}")), "the damaged object is named");
    for secret in [SECRET_KEY, "X-Amz-Signature", "X-Amz-Credential", "Authorization"] {
        assert!(!log.contains(secret), "{secret:?} in the log");
    }
    let shown = trove_s3(&lib, SECRET_KEY, &["log", "-n", "3"]);
    let shown = String::from_utf8_lossy(&shown.stdout).to_string();
    assert!(
        shown.starts_with(log_dir.to_str().unwrap()),
        "trove log names the file: {shown}"
    );
    assert_eq!(shown.lines().count(), 4, "the path and 3 lines: {shown}");

    // An edit: the new content goes up as a new object; the old one stays.
    let old = std::fs::read(tmp.path().join("photos/trip/IMG_0.jpg")).unwrap();
    write_jpeg(
        &tmp.path().join("photos/trip/IMG_0.jpg"),
        320,
        240,
        [250, 250, 10],
        77,
        None,
    );
    let new = std::fs::read(tmp.path().join("photos/trip/IMG_0.jpg")).unwrap();
    ok(&trove_s3(&lib, SECRET_KEY, &["scan", "--json"]));
    let edited = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(edited["pending"], 0, "{edited}");
    assert_eq!(rclone_cat(&prefix, &original_key(&new, "jpg")), new);
    assert_eq!(rclone_cat(&prefix, &original_key(&old, "jpg")), old);

    // Reconcile: the bucket matches the catalog; today's inventory is written.
    let rec = ok(&trove_s3(&lib, SECRET_KEY, &["reconcile", "--json"]));
    assert_eq!(rec["missing"].as_array().unwrap().len(), 0, "{rec}");
    assert_eq!(rec["drift"].as_array().unwrap().len(), 0, "{rec}");
    let inventory = String::from_utf8(rclone_cat(&prefix, rec["inventory"].as_str().unwrap())).unwrap();
    assert!(inventory.contains(&clip_key), "{inventory}");
}

#[test]
fn wrong_secret_stops_with_a_clear_error_and_loses_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let _prefix = synced_library(tmp.path());
    let lib = tmp.path().join("lib");
    let started = Instant::now();
    let out = trove_s3(&lib, "wrong-secret-key", &["sync"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("credentials were refused"), "{err}");
    assert!(!err.contains("wrong-secret-key"), "the secret was printed: {err}");
    assert!(started.elapsed() < Duration::from_secs(30));
    // No credentials at all: said so, with what to set.
    let out = command(&lib, SECRET_KEY, &["sync"])
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = stderr(&out);
    assert!(err.contains("no credentials found"), "{err}");
    assert!(err.contains("AWS_ACCESS_KEY_ID"), "{err}");
    // Setting the target again with the wrong key: the target is set, and
    // the catalog snapshot that goes at once says why it could not.
    let target = ok(&trove_s3(&lib, SECRET_KEY, &["target", "show", "--json"]));
    let set = ok(&trove_s3(
        &lib,
        "wrong-secret-key",
        &[
            "target",
            "set",
            target["url"].as_str().unwrap(),
            "--endpoint",
            target["endpoint"].as_str().unwrap(),
            "--json",
        ],
    ));
    assert_eq!(set["snapshot"], serde_json::Value::Null, "{set}");
    assert!(
        set["snapshot_error"]
            .as_str()
            .unwrap()
            .contains("credentials were refused"),
        "{set}"
    );
    // With the right key everything goes up.
    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(report["pending"], 0, "{report}");
    assert!(report["uploaded"].as_u64().unwrap() >= 8, "{report}");
}

/// A library in `tmp/lib` whose folder `tmp/photos` (filled by `fill`)
/// is added, with the folder target `tmp/backup`.
struct FolderSetup {
    lib: std::path::PathBuf,
    photos: std::path::PathBuf,
    backup: std::path::PathBuf,
}

impl FolderSetup {
    fn new(tmp: &Path, fill: impl FnOnce(&Path)) -> FolderSetup {
        let (lib, photos, backup) = (tmp.join("lib"), tmp.join("photos"), tmp.join("backup"));
        std::fs::create_dir_all(&photos).unwrap();
        std::fs::create_dir_all(&backup).unwrap();
        fill(&photos);
        ok(&trove_s3(
            &lib,
            SECRET_KEY,
            &["add", photos.to_str().unwrap(), "--kinds", "all", "--json"],
        ));
        let url = format!("file://{}", backup.display());
        ok(&trove_s3(&lib, SECRET_KEY, &["target", "set", &url, "--json"]));
        FolderSetup { lib, photos, backup }
    }
}

#[test]
fn folder_target_corruption_is_found_by_verify_and_mended_by_sync() {
    let tmp = tempfile::tempdir().unwrap();
    let FolderSetup { lib, photos, backup } = FolderSetup::new(tmp.path(), |photos| {
        write_jpeg(&photos.join("a.jpg"), 200, 100, [200, 10, 10], 1, None);
        random_file(&photos.join("b.bin"), 100_000, 5);
    });
    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(report["uploaded"], 4, "{report}"); // 2 originals + 2 manifests

    let b = std::fs::read(photos.join("b.bin")).unwrap();
    let stored = backup.join(original_key(&b, "bin"));
    assert_eq!(std::fs::read(&stored).unwrap(), b);
    // Flip one byte on the target's disk.
    let mut damaged = b.clone();
    damaged[5000] ^= 0xff;
    std::fs::write(&stored, &damaged).unwrap();
    let verify = trove_s3(&lib, SECRET_KEY, &["verify", "--json"]);
    assert_eq!(verify.status.code(), Some(1));
    let v = stdout_json(&verify);
    assert_eq!(v["checked"], 4, "{v}");
    assert_eq!(v["damaged"][0]["key"], original_key(&b, "bin").as_str(), "{v}");
    ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(std::fs::read(&stored).unwrap(), b, "sync did not mend the object");
    // Nothing was ever written inside the user's folder.
    let mut names: Vec<String> = std::fs::read_dir(&photos)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["a.jpg", "b.bin"]);
}

/// A library of two random files, `small.bin` (300,000 bytes) and
/// `large.bin` (17 MiB, sent in parts), synced to `prefix` on `server` and
/// verified once. Returns the library and the folder.
fn synced_pair(tmp: &Path, server: &S3Server, prefix: &str, seed: u64) -> (std::path::PathBuf, std::path::PathBuf) {
    let lib = tmp.join("lib");
    let photos = tmp.join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    random_file(&photos.join("small.bin"), 300_000, seed);
    random_file(&photos.join("large.bin"), 17 * 1024 * 1024, seed + 1);
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["add", photos.to_str().unwrap(), "--kinds", "all", "--json"],
    ));
    set_s3_target(&lib, prefix, &server.endpoint);
    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(report["uploaded"], 4, "{report}"); // 2 originals + 2 manifests
    assert_eq!(report["failed"].as_array().unwrap().len(), 0, "{report}");
    let verify = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--json"]));
    assert_eq!(verify["ok"], 4, "{verify}");
    (lib, photos)
}

/// Flips one byte inside the first of `needle`'s occurrences in the
/// server's volume files (`*.dat`): bit rot under the server's feet, with
/// its own metadata (size, ETag) left as it was.
fn rot_on_server_disk(dir: &Path, needle: &[u8]) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "dat") {
                continue;
            }
            let mut bytes = std::fs::read(&path).unwrap();
            if let Some(at) = bytes.windows(needle.len()).position(|w| w == needle) {
                bytes[at + needle.len() / 2] ^= 0xff;
                std::fs::write(&path, bytes).unwrap();
                return;
            }
        }
    }
    panic!(
        "the bytes were not found in the server's volume files under {}",
        dir.display()
    );
}

/// One byte flipped on the server's own disk, in a single-part original and
/// in the middle of a multipart one. The server's size and ETag still say
/// all is well, but it can no longer read the bytes back (SeaweedFS checks
/// each chunk's CRC: a 500, or a body that stops early). Verify reports
/// both as damaged, sync sends them again, and they read back whole.
#[test]
fn bytes_rotten_on_the_servers_disk_are_found_by_verify_and_sent_again() {
    let tmp = tempfile::tempdir().unwrap();
    let server = S3Server::start();
    let (lib, photos) = synced_pair(tmp.path(), &server, "rot", 11);

    let small = std::fs::read(photos.join("small.bin")).unwrap();
    let large = std::fs::read(photos.join("large.bin")).unwrap();
    rot_on_server_disk(&server.data_dir(), &small[100_000..100_064]);
    let mid = 12 << 20;
    rot_on_server_disk(&server.data_dir(), &large[mid..mid + 64]);

    let verify = trove_s3(&lib, SECRET_KEY, &["verify", "--json"]);
    assert_eq!(verify.status.code(), Some(1), "{}", stderr(&verify));
    let v = stdout_json(&verify);
    let mut damaged: Vec<&str> = v["damaged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    damaged.sort();
    let mut expected = [original_key(&small, "bin"), original_key(&large, "bin")];
    expected.sort();
    assert_eq!(damaged, expected, "{v}");
    assert_eq!(v["ok"], 2, "{v}");
    assert_eq!(v["errors"].as_array().unwrap().len(), 0, "{v}");

    let mended = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(mended["uploaded"], 2, "{mended}");
    let clean = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--json"]));
    assert_eq!(clean["ok"], 4, "{clean}");
    for (bytes, key) in [
        (&small, original_key(&small, "bin")),
        (&large, original_key(&large, "bin")),
    ] {
        assert!(
            &server.read_object(&format!("rot/{key}")) == bytes,
            "{key} does not read back whole"
        );
    }
}

/// A sync report planned `assets` assets, all of them or not (`full`).
fn assert_plan(report: &serde_json::Value, assets: u64, full: bool) {
    assert_eq!(
        (report["assets"].as_u64(), report["full_plan"].as_bool()),
        (Some(assets), Some(full)),
        "{report}"
    );
}

/// Planning follows the event log: a sync with nothing new plans no asset,
/// a rename plans only the renamed asset (and sends only its manifest), and
/// a changed policy plans everything again.
#[test]
fn sync_plans_only_what_changed_since_the_last_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let FolderSetup { lib, photos, backup } = FolderSetup::new(tmp.path(), |photos| {
        for i in 0..5u64 {
            random_file(&photos.join(format!("f{i}.bin")), 10_000, 300 + i);
        }
    });
    let sync = || ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    let first = sync();
    assert_plan(&first, 5, true);
    assert_eq!(first["uploaded"], 10, "{first}");

    let again = sync();
    assert_plan(&again, 0, false);
    assert_eq!(again["uploaded"], 0, "{again}");

    std::fs::rename(photos.join("f2.bin"), photos.join("renamed.bin")).unwrap();
    ok(&trove_s3(&lib, SECRET_KEY, &["scan", "--json"]));
    let renamed = sync();
    assert_plan(&renamed, 1, false);
    assert_eq!(renamed["uploaded"], 1, "only the manifest: {renamed}");
    let f2 = std::fs::read(photos.join("renamed.bin")).unwrap();
    let manifest = original_key(&f2, "bin")
        .replace("originals/", "manifests/")
        .replace(".bin", ".json");
    let m = std::fs::read_to_string(backup.join(manifest)).unwrap();
    assert!(m.contains("renamed.bin"), "{m}");

    // A rating and a keyword on two assets (one edit each): the bucket gets
    // their manifests, which carry the curation, and nothing else.
    let (f0, f1) = (photos.join("f0.bin"), photos.join("f1.bin"));
    let (f0, f1) = (f0.to_str().unwrap(), f1.to_str().unwrap());
    ok(&trove_s3(&lib, SECRET_KEY, &["rate", f0, f1, "5", "--json"]));
    ok(&trove_s3(&lib, SECRET_KEY, &["tag", f0, "+Places/Iceland", "--json"]));
    let curated = sync();
    assert_plan(&curated, 2, false);
    assert_eq!(curated["uploaded"], 2, "only the two manifests: {curated}");
    let manifest = original_key(&std::fs::read(f0).unwrap(), "bin")
        .replace("originals/", "manifests/")
        .replace(".bin", ".json");
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(backup.join(manifest)).unwrap()).unwrap();
    assert_eq!(m["trove_manifest"], 2, "{m}");
    assert_eq!(m["curation"]["rating"], 5, "{m}");
    assert_eq!(m["curation"]["keywords"], serde_json::json!(["Places|Iceland"]), "{m}");
    assert_eq!(m["files"][0]["root"]["name"], "photos", "{m}");
    assert!(
        !m.to_string().contains(&tmp.path().to_string_lossy().into_owned()),
        "no absolute path in the manifest: {m}"
    );

    // The folder now sends proxies only: every asset is planned again.
    let policy = trove_s3(&lib, SECRET_KEY, &["policy", photos.to_str().unwrap(), "proxies"]);
    assert!(policy.status.success(), "{}", stderr(&policy));
    let replanned = sync();
    assert_plan(&replanned, 5, true);
}

/// A folder whose policy is none sends nothing of itself: not its files,
/// and not its paths or its name in the manifest of an asset another
/// folder sends.
#[test]
fn a_folder_that_sends_nothing_is_not_named_in_any_manifest() {
    let tmp = tempfile::tempdir().unwrap();
    let FolderSetup { lib, photos, backup } = FolderSetup::new(tmp.path(), |photos| {
        random_file(&photos.join("shared.bin"), 10_000, 501);
    });
    let private = tmp.path().join("private-diary");
    std::fs::create_dir_all(&private).unwrap();
    std::fs::copy(photos.join("shared.bin"), private.join("secret-name.bin")).unwrap();
    random_file(&private.join("only-private.bin"), 10_000, 502);
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["add", private.to_str().unwrap(), "--kinds", "all", "--json"],
    ));
    let policy = trove_s3(&lib, SECRET_KEY, &["policy", private.to_str().unwrap(), "none"]);
    assert!(policy.status.success(), "{}", stderr(&policy));
    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(report["uploaded"], 2, "shared.bin and its manifest only: {report}");
    let shared = std::fs::read(photos.join("shared.bin")).unwrap();
    let manifest = original_key(&shared, "bin")
        .replace("originals/", "manifests/")
        .replace(".bin", ".json");
    let m = std::fs::read_to_string(backup.join(manifest)).unwrap();
    assert!(m.contains("shared.bin"), "{m}");
    assert!(!m.contains("secret-name") && !m.contains("private-diary"), "{m}");
    let only = std::fs::read(private.join("only-private.bin")).unwrap();
    assert!(!backup.join(original_key(&only, "bin")).exists());
}

/// An edited file's earlier content stays in the target: forever by
/// default, and with `--keep-replaced-days N` until N days after the edit,
/// once the new content is verified. Nothing else is touched.
#[test]
fn an_edited_files_earlier_content_is_kept_until_the_retention_says() {
    let tmp = tempfile::tempdir().unwrap();
    let FolderSetup { lib, photos, backup } = FolderSetup::new(tmp.path(), |photos| {
        random_file(&photos.join("a.bin"), 20_000, 401);
        random_file(&photos.join("b.bin"), 20_000, 402);
    });
    let url = format!("file://{}", backup.display());
    let set_target = |extra: &[&str]| {
        let mut args = vec!["target", "set", &url, "--json"];
        args.extend_from_slice(extra);
        ok(&trove_s3(&lib, SECRET_KEY, &args))
    };
    let sync = || ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(sync()["uploaded"], 4);

    let old = std::fs::read(photos.join("a.bin")).unwrap();
    let b = std::fs::read(photos.join("b.bin")).unwrap();
    random_file(&photos.join("a.bin"), 20_000, 403);
    let new = std::fs::read(photos.join("a.bin")).unwrap();
    ok(&trove_s3(&lib, SECRET_KEY, &["scan", "--json"]));
    let edited = sync();
    assert_eq!(edited["uploaded"], 2, "the new original and manifest: {edited}");
    assert_eq!(edited["replaced"], 2, "the old original and manifest: {edited}");
    let manifest = |bytes: &[u8]| {
        original_key(bytes, "bin")
            .replace("originals/", "manifests/")
            .replace(".bin", ".json")
    };
    let present = |key: String| backup.join(key).is_file();
    assert!(present(original_key(&old, "bin")) && present(manifest(&old)));

    // Kept forever by default, and a 30-day retention is not due yet.
    assert_eq!(sync()["replaced_deleted"], 0);
    assert_eq!(set_target(&["--keep-replaced-days", "30"])["keep_replaced_days"], 30);
    assert_eq!(sync()["replaced_deleted"], 0);
    assert!(present(original_key(&old, "bin")));

    // Due at once: the earlier original and manifest go, nothing else.
    set_target(&["--keep-replaced-days", "0"]);
    let pruned = sync();
    assert_eq!(pruned["replaced_deleted"], 2, "{pruned}");
    assert!(!present(original_key(&old, "bin")) && !present(manifest(&old)));
    for bytes in [&new, &b] {
        assert!(present(original_key(bytes, "bin")) && present(manifest(bytes)));
    }
    let verify = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--json"]));
    assert_eq!(verify["ok"], 4, "{verify}");
    let rec = ok(&trove_s3(&lib, SECRET_KEY, &["reconcile", "--json"]));
    assert_eq!(rec["missing"].as_array().unwrap().len(), 0, "{rec}");
    assert_eq!(rec["extra"].as_array().unwrap().len(), 0, "{rec}");
}

/// A proxy no longer made in that form (here: a thumbnail an older
/// generator had stored as WebP, made again as JPEG) is replaced like an
/// edited file's earlier content, and pruned by the retention; the original
/// and the current proxies stay.
#[test]
fn proxies_no_longer_made_are_replaced_and_pruned_by_the_retention() {
    let tmp = tempfile::tempdir().unwrap();
    let FolderSetup { lib, backup, .. } = FolderSetup::new(tmp.path(), |photos| {
        write_jpeg(&photos.join("a.jpg"), 300, 200, [20, 120, 200], 1, None);
    });
    ok(&trove_s3(&lib, SECRET_KEY, &["thumbs", "--json"]));
    {
        let conn = rusqlite::Connection::open(lib.join("catalog.db")).unwrap();
        let n = conn
            .execute("UPDATE derivatives SET format = 'webp' WHERE variant = 'thumb'", [])
            .unwrap();
        assert_eq!(n, 1);
    }
    let sync = || ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(sync()["uploaded"], 5, "the original, three proxies and the manifest");
    let webp: Vec<_> = walk(&backup)
        .into_iter()
        .filter(|p| p.ends_with("thumb.webp"))
        .collect();
    assert_eq!(webp.len(), 1, "{:?}", walk(&backup));

    ok(&trove_s3(&lib, SECRET_KEY, &["thumbs", "--force", "--json"]));
    let remade = sync();
    assert_eq!(remade["replaced"], 1, "the WebP thumbnail alone: {remade}");
    let url = format!("file://{}", backup.display());
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["target", "set", &url, "--keep-replaced-days", "0", "--json"],
    ));
    let pruned = sync();
    assert_eq!(pruned["replaced_deleted"], 1, "{pruned}");
    assert!(!webp[0].exists());
    let mut kept: Vec<String> = ["originals", "proxies", "manifests"]
        .iter()
        .flat_map(|dir| walk(&backup.join(dir)))
        .filter_map(|p| p.file_name()?.to_str().map(str::to_owned))
        .collect();
    kept.sort();
    assert_eq!(kept.len(), 5, "{kept:?}");
    assert!(kept.contains(&"thumb.jpeg".to_owned()), "{kept:?}");
    let verify = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--json"]));
    assert_eq!(verify["ok"], 5, "{verify}");
}

#[test]
fn kill_9_mid_multipart_upload_resumes_without_resending_parts() {
    kill_9_mid_multipart_upload_and_resume(S3Server::shared());
}

/// s3s-fs lists parts without their ETags: the parts the catalog recorded
/// as accepted are not sent again either.
#[test]
fn kill_9_mid_multipart_upload_resumes_on_a_server_that_lists_parts_without_etags() {
    kill_9_mid_multipart_upload_and_resume(S3Server::shared_s3s());
}

fn kill_9_mid_multipart_upload_and_resume(server: &S3Server) {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("big");
    std::fs::create_dir_all(&photos).unwrap();
    // 6 parts of 16 MiB.
    random_file(&photos.join("long-take.bin"), 6 * 16 * 1024 * 1024, 42);
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["add", photos.to_str().unwrap(), "--kinds", "all", "--json"],
    ));
    let prefix = unique_prefix("e2e", tmp.path());
    set_s3_target(&lib, &prefix, &server.endpoint);
    // Slow it down so it can be killed halfway.
    let mut child = command(&lib, SECRET_KEY, &["sync", "--bwlimit", "16M", "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let parts = |lib: &Path| -> i64 {
        rusqlite::Connection::open_with_flags(lib.join("catalog.db"), rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| c.query_row("SELECT count(*) FROM sync_parts", [], |r| r.get(0)))
            .unwrap_or(0)
    };
    let start = Instant::now();
    while parts(&lib) < 2 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync finished before it could be killed"
        );
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no part was recorded in 60 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(report["pending"], 0, "{report}");
    assert!(
        report["parts_reused"].as_u64().unwrap() >= 2,
        "parts were sent again: {report}"
    );
    let data = std::fs::read(photos.join("long-take.bin")).unwrap();
    let key = original_key(&data, "bin");
    assert!(
        server.read_object(&format!("{prefix}/{key}")) == data,
        "the object reads back whole"
    );
    if server.kind == ServerKind::S3sFs {
        // It cannot list multipart uploads (501).
        return;
    }
    // No unfinished multipart upload is left behind.
    let out = server
        .rclone()
        .args(["backend", "list-multipart-uploads", &format!("s3:{BUCKET}/{prefix}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let count = listing
        .as_object()
        .map(|m| m.values().map(|v| v.as_array().map_or(0, Vec::len)).sum::<usize>())
        .unwrap_or(0);
    assert_eq!(count, 0, "stale uploads: {listing}");
}

/// s3s-fs implements less of S3 than SeaweedFS: no ListMultipartUploads
/// (501 NotImplemented, which once stopped every sync and upload at the
/// start), and part listings without ETags. Sync, verify and the bulk
/// uploader still work against it, single-part and multipart, and what they
/// sent reads back whole.
#[test]
fn sync_and_bulk_upload_work_against_a_server_that_cannot_list_uploads() {
    let tmp = tempfile::tempdir().unwrap();
    let server = S3Server::shared_s3s();
    let (lib, photos) = synced_pair(tmp.path(), server, "synced", 21);

    let state = tmp.path().join("state.db");
    let upload = |expected_uploaded: u64| {
        let out = ok(&trove_s3(
            &lib,
            SECRET_KEY,
            &[
                "upload",
                photos.to_str().unwrap(),
                "--to",
                &format!("s3://{BUCKET}/bulk"),
                "--endpoint",
                &server.endpoint,
                "--state",
                state.to_str().unwrap(),
                "--json",
            ],
        ));
        assert_eq!(out["uploaded"], expected_uploaded, "{out}");
        assert_eq!(out["failed"].as_array().unwrap().len(), 0, "{out}");
    };
    upload(2);
    upload(0);

    let cat = |key: &str| server.read_object(key);
    for name in ["small.bin", "large.bin"] {
        let bytes = std::fs::read(photos.join(name)).unwrap();
        assert!(
            cat(&format!("synced/{}", original_key(&bytes, "bin"))) == bytes,
            "synced {name}"
        );
        assert!(cat(&format!("bulk/{name}")) == bytes, "uploaded {name}");
    }
}

#[test]
fn bulk_upload_sends_a_tree_once_and_skips_it_after() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(tree.join("a/b")).unwrap();
    for i in 0..40u64 {
        random_file(&tree.join(format!("a/file-{i}.bin")), 1000 + i as usize * 37, i);
    }
    for i in 0..10u64 {
        random_file(&tree.join(format!("a/b/deep {i}.dat")), 5000, 100 + i);
    }
    random_file(&tree.join("large.bin"), 17 * 1024 * 1024, 7);
    std::fs::write(tree.join(".hidden"), b"skip me").unwrap();
    let prefix = unique_prefix("upload", tmp.path());
    let server = S3Server::shared();
    let state = tmp.path().join("state.db");
    let args = |extra: &[&str]| -> Vec<String> {
        let mut v: Vec<String> = [
            "upload",
            tree.to_str().unwrap(),
            "--to",
            &format!("s3://{BUCKET}/{prefix}"),
            "--endpoint",
            &server.endpoint,
            "--json",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        ok(&trove_s3(&lib, SECRET_KEY, &a))
    };
    let state_arg = state.to_str().unwrap().to_owned();
    let first = run(&["--state", &state_arg]);
    assert_eq!(first["uploaded"], 51, "{first}");
    assert_eq!(first["files"], 51, "{first}");
    assert_eq!(first["failed"].as_array().unwrap().len(), 0, "{first}");
    let keys = rclone_keys(&prefix);
    assert_eq!(keys.len(), 51, "{keys:?}");
    assert!(keys.contains(&"a/b/deep 3.dat".to_owned()), "{keys:?}");
    assert_eq!(
        rclone_cat(&prefix, "large.bin"),
        std::fs::read(tree.join("large.bin")).unwrap()
    );

    // Again: nothing to send.
    let second = run(&["--state", &state_arg]);
    assert_eq!(second["uploaded"], 0, "{second}");
    assert_eq!(second["skipped"], 51, "{second}");

    // One file changes: only it goes up.
    random_file(&tree.join("a/file-3.bin"), 2222, 999);
    let third = run(&["--state", &state_arg]);
    assert_eq!(third["uploaded"], 1, "{third}");
    assert_eq!(
        rclone_cat(&prefix, "a/file-3.bin"),
        std::fs::read(tree.join("a/file-3.bin")).unwrap()
    );

    // A fresh state file: single-part objects are recognised by size and
    // MD5 from the listing, the multipart one by its ETag (the MD5 of its
    // part MD5s), computed from the file cut in the uploader's 16 MiB parts.
    let fresh = tmp.path().join("fresh.db");
    let fourth = run(&["--state", fresh.to_str().unwrap()]);
    assert_eq!(fourth["skipped"], 51, "{fourth}");
    assert_eq!(fourth["uploaded"], 0, "{fourth}");

    // The large file changes, same size: its parts no longer match, and a
    // fresh state file still sends it (and only it).
    let mut large = std::fs::read(tree.join("large.bin")).unwrap();
    large[17 * 1024 * 1024 - 10] ^= 0xff;
    std::fs::write(tree.join("large.bin"), &large).unwrap();
    let fresher = tmp.path().join("fresher.db");
    let fifth = run(&["--state", fresher.to_str().unwrap()]);
    assert_eq!(fifth["skipped"], 50, "{fifth}");
    assert_eq!(fifth["uploaded"], 1, "{fifth}");
    assert_eq!(rclone_cat(&prefix, "large.bin"), large);
}

#[test]
fn a_file_changed_after_the_scan_fails_alone_with_a_clear_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for (i, name) in ["fifo.bin", "resized.bin", "edited.bin", "kept.bin"].iter().enumerate() {
        random_file(&photos.join(name), 100_000, 700 + i as u64);
    }
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["add", photos.to_str().unwrap(), "--kinds", "all", "--json"],
    ));
    // Behind the catalog's back: one file becomes a FIFO (opening it would
    // block forever), one changes size, one changes content but not size.
    std::fs::remove_file(photos.join("fifo.bin")).unwrap();
    let status = Command::new("mkfifo").arg(photos.join("fifo.bin")).status().unwrap();
    assert!(status.success());
    random_file(&photos.join("resized.bin"), 90_000, 800);
    random_file(&photos.join("edited.bin"), 100_000, 801);
    let prefix = unique_prefix("changed", tmp.path());
    set_s3_target(&lib, &prefix, &S3Server::shared().endpoint);
    let out = trove_s3(&lib, SECRET_KEY, &["sync", "--timeout", "5", "--json"]);
    assert!(!out.status.success(), "a sync with failures succeeded");
    let report = stdout_json(&out);
    let failed = report["failed"].as_array().unwrap();
    let reason = |needle: &str| {
        failed
            .iter()
            .filter(|f| f["error"].as_str().unwrap().contains(needle))
            .count()
    };
    assert_eq!(failed.len(), 3, "{report}");
    assert_eq!(reason("no longer a regular file"), 1, "{report}");
    assert_eq!(reason("the catalog says 100000"), 1, "{report}");
    assert_eq!(reason("differs from what was catalogued"), 1, "{report}");
    let kept = std::fs::read(photos.join("kept.bin")).unwrap();
    assert_eq!(rclone_cat(&prefix, &original_key(&kept, "bin")), kept);
}

/// (rows, rows whose MD5 the state file holds) of a bulk upload's state.
fn state_md5s(state: &Path) -> (i64, i64) {
    let db = rusqlite::Connection::open(state).unwrap();
    db.query_row(
        "SELECT count(*), count(md5) FROM uploads WHERE state = 'verified'",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .unwrap()
}

#[test]
fn bulk_upload_verifies_by_sha256_and_by_md5_where_the_server_ignores_or_refuses_it() {
    use trove_testkit::fault::FaultProxy;
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let tree = tmp.path().join("tree");
    std::fs::create_dir_all(&tree).unwrap();
    for i in 0..20u64 {
        random_file(&tree.join(format!("f{i}.bin")), 50_000 + i as usize, 300 + i);
    }
    let server = S3Server::shared();
    let proxy = FaultProxy::start(server.port);
    let upload = |endpoint: &str, prefix: &str, state: &Path| {
        ok(&trove_s3(
            &lib,
            SECRET_KEY,
            &[
                "upload",
                tree.to_str().unwrap(),
                "--to",
                &format!("s3://{BUCKET}/{prefix}"),
                "--endpoint",
                endpoint,
                "--state",
                state.to_str().unwrap(),
                "--json",
            ],
        ))
    };
    // The first and last file, read back past any proxy.
    let read_back = |prefix: &str| {
        for i in [0u64, 19] {
            let name = format!("f{i}.bin");
            assert_eq!(rclone_cat(prefix, &name), std::fs::read(tree.join(&name)).unwrap());
        }
    };
    // SeaweedFS confirms each x-amz-checksum-sha256: that is the check, and
    // no MD5 is computed.
    let prefix = unique_prefix("sha256", tmp.path());
    let state = tmp.path().join("sha.db");
    let report = upload(&server.endpoint, &prefix, &state);
    assert_eq!(report["uploaded"], 20, "{report}");
    assert_eq!(state_md5s(&state), (20, 0));
    // A server that does not echo the checksum: every object is then
    // checked by the MD5 against its ETag instead.
    proxy.hide_checksums(true);
    let prefix = unique_prefix("md5", tmp.path());
    let state = tmp.path().join("md5.db");
    let report = upload(&proxy.endpoint(), &prefix, &state);
    assert_eq!(report["uploaded"], 20, "{report}");
    assert_eq!(report["failed"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(state_md5s(&state), (20, 20));
    read_back(&prefix);
    // A server that refuses the header (Backblaze B2's 400 "Unsupported
    // header"): the refused uploads go again with Content-MD5 alone, and the
    // rest of the run sends no checksum header.
    let b2 = FaultProxy::start(server.port);
    b2.refuse_checksums(true);
    let prefix = unique_prefix("refused", tmp.path());
    let state = tmp.path().join("refused.db");
    let report = upload(&b2.endpoint(), &prefix, &state);
    assert_eq!(report["uploaded"], 20, "{report}");
    assert_eq!(report["failed"].as_array().unwrap().len(), 0, "{report}");
    assert!(b2.refused() >= 1, "no request carried the header");
    assert!(b2.refused() <= 20, "{} refusals for 20 files", b2.refused());
    assert_eq!(state_md5s(&state), (20, 20));
    read_back(&prefix);
}

#[test]
fn a_network_that_cuts_and_stalls_connections_still_ends_fully_verified() {
    use trove_testkit::fault::FaultProxy;
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for i in 0..12u64 {
        random_file(&photos.join(format!("f{i}.bin")), 300_000 + i as usize, 500 + i);
    }
    random_file(&photos.join("big.bin"), 20 * 1024 * 1024, 77);
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["add", photos.to_str().unwrap(), "--kinds", "all", "--json"],
    ));
    let server = S3Server::shared();
    let proxy = FaultProxy::start(server.port);
    // Cut 4 connections mid-body, then stall 1.
    proxy.damage(4, 1, 100_000);
    let prefix = unique_prefix("faults", tmp.path());
    set_s3_target(&lib, &prefix, &proxy.endpoint());
    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--timeout", "3", "--json"]));
    assert_eq!(report["pending"], 0, "{report}");
    assert_eq!(report["failed"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(proxy.damaged(), 5, "the faults did not happen");
    // Read back directly from the server, past the proxy.
    for i in 0..12u64 {
        let data = std::fs::read(photos.join(format!("f{i}.bin"))).unwrap();
        assert_eq!(rclone_cat(&prefix, &original_key(&data, "bin")), data);
    }
    let big = std::fs::read(photos.join("big.bin")).unwrap();
    assert_eq!(rclone_cat(&prefix, &original_key(&big, "bin")), big);
}

#[test]
fn a_dead_network_pauses_the_queue_and_it_resumes_when_the_network_is_back() {
    use trove_testkit::fault::FaultProxy;
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for i in 0..30u64 {
        random_file(&photos.join(format!("f{i}.bin")), 200_000, 900 + i);
    }
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["add", photos.to_str().unwrap(), "--kinds", "all", "--json"],
    ));
    let server = S3Server::shared();
    let proxy = FaultProxy::start(server.port);
    let prefix = unique_prefix("outage", tmp.path());
    set_s3_target(&lib, &prefix, &proxy.endpoint());
    // 6 MB at 1 MB/s: about 6 s. The network goes down after 1 s for 4 s.
    let child = command(
        &lib,
        SECRET_KEY,
        &[
            "sync",
            "--bwlimit",
            "1M",
            "--concurrency",
            "4",
            "--timeout",
            "2",
            "--json",
        ],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_secs(1));
    proxy.set_down(true);
    std::thread::sleep(Duration::from_secs(4));
    proxy.set_down(false);
    let out = child.wait_with_output().unwrap();
    let report = ok(&out);
    assert!(report["network_pauses"].as_u64().unwrap() >= 1, "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    assert_eq!(report["failed"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(
        rclone_keys(&prefix)
            .iter()
            .filter(|k| k.starts_with("originals/"))
            .count(),
        30
    );
}

/// The bucket alone brings a library back: each sync stores a verified,
/// compressed catalog snapshot under catalog/; after the laptop is "lost"
/// (library and photos gone), `trove recover` builds a new library from
/// the bucket with the same assets, curation and thumbnails, and `trove
/// restore` brings the originals back byte for byte.
#[test]
fn a_library_is_recovered_from_the_bucket_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = synced_library(tmp.path());
    let server = S3Server::shared();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    let img = std::fs::read(photos.join("trip/IMG_1.jpg")).unwrap();
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["rate", photos.join("trip/IMG_1.jpg").to_str().unwrap(), "4", "--json"],
    ));
    let first = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    let snapshot = first["snapshot"]["key"].as_str().expect("a snapshot key").to_owned();
    assert!(
        snapshot.starts_with("catalog/") && snapshot.ends_with("Z.db.zst"),
        "{first}"
    );
    assert!(rclone_keys(&prefix).contains(&snapshot));
    // What is stored is a zstd frame of a SQLite database (read back with
    // another client, decompressed with the zstd tool when it is there).
    let stored = rclone_cat(&prefix, &snapshot);
    assert_eq!(stored.len() as u64, first["snapshot"]["size"].as_u64().unwrap());
    assert_eq!(&stored[..4], &[0x28, 0xb5, 0x2f, 0xfd], "zstd magic");
    // A second sync stores a newer one; both are kept (the newest ten are).
    std::thread::sleep(Duration::from_millis(5));
    let second = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(second["uploaded"], 0, "{second}");
    let newest = second["snapshot"]["key"].as_str().unwrap().to_owned();
    assert!(newest > snapshot);
    let snapshots: Vec<String> = rclone_keys(&prefix)
        .into_iter()
        .filter(|k| k.starts_with("catalog/"))
        .collect();
    // The first went when the target was set.
    assert_eq!(snapshots.len(), 3, "{snapshots:?}");
    assert!(snapshots[0] < snapshot, "{snapshots:?}");
    assert_eq!(snapshots[1..], [snapshot.clone(), newest.clone()]);

    // The laptop is lost.
    let before = ok(&trove_s3(&lib, SECRET_KEY, &["ls", "--json"]));
    std::fs::rename(&lib, tmp.path().join("lost-lib")).unwrap();
    std::fs::rename(&photos, tmp.path().join("lost-photos")).unwrap();

    let new_lib = tmp.path().join("recovered");
    let from = format!("s3://{BUCKET}/{prefix}");
    let recovered = recover_json(&new_lib, &from, &server.endpoint, &[]);
    assert_eq!(recovered["snapshot"]["key"], newest.as_str(), "{recovered}");
    assert_eq!(recovered["assets"], 4, "{recovered}");
    assert_eq!(recovered["originals_in_target"], 4, "{recovered}");
    assert!(recovered["proxies_fetched"].as_u64().unwrap() >= 3, "{recovered}");
    assert_eq!(recovered["proxies_missing"], serde_json::json!([]), "{recovered}");
    let after = ok(&trove_s3(&new_lib, SECRET_KEY, &["ls", "--json"]));
    assert_eq!(after, before, "the same assets, ids and all");
    let found = ok(&trove_s3(&new_lib, SECRET_KEY, &["search", "rating:4", "--json"]));
    assert_eq!(found["assets"][0]["name"], "IMG_1.jpg", "{found}");
    // The grid's thumbnails are there and are the ones the bucket holds.
    let thumbs: Vec<_> = walk(&new_lib)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("thumb"))
        .collect();
    assert!(thumbs.len() >= 3, "{thumbs:?}");

    // Recovering over a library is refused; a time before any snapshot
    // finds none.
    let again = trove_s3(
        &new_lib,
        SECRET_KEY,
        &["recover", "--from", &from, "--endpoint", &server.endpoint],
    );
    assert_eq!(again.status.code(), Some(2), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("already holds a Trove library"),
        "{}",
        stderr(&again)
    );
    let early = trove_s3(
        &tmp.path().join("early"),
        SECRET_KEY,
        &[
            "recover",
            "--from",
            &from,
            "--endpoint",
            &server.endpoint,
            "--at",
            "2000-01-01",
        ],
    );
    assert_eq!(early.status.code(), Some(2), "{}", stderr(&early));
    assert!(stderr(&early).contains("no catalog snapshot"), "{}", stderr(&early));
    // The older snapshot, by time.
    let at = ok(&trove_s3(
        &tmp.path().join("older"),
        SECRET_KEY,
        &[
            "recover",
            "--from",
            &from,
            "--endpoint",
            &server.endpoint,
            "--proxies",
            "none",
            "--json",
            "--at",
            &snapshot_time_rfc3339(&snapshot),
        ],
    ));
    assert_eq!(at["snapshot"]["key"], snapshot.as_str(), "{at}");
    assert_eq!(at["proxies_fetched"], 0, "{at}");

    // Originals come back from the bucket, verified, byte for byte.
    let out_dir = tmp.path().join("restored");
    let restored = restore_into(&new_lib, &photos, &out_dir);
    assert_eq!(restored["restored"].as_array().unwrap().len(), 4, "{restored}");
    assert_eq!(std::fs::read(out_dir.join("trip/IMG_1.jpg")).unwrap(), img);

    // The trail came with the catalog, and goes on: the uploads of the
    // lost library, the recovery, then the restores.
    let trail = ok(&trove_s3(&new_lib, SECRET_KEY, &["audit", "--json"]));
    let events: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    let recovery = events.iter().position(|e| *e == "recovery").expect("a recovery row");
    assert!(events[..recovery].contains(&"upload"), "{events:?}");
    assert_eq!(events[recovery + 1..], ["restore"; 4], "{events:?}");
}

/// `catalog/20261207T052436.123Z.db.zst` as `2026-12-07T05:24:36.123Z`.
fn snapshot_time_rfc3339(key: &str) -> String {
    let s = key.trim_start_matches("catalog/").trim_end_matches(".db.zst");
    format!(
        "{}-{}-{}T{}:{}:{}",
        &s[..4],
        &s[4..6],
        &s[6..8],
        &s[9..11],
        &s[11..13],
        &s[13..]
    )
}

/// A bucket with SSE-KMS (or a server with its own ETag scheme): no ETag is
/// an MD5, while the SHA-256 checksum echo stays right. Every object is
/// still verified (by the echo, or by reading it back), none is deleted or
/// sent twice, and the originals in the bucket are the files.
#[test]
fn a_bucket_whose_etags_are_not_md5s_verifies_every_object_and_deletes_none() {
    use trove_testkit::fault::FaultProxy;
    let tmp = tempfile::tempdir().unwrap();
    let prefix = synced_library(tmp.path());
    let lib = tmp.path().join("lib");
    let server = S3Server::shared();
    let proxy = FaultProxy::start(server.port);
    proxy.rewrite_etags(true);
    set_s3_target(&lib, &prefix, &proxy.endpoint());
    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(report["failed"], serde_json::json!([]), "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    assert!(report["snapshot"]["key"].is_string(), "{report}");
    assert!(proxy.etags_rewritten() > 0, "the proxy rewrote no ETag");
    let keys = rclone_keys(&prefix);
    let stored = keys.iter().filter(|k| !k.starts_with("catalog/")).count();
    assert_eq!(
        report["uploaded"].as_u64().unwrap() as usize,
        stored,
        "each object sent once, none deleted: {report} {keys:?}"
    );
    assert_eq!(
        keys.iter().filter(|k| k.starts_with("originals/")).count(),
        4,
        "{keys:?}"
    );
    let clip = std::fs::read(tmp.path().join("photos/clip.bin")).unwrap();
    assert_eq!(
        rclone_cat(&prefix, &original_key(&clip, "bin")),
        clip,
        "the multipart original"
    );
    // Fixity through the same bucket: every object checks out, and
    // reconcile (which lists ETags) finds no drift.
    let verify = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--json"]));
    assert_eq!(verify["damaged"], serde_json::json!([]), "{verify}");
    let rec = ok(&trove_s3(&lib, SECRET_KEY, &["reconcile", "--json"]));
    assert_eq!(rec["drift"], serde_json::json!([]), "{rec}");
    assert_eq!(rec["missing"], serde_json::json!([]), "{rec}");
    let again = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(again["uploaded"], 0, "{again}");
}

/// The fixity cycle: `trove verify --cycle DAYS` reads back the share of
/// the objects checked longest ago, so that run once a day every object is
/// read back within the cycle; each check is in the audit trail.
#[test]
fn a_fixity_cycle_reads_every_object_back_within_its_days() {
    let tmp = tempfile::tempdir().unwrap();
    synced_library(tmp.path());
    let lib = tmp.path().join("lib");
    ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    let status = ok(&trove_s3(&lib, SECRET_KEY, &["status", "--json"]));
    let total = status["sync"]["verified"].as_u64().expect("verified count");
    assert!(total >= 12, "{status}");
    let share = total.div_ceil(4);
    let checks = |lib: &Path| -> std::collections::BTreeMap<String, u32> {
        let trail = ok(&trove_s3(lib, SECRET_KEY, &["audit", "--json"]));
        let mut n = std::collections::BTreeMap::new();
        for r in trail.as_array().unwrap() {
            if r["event"] == "fixity_check" && r["success"] == true {
                *n.entry(r["key"].as_str().unwrap().to_owned()).or_insert(0) += 1;
            }
        }
        n
    };
    let first = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--cycle", "4", "--json"]));
    assert_eq!(first["checked"].as_u64(), Some(share), "{first}");
    assert_eq!(checks(&lib).len() as u64, share);
    for _ in 1..4 {
        let day = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--cycle", "4", "--json"]));
        assert_eq!(day["checked"].as_u64(), Some(share), "{day}");
    }
    let checked = checks(&lib);
    assert_eq!(
        checked.len() as u64,
        total,
        "every object once in four days: {checked:?}"
    );
    assert!(checked.values().all(|n| (1..=2).contains(n)), "{checked:?}");
    // --cycle and --sample are one or the other.
    let both = trove_s3(&lib, SECRET_KEY, &["verify", "--cycle", "4", "--sample", "5"]);
    assert_eq!(both.status.code(), Some(2));
}

/// `trove watch` runs the fixity cycle's share by itself, once a day: the
/// trail shows the day's checks soon after it starts, and a second start
/// the same day checks nothing more.
#[test]
fn trove_watch_runs_the_days_fixity_share_once() {
    let tmp = tempfile::tempdir().unwrap();
    synced_library(tmp.path());
    let lib = tmp.path().join("lib");
    ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    let checks = |lib: &Path| -> usize {
        let trail = ok(&trove_s3(lib, SECRET_KEY, &["audit", "--json"]));
        trail
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["event"] == "fixity_check")
            .count()
    };
    assert_eq!(checks(&lib), 0);
    let total = ok(&trove_s3(&lib, SECRET_KEY, &["status", "--json"]))["sync"]["verified"]
        .as_u64()
        .unwrap() as usize;
    let watch_for = |until: &dyn Fn() -> bool, at_most: Duration| {
        let mut child = command(&lib, SECRET_KEY, &["watch", "--fixity-cycle", "3"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while !until() && start.elapsed() < at_most {
            std::thread::sleep(Duration::from_millis(300));
        }
        std::thread::sleep(Duration::from_secs(2));
        child.kill().unwrap();
        child.wait().unwrap();
    };
    watch_for(&|| checks(&lib) > 0, Duration::from_secs(60));
    assert_eq!(checks(&lib), total.div_ceil(3), "today's share of a 3-day cycle");
    // Its first look comes as it starts: 6 s is plenty.
    watch_for(&|| false, Duration::from_secs(6));
    assert_eq!(checks(&lib), total.div_ceil(3), "once a day");
}

/// A restore onto a full disk stops with an error that says the disk is
/// full and what to do, leaves nothing half-written, and completes once
/// there is room (a small tmpfs made for the test).
#[test]
fn a_restore_onto_a_full_disk_says_so_leaves_nothing_half_written_and_completes_later() {
    let tmp = tempfile::tempdir().unwrap();
    let FolderSetup { lib, photos, .. } = FolderSetup::new(tmp.path(), |photos| {
        random_file(&photos.join("big.bin"), 3_000_000, 21);
        random_file(&photos.join("small.bin"), 20_000, 22);
    });
    ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    let disk = trove_testkit::disk::SmallDisk::mount(&tmp.path().join("disk"), 1 << 20)
        .unwrap_or_else(|why| panic!("this test mounts a small disk of its own (a tmpfs; it needs root): {why}"));
    let dest = disk.path().join("restored");
    let restore = || {
        trove_s3(
            &lib,
            SECRET_KEY,
            &[
                "restore",
                photos.to_str().unwrap(),
                "--to",
                dest.to_str().unwrap(),
                "--json",
            ],
        )
    };
    let out = restore();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("No space left on device") && err.contains("run the command again once there is room"),
        "{err}"
    );
    for f in walk(&dest) {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            !name.contains("trove-restore"),
            "a partial download was left: {}",
            f.display()
        );
        assert_eq!(
            std::fs::read(&f).unwrap(),
            std::fs::read(photos.join(&name)).unwrap(),
            "{name}"
        );
    }
    disk.resize(16 << 20);
    let done = ok(&restore());
    assert_eq!(
        done["restored"].as_array().unwrap().len() + done["already_there"].as_u64().unwrap() as usize,
        2,
        "{done}"
    );
    for name in ["big.bin", "small.bin"] {
        assert_eq!(
            std::fs::read(dest.join(name)).unwrap(),
            std::fs::read(photos.join(name)).unwrap()
        );
    }
}

/// Starts a multipart upload under `key` and leaves it unfinished (as a
/// client that died would), signed with curl's SigV4.
fn start_orphaned_upload(prefix: &str, key: &str) -> String {
    let server = S3Server::shared();
    let out = Command::new("curl")
        .args([
            "-sS",
            "--fail-with-body",
            "-X",
            "POST",
            "--aws-sigv4",
            "aws:amz:us-east-1:s3",
            "--user",
        ])
        .arg(format!("{ACCESS_KEY}:{SECRET_KEY}"))
        .args([
            "-H",
            "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        ])
        .arg(format!("{}/{BUCKET}/{prefix}/{key}?uploads=", server.endpoint))
        .output()
        .unwrap();
    let body = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(out.status.success(), "{body} {}", String::from_utf8_lossy(&out.stderr));
    let start = body.find("<UploadId>").expect("an upload id") + "<UploadId>".len();
    body[start..start + body[start..].find("</UploadId>").unwrap()].to_owned()
}

/// Every way the bucket can part from the catalog (an object missing, one
/// of another size, one of the same size with other bytes, one the
/// catalog does not know, an upload left unfinished) is found by
/// `reconcile`; `--repair` sends the first three again at once (repairs in
/// the audit trail); extras go only with `--delete-extra` and a
/// confirmation (`--yes` when there is no terminal), each deletion in the
/// trail; afterwards the bucket matches the catalog and verifies.
#[test]
fn reconcile_finds_each_failure_repairs_it_and_deletes_extras_only_when_confirmed() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    let names = ["a.bin", "b.bin", "c.bin", "d.bin"];
    for (i, n) in names.iter().enumerate() {
        random_file(&photos.join(n), 50_000 + i * 1000, 300 + i as u64);
    }
    let bytes: Vec<Vec<u8>> = names.iter().map(|n| std::fs::read(photos.join(n)).unwrap()).collect();
    let keys: Vec<String> = bytes.iter().map(|b| original_key(b, "bin")).collect();
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["add", photos.to_str().unwrap(), "--kinds", "all", "--json"],
    ));
    let prefix = unique_prefix("reconcile", tmp.path());
    set_s3_target(&lib, &prefix, &S3Server::shared().endpoint);
    ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));

    // The damage, done by another client.
    let out = S3Server::shared()
        .rclone()
        .args(["deletefile", &format!("s3:{BUCKET}/{prefix}/{}", keys[0])])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    rclone_put(&prefix, &keys[1], b"shorter");
    let mut flipped = bytes[2].clone();
    flipped[100] ^= 0xff;
    rclone_put(&prefix, &keys[2], &flipped);
    let extra = "originals/ff/not-from-this-library.bin";
    rclone_put(&prefix, extra, b"someone else's");
    let orphan_key = "originals/ee/left-unfinished.bin";
    let orphan_id = start_orphaned_upload(&prefix, orphan_key);
    // A catalog snapshot killed while it went up leaves its parts too.
    let snapshot_orphan = "catalog/20260101T000000.000Z.db.zst";
    let snapshot_orphan_id = start_orphaned_upload(&prefix, snapshot_orphan);

    let out = trove_s3(&lib, SECRET_KEY, &["reconcile", "--json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let rec = stdout_json(&out);
    assert_eq!(rec["missing"], serde_json::json!([keys[0]]), "{rec}");
    let drifted: Vec<&str> = rec["drift"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["key"].as_str().unwrap())
        .collect();
    assert_eq!(drifted.len(), 2, "{rec}");
    assert!(
        drifted.contains(&keys[1].as_str()) && drifted.contains(&keys[2].as_str()),
        "{rec}"
    );
    assert_eq!(rec["extra"], serde_json::json!([extra]), "{rec}");
    assert_eq!(
        rec["orphaned_uploads"],
        serde_json::json!([
            {"key": snapshot_orphan, "upload_id": snapshot_orphan_id},
            {"key": orphan_key, "upload_id": orphan_id},
        ]),
        "{rec}"
    );

    // No terminal and no --yes: refused, nothing deleted.
    let out = trove_s3(&lib, SECRET_KEY, &["reconcile", "--delete-extra", "--json"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--yes"), "{}", stderr(&out));
    assert_eq!(rclone_cat(&prefix, extra), b"someone else's");

    // --repair sends the three again, verified.
    let rep = ok(&trove_s3(&lib, SECRET_KEY, &["reconcile", "--repair", "--json"]));
    assert_eq!(rep["repaired"], 3, "{rep}");
    for (key, b) in keys.iter().zip(&bytes) {
        assert_eq!(&rclone_cat(&prefix, key), b, "{key}");
    }

    // Confirmed: the extra object goes and the upload is aborted.
    let del = ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["reconcile", "--delete-extra", "--yes", "--json"],
    ));
    assert_eq!(
        (del["deleted"].as_u64(), del["aborted_uploads"].as_u64()),
        (Some(1), Some(2)),
        "{del}"
    );
    assert!(
        !rclone_keys(&format!("{prefix}/originals/"))
            .iter()
            .any(|k| k.contains("not-from-this-library"))
    );
    let clean = ok(&trove_s3(&lib, SECRET_KEY, &["reconcile", "--json"]));
    for field in ["missing", "extra", "drift", "orphaned_uploads"] {
        assert_eq!(clean[field].as_array().unwrap().len(), 0, "{field}: {clean}");
    }
    let verify = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--json"]));
    assert_eq!(verify["ok"], verify["checked"], "{verify}");

    // The trail: three repairs and one deletion, each with its key.
    let trail = ok(&trove_s3(&lib, SECRET_KEY, &["audit", "--json"]));
    let events: Vec<(String, String)> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_owned(),
                e["key"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    for key in &keys[..3] {
        assert!(events.contains(&("repair".into(), key.clone())), "{key}: {events:?}");
    }
    assert!(events.contains(&("deletion".into(), extra.into())), "{events:?}");
}

/// A long sync stores catalog snapshots while it runs (here every second
/// of a sync slowed to about five), each a whole catalog that passes
/// SQLite's integrity check, besides the one at the end.
#[test]
fn a_long_sync_stores_catalog_snapshots_while_it_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();
    for i in 0..3u64 {
        random_file(&photos.join(format!("scan{i}.bin")), 1_000_000, 700 + i);
    }
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["add", photos.to_str().unwrap(), "--kinds", "all", "--json"],
    ));
    let prefix = unique_prefix("snapshots", tmp.path());
    set_s3_target(&lib, &prefix, &S3Server::shared().endpoint);
    let report = ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["sync", "--bwlimit", "600K", "--snapshot-every", "1s", "--json"],
    ));
    let during = report["snapshots_during"].as_u64().unwrap();
    assert!(during >= 2, "{report}");
    let keys = rclone_keys(&format!("{prefix}/catalog/"));
    assert!(keys.len() as u64 > during, "{keys:?} {report}");
    for k in &keys {
        let db = zstd::decode_all(&rclone_cat(&prefix, &format!("catalog/{k}"))[..]).unwrap();
        let path = tmp.path().join("snapshot.db");
        std::fs::write(&path, db).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "{k}");
        let assets: i64 = conn.query_row("SELECT count(*) FROM assets", [], |r| r.get(0)).unwrap();
        assert_eq!(assets, 3, "{k}");
        drop(conn);
        std::fs::remove_file(&path).unwrap();
    }
    // The default: a snapshot every 15 minutes, none in a short sync.
    let again = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(again["snapshots_during"], 0, "{again}");
    let out = trove_s3(&lib, SECRET_KEY, &["sync", "--snapshot-every", "soon"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

/// Deletes `key` with rclone: another client (or a mishap) changing the
/// bucket.
fn rclone_delete(prefix: &str, key: &str) {
    let out = S3Server::shared()
        .rclone()
        .args(["deletefile", &format!("s3:{BUCKET}/{prefix}/{key}")])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// `trove ls --json` as id -> (name, status), for comparing libraries.
fn assets_by_id(lib: &Path) -> std::collections::BTreeMap<String, (String, String)> {
    ok(&trove_s3(lib, SECRET_KEY, &["ls", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_owned(),
                (
                    a["name"].as_str().unwrap().to_owned(),
                    a["status"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect()
}

/// The bucket's manifests rebuild what its snapshots do not hold: a
/// snapshot older than the newest manifests gets the assets added, moved
/// and curated after it; without any snapshot the manifests alone give the
/// library back (same ids, names, curation, albums, thumbnails), and
/// `trove restore` brings every original back under its relative path.
/// An original the bucket lacks is listed, never invented; a manifest
/// naming a path outside its folder is refused by name.
#[test]
fn a_library_is_recovered_from_manifests_alone_and_on_top_of_an_older_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = synced_library(tmp.path());
    let server = S3Server::shared();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    let p = |rel: &str| photos.join(rel).to_str().unwrap().to_owned();
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["rate", &p("trip/IMG_1.jpg"), "4", "--json"],
    ));
    let first = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    let older = first["snapshot"]["key"].as_str().unwrap().to_owned();

    // After that snapshot: a new photo, a move, a rating, keywords and an
    // album. The next sync sends their manifests, and its snapshot is lost.
    std::thread::sleep(Duration::from_millis(20));
    write_jpeg(&photos.join("trip/IMG_9.jpg"), 200, 150, [10, 200, 30], 9, None);
    std::fs::create_dir_all(photos.join("moved")).unwrap();
    std::fs::rename(photos.join("trip/IMG_0.jpg"), photos.join("moved/IMG_0.jpg")).unwrap();
    ok(&trove_s3(&lib, SECRET_KEY, &["scan", "--json"]));
    ok(&trove_s3(&lib, SECRET_KEY, &["thumbs", "--json"]));
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["rate", &p("trip/IMG_2.jpg"), "5", "--json"],
    ));
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &["tag", &p("trip/IMG_9.jpg"), "+Places/Iceland", "--json"],
    ));
    for args in [
        vec!["album", "create", "Trips", "--folder"],
        vec!["album", "create", "Iceland", "--in", "Trips"],
        vec!["album", "add", "Trips/Iceland", &p("trip/IMG_9.jpg")],
    ] {
        let out = trove_s3(&lib, SECRET_KEY, &args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    }
    let second = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    rclone_delete(&prefix, second["snapshot"]["key"].as_str().unwrap());
    let before = assets_by_id(&lib);
    assert_eq!(before.len(), 5);
    let originals: Vec<(String, Vec<u8>)> = [
        "trip/IMG_1.jpg",
        "trip/IMG_2.jpg",
        "trip/IMG_9.jpg",
        "moved/IMG_0.jpg",
        "clip.bin",
    ]
    .iter()
    .map(|rel| (rel.to_string(), std::fs::read(photos.join(rel)).unwrap()))
    .collect();

    // The laptop is lost.
    std::fs::rename(&lib, tmp.path().join("lost-lib")).unwrap();
    std::fs::rename(&photos, tmp.path().join("lost-photos")).unwrap();
    let from = format!("s3://{BUCKET}/{prefix}");
    let recover = |into: &Path| {
        trove_s3(
            into,
            SECRET_KEY,
            &[
                "recover",
                "--from",
                &from,
                "--endpoint",
                &server.endpoint,
                "--folders-in",
                tmp.path().to_str().unwrap(),
                "--json",
            ],
        )
    };

    // An older snapshot, and the newer manifests on top of it.
    let on_top = tmp.path().join("on-top");
    let report = ok(&recover(&on_top));
    assert_eq!(report["snapshot"]["key"], older.as_str(), "{report}");
    assert_eq!(report["assets"], 5, "{report}");
    assert_eq!(report["assets_from_manifests"], 1, "{report}");
    // Only the manifests that changed since the snapshot (the new photo,
    // the moved one, the one rated): the others' ETags are the MD5s the
    // snapshot recorded, so they are not even fetched.
    assert_eq!(report["manifests_applied"], 3, "{report}");
    assert_eq!(report["originals_missing"], serde_json::json!([]), "{report}");
    assert_eq!(assets_by_id(&on_top), before, "the same assets, ids and names");
    let search = |lib: &Path, q: &str| -> Vec<String> {
        let found = ok(&trove_s3(lib, SECRET_KEY, &["search", q, "--json"]));
        let mut names: Vec<String> = found["assets"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["name"].as_str().unwrap().to_owned())
            .collect();
        names.sort();
        names
    };
    assert_eq!(search(&on_top, "rating:5"), ["IMG_2.jpg"]);
    assert_eq!(search(&on_top, "rating:4"), ["IMG_1.jpg"]);
    assert_eq!(search(&on_top, "keyword:Places/Iceland"), ["IMG_9.jpg"]);
    let moved = ok(&trove_s3(
        &on_top,
        SECRET_KEY,
        &["info", &p("moved/IMG_0.jpg"), "--json"],
    ));
    assert_eq!(
        moved["files"].as_array().unwrap().len(),
        1,
        "a move, not a copy: {moved}"
    );

    // Snapshots ignored on request: the manifests alone give the same.
    let forced = tmp.path().join("forced");
    let report = recover_json(
        &forced,
        &from,
        &server.endpoint,
        &["--folders-in", tmp.path().to_str().unwrap(), "--manifests-only"],
    );
    assert_eq!(report["snapshot"], serde_json::Value::Null, "{report}");
    assert_eq!(report["assets_from_manifests"], 5, "{report}");
    assert_eq!(assets_by_id(&forced), before);

    // No snapshot at all: the manifests alone.
    for key in rclone_keys(&prefix).iter().filter(|k| k.starts_with("catalog/")) {
        rclone_delete(&prefix, key);
    }
    let alone = tmp.path().join("from-manifests");
    let report = ok(&recover(&alone));
    assert_eq!(report["snapshot"], serde_json::Value::Null, "{report}");
    assert_eq!(report["assets_from_manifests"], 5, "{report}");
    assert_eq!(report["originals_in_target"], 5, "{report}");
    assert!(report["proxies_fetched"].as_u64().unwrap() >= 4, "{report}");
    assert_eq!(report["proxies_missing"], serde_json::json!([]), "{report}");
    assert_eq!(assets_by_id(&alone), before);
    assert_eq!(search(&alone, "rating:4"), ["IMG_1.jpg"]);
    assert_eq!(search(&alone, "keyword:Places/Iceland"), ["IMG_9.jpg"]);
    let albums = ok(&trove_s3(&alone, SECRET_KEY, &["album", "list", "--json"]));
    assert!(albums.to_string().contains("Trips/Iceland"), "{albums}");
    let thumbs = walk(&alone)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains("thumb"))
        .count();
    assert!(thumbs >= 4, "{thumbs}");
    // A second sync of the recovered library sends nothing but the
    // manifests whose folder ids changed.
    let resync = ok(&trove_s3(&alone, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(resync["failed"].as_array().unwrap().len(), 0, "{resync}");
    let sent_keys = resync.to_string();
    assert!(!sent_keys.contains("originals/"), "no original is sent again: {resync}");

    // Killed at any point, a recovery run again resumes (or starts over,
    // if nothing was written yet) and ends with the same library.
    let recover_args = [
        "recover",
        "--from",
        &from,
        "--endpoint",
        &server.endpoint,
        "--folders-in",
        tmp.path().to_str().unwrap(),
        "--json",
    ];
    let mut resumed = 0;
    let started = Instant::now();
    ok(&trove_s3(&tmp.path().join("timed"), SECRET_KEY, &recover_args));
    let whole = started.elapsed().as_millis() as u64;
    for (i, delay_ms) in [10u64, 25, 40, 55, 70, 85, 95]
        .map(|pc| whole * pc / 100)
        .into_iter()
        .enumerate()
    {
        let into = tmp.path().join(format!("killed-{i}"));
        let mut child = command(&into, SECRET_KEY, &recover_args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some_and(|s| s.success());
        child.kill().ok();
        child.wait().unwrap();
        if finished {
            continue;
        }
        let had_catalog = into.join("catalog.db").exists();
        let again = trove_s3(&into, SECRET_KEY, &recover_args);
        if again.status.code() == Some(2) {
            // Killed after it had ended (while exiting): a whole library,
            // which another recovery must not touch.
            assert!(stderr(&again).contains("already holds"), "{}", stderr(&again));
            assert_eq!(assets_by_id(&into), before, "after a kill at {delay_ms} ms");
            continue;
        }
        let again = ok(&again);
        resumed += u32::from(had_catalog);
        assert_eq!(again["assets"], 5, "after a kill at {delay_ms} ms: {again}");
        assert_eq!(assets_by_id(&into), before, "after a kill at {delay_ms} ms");
        assert_eq!(search(&into, "rating:4"), ["IMG_1.jpg"]);
        // Done: a third run is a recovery over a library, refused.
        let third = trove_s3(&into, SECRET_KEY, &recover_args);
        assert_eq!(third.status.code(), Some(2), "{}", stderr(&third));
    }
    eprintln!("recoveries killed halfway and resumed: {resumed} (a whole one takes {whole} ms)");
    assert!(resumed >= 1, "no kill landed inside a recovery ({whole} ms)");

    // The originals come back, verified, under their relative paths.
    let out_dir = tmp.path().join("restored");
    let restored = restore_into(&alone, &photos, &out_dir);
    assert_eq!(restored["restored"].as_array().unwrap().len(), 5, "{restored}");
    for (rel, bytes) in &originals {
        assert_eq!(&std::fs::read(out_dir.join(rel)).unwrap(), bytes, "{rel}");
    }
    let trail = ok(&trove_s3(&alone, SECRET_KEY, &["audit", "--json"]));
    let events: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["event"].as_str().unwrap())
        .collect();
    let recovery = events.iter().position(|e| *e == "recovery").expect("a recovery row");
    assert!(
        !events[..recovery].contains(&"upload"),
        "recovered objects are not uploads: {events:?}"
    );

    // An original the bucket lost is listed, never invented; a hostile
    // manifest is refused by name and writes nothing.
    let lost = original_key(&originals[2].1, "jpg");
    rclone_delete(&prefix, &lost);
    let hex = "ab".repeat(32);
    let hostile = format!(
        r#"{{"trove_manifest":2,"id":"6f1c7c1e-58c5-4a52-8f4e-2f0a3f7c9b11","blake3":"{hex}","size":1,"kind":"image",
        "files":[{{"root":{{"id":1,"name":"photos"}},"path":"../../escaped.jpg","size":1,"mtime_ns":0,"present":true}}]}}"#
    );
    rclone_put(&prefix, &format!("manifests/ab/{hex}.json"), hostile.as_bytes());
    let third = tmp.path().join("third");
    let out = recover(&third);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout_json(&out);
    assert_eq!(report["originals_missing"], serde_json::json!([lost]), "{report}");
    let refused = report["manifests_unreadable"].as_array().unwrap();
    assert_eq!(refused.len(), 1, "{report}");
    assert!(
        refused[0]["error"].as_str().unwrap().contains("not inside its folder"),
        "{report}"
    );
    assert_eq!(report["assets"], 5, "{report}");
    let restored = trove_s3(
        &third,
        SECRET_KEY,
        &[
            "restore",
            photos.to_str().unwrap(),
            "--to",
            tmp.path().join("again").to_str().unwrap(),
            "--json",
        ],
    );
    let restored = stdout_json(&restored);
    assert_eq!(restored["not_synced"].as_array().unwrap().len(), 1, "{restored}");
    assert!(!tmp.path().join("escaped.jpg").exists());
}

/// Storage classes and server-side encryption reach the server, checked on
/// the requests themselves at a proxy: every upload of an original (a
/// single PUT, or the start of a multipart upload) asks for the originals'
/// class, every proxy and manifest for theirs, and each asks for the
/// encryption set. Parts carry neither (S3 takes them from the start).
#[test]
fn storage_classes_and_encryption_are_asked_for_on_every_upload() {
    use trove_testkit::fault::FaultProxy;
    let tmp = tempfile::tempdir().unwrap();
    let prefix = synced_library(tmp.path());
    let lib = tmp.path().join("lib");
    let server = S3Server::shared();
    let proxy = FaultProxy::start(server.port);
    proxy.record_requests(true);
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &[
            "target",
            "set",
            &format!("s3://{BUCKET}/{prefix}"),
            "--endpoint",
            &proxy.endpoint(),
            "--storage-class",
            "STANDARD_IA",
            "--proxy-storage-class",
            "ONEZONE_IA",
            "--sse",
            "AES256",
            "--json",
        ],
    ));
    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(report["failed"], serde_json::json!([]), "{report}");
    assert_eq!(report["pending"], 0, "{report}");
    let requests = proxy.requests();
    let uploads = |part: &str| upload_starts(&requests, part);
    let has = |r: &str, header: &str| r.lines().any(|l| l.eq_ignore_ascii_case(header));
    let originals = uploads("/originals/");
    assert_eq!(
        originals.len(),
        4,
        "three photos and the start of one multipart upload: {originals:#?}"
    );
    for r in &originals {
        assert!(has(r, "x-amz-storage-class: STANDARD_IA"), "{r}");
        assert!(has(r, "x-amz-server-side-encryption: AES256"), "{r}");
    }
    let others: Vec<_> = uploads("/proxies/").into_iter().chain(uploads("/manifests/")).collect();
    assert!(others.len() >= 7, "{others:#?}");
    for r in &others {
        assert!(has(r, "x-amz-storage-class: ONEZONE_IA"), "{r}");
        assert!(has(r, "x-amz-server-side-encryption: AES256"), "{r}");
    }
    let snapshots = uploads("/catalog/");
    assert!(!snapshots.is_empty(), "{requests:#?}");
    for r in &snapshots {
        assert!(has(r, "x-amz-server-side-encryption: AES256"), "{r}");
    }
    // The parts of the multipart original ask for nothing of their own.
    let parts: Vec<_> = requests.iter().filter(|r| r.contains("partNumber=")).collect();
    assert!(!parts.is_empty());
    for r in parts {
        assert!(!r.contains("x-amz-storage-class"), "{r}");
    }
}

/// The requests (as the fault proxy recorded them) that start storing an
/// object whose path holds `part`: single PUTs and multipart starts, not
/// the parts or the completions.
fn upload_starts<'a>(requests: &'a [String], part: &str) -> Vec<&'a String> {
    requests
        .iter()
        .filter(|r| {
            let line = r.lines().next().unwrap_or("");
            line.contains(part)
                && (line.starts_with("PUT ") || line.starts_with("POST "))
                && !line.contains("partNumber=")
                && !line.contains("uploadId=")
        })
        .collect()
}

/// A KMS key given with aws:kms reaches the server on every object's
/// upload (`x-amz-server-side-encryption-aws-kms-key-id`, originals,
/// proxies, manifests and the catalog snapshot alike), the target shows
/// it, and a key without aws:kms is refused when set, by name.
#[test]
fn a_kms_key_is_asked_for_on_every_upload_under_aws_kms() {
    use trove_testkit::fault::FaultProxy;
    let tmp = tempfile::tempdir().unwrap();
    let prefix = synced_library(tmp.path());
    let lib = tmp.path().join("lib");
    let server = S3Server::shared();
    let proxy = FaultProxy::start(server.port);
    let url = format!("s3://{BUCKET}/{prefix}");
    let refused = trove_s3(
        &lib,
        SECRET_KEY,
        &[
            "target",
            "set",
            &url,
            "--endpoint",
            &proxy.endpoint(),
            "--sse",
            "AES256",
            "--sse-kms-key-id",
            "alias/trove",
            "--json",
        ],
    );
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("only with aws:kms"), "{}", stderr(&refused));
    proxy.record_requests(true);
    let set = ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &[
            "target",
            "set",
            &url,
            "--endpoint",
            &proxy.endpoint(),
            "--sse",
            "aws:kms",
            "--sse-kms-key-id",
            "alias/trove",
            "--json",
        ],
    ));
    assert_eq!(set["sse_kms_key_id"], "alias/trove", "{set}");
    // SeaweedFS has no KMS and answers these uploads 500 (the sync says
    // so and leaves them pending): what is checked is what Trove asked.
    let _ = trove_s3(&lib, SECRET_KEY, &["sync", "--json"]);
    let requests = proxy.requests();
    let starts = upload_starts(&requests, "/");
    assert!(!starts.is_empty(), "{requests:#?}");
    let has = |r: &str, header: &str| r.lines().any(|l| l.eq_ignore_ascii_case(header));
    for r in &starts {
        assert!(has(r, "x-amz-server-side-encryption: aws:kms"), "{r}");
        assert!(
            has(r, "x-amz-server-side-encryption-aws-kms-key-id: alias/trove"),
            "{r}"
        );
    }
}

/// The ranged reads (`range:` headers) the proxy has seen.
fn ranged_reads(proxy: &trove_testkit::fault::FaultProxy) -> usize {
    proxy
        .requests()
        .iter()
        .filter(|r| r.lines().any(|l| l.starts_with("range: bytes=")))
        .count()
}

/// A large original is read back in ranged chunks (one GET each, counted
/// at a proxy) and each chunk's BLAKE3 chaining value is saved: a check
/// killed halfway goes on from its last chunk and ends with the object
/// verified; a byte rotten inside one chunk is found; a bandwidth cap
/// holds.
#[test]
fn a_large_original_is_checked_in_ranged_chunks_and_a_stopped_check_resumes() {
    use trove_testkit::fault::FaultProxy;
    let tmp = tempfile::tempdir().unwrap();
    let server = S3Server::start();
    let (lib, photos) = synced_pair(tmp.path(), &server, "ranged", 21);
    let proxy = FaultProxy::start(server.port);
    proxy.record_requests(true);
    set_s3_target(&lib, "ranged", &proxy.endpoint());
    let chunked = ["verify", "--chunk-kib", "1024", "--json"];

    // 17 MiB in 1 MiB chunks: 17 ranged reads.
    let v = ok(&trove_s3(&lib, SECRET_KEY, &chunked));
    assert_eq!((v["ok"].as_u64(), v["resumed"].as_u64()), (Some(4), Some(0)), "{v}");
    assert_eq!(ranged_reads(&proxy), 17);

    // Slowed to 4 MB/s and killed after 2.5 s: some chunks are saved, and
    // the next check reads only the rest.
    let mut child = command(&lib, SECRET_KEY, &[&chunked[..], &["--bandwidth", "4"]].concat())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(2500));
    child.kill().unwrap();
    child.wait().unwrap();
    let before = ranged_reads(&proxy) - 17;
    assert!((2..17).contains(&before), "{before} chunks read before the kill");
    let v = ok(&trove_s3(&lib, SECRET_KEY, &chunked));
    assert_eq!((v["ok"].as_u64(), v["resumed"].as_u64()), (Some(4), Some(1)), "{v}");
    let rest = ranged_reads(&proxy) - 17 - before;
    assert!(rest < 17 && rest + before >= 17, "{before} then {rest} chunks");

    // The cap: a check of everything at 10 MB/s takes at least its bytes'
    // worth of seconds.
    let started = Instant::now();
    let v = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--bandwidth", "10", "--json"]));
    let floor = v["checked_bytes"].as_f64().unwrap() / 10e6;
    assert!(floor > 1.5, "{v}");
    assert!(
        started.elapsed().as_secs_f64() >= floor * 0.95,
        "{:?} for {floor} s",
        started.elapsed()
    );

    // A byte rotten in the 13th chunk: found by the chunked check, sent
    // again by the next sync, and whole after.
    let large = std::fs::read(photos.join("large.bin")).unwrap();
    let mid = 12 << 20;
    rot_on_server_disk(&server.data_dir(), &large[mid..mid + 64]);
    let out = trove_s3(&lib, SECRET_KEY, &chunked);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v = stdout_json(&out);
    assert_eq!(v["damaged"][0]["key"], original_key(&large, "bin").as_str(), "{v}");
    let mended = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(mended["uploaded"], 1, "{mended}");
    let v = ok(&trove_s3(&lib, SECRET_KEY, &chunked));
    assert_eq!(v["ok"], 4, "{v}");
    let trail = ok(&trove_s3(&lib, SECRET_KEY, &["audit", "--json"]));
    let key = original_key(&large, "bin");
    let events: Vec<(String, bool)> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["key"] == key.as_str())
        .map(|r| (r["event"].as_str().unwrap().to_owned(), r["success"].as_bool().unwrap()))
        .collect();
    assert!(events.contains(&("repair".to_owned(), true)), "{events:?}");
    assert!(
        events.iter().filter(|e| e.0 == "fixity_check").count() >= 4,
        "{events:?}"
    );
}

/// Content addresses are shared: an edited file's earlier content that
/// came back as another asset is still needed, so the retention keeps it
/// (edit a to b, add a copy of the old a elsewhere, keep replaced 0 days,
/// sync: originals/<a> stays, verified). In both orders: the copy added in
/// the same sync as the edit, and after it.
#[test]
fn shared_content_is_never_deleted_while_an_asset_still_needs_it() {
    for copy_later in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let FolderSetup { lib, photos, backup } = FolderSetup::new(tmp.path(), |photos| {
            random_file(&photos.join("a.bin"), 20_000, 501);
        });
        let url = format!("file://{}", backup.display());
        ok(&trove_s3(
            &lib,
            SECRET_KEY,
            &["target", "set", &url, "--keep-replaced-days", "0", "--json"],
        ));
        let sync = || ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
        assert_eq!(sync()["uploaded"], 2);
        let old = std::fs::read(photos.join("a.bin")).unwrap();
        random_file(&photos.join("a.bin"), 20_000, 502);
        let copy = || {
            std::fs::create_dir_all(photos.join("elsewhere")).unwrap();
            std::fs::write(photos.join("elsewhere/a-before.bin"), &old).unwrap();
        };
        if !copy_later {
            copy();
        }
        ok(&trove_s3(&lib, SECRET_KEY, &["scan", "--json"]));
        let first = sync();
        if copy_later {
            // The edit alone: the earlier content goes at once.
            assert_eq!(first["replaced_deleted"], 2, "{first}");
            copy();
            ok(&trove_s3(&lib, SECRET_KEY, &["scan", "--json"]));
            let second = sync();
            assert_eq!(second["uploaded"], 2, "sent again for the copy: {second}");
        } else {
            assert_eq!(first["replaced_deleted"], 0, "{first}");
        }
        let again = sync();
        assert_eq!(again["replaced_deleted"], 0, "{again}");
        assert!(
            backup.join(original_key(&old, "bin")).is_file(),
            "copy_later={copy_later}: the old content, needed by the copy, is gone"
        );
        let verify = ok(&trove_s3(&lib, SECRET_KEY, &["verify", "--json"]));
        assert_eq!(verify["ok"], 4, "copy_later={copy_later}: {verify}");
        assert_eq!(verify["missing"], serde_json::json!([]), "{verify}");
    }
}

/// Two folders with the same name (on two disks, say) stay two folders
/// when only the manifests name them: each comes back under its own name
/// in --folders-in, and each restores its own file.
#[test]
fn folders_with_the_same_name_stay_apart_in_a_recovery_from_manifests() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let (a, b) = (tmp.path().join("a/photos"), tmp.path().join("b/photos"));
    std::fs::create_dir_all(&a).unwrap();
    std::fs::create_dir_all(&b).unwrap();
    random_file(&a.join("one.bin"), 10_000, 801);
    random_file(&b.join("two.bin"), 10_000, 802);
    for dir in [&a, &b] {
        ok(&trove_s3(
            &lib,
            SECRET_KEY,
            &["add", dir.to_str().unwrap(), "--kinds", "all", "--json"],
        ));
    }
    let prefix = unique_prefix("same-name", tmp.path());
    let server = S3Server::shared();
    set_s3_target(&lib, &prefix, &server.endpoint);
    ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    let out = tmp.path().join("out");
    let rec = tmp.path().join("rec");
    let report = recover_json(
        &rec,
        &format!("s3://{BUCKET}/{prefix}"),
        &server.endpoint,
        &["--folders-in", out.to_str().unwrap(), "--manifests-only"],
    );
    assert_eq!(report["assets"], 2, "{report}");
    let mut restored = Vec::new();
    for name in ["photos", "photos (2)"] {
        let to = tmp.path().join(format!("restored-{}", restored.len()));
        let r = ok(&trove_s3(
            &rec,
            SECRET_KEY,
            &[
                "restore",
                out.join(name).to_str().unwrap(),
                "--to",
                to.to_str().unwrap(),
                "--json",
            ],
        ));
        assert_eq!(r["restored"].as_array().unwrap().len(), 1, "{name}: {r}");
        restored.push(r["restored"][0].as_str().unwrap().to_owned());
    }
    restored.sort();
    assert!(
        restored[0].ends_with("one.bin") || restored[1].ends_with("one.bin"),
        "{restored:?}"
    );
    assert!(restored.iter().any(|p| p.ends_with("two.bin")), "{restored:?}");
}

/// Originals in an archive storage class (the fault proxy plays S3
/// Glacier: a read is refused with InvalidObjectState until a restore has
/// been asked for and has had its time). A fixity check asks for each
/// one's restore once and says so; the waits are kept in the catalog, so
/// the next run (a new process) neither reads nor asks again before its
/// look; `trove restore --no-wait` reports them waiting; `trove restore`
/// waits with its back-off (a look too early is refused, and asked again
/// meets "already in progress") and then brings every original back,
/// byte for byte; and a check after that reads them all.
#[test]
fn archived_originals_are_asked_back_once_then_restored_and_verified() {
    use trove_testkit::fault::FaultProxy;
    let tmp = tempfile::tempdir().unwrap();
    let prefix = synced_library(tmp.path());
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    let server = S3Server::shared();
    let proxy = FaultProxy::start(server.port);
    set_s3_target(&lib, &prefix, &proxy.endpoint());
    // The target's restore tier (any case given, kept as S3 spells it).
    let set = ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &[
            "target",
            "set",
            &format!("s3://{BUCKET}/{prefix}"),
            "--endpoint",
            &proxy.endpoint(),
            "--restore-tier",
            "bulk",
            "--no-snapshot",
            "--json",
        ],
    ));
    assert_eq!(set["restore_tier"], "Bulk", "{set}");
    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    assert_eq!(report["failed"], serde_json::json!([]), "{report}");
    // Into the archive: a restore takes 9 s; Trove looks every 5 s.
    proxy.archive(Some("/originals/"), Duration::from_secs(9));
    let poll = ["--archive-poll", "5"];
    // clip.bin (17 MiB) is checked in ranged 1 MiB chunks: that path asks too.
    let verify_args = [
        "verify",
        "--chunk-kib",
        "1024",
        "--restore-tier",
        "bulk",
        poll[0],
        poll[1],
        "--json",
    ];
    let first = ok(&trove_s3(&lib, SECRET_KEY, &verify_args));
    let archived = |v: &serde_json::Value| -> Vec<String> {
        let mut keys: Vec<String> = v["archived"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["key"].as_str().unwrap().to_owned())
            .collect();
        keys.sort();
        keys
    };
    let originals: Vec<String> = rclone_keys(&prefix)
        .into_iter()
        .filter(|k| k.starts_with("originals/"))
        .collect();
    assert_eq!(originals.len(), 4, "{originals:?}");
    assert_eq!(archived(&first), originals, "{first}");
    assert_eq!(first["damaged"], serde_json::json!([]), "{first}");
    assert_eq!(first["missing"], serde_json::json!([]), "{first}");
    assert_eq!(first["errors"], serde_json::json!([]), "{first}");
    assert!(first["ok"].as_u64().unwrap() > 0, "the rest is read: {first}");
    let asked = proxy.archive_counts();
    assert_eq!((asked.objects_asked, asked.restore_requests), (4, 4), "{asked:?}");
    let waits = |lib: &Path| ok(&trove_s3(lib, SECRET_KEY, &["status", "--json"]))["sync"]["archive_waits"].clone();
    assert_eq!(waits(&lib), 4, "the waits are shown");
    // A new process before the look: no read, no second request.
    let second = ok(&trove_s3(&lib, SECRET_KEY, &verify_args));
    assert_eq!(archived(&second), originals, "{second}");
    assert_eq!(proxy.archive_counts(), asked, "nothing asked or read before the look");
    // Without waiting, restore says what is on its way.
    let out_dir = tmp.path().join("restored");
    let restore_args = |wait: bool| {
        let mut a = vec!["restore", photos.to_str().unwrap(), "--to", out_dir.to_str().unwrap()];
        a.extend(poll);
        if !wait {
            a.push("--no-wait");
        }
        a.push("--json");
        a
    };
    let early = trove_s3(&lib, SECRET_KEY, &restore_args(false));
    assert_eq!(early.status.code(), Some(1), "{}", stderr(&early));
    let early = stdout_json(&early);
    assert_eq!(archived(&early), originals, "{early}");
    assert_eq!(early["restored"], serde_json::json!([]), "{early}");
    // Waiting, it brings every original back once the copies are ready.
    let started = Instant::now();
    let out = trove_s3(&lib, SECRET_KEY, &restore_args(true));
    let restored = ok(&out);
    assert_eq!(restored["restored"].as_array().unwrap().len(), 4, "{restored}");
    assert_eq!(restored["archived"], serde_json::json!([]), "{restored}");
    assert!(
        stderr(&out).contains("waiting for 4 archived original(s) to come back"),
        "{}",
        stderr(&out)
    );
    assert!(started.elapsed() < Duration::from_secs(60));
    for name in ["clip.bin", "trip/IMG_0.jpg", "trip/IMG_2.jpg"] {
        assert_eq!(
            std::fs::read(out_dir.join(name)).unwrap(),
            std::fs::read(photos.join(name)).unwrap(),
            "{name}"
        );
    }
    let counts = proxy.archive_counts();
    assert_eq!(counts.objects_asked, 4, "{counts:?}");
    assert!(
        counts.restore_requests > 4 && counts.refused_reads > 4,
        "a look before the copy was ready was refused and asked again: {counts:?}"
    );
    assert_eq!(waits(&lib), 0, "restored: no wait left");
    // The check now reads every original.
    let last = ok(&trove_s3(&lib, SECRET_KEY, &verify_args));
    assert_eq!(last["archived"], serde_json::json!([]), "{last}");
    assert_eq!(last["errors"], serde_json::json!([]), "{last}");
    assert_eq!(last["ok"], last["checked"], "{last}");
    assert!(
        last["ok"].as_u64().unwrap() > first["ok"].as_u64().unwrap(),
        "{last} {first}"
    );
    // The trail has each request (once) and each original restored.
    let trail = ok(&trove_s3(&lib, SECRET_KEY, &["audit", "--json"]));
    let restores: Vec<&serde_json::Value> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["event"] == "restore")
        .collect();
    let asks = restores
        .iter()
        .filter(|r| r["detail"].as_str().unwrap_or("").contains("archive storage class"))
        .count();
    assert_eq!((asks, restores.len()), (4, 8), "{trail}");
    assert!(
        restores
            .iter()
            .any(|r| r["detail"].as_str().unwrap().contains("Bulk tier")),
        "{trail}"
    );
}

/// A sync killed (-9) while its catalog snapshot goes up: the snapshot's
/// temporary copies are left in the library, and a large snapshot would
/// leave an unfinished multipart upload in the bucket (made here with the
/// store itself, under the key the killed sync was sending: a test catalog
/// is far below the part size). The next sync
/// stores a fresh snapshot, verified; the leftovers are gone (files removed
/// when the writer opens, the upload aborted and in the audit trail); and
/// the bucket alone recovers the library from it.
#[test]
fn kill_9_during_a_snapshot_upload_then_the_next_sync_stores_one_and_leaves_nothing_behind() {
    use trove_store::ObjectStore as _;
    use trove_testkit::fault::FaultProxy;
    let tmp = tempfile::tempdir().unwrap();
    let prefix = synced_library(tmp.path());
    let lib = tmp.path().join("lib");
    let server = S3Server::shared();
    let proxy = FaultProxy::start(server.port);
    set_s3_target(&lib, &prefix, &proxy.endpoint());
    proxy.stall_requests(Some("/catalog/"));
    let mut child = command(&lib, SECRET_KEY, &["sync", "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let leftovers = |lib: &Path| -> Vec<String> {
        let Ok(dir) = std::fs::read_dir(lib.join("tmp")) else {
            return Vec::new();
        };
        let mut names: Vec<String> = dir
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("snapshot-"))
            .collect();
        names.sort();
        names
    };
    let start = Instant::now();
    while proxy.stalled_requests() == 0 {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sync ended before its snapshot went up"
        );
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no snapshot upload in 120 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().unwrap(); // SIGKILL, mid-upload
    child.wait().unwrap();
    proxy.stall_requests(None);
    let left = leftovers(&lib);
    assert_eq!(
        left.len(),
        2,
        "the killed snapshot's copy and its compressed copy: {left:?}"
    );
    let before = rclone_keys(&prefix);
    // What a large snapshot's killed upload leaves in the bucket.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let store = rt
        .block_on(trove_store::S3Store::connect({
            let mut o = trove_store::S3Options::new(
                BUCKET,
                trove_store::CredentialSource::Static {
                    access_key: ACCESS_KEY.into(),
                    secret_key: SECRET_KEY.into(),
                    session_token: None,
                },
            );
            o.endpoint = Some(server.endpoint.clone());
            o.prefix = prefix.clone();
            o
        }))
        .unwrap();
    // Under the key the killed sync was sending (the catalog names it).
    let sending: String = rusqlite::Connection::open(lib.join("catalog.db"))
        .unwrap()
        .query_row("SELECT value FROM settings WHERE key = 'snapshot.sending'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(sending.starts_with("catalog/"), "{sending}");
    let orphan = sending.as_str();
    let upload_id = rt
        .block_on(store.create_multipart(orphan, &trove_store::PutOptions::default()))
        .unwrap();
    rt.block_on(store.upload_part(
        orphan,
        &upload_id,
        1,
        bytes::Bytes::from(vec![7u8; 1 << 20]),
        trove_store::md5_of(&[7u8; 1 << 20]),
    ))
    .unwrap();
    let pending = |store: &trove_store::S3Store| rt.block_on(store.list_uploads("catalog/")).unwrap();
    assert_eq!(pending(&store).len(), 1);

    let report = ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    let key = report["snapshot"]["key"].as_str().expect("a snapshot").to_owned();
    assert!(report["snapshot_error"].is_null(), "{report}");
    assert_eq!(
        leftovers(&lib),
        Vec::<String>::new(),
        "the killed snapshot's copies remain"
    );
    assert_eq!(pending(&store), Vec::new(), "the unfinished snapshot upload remains");
    let after = rclone_keys(&prefix);
    assert!(!before.contains(&key) && after.contains(&key), "{key} {after:?}");
    let trail = ok(&trove_s3(&lib, SECRET_KEY, &["audit", "--json"]));
    assert!(
        trail
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["event"] == "deletion" && r["key"] == orphan),
        "{trail}"
    );
    // The bucket alone brings the library back, from that snapshot.
    let listed = ok(&trove_s3(&lib, SECRET_KEY, &["ls", "--json"]));
    let new_lib = tmp.path().join("recovered");
    let recovered = recover_json(&new_lib, &format!("s3://{BUCKET}/{prefix}"), &server.endpoint, &[]);
    assert_eq!(recovered["snapshot"]["key"], key.as_str(), "{recovered}");
    assert_eq!(ok(&trove_s3(&new_lib, SECRET_KEY, &["ls", "--json"])), listed);
}

/// A lost laptop, recovered on a machine where the photos cannot go back
/// to their old path: the recovered folder is offline; `trove restore
/// OLD --to NEW` brings the originals back under their relative paths, and
/// `trove relocate OLD NEW` points the folder there, so every asset is
/// present again with its id, curation and search intact. Relocating onto
/// a file, into the library or onto another folder is refused by name, and
/// so is a restore into the old place, which is not there.
#[test]
fn a_recovered_folder_is_restored_elsewhere_and_relocated_there() {
    let tmp = tempfile::tempdir().unwrap();
    let prefix = synced_library(tmp.path());
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    ok(&trove_s3(
        &lib,
        SECRET_KEY,
        &[
            "title",
            photos.join("trip/IMG_1.jpg").to_str().unwrap(),
            "Fjord",
            "--json",
        ],
    ));
    ok(&trove_s3(&lib, SECRET_KEY, &["sync", "--json"]));
    let ids = |lib: &Path| -> Vec<(String, String, String)> {
        let listed = ok(&trove_s3(lib, SECRET_KEY, &["ls", "--json"]));
        let mut v: Vec<_> = listed
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                (
                    a["id"].as_str().unwrap().to_owned(),
                    a["name"].as_str().unwrap().to_owned(),
                    a["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let before = ids(&lib);
    assert_eq!(before.len(), 4);
    // Lost: the library and the photos' folder are gone.
    std::fs::rename(&lib, tmp.path().join("lost-lib")).unwrap();
    std::fs::rename(&photos, tmp.path().join("lost-photos")).unwrap();
    let new_lib = tmp.path().join("new-lib");
    let server = S3Server::shared();
    recover_json(&new_lib, &format!("s3://{BUCKET}/{prefix}"), &server.endpoint, &[]);
    // Back into the old place: refused, as the folder is not there (it
    // could be an unplugged drive's mount point), and nothing is made.
    let in_place = trove_s3(&new_lib, SECRET_KEY, &["restore", photos.to_str().unwrap(), "--json"]);
    assert_eq!(in_place.status.code(), Some(2), "{}", stderr(&in_place));
    assert!(stderr(&in_place).contains("is not there"), "{}", stderr(&in_place));
    assert!(!photos.exists(), "the old folder was made anew");
    let new_home = tmp.path().join("new-home/Pictures");
    let restored = restore_into(&new_lib, &photos, &new_home);
    assert_eq!(restored["restored"].as_array().unwrap().len(), 4, "{restored}");
    // Refusals first, each by name.
    let refused = |to: &Path, code: &str| {
        let out = trove_s3(
            &new_lib,
            SECRET_KEY,
            &["relocate", photos.to_str().unwrap(), to.to_str().unwrap()],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains(code), "{code}: {}", stderr(&out));
    };
    refused(&new_home.join("clip.bin"), "is not a folder");
    refused(&new_lib.join("proxies"), "inside the library folder");
    let other = tmp.path().join("other");
    std::fs::create_dir_all(other.join("inner")).unwrap();
    ok(&trove_s3(
        &new_lib,
        SECRET_KEY,
        &["add", other.to_str().unwrap(), "--json"],
    ));
    refused(&other.join("inner"), "overlaps the watched folder");
    // Relocated: every asset present again, the same ids, the title found.
    let moved = ok(&trove_s3(
        &new_lib,
        SECRET_KEY,
        &[
            "relocate",
            photos.to_str().unwrap(),
            new_home.to_str().unwrap(),
            "--json",
        ],
    ));
    assert!(moved.is_object(), "{moved}");
    let after = ids(&new_lib);
    assert_eq!(after, before, "the same assets, all present");
    let status = ok(&trove_s3(&new_lib, SECRET_KEY, &["status", "--json"]));
    let root = status["roots"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"] == new_home.canonicalize().unwrap().to_str().unwrap())
        .unwrap_or_else(|| panic!("no root at the new place: {status}"))
        .clone();
    assert_eq!(
        (root["files"].as_u64(), root["missing_files"].as_u64()),
        (Some(4), Some(0)),
        "{status}"
    );
    let found = ok(&trove_s3(&new_lib, SECRET_KEY, &["search", "Fjord", "--json"]));
    assert_eq!(found["total"], 1, "{found}");
    // The restored files are the originals.
    assert_eq!(
        std::fs::read(new_home.join("trip/IMG_1.jpg")).unwrap(),
        std::fs::read(tmp.path().join("lost-photos/trip/IMG_1.jpg")).unwrap()
    );
}
