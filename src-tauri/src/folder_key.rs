//! A sub-folder's key as the page holds it: its path relative to the
//! watched folder, percent-encoded byte for byte, so a folder whose name is
//! not UTF-8 (possible on Linux) still round-trips through the page.

use std::path::{Path, PathBuf};

/// What a folder key percent-encodes besides non-ASCII bytes.
pub const FOLDER_KEY: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'%');

/// The key of a relative folder path.
pub fn encode(path: &Path) -> String {
    percent_encoding::percent_encode(&bytes_of(path), FOLDER_KEY).to_string()
}

/// The relative path a key names; `None` when its bytes are no path here.
pub fn decode(key: &str) -> Option<PathBuf> {
    path_of(percent_encoding::percent_decode_str(key).collect())
}

#[cfg(unix)]
fn bytes_of(path: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt as _;
    path.as_os_str().as_bytes().to_vec()
}

#[cfg(unix)]
fn path_of(bytes: Vec<u8>) -> Option<PathBuf> {
    use std::os::unix::ffi::OsStringExt as _;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

/// Elsewhere paths are Unicode as far as the page is concerned (Windows
/// paths that are not are shown and keyed lossily).
#[cfg(not(unix))]
fn bytes_of(path: &Path) -> Vec<u8> {
    path.to_string_lossy().into_owned().into_bytes()
}

#[cfg(not(unix))]
fn path_of(bytes: Vec<u8>) -> Option<PathBuf> {
    String::from_utf8(bytes).ok().map(PathBuf::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_escape_percent_and_controls() {
        let p = Path::new("2023/100% Iceland/\u{e9}t\u{e9}\n");
        let key = encode(p);
        assert_eq!(key, "2023/100%25 Iceland/%C3%A9t%C3%A9%0A");
        assert_eq!(decode(&key).as_deref(), Some(p));
    }

    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_round_trips() {
        use std::os::unix::ffi::OsStrExt as _;
        let p = Path::new(std::ffi::OsStr::from_bytes(b"scans/\xff\xfe"));
        assert_eq!(encode(p), "scans/%FF%FE");
        assert_eq!(decode("scans/%FF%FE").as_deref(), Some(p));
    }
}
