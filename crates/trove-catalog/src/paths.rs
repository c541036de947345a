//! Paths as bytes. The catalog stores the operating system's own bytes for
//! every path so that names which are not valid UTF-8 survive exactly.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

#[cfg(unix)]
pub fn to_bytes(p: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    p.as_os_str().as_bytes().to_vec()
}

#[cfg(unix)]
pub fn from_bytes(b: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStringExt;
    PathBuf::from(OsString::from_vec(b.to_vec()))
}

#[cfg(windows)]
pub fn to_bytes(p: &Path) -> Vec<u8> {
    use std::os::windows::ffi::OsStrExt;
    p.as_os_str().encode_wide().flat_map(|u| u.to_le_bytes()).collect()
}

#[cfg(windows)]
pub fn from_bytes(b: &[u8]) -> PathBuf {
    use std::os::windows::ffi::OsStringExt;
    let wide: Vec<u16> = b.chunks_exact(2).map(|c| u16::from_le_bytes([c[0], c[1]])).collect();
    PathBuf::from(OsString::from_wide(&wide))
}

/// A lossy UTF-8 rendering for people and for search.
pub fn display(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}
