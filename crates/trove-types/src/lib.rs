//! Plain data shared by Trove's crates.
//!
//! This crate holds only values that more than one of the lower crates
//! (catalog, media, search, store) must agree on. It has no I/O and no
//! dependencies beyond `serde`, `serde_json` and `uuid`, so every crate can use it without
//! learning about any other.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

mod curation;
mod metadata;
pub use curation::{ColorLabel, CurationValueError, Flag, KeywordPath};
pub use metadata::{GeoPoint, Metadata};

/// A write that found no room: ENOSPC, or EDQUOT (the person's quota on
/// the disk). Every crate tells a full disk from other failures this one
/// way, so the same condition gets the same `disk_full` everywhere.
pub fn is_no_space(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
    )
}

/// The same in words, as `strerror` gives them in a tool's standard error
/// (ffmpeg, pdftoppm) or a library's message that carries no `io::Error`
/// (Tantivy's indexing threads).
pub fn says_no_space(text: &str) -> bool {
    text.contains("No space left on device") || text.contains("Disk quota exceeded")
}

/// The stable identity of an asset. It survives renames, moves and edits.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AssetId(pub uuid::Uuid);

impl AssetId {
    /// A new random (v4) identity.
    pub fn new_random() -> Self {
        AssetId(uuid::Uuid::new_v4())
    }
}

impl fmt::Display for AssetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl fmt::Debug for AssetId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AssetId({self})")
    }
}

impl FromStr for AssetId {
    type Err = uuid::Error;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        uuid::Uuid::parse_str(s).map(AssetId)
    }
}

/// A BLAKE3 content hash (32 bytes). The content address of an original.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContentHash(pub [u8; 32]);

impl ContentHash {
    /// Lower-case hex, 64 characters.
    pub fn to_hex(&self) -> String {
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(char::from(HEX[(b >> 4) as usize]));
            s.push(char::from(HEX[(b & 0xf) as usize]));
        }
        s
    }

    /// Parses 64 hex characters.
    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes = s.as_bytes();
        if bytes.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let hi = hex_val(pair[0])?;
            let lo = hex_val(pair[1])?;
            out[i] = (hi << 4) | lo;
        }
        Some(ContentHash(out))
    }

    /// Builds a hash from a slice; `None` unless it is exactly 32 bytes.
    pub fn from_slice(b: &[u8]) -> Option<Self> {
        <[u8; 32]>::try_from(b).ok().map(ContentHash)
    }
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn hex_val(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ContentHash({})", self.to_hex())
    }
}

impl Serialize for ContentHash {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for ContentHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ContentHash::from_hex(&s).ok_or_else(|| serde::de::Error::custom("expected 64 hex characters"))
    }
}

/// What an asset is, broadly. Decides which proxies and metadata apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AssetKind {
    Image,
    Video,
    Audio,
    Document,
    Other,
}

impl AssetKind {
    pub const ALL: [AssetKind; 5] = [
        AssetKind::Image,
        AssetKind::Video,
        AssetKind::Audio,
        AssetKind::Document,
        AssetKind::Other,
    ];

    /// The stable lower-case name used in the catalog, the CLI and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetKind::Image => "image",
            AssetKind::Video => "video",
            AssetKind::Audio => "audio",
            AssetKind::Document => "document",
            AssetKind::Other => "other",
        }
    }
}

impl fmt::Display for AssetKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Which files of a watched folder become assets (a folder setting).
/// Whatever is left out is not catalogued at all: notes, JSON, thumbnail
/// databases and the like beside the photos do not crowd the grid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FolderKinds {
    /// Photos, videos, sound and PDFs, recognised by their content.
    #[default]
    Media,
    /// Media, and documents too: text, office files, e-books.
    Documents,
    /// Every file.
    All,
}

impl FolderKinds {
    pub const ALL: [FolderKinds; 3] = [FolderKinds::Media, FolderKinds::Documents, FolderKinds::All];

