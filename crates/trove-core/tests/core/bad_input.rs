//! Bad input: each case gets a recorded, named problem or state, and the
//! rest of the import goes on.

use std::os::unix::ffi::OsStrExt;
use std::path::PathBuf;

use trove_core::{AddRootOptions, Cancel, Event, ScanPhase, ScanReport, ScanScope};
use trove_testkit::write_png;

use super::Env;

/// Scans, running `meddle` once: after the walk has seen every file and
/// just before the first one is read.
fn scan_meddling(env: &Env, meddle: impl Fn() + Send + Sync) -> ScanReport {
    let once = std::sync::Once::new();
    let sink = move |e: Event| {
        if let Event::ScanProgress(p) = e
            && p.phase == ScanPhase::Hash
        {
            once.call_once(&meddle);
        }
    };
    env.lib
        .scan_root(env.root_id, ScanScope::Full, 2, &sink, &Cancel::new())
        .unwrap()
}

fn problem_codes(env: &Env) -> Vec<(String, String)> {
    env.lib
        .problems()
        .unwrap()
        .into_iter()
        .map(|p| {
            (
                p.path.strip_prefix(&env.root).unwrap().to_string_lossy().into_owned(),
                p.problem.code,
            )
        })
        .collect()
}

#[test]
fn non_utf8_file_names_are_kept_exactly() {
    let env = Env::new();
    let name = std::ffi::OsStr::from_bytes(b"caf\xe9-\xff.png");
    write_png(&env.root.join(name), 4, 4, [5, 5, 5], 0);
    let report = env.scan();
    assert_eq!((report.new_assets, report.problems), (1, 0));
    let assets = env.assets();
    assert_eq!(assets[0].path.file_name().unwrap().as_bytes(), name.as_bytes());
    // Found again by its exact path, and unchanged on rescan.
    let detail = env.lib.asset_detail(&assets[0].id.to_string()).unwrap();
    assert_eq!(detail.files[0].path, env.root.join(name));
    assert!(env.scan().is_noop());
}

#[test]
fn zero_byte_files_are_recorded_not_catalogued() {
    let env = Env::new();
    std::fs::write(env.path("empty.jpg"), b"").unwrap();
    write_png(&env.path("ok.png"), 4, 4, [5, 5, 5], 0);
    let report = env.scan();
    assert_eq!((report.new_assets, report.problems), (1, 1));
    assert_eq!(problem_codes(&env), [("empty.jpg".to_owned(), "empty".to_owned())]);
    // Once it has content, it imports and the problem is gone.
    write_png(&env.path("empty.jpg"), 4, 4, [6, 6, 6], 0);
    let report = env.scan();
    assert_eq!(report.new_assets, 1);
    assert!(problem_codes(&env).is_empty());
}

#[test]
fn symlinks_are_not_followed_by_default() {
    let env = Env::new();
    write_png(&env.path("a/x.png"), 4, 4, [5, 5, 5], 0);
    std::os::unix::fs::symlink(env.path("a"), env.path("a/loop")).unwrap();
    std::os::unix::fs::symlink(env.path("a/x.png"), env.path("link.png")).unwrap();
    let report = env.scan();
    assert_eq!((report.files_seen, report.symlinks_skipped, report.problems), (1, 2, 0));
}

#[test]
fn a_symlink_loop_is_a_named_problem_when_following_links() {
    let env = Env::with_options(AddRootOptions {
        follow_symlinks: true,
        ..Default::default()
    });
    write_png(&env.path("a/x.png"), 4, 4, [5, 5, 5], 0);
    std::os::unix::fs::symlink(env.path("a"), env.path("a/b-loop")).unwrap();
    let report = env.scan();
    assert_eq!(report.new_assets, 1);
    assert_eq!(
        problem_codes(&env),
        [("a/b-loop".to_owned(), "symlink_loop".to_owned())]
    );
}

#[test]
fn a_four_thousand_byte_path_imports() {
    let env = Env::new();
    let mut rel = PathBuf::new();
    let budget = 4000 - env.root.as_os_str().len();
    while rel.as_os_str().len() + 200 < budget {
        rel.push("d".repeat(199));
    }
    let fill = budget - rel.as_os_str().len() - 1 - 4;
    rel.push(format!("{}.png", "f".repeat(fill.min(250))));
    write_png(&env.root.join(&rel), 4, 4, [5, 5, 5], 0);
    let report = env.scan();
    assert_eq!(
        (report.new_assets, report.problems),
        (1, 0),
        "{:?}",
        problem_codes(&env)
    );
    assert!(env.root.join(&rel).as_os_str().len() >= 3900);
}

