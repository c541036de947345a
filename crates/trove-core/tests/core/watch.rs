//! Watching: changes under a watched root reach the catalog by themselves.

use std::time::Duration;

use trove_core::{Cancel, NoEvents, WatchOptions};
use trove_testkit::write_png;

use super::{Env, eventually};

const WAIT: Duration = Duration::from_secs(30);

/// Stops the watcher even when the test body panics, so a failure fails
/// instead of hanging.
struct StopOnDrop(Cancel);

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

fn watching(env: &Env, opts: WatchOptions, body: impl FnOnce(&Env)) {
    let cancel = Cancel::new();
    std::thread::scope(|s| {
        let stop = StopOnDrop(cancel.clone());
        let c = cancel.clone();
        let handle = s.spawn(move || env.lib.watch(&opts, &NoEvents, &c));
        // The initial scan marks the root scanned.
        eventually(WAIT, "initial scan", || {
            env.lib.roots().unwrap()[0].last_scan_at.is_some()
        });
        body(env);
        drop(stop);
        handle.join().unwrap().unwrap();
    });
}

fn fast() -> WatchOptions {
    WatchOptions {
        debounce: Duration::from_millis(200),
        root_check_interval: Duration::from_millis(500),
        ..WatchOptions::default()
    }
}

#[test]
fn create_modify_rename_and_delete_reach_the_catalog() {
    let env = Env::new();
    write_png(&env.path("old.png"), 4, 4, [1, 1, 1], 0);
    watching(&env, fast(), |env| {
        assert_eq!(env.assets().len(), 1);
        let old_id = env.assets()[0].id;

        write_png(&env.path("new/created.png"), 4, 4, [2, 2, 2], 0);
        eventually(WAIT, "created file catalogued", || env.assets().len() == 2);

        let before = env.asset_at("new/created.png").asset.blake3;
        write_png(&env.path("new/created.png"), 8, 8, [3, 3, 3], 0);
        eventually(WAIT, "modified file re-hashed", || {
            env.asset_at("new/created.png").asset.blake3 != before
        });

        std::fs::rename(env.path("old.png"), env.path("renamed.png")).unwrap();
        eventually(WAIT, "rename applied", || {
            env.lib
                .asset_detail(env.path("renamed.png").to_str().unwrap())
                .is_ok_and(|d| d.asset.id == old_id)
        });

        std::fs::rename(env.path("new"), env.path("moved-folder")).unwrap();
        eventually(WAIT, "folder move applied", || {
            env.lib
                .asset_detail(env.path("moved-folder/created.png").to_str().unwrap())
                .is_ok()
        });

        std::fs::remove_file(env.path("renamed.png")).unwrap();
        eventually(WAIT, "delete marked missing", || {
            env.lib.asset_detail(&old_id.to_string()).unwrap().asset.status.as_str() == "missing"
        });
        assert_eq!(env.assets().len(), 2, "the deleted asset is kept");
    });
    env.integrity_ok();
}

#[test]
fn a_burst_of_twenty_thousand_files_is_catalogued_completely() {
    // Small text files, quick to write: the folder takes every file.
    let env = Env::with_options(trove_core::AddRootOptions {
        kinds: Some(trove_core::types::FolderKinds::All),
        ..Default::default()
    });
    watching(&env, fast(), |env| {
        for d in 0..40 {
            let dir = env.path(&format!("burst/{d:02}"));
            std::fs::create_dir_all(&dir).unwrap();
            for i in 0..500 {
                std::fs::write(dir.join(format!("{i:03}.dat")), format!("file {d} {i}")).unwrap();
            }
        }
        eventually(Duration::from_secs(180), "20,000 files catalogued", || {
            env.lib.status().unwrap().counts.assets == 20_000
        });
    });
    // Nothing is left for a full rescan to find.
    let again = env.scan();
    assert_eq!((again.files_seen, again.unchanged), (20_000, 20_000));
    env.integrity_ok();
}

#[test]
fn polling_also_catches_changes() {
    let env = Env::new();
    let opts = WatchOptions {
        force_poll: true,
        poll_interval: Duration::from_millis(300),
        ..fast()
    };
    watching(&env, opts, |env| {
        write_png(&env.path("polled.png"), 4, 4, [1, 1, 1], 0);
        eventually(WAIT, "polled file catalogued", || env.assets().len() == 1);
    });
}

#[test]
fn a_root_that_goes_offline_while_watched_is_marked_offline() {
    let env = Env::new();
    write_png(&env.path("a.png"), 4, 4, [1, 1, 1], 0);
    watching(&env, fast(), |env| {
        let away = env.tmp.path().join("away");
        std::fs::rename(&env.root, &away).unwrap();
        eventually(WAIT, "root offline", || {
            env.lib.roots().unwrap()[0].state.as_str() == "offline"
        });
        assert_eq!(env.assets()[0].status.as_str(), "offline");
        std::fs::rename(&away, &env.root).unwrap();
        eventually(WAIT, "root online", || {
            env.lib.roots().unwrap()[0].state.as_str() == "online"
        });
        assert_eq!(env.assets()[0].status.as_str(), "present");
    });
}
