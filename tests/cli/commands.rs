//! Commands, their output and their exit codes.

use super::{stderr, stdout_json, trove};
use trove_testkit::{Exif, write_jpeg, write_png};

#[test]
fn add_ls_info_duplicates_status_speak_json() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    write_jpeg(
        &photos.join("a.jpg"),
        16,
        16,
        [10, 20, 30],
        1,
        Some(&Exif {
            date_time_original: Some("2021:01:02 03:04:05"),
            model: Some("X100V"),
            ..Exif::default()
        }),
    );
    std::fs::copy(photos.join("a.jpg"), photos.join("a-copy.jpg")).unwrap();
    write_png(&photos.join("b.png"), 8, 8, [1, 1, 1], 0);

    let out = trove(&lib, &["add", photos.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = stdout_json(&out);
    assert_eq!(report["scans"][0]["new_assets"], 2);
    assert_eq!(report["scans"][0]["duplicates"], 1);

    let ls = stdout_json(&trove(&lib, &["ls", "--json"]));
    assert_eq!(ls.as_array().unwrap().len(), 2);
    let jpeg = ls
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["mime"] == "image/jpeg")
        .unwrap();
    assert_eq!(jpeg["capture"]["local"], "2021-01-02 03:04:05");
    assert_eq!(jpeg["files"], 2);

    let id = jpeg["id"].as_str().unwrap();
    let info = stdout_json(&trove(&lib, &["info", id, "--json"]));
    assert_eq!(
        info["blake3"],
        blake3::hash(&std::fs::read(photos.join("a.jpg")).unwrap())
            .to_hex()
            .as_str()
    );
    assert_eq!(info["metadata"]["camera_model"], "X100V");
    let by_path = stdout_json(&trove(
        &lib,
        &["info", photos.join("a-copy.jpg").to_str().unwrap(), "--json"],
    ));
    assert_eq!(by_path["id"], id);

    let dups = stdout_json(&trove(&lib, &["duplicates", "--json"]));
    assert_eq!(dups[0]["files"].as_array().unwrap().len(), 2);

    let kind = stdout_json(&trove(&lib, &["ls", "--kind", "image", "--json"]));
    assert_eq!(kind.as_array().unwrap().len(), 2);
    let roots = stdout_json(&trove(&lib, &["roots", "--json"]));
    assert_eq!(roots[0]["files"], 3);
    let status = stdout_json(&trove(&lib, &["status", "--json"]));
    assert_eq!(status["assets"]["total"], 2);
    assert_eq!(status["jobs"]["done"], 1);

    std::fs::remove_file(photos.join("b.png")).unwrap();
    let out = trove(&lib, &["scan", "--json"]);
    assert!(out.status.success());
    assert_eq!(stdout_json(&out)["scans"][0]["missing"], 1);
    let missing = stdout_json(&trove(&lib, &["ls", "--missing", "--json"]));
    assert_eq!(missing.as_array().unwrap().len(), 1);

    // Removing the folder stops tracking its files and leaves them on disk.
    let removed = stdout_json(&trove(&lib, &["remove", photos.to_str().unwrap(), "--json"]));
    assert_eq!(removed["files"], 3);
    assert_eq!(removed["now_missing"], 2, "both assets were only here");
    assert!(photos.join("a.jpg").exists() && photos.join("a-copy.jpg").exists());
    assert_eq!(stdout_json(&trove(&lib, &["roots", "--json"])), serde_json::json!([]));
    let missing = stdout_json(&trove(&lib, &["ls", "--missing", "--json"]));
    assert_eq!(missing.as_array().unwrap().len(), 2, "kept, shown as missing");
    let out = trove(&lib, &["remove", photos.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("photos"), "{}", stderr(&out));
}

#[test]
fn usage_errors_exit_2_and_file_failures_exit_1_naming_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    std::fs::create_dir_all(&photos).unwrap();

    assert_eq!(trove(&lib, &["frobnicate"]).status.code(), Some(2));
    assert_eq!(trove(&lib, &["ls", "--kind", "movie"]).status.code(), Some(2));
    // A job id that is not one is a usage error about a job id, not about an asset.
    let out = trove(&lib, &["jobs", "--retry", "abc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("\"abc\" is not a job id"), "{}", stderr(&out));
    let out = trove(&lib, &["add", tmp.path().join("nope").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("nope"), "{}", stderr(&out));

    std::fs::write(photos.join("empty.jpg"), b"").unwrap();
    write_png(&photos.join("ok.png"), 4, 4, [1, 1, 1], 0);
    let out = trove(&lib, &["add", photos.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("empty.jpg: empty"), "{}", stderr(&out));
    let problems = stdout_json(&trove(&lib, &["problems", "--json"]));
    assert_eq!(problems[0]["code"], "empty");

    let out = trove(&lib, &["info", "00000000-0000-0000-0000-000000000000"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("trove ls"), "says what to do: {}", stderr(&out));

    let out = trove(&tmp.path().join("no-library"), &["ls"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("trove init"), "{}", stderr(&out));
}

#[test]
fn unreadable_files_are_named_and_the_import_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let lib = tmp.path().join("lib");
    let photos = tmp.path().join("photos");
    write_png(&photos.join("ok.png"), 4, 4, [1, 1, 1], 0);
    write_png(&photos.join("secret.png"), 4, 4, [2, 2, 2], 0);
    write_png(&photos.join("locked/inner.png"), 4, 4, [3, 3, 3], 0);
    std::fs::set_permissions(photos.join("secret.png"), std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(photos.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    // Everything else must be usable by the unprivileged user.
    for p in [tmp.path(), &photos] {
        std::fs::set_permissions(p, std::fs::Permissions::from_mode(0o777)).unwrap();
    }
    std::fs::set_permissions(photos.join("ok.png"), std::fs::Permissions::from_mode(0o644)).unwrap();

    // As root, permissions do not apply: run trove as "nobody".
    let is_root = std::fs::metadata("/proc/self")
        .map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0)
        .unwrap();
    let mut cmd = if is_root {
        let mut c = std::process::Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(super::trove_bin());
        c
    } else {
        std::process::Command::new(super::trove_bin())
    };
    let out = cmd
        .arg("--library")
        .arg(&lib)
        .args(["add", photos.to_str().unwrap(), "--json"])
        .env_remove("TROVE_LIBRARY")
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("secret.png: unreadable: permission denied"), "{err}");
    assert!(err.contains("locked: unreadable"), "{err}");
    let report = stdout_json(&out);
    assert_eq!(report["scans"][0]["new_assets"], 1);
    assert_eq!(report["scans"][0]["problems"], 2);
    // Put permissions back so the temp dir can be removed.
    std::fs::set_permissions(photos.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
}