#[test]
fn special_files_are_named_problems() {
    let env = Env::new();
    write_png(&env.path("ok.png"), 4, 4, [5, 5, 5], 0);
    let status = std::process::Command::new("mkfifo")
        .arg(env.path("pipe"))
        .status()
        .unwrap();
    assert!(status.success());
    let report = env.scan();
    assert_eq!((report.new_assets, report.problems), (1, 1));
    assert_eq!(problem_codes(&env), [("pipe".to_owned(), "not_regular".to_owned())]);
}

#[test]
fn a_file_that_vanishes_before_it_is_read_is_not_an_error() {
    let env = Env::new();
    write_png(&env.path("stays.png"), 4, 4, [5, 5, 5], 0);
    write_png(&env.path("goes.png"), 4, 4, [6, 6, 6], 0);
    let goes = env.path("goes.png");
    let report = scan_meddling(&env, move || {
        let _ = std::fs::remove_file(&goes);
    });
    assert_eq!((report.files_seen, report.new_assets, report.problems), (2, 1, 0));
    assert_eq!(env.assets().len(), 1);
}

#[test]
fn a_catalogued_file_that_vanishes_before_it_is_reread_is_marked_missing() {
    let env = Env::new();
    write_png(&env.path("x.png"), 4, 4, [5, 5, 5], 0);
    env.scan();
    write_png(&env.path("x.png"), 8, 8, [7, 7, 7], 0); // changed: must be re-read
    let x = env.path("x.png");
    let report = scan_meddling(&env, move || {
        let _ = std::fs::remove_file(&x);
    });
    assert_eq!((report.missing, report.problems), (1, 0));
    assert_eq!(env.assets()[0].status.as_str(), "missing");
}

#[test]
fn unreadable_files_are_named_problems() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    if std::fs::metadata("/proc/self").map(|m| m.uid()).unwrap_or(0) == 0 {
        // Root reads everything; the CLI end-to-end test covers this case
        // by running as an unprivileged user.
        return;
    }
    let env = Env::new();
    write_png(&env.path("secret.png"), 4, 4, [5, 5, 5], 0);
    write_png(&env.path("ok.png"), 4, 4, [6, 6, 6], 0);
    std::fs::set_permissions(env.path("secret.png"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let report = env.scan();
    assert_eq!((report.new_assets, report.problems), (1, 1));
    assert_eq!(
        problem_codes(&env),
        [("secret.png".to_owned(), "unreadable".to_owned())]
    );
}

#[test]
fn a_file_replaced_by_a_pipe_before_it_is_read_does_not_hang_the_scan() {
    let env = Env::new();
    write_png(&env.path("ok.png"), 4, 4, [5, 5, 5], 0);
    write_png(&env.path("trap.png"), 4, 4, [6, 6, 6], 0);
    let trap = env.path("trap.png");
    let report = scan_meddling(&env, move || {
        std::fs::remove_file(&trap).unwrap();
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&trap)
                .status()
                .unwrap()
                .success()
        );
    });
    assert_eq!((report.new_assets, report.problems), (1, 1));
    assert_eq!(problem_codes(&env), [("trap.png".to_owned(), "not_regular".to_owned())]);
}

/// The whole disk and the system's folders are refused as watched folders,
/// with a message that says what to add instead.
#[cfg(unix)]
#[test]
fn the_whole_disk_and_system_folders_are_refused() {
    let env = Env::new();
    for p in ["/", "/etc", "/usr"] {
        let e = env
            .lib
            .add_root(std::path::Path::new(p), AddRootOptions::default())
            .unwrap_err();
        assert_eq!(e.code(), "system_folder", "{p}: {e}");
        assert!(e.is_user_error());
        assert!(e.to_string().contains("add the folders that hold your files"), "{e}");
    }
    assert_eq!(env.lib.roots().unwrap().len(), 1, "only the test's own folder");
}

