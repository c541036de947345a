//! Audio tags and cover art, read by lofty (pure Rust: no tool needed).

use std::path::Path;

use lofty::file::{AudioFile, TaggedFileExt};
use lofty::picture::PictureType;
use lofty::tag::Accessor;

use trove_types::Metadata;

use crate::MediaError;

/// What an audio file's tags and header say.
#[derive(Debug, Clone, Default)]
pub struct AudioTags {
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub genre: Option<String>,
    /// The recording year, as tagged (a release date, not a capture time).
    pub year: Option<u16>,
    pub duration_ms: Option<u64>,
    /// Kilobits per second.
    pub bitrate_kbps: Option<u32>,
    pub sample_rate: Option<u32>,
    pub channels: Option<u8>,
    /// The front cover (or the first picture), as stored (JPEG or PNG).
    pub cover: Option<Vec<u8>>,
}

impl AudioTags {
    /// Adds the tags to an asset's metadata: a title the file's XMP gave
    /// wins; artist, album, genre and bit rate are the tags'.
    pub fn fill_metadata(&self, m: &mut Metadata) {
        m.title = m.title.take().or_else(|| self.title.clone());
        m.artist = self.artist.clone();
        m.album = self.album.clone();
        m.genre = self.genre.clone();
        m.bit_rate = self.bitrate_kbps.map(|k| u64::from(k) * 1000);
        m.add_raw(
            "audio",
            serde_json::json!({
                "year": self.year,
                "sample_rate": self.sample_rate,
                "channels": self.channels,
            }),
        );
    }
}

/// Reads the tags, properties and cover art of an audio file.
pub fn probe_audio(path: &Path) -> Result<AudioTags, MediaError> {
    // lofty is a parser of untrusted input: a panic is a corrupt file.
    let parsed = std::panic::catch_unwind(|| lofty::read_from_path(path)).map_err(|_| MediaError::Corrupt {
        format: "audio",
        detail: "the tag reader failed on this file".into(),
    })?;
    let file = parsed.map_err(|e| {
        if e.is_unknown_format() {
            MediaError::Unsupported {
                detail: "an audio format Trove does not read tags from".into(),
            }
        } else {
            MediaError::Corrupt {
                format: "audio",
                detail: e.to_string(),
            }
        }
    })?;
    let props = file.properties();
    let duration = props.duration();
    let mut tags = AudioTags {
        duration_ms: (!duration.is_zero()).then_some(duration.as_millis() as u64),
        bitrate_kbps: props.audio_bitrate().or(props.overall_bitrate()),
        sample_rate: props.sample_rate(),
        channels: props.channels(),
        ..AudioTags::default()
    };
    let Some(tag) = file.primary_tag().or_else(|| file.first_tag()) else {
        return Ok(tags);
    };
    let text = |v: Option<std::borrow::Cow<'_, str>>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    tags.title = text(tag.title());
    tags.artist = text(tag.artist());
    tags.album = text(tag.album());
    tags.genre = text(tag.genre());
    tags.year = tag.date().map(|d| d.year);
    let pictures = tag.pictures();
    tags.cover = pictures
        .iter()
        .find(|p| p.pic_type() == PictureType::CoverFront)
        .or_else(|| pictures.first())
        .map(|p| p.data().to_vec())
        .filter(|d| !d.is_empty());
    Ok(tags)
}
