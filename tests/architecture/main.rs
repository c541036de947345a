//! The dependency rules of ARCHITECTURE.md, checked on `cargo metadata`:
//! front ends -> trove-core -> (catalog, media, search, store) -> trove-types, and the
//! library crates depend on nothing that talks to users; and inside each
//! crate, no circle of modules (modules.rs).
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

mod modules;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

fn workspace_deps() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--no-deps", "--offline"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                // Normal dependencies only: tests may use anything.
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect();
            (p["name"].as_str().unwrap().to_owned(), deps)
        })
        .collect()
}

fn trove_deps(all: &BTreeMap<String, BTreeSet<String>>, krate: &str) -> BTreeSet<String> {
    all[krate].iter().filter(|d| d.starts_with("trove-")).cloned().collect()
}

fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

#[test]
fn dependencies_point_one_way() {
    let all = workspace_deps();
    assert_eq!(trove_deps(&all, "trove-types"), set(&[]));
    assert_eq!(trove_deps(&all, "trove-catalog"), set(&["trove-types"]));
    assert_eq!(trove_deps(&all, "trove-media"), set(&["trove-types"]));
    assert_eq!(trove_deps(&all, "trove-search"), set(&["trove-types"]));
    assert_eq!(trove_deps(&all, "trove-store"), set(&[]));
    assert_eq!(
        trove_deps(&all, "trove-core"),
        set(&[
            "trove-catalog",
            "trove-media",
            "trove-search",
            "trove-store",
            "trove-types"
        ])
    );
    assert_eq!(trove_deps(&all, "trove-cli"), set(&["trove-core"]));
    assert_eq!(trove_deps(&all, "trove-desktop"), set(&["trove-core"]));
}

#[test]
fn library_crates_know_nothing_of_front_ends() {
    let all = workspace_deps();
    let front_end_only = [
        "tauri",
        "tauri-build",
        "tauri-plugin-dialog",
        "clap",
        "indicatif",
        "ctrlc",
        "directories",
        "ts-rs",
    ];
    for krate in [
        "trove-types",
        "trove-catalog",
        "trove-media",
        "trove-search",
        "trove-store",
        "trove-core",
    ] {
        for dep in front_end_only {
            assert!(!all[krate].contains(dep), "{krate} must not depend on {dep}");
        }
    }
    // The catalog is SQLite only: no async runtime, no search engine, no network.
    for dep in ["tokio", "tantivy", "aws-sdk-s3", "reqwest", "notify", "walkdir"] {
        assert!(
            !all["trove-catalog"].contains(dep),
            "trove-catalog must not depend on {dep}"
        );
    }
    assert!(
        !all["trove-media"].contains("rusqlite"),
        "trove-media never touches the catalog"
    );
    for dep in ["rusqlite", "tokio", "aws-sdk-s3"] {
        assert!(
            !all["trove-search"].contains(dep),
            "trove-search knows nothing of SQLite, async runtimes or storage ({dep})"
        );
    }
}

#[test]
fn the_store_knows_nothing_of_the_catalog_media_or_search() {
    let all = workspace_deps();
    for dep in ["rusqlite", "tantivy", "image", "turbojpeg", "notify"] {
        assert!(
            !all["trove-store"].contains(dep),
            "trove-store knows nothing of SQLite, search or media ({dep})"
        );
    }
}

/// Code for Linux, macOS and Windows: every Unix-only call sits in an item
/// built for Unix only (`#[cfg(unix)]` or a Linux `target_os`), beside a
/// fallback, so the crates still build elsewhere (this machine can only
/// build for Linux; this is the check that can run here).
#[test]
fn unix_only_calls_are_behind_cfg() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let files: Vec<_> = modules::crate_dirs()
        .iter()
        .flat_map(|d| modules::rust_files(d))
        .collect();
    let mut bare = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, l) in lines.iter().enumerate() {
            if !l.contains("std::os::unix") || l.trim_start().starts_with("//") {
                continue;
            }
            let guarded = lines[i.saturating_sub(12)..i]
                .iter()
                .any(|above| above.contains("#[cfg(unix)]") || above.contains("target_os = \"linux\""));
            if !guarded {
                bare.push(format!("{}:{}", f.strip_prefix(root).unwrap().display(), i + 1));
            }
        }
    }
    assert!(
        bare.is_empty(),
        "Unix-only calls outside a #[cfg(unix)] item:\n{}",
        bare.join("\n")
    );
}