/// A folder target inside a watched folder or the library, or a watched
/// folder inside the target, is refused: sync would copy its own copies
/// and scans would catalog them.
#[test]
fn a_folder_target_and_watched_folders_stay_apart() {
    let env = Env::new();
    let target = |p: &std::path::Path| trove_core::TargetSettings {
        url: format!("file://{}", p.display()),
        endpoint: None,
        region: None,
        path_style: false,
        storage_class_originals: None,
        storage_class_proxies: None,
        sse: None,
        sse_kms_key_id: None,
        profile: None,
        keep_replaced_days: None,
        restore_tier: None,
        restore_days: None,
    };
    for (inside, what) in [
        (env.path("backup"), "watched folder"),
        (env.lib.dir().join("backup"), "library"),
        (env.tmp.path().to_owned(), "library"),
    ] {
        let e = env.lib.set_target(&target(&inside)).unwrap_err();
        assert_eq!(e.code(), "target_overlaps", "{}: {e}", inside.display());
        assert!(e.to_string().contains(what), "{e}");
    }
    let apart = tempfile::tempdir().unwrap();
    env.lib.set_target(&target(&apart.path().join("trove"))).unwrap();
    // And a folder inside the target cannot be watched.
    let photos = apart.path().join("trove/photos");
    std::fs::create_dir_all(&photos).unwrap();
    let e = env.lib.add_root(&photos, AddRootOptions::default()).unwrap_err();
    assert_eq!(e.code(), "target_overlaps", "{e}");
}

/// Bucket settings the bucket would refuse on every upload are refused
/// when they are set, by name and with what to give instead; good ones
/// are kept as given (trimmed), a KMS key only with aws:kms.
#[test]
fn target_settings_the_bucket_would_refuse_are_refused_when_set() {
    let env = Env::new();
    let base = trove_core::TargetSettings {
        url: "s3://photos/lib".into(),
        ..Default::default()
    };
    let set = |s: trove_core::TargetSettings| env.lib.set_target(&s);
    for (settings, says) in [
        (
            trove_core::TargetSettings {
                sse: Some("aws:kms ".into()),
                sse_kms_key_id: Some(" alias/photos ".into()),
                storage_class_originals: Some("STANDARD_IA".into()),
                ..base.clone()
            },
            None,
        ),
        (
            trove_core::TargetSettings {
                sse: Some("AES256".into()),
                sse_kms_key_id: Some("alias/photos".into()),
                ..base.clone()
            },
            Some("only with aws:kms"),
        ),
        (
            trove_core::TargetSettings {
                sse: Some("aws:kms".into()),
                sse_kms_key_id: Some("alias/my photos".into()),
                ..base.clone()
            },
            Some("is not a KMS key id"),
        ),
        (
            trove_core::TargetSettings {
                sse: Some("rot13".into()),
                ..base.clone()
            },
            Some("use AES256 or aws:kms"),
        ),
        (
            trove_core::TargetSettings {
                restore_tier: Some("Instant".into()),
                ..base.clone()
            },
            Some("is not a restore tier"),
        ),
        (
            trove_core::TargetSettings {
                restore_days: Some(0),
                ..base.clone()
            },
            Some("give 1 to 365"),
        ),
        (
            trove_core::TargetSettings {
                storage_class_proxies: Some("DEEP_ARCHIVE".into()),
                ..base.clone()
            },
            Some("is an archive class"),
        ),
        (
            trove_core::TargetSettings {
                storage_class_proxies: Some("standard ia".into()),
                ..base.clone()
            },
            Some("is not a storage class"),
        ),
    ] {
        match (set(settings.clone()), says) {
            (Ok(t), None) => {
                assert_eq!(t.settings.sse.as_deref(), Some("aws:kms"));
                assert_eq!(t.settings.sse_kms_key_id.as_deref(), Some("alias/photos"));
                let stored = env.lib.target().unwrap().settings;
                assert_eq!(
                    stored.sse_kms_key_id.as_deref(),
                    Some("alias/photos"),
                    "kept in the catalog"
                );
                assert_eq!(stored.storage_class_originals.as_deref(), Some("STANDARD_IA"));
            }
            (Err(e), Some(text)) => {
                assert_eq!(e.code(), "bad_storage_setting", "{e}");
                assert!(e.to_string().contains(text), "{settings:?}: {e}");
            }
            (other, _) => panic!("{settings:?}: {other:?}"),
        }
    }
    // A refused setting left the good one in place.
    assert_eq!(
        env.lib.target().unwrap().settings.sse_kms_key_id.as_deref(),
        Some("alias/photos")
    );
}