    /// The stable lower-case name used in the catalog, the CLI and the UI.
    pub fn as_str(self) -> &'static str {
        match self {
            FolderKinds::Media => "media",
            FolderKinds::Documents => "documents",
            FolderKinds::All => "all",
        }
    }

    pub fn parse(s: &str) -> Result<FolderKinds, UnknownName> {
        FolderKinds::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| UnknownName {
                what: "folder kinds",
                value: s.to_owned(),
                expected: "media, documents, all",
            })
    }

    /// Whether a file of `kind` (and `mime`, as detected from its content)
    /// becomes an asset in a folder with this setting.
    pub fn admits(self, kind: AssetKind, mime: Option<&str>) -> bool {
        match kind {
            AssetKind::Image | AssetKind::Video | AssetKind::Audio => true,
            AssetKind::Document if mime == Some("application/pdf") => true,
            AssetKind::Document => self != FolderKinds::Media,
            AssetKind::Other => self == FolderKinds::All,
        }
    }
}

impl fmt::Display for FolderKinds {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Returned when a name is not one of the known values of an enum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownName {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?}; expected one of: {}",
            self.what, self.value, self.expected
        )
    }
}

impl std::error::Error for UnknownName {}

impl FromStr for AssetKind {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        AssetKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownName {
                what: "kind",
                value: s.to_owned(),
                expected: "image, video, audio, document, other",
            })
    }
}

/// Where an asset's capture time came from, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaptureSource {
    /// EXIF DateTimeOriginal (with offset and sub-seconds when present).
    ExifOriginal,
    /// EXIF CreateDate / DateTimeDigitized.
    ExifCreate,
    /// A date in the file's XMP (exif:DateTimeOriginal,
    /// photoshop:DateCreated, xmp:CreateDate), when EXIF has none: what
    /// Photoshop, scanners and Lightroom exports carry.
    Xmp,
    /// A container's creation time (QuickTime, Matroska...).
    Container,
    /// The file's modification time: a guess, shown as such.
    FileMtime,
}

impl CaptureSource {
    pub fn as_str(self) -> &'static str {
        match self {
            CaptureSource::ExifOriginal => "exif_original",
            CaptureSource::ExifCreate => "exif_create",
            CaptureSource::Xmp => "xmp",
            CaptureSource::Container => "container",
            CaptureSource::FileMtime => "file_mtime",
        }
    }
}

impl FromStr for CaptureSource {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            CaptureSource::ExifOriginal,
            CaptureSource::ExifCreate,
            CaptureSource::Xmp,
            CaptureSource::Container,
            CaptureSource::FileMtime,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| UnknownName {
            what: "capture source",
            value: s.to_owned(),
            expected: "exif_original, exif_create, container, file_mtime",
        })
    }
}

/// A capture time: the instant (UTC milliseconds since the epoch), and the
/// offset from UTC in minutes when the source recorded one. Without an offset
/// the instant is the camera's local wall-clock time read as if it were UTC,
/// which is what every photo tool shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaptureTime {
    pub unix_ms: i64,
    pub offset_minutes: Option<i16>,
    pub source: CaptureSource,
}

impl CaptureTime {
    /// The wall-clock time where it was taken, as milliseconds since the
    /// epoch read as UTC: what to show, and what dates group by.
    pub fn wall_clock_ms(&self) -> i64 {
        wall_clock_ms(self.unix_ms, self.offset_minutes.map(i64::from))
    }
}

/// [`CaptureTime::wall_clock_ms`] from the stored parts (the catalog's
/// `capture_ms` and `capture_offset` columns).
pub fn wall_clock_ms(unix_ms: i64, offset_minutes: Option<i64>) -> i64 {
    unix_ms.saturating_add(offset_minutes.unwrap_or(0).saturating_mul(60_000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_hex_round_trips() {
        let h = ContentHash(*b"0123456789abcdef0123456789ABCDEF");
        let hex = h.to_hex();
        assert_eq!(hex.len(), 64);
        assert_eq!(ContentHash::from_hex(&hex), Some(h));
        assert_eq!(ContentHash::from_hex("zz"), None);
        assert_eq!(ContentHash::from_hex(&"g".repeat(64)), None);
    }

    #[test]
    fn kinds_parse_case_insensitively_and_reject_unknown() {
        assert_eq!("Video".parse::<AssetKind>(), Ok(AssetKind::Video));
        let err = "movie".parse::<AssetKind>().unwrap_err();
        assert!(err.to_string().contains("movie"));
    }
}
