//! The `trove` binary on real folders: exit codes, JSON output, a kill -9
//! in the middle of an import, and files the user may not read.
#![allow(clippy::unwrap_used, clippy::disallowed_methods)]

mod commands;
mod crash;
mod curate;
mod memory;
mod share;
mod sync;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The `trove` binary, built (once per test run) with the same cargo that
/// runs the tests.
pub fn trove_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(p) = std::env::var_os("TROVE_BIN") {
            return PathBuf::from(p);
        }
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let status = Command::new(cargo)
            .args(["build", "--quiet", "-p", "trove-cli", "--bin", "trove"])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .status()
            .unwrap();
        assert!(status.success(), "building trove failed");
        // target/debug/deps/cli-xxxx -> target/debug/trove
        let exe = std::env::current_exe().unwrap();
        exe.parent().unwrap().parent().unwrap().join("trove")
    })
}

/// Runs `trove --library <lib> <args>`.
pub fn trove(lib: &Path, args: &[&str]) -> Output {
    Command::new(trove_bin())
        .arg("--library")
        .arg(lib)
        .args(args)
        .env_remove("TROVE_LIBRARY")
        .output()
        .unwrap()
}

pub fn stdout_json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every file under `dir`, at any depth.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
