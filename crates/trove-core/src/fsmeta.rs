//! What the file system says about files and folders, without reading them.

use std::fs::Metadata;
use std::path::Path;

use trove_catalog::FileStat;

#[cfg(unix)]
pub(crate) fn file_stat(m: &Metadata) -> FileStat {
    use std::os::unix::fs::MetadataExt;
    FileStat {
        size: m.len(),
        mtime_ns: m.mtime().saturating_mul(1_000_000_000).saturating_add(m.mtime_nsec()),
        inode: m.ino(),
        device: m.dev(),
        sidecar_mtime_ns: None,
    }
}

#[cfg(not(unix))]
pub(crate) fn file_stat(m: &Metadata) -> FileStat {
    let mtime_ns = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0);
    FileStat {
        size: m.len(),
        mtime_ns,
        inode: 0,
        device: 0,
        sidecar_mtime_ns: None,
    }
}

#[cfg(unix)]
pub(crate) fn device_of(m: &Metadata) -> Option<u64> {
    use std::os::unix::fs::MetadataExt;
    Some(m.dev())
}

#[cfg(not(unix))]
pub(crate) fn device_of(_: &Metadata) -> Option<u64> {
    None
}

/// The kind of file system a folder lives on, when it matters to watching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FsClass {
    Local,
    /// NFS, SMB/CIFS, FUSE (sshfs, rclone mount...), 9p: change
    /// notifications are missing or partial there, so Trove polls.
    Network(&'static str),
}

#[cfg(target_os = "linux")]
pub(crate) fn fs_class(path: &Path) -> FsClass {
    // Magic numbers from linux/magic.h.
    const NFS: i64 = 0x6969;
    const SMB: i64 = 0x517b;
    const CIFS: i64 = 0xff53_4d42;
    const SMB2: i64 = 0xfe53_4d42;
    const FUSE: i64 = 0x6573_5546;
    const V9FS: i64 = 0x0102_1997;
    const CEPH: i64 = 0x00c3_6400;
    match rustix::fs::statfs(path) {
        // f_type is i64 on x86_64 glibc but 32-bit on other targets.
        #[allow(clippy::unnecessary_cast)]
        Ok(s) => match s.f_type as i64 {
            NFS => FsClass::Network("nfs"),
            SMB | CIFS | SMB2 => FsClass::Network("smb"),
            FUSE => FsClass::Network("fuse"),
            V9FS => FsClass::Network("9p"),
            CEPH => FsClass::Network("ceph"),
            _ => FsClass::Local,
        },
        Err(_) => FsClass::Local,
    }
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn fs_class(_: &Path) -> FsClass {
    FsClass::Local
}

/// Names Trove never catalogs: hidden entries and the litter of operating
/// systems and NAS boxes.
pub(crate) fn is_ignored_name(name: &std::ffi::OsStr) -> bool {
    let Some(name) = name.to_str() else {
        // Non-UTF-8 names are real user files; check only the leading dot.
        return name.as_encoded_bytes().first() == Some(&b'.');
    };
    name.starts_with('.')
        || matches!(
            name,
            "@eaDir"
                | "#recycle"
                | "#snapshot"
                | "Thumbs.db"
                | "desktop.ini"
                | "$RECYCLE.BIN"
                | "System Volume Information"
                | "lost+found"
        )
}

/// Maps an I/O error on a file to a stable problem code and a message that
/// says what to do.
pub(crate) fn problem_of(err: &std::io::Error) -> (&'static str, String) {
    use std::io::ErrorKind as K;
    match err.kind() {
        K::PermissionDenied => (
            "unreadable",
            format!(
                "permission denied ({err}); give your user read access to it, or move it out of the watched folder"
            ),
        ),
        K::InvalidFilename => (
            "path_too_long",
            format!("the path is too long for the operating system ({err}); shorten the folder or file names"),
        ),
        _ if err.raw_os_error() == Some(36) => (
            "path_too_long",
            format!("the path is too long for the operating system ({err}); shorten the folder or file names"),
        ),
        _ => (
            "read_error",
            format!("could not read the file ({err}); check the disk and try again"),
        ),
    }
}

/// Moves `tmp` to `dest` only if nothing is at `dest`: a hard link (which
/// fails when the name is taken, unlike a rename) then removing `tmp`, so a
/// file that appears meanwhile is never replaced. On file systems without
/// hard links (FAT, exFAT drives) it checks then renames, which leaves a
/// moment in between. `AlreadyExists` when `dest` is taken; `tmp` is left
/// for the caller to remove then.
pub(crate) fn place_no_replace(tmp: &Path, dest: &Path) -> std::io::Result<()> {
    match std::fs::hard_link(tmp, dest) {
        Ok(()) => {
            let _ = std::fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            if dest.exists() {
                return Err(std::io::Error::from(std::io::ErrorKind::AlreadyExists));
            }
            std::fs::rename(tmp, dest)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::place_no_replace;

    #[test]
    fn placing_never_replaces_a_file_that_is_there() {
        let dir = tempfile::tempdir().unwrap();
        let (tmp, dest) = (dir.path().join(".tmp"), dir.path().join("photo.jpg"));
        std::fs::write(&tmp, b"restored").unwrap();
        std::fs::write(&dest, b"the person's own").unwrap();
        let e = place_no_replace(&tmp, &dest).unwrap_err();
        assert_eq!(e.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read(&dest).unwrap(), b"the person's own");
        std::fs::remove_file(&dest).unwrap();
        place_no_replace(&tmp, &dest).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"restored");
        assert!(!tmp.exists(), "the temporary name is gone");
    }
}
