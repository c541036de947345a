//! A small disk of its own for tests of a full disk: a tmpfs of a set size
//! mounted for the test (Linux, root), filled to the last byte and freed
//! again at will.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The output of `id FLAG` (`-u`, `-g`).
fn id(flag: &str) -> String {
    Command::new("id")
        .arg(flag)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default()
}

/// Runs a mount command as it is, or, for a user other than root, through
/// `sudo -n` when that fails (the test command installs its packages with
/// sudo when not run as root).
fn privileged(program: &str, args: &[String]) -> std::io::Result<Output> {
    let out = Command::new(program).args(args).output()?;
    if out.status.success() || id("-u") == "0" {
        return Ok(out);
    }
    Command::new("sudo").arg("-n").arg(program).args(args).output()
}

/// A mounted tmpfs; unmounted when dropped.
#[derive(Debug)]
pub struct SmallDisk {
    path: PathBuf,
}

impl SmallDisk {
    /// Mounts a tmpfs of `bytes` at `path` (made if missing). `Err` says why
    /// this machine cannot (mounting needs root, or CAP_SYS_ADMIN in a
    /// container); the caller decides whether that skips its test.
    pub fn mount(path: &Path, bytes: u64) -> Result<SmallDisk, String> {
        std::fs::create_dir_all(path).map_err(|e| format!("creating {}: {e}", path.display()))?;
        // Owned by whoever runs the test, so it can write there.
        let args = [
            "-t".to_owned(),
            "tmpfs".to_owned(),
            "-o".to_owned(),
            format!("size={bytes},mode=0755,uid={},gid={}", id("-u"), id("-g")),
            "trove-test".to_owned(),
            path.to_string_lossy().into_owned(),
        ];
        let out = privileged("mount", &args).map_err(|e| format!("running mount: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "mount -t tmpfs failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(SmallDisk { path: path.to_owned() })
    }

    /// Gives the disk a new size (more room, as when a person frees space).
    pub fn resize(&self, bytes: u64) {
        let args = [
            "-o".to_owned(),
            format!("remount,size={bytes}"),
            self.path.to_string_lossy().into_owned(),
        ];
        let out = privileged("mount", &args).unwrap();
        assert!(
            out.status.success(),
            "remount: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn filler(&self) -> PathBuf {
        self.path.join("filler")
    }

    /// Fills the disk to the last byte (a file of its own, written until
    /// the disk answers "no space left on device").
    pub fn fill(&self) {
        let mut f = File::options().create(true).append(true).open(self.filler()).unwrap();
        for chunk in [1 << 20, 4096, 1] {
            let buf = vec![0x5a_u8; chunk];
            loop {
                match f.write_all(&buf) {
                    Ok(()) => {}
                    Err(e) if e.raw_os_error() == Some(28) => break, // ENOSPC
                    Err(e) => panic!("filling {}: {e}", self.path.display()),
                }
            }
        }
        let _ = f.sync_all();
    }

    /// Frees what [`fill`](Self::fill) took.
    pub fn free(&self) {
        match std::fs::remove_file(self.filler()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => panic!("freeing {}: {e}", self.path.display()),
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        // Lazily, so a file a test left open does not keep it mounted.
        let _ = privileged("umount", &["-l".to_owned(), self.path.to_string_lossy().into_owned()]);
    }
}
