//! The technical metadata of an asset: one record, read by the media probes,
//! kept by the catalog, written into sync manifests and printed by the
//! CLI's `--json`. Its serde form is that shared shape, so a field added
//! here reaches every one of them.

use serde::{Deserialize, Serialize};

/// A place on Earth, as a camera or phone records it (WGS 84 degrees,
/// metres above sea level).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
    #[serde(default)]
    pub alt: Option<f64>,
}

/// Typed technical metadata an asset's content yields (EXIF, XMP, ffprobe,
/// audio tags, PDF info). Every field is optional: what a file does not say
/// stays `None`, never a guess.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Metadata {
    pub camera_make: Option<String>,
    pub camera_model: Option<String>,
    pub lens: Option<String>,
    pub focal_length_mm: Option<f64>,
    pub aperture: Option<f64>,
    pub exposure_s: Option<f64>,
    pub iso: Option<u32>,
    pub flash: Option<bool>,
    /// EXIF orientation, 1 to 8.
    pub orientation: Option<u8>,
    pub gps: Option<GeoPoint>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub rating: Option<i8>,
    pub color_label: Option<String>,
    /// Container format of a video or audio file (`mov,mp4,m4a,...` as
    /// ffprobe names it).
    pub container: Option<String>,
    pub video_codec: Option<String>,
    pub audio_codec: Option<String>,
    pub frame_rate: Option<f64>,
    /// Bits per second.
    pub bit_rate: Option<u64>,
    /// Display rotation of a video in degrees (0, 90, 180, 270).
    pub rotation: Option<i32>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub genre: Option<String>,
    /// Author of a document.
    pub author: Option<String>,
    pub page_count: Option<u32>,
    /// Searchable text the file carries (a video's subtitles).
    pub text: Option<String>,
    /// Every raw tag by source (`{"exif": {...}, "xmp": {...},
    /// "ffprobe": {...}}`), for the metadata panel. Always an object.
    pub raw: serde_json::Value,
}

impl Metadata {
    /// An empty record whose `raw` is an empty object, ready to add to.
    pub fn empty() -> Self {
        Metadata {
            raw: serde_json::Value::Object(serde_json::Map::new()),
            ..Metadata::default()
        }
    }

    /// Adds one source's raw tags under `key` (`exif`, `xmp`, `ffprobe`).
    pub fn add_raw(&mut self, key: &str, value: serde_json::Value) {
        if !self.raw.is_object() {
            self.raw = serde_json::Value::Object(serde_json::Map::new());
        }
        if let Some(o) = self.raw.as_object_mut() {
            o.insert(key.to_owned(), value);
        }
    }

    /// Make and model as one name (`FUJIFILM X100V`), if either is known.
    pub fn camera(&self) -> Option<String> {
        let name = [self.camera_make.as_deref(), self.camera_model.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
        (!name.trim().is_empty()).then_some(name)
    }

    /// The exposure time as photographers write it: `1/250 s`, `2 s`.
    pub fn exposure_text(&self) -> Option<String> {
        self.exposure_s.map(|e| {
            if e > 0.0 && e < 1.0 {
                format!("1/{:.0} s", 1.0 / e)
            } else {
                format!("{e} s")
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_keeps_every_field() {
        let m = Metadata {
            camera_make: Some("FUJIFILM".into()),
            gps: Some(GeoPoint {
                lat: 64.1,
                lon: -21.9,
                alt: None,
            }),
            rating: Some(-1),
            page_count: Some(3),
            raw: serde_json::json!({"exif": {"Make": "FUJIFILM"}}),
            ..Metadata::default()
        };
        let text = serde_json::to_string(&m).unwrap();
        assert!(text.contains(r#""gps":{"lat":64.1,"lon":-21.9,"alt":null}"#), "{text}");
        let back: Metadata = serde_json::from_str(&text).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn missing_fields_read_as_none() {
        let m: Metadata = serde_json::from_str(r#"{"camera_model":"X100V"}"#).unwrap();
        assert_eq!(m.camera(), Some("X100V".to_owned()));
        assert_eq!(m.gps, None);
    }

    #[test]
    fn exposure_reads_as_photographers_write_it() {
        let m = Metadata {
            exposure_s: Some(0.004),
            ..Metadata::default()
        };
        assert_eq!(m.exposure_text().as_deref(), Some("1/250 s"));
    }
}
