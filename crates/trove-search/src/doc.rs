//! [`AssetDoc`], what the index knows of an asset, and its mapping to a
//! Tantivy document.

use std::collections::HashSet;

use tantivy::{DateTime, TantivyDocument};
use trove_types::AssetKind;

use crate::date;
use crate::schema::Fields;
use crate::tokenizer::{self, Mode};

/// What `has:` asks about.
pub const HAS_VALUES: &[&str] = &[
    "comment", "caption", "title", "creator", "keyword", "album", "gps", "rating", "flag", "label",
];

/// One asset, as the search index sees it: plain values that trove-core
/// gathers from the catalog. Every field is optional in spirit; leave what
/// is unknown empty.
#[derive(Debug, Clone, PartialEq)]
pub struct AssetDoc {
    /// The catalog's row id of the asset: the key for updates and deletes.
    pub id: i64,
    /// The asset's stable UUID, returned with each hit.
    pub uuid: String,
    /// File names of every file of the asset (`IMG_2041.CR2`, `IMG_2041.JPG`).
    pub names: Vec<String>,
    /// Relative folder paths of those files, and the display names of their roots.
    pub folders: Vec<String>,
    /// What the asset is.
    pub kind: AssetKind,
    /// MIME type of the main file.
    pub mime: Option<String>,
    /// File extensions, with or without the dot, any case.
    pub extensions: Vec<String>,
    /// Capture time as wall-clock milliseconds: `CaptureTime::unix_ms` plus
    /// its offset when one is known, so that `taken:` and the year and month
    /// histograms follow the calendar where the photo was taken.
    pub capture_ms: Option<i64>,
    /// Size in bytes (of the main file, or all files: the caller decides).
    pub size: u64,
    /// Pixel width.
    pub width: Option<u32>,
    /// Pixel height.
    pub height: Option<u32>,
    /// Duration of video or audio, in milliseconds.
    pub duration_ms: Option<u64>,
    /// Camera maker (`FUJIFILM`).
    pub camera_make: Option<String>,
    /// Camera model (`X100V`).
    pub camera_model: Option<String>,
    /// Lens model.
    pub lens: Option<String>,
    /// Focal length in millimetres.
    pub focal_length_mm: Option<f64>,
    /// Aperture as an f-number (2.8).
    pub aperture: Option<f64>,
    /// ISO speed.
    pub iso: Option<u32>,
    /// (latitude, longitude) in degrees, WGS 84.
    pub gps: Option<(f64, f64)>,
    /// Place names (city, country, location).
    pub places: Vec<String>,
    /// Title (XMP title, a PDF's title, a song's title).
    pub title: Option<String>,
    /// Description or caption.
    pub description: Option<String>,
    /// Author or artist (a PDF's author, a photo's creator).
    pub author: Option<String>,
    /// Flat keywords.
    pub keywords: Vec<String>,
    /// Hierarchical keywords, levels separated by `|` or `/` (`family|kids`).
    pub hierarchical_keywords: Vec<String>,
    /// Star rating, -1 (rejected) to 5.
    pub rating: Option<i8>,
    /// Colour label (`red`).
    pub color_label: Option<String>,
    /// Pick or reject (`pick`, `reject`).
    pub flag: Option<String>,
    /// Names of the albums the asset is in.
    pub albums: Vec<String>,
    /// Trove's own tags; may be paths (`trips/iceland`).
    pub tags: Vec<String>,
    /// Captions and comments.
    pub captions: Vec<String>,
    /// Text of the asset's subtitles.
    pub subtitle_text: Option<String>,
    /// What the asset has, for `has:` (`comment`, `caption`, `gps`...:
    /// see [`HAS_VALUES`]).
    pub has: Vec<&'static str>,
    /// Whether all the asset's files are missing.
    pub missing: bool,
}

impl AssetDoc {
    /// An asset with only its keys set: a starting point for building one.
    pub fn new(id: i64, uuid: impl Into<String>, kind: AssetKind) -> Self {
        AssetDoc {
            id,
            uuid: uuid.into(),
            names: Vec::new(),
            folders: Vec::new(),
            kind,
            mime: None,
            extensions: Vec::new(),
            capture_ms: None,
            size: 0,
            width: None,
            height: None,
            duration_ms: None,
            camera_make: None,
            camera_model: None,
            lens: None,
            focal_length_mm: None,
            aperture: None,
            iso: None,
            gps: None,
            places: Vec::new(),
            title: None,
            description: None,
            author: None,
            keywords: Vec::new(),
            hierarchical_keywords: Vec::new(),
            rating: None,
            color_label: None,
            flag: None,
            albums: Vec::new(),
            tags: Vec::new(),
            captions: Vec::new(),
            subtitle_text: None,
            has: Vec::new(),
            missing: false,
        }
    }

    /// The tag values the asset is found under with `tag:`: every keyword,
    /// hierarchical keyword and tag, as a `/`-separated path, with all its
    /// ancestors (`family|kids` gives `family` and `family/kids`).
    /// Lower-cased, each once.
    pub fn tag_values(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let all = self
            .keywords
            .iter()
            .chain(&self.hierarchical_keywords)
            .chain(&self.tags);
        for raw in all {
            let levels = tag_levels(raw);
            for depth in 1..=levels.len() {
                let path = levels[..depth].join("/");
                if let Some(key) = whole(&path)
                    && seen.insert(key.clone())
                {
                    out.push(key);
                }
            }
        }
        out
    }

    /// Extensions as indexed: without the dot, lower-cased, each once.
    pub fn extension_values(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for ext in &self.extensions {
            if let Some(e) = normalize_extension(ext)
                && !out.contains(&e)
            {
                out.push(e);
            }
        }
        out
    }

    pub(crate) fn to_document(&self, f: &Fields) -> TantivyDocument {
        let mut d = TantivyDocument::new();
        d.add_i64(f.id, self.id);
        d.add_text(f.uuid, &self.uuid);
        for name in &self.names {
            d.add_text(f.name, name);
        }
        if let Some(first) = self.names.first() {
            d.add_text(f.name_sort, first);
        }
        for folder in &self.folders {
            d.add_text(f.folder, folder);
        }
        if let Some(title) = &self.title {
            d.add_text(f.title, title);
        }
        let prose = self
            .description
            .iter()
            .chain(&self.author)
            .chain(&self.keywords)
            .chain(&self.hierarchical_keywords)
            .chain(&self.tags)
            .chain(&self.albums)
            .chain(&self.places)
            .chain(&self.captions)
            .chain(&self.subtitle_text)
            .chain(&self.camera_make)
            .chain(&self.camera_model)
            .chain(&self.lens);
        for text in prose {
            d.add_text(f.text, text);
        }
        for camera in self.camera_make.iter().chain(&self.camera_model) {
            d.add_text(f.camera, camera);
        }
        if let Some(model) = nonblank(&self.camera_model) {
            d.add_text(f.camera_model, model);
        }
        if let Some(lens) = &self.lens {
            d.add_text(f.lens, lens);
        }
        if let Some(lens) = nonblank(&self.lens) {
            d.add_text(f.lens_value, lens);
        }
        d.add_text(f.kind, self.kind.as_str());
        if let Some(mime) = &self.mime {
            d.add_text(f.mime, mime);
        }
        for ext in self.extension_values() {
            d.add_text(f.ext, ext);
        }
        // A capture time the index cannot hold (an EXIF date in the year
        // 9000) is left out: the asset searches as undated.
        if let Some(ms) = self.capture_ms.filter(|ms| date::INDEXABLE_MS.contains(ms)) {
            d.add_date(f.capture, DateTime::from_timestamp_millis(ms));
        }
        d.add_u64(f.size, self.size);
        if let Some(width) = self.width {
            d.add_u64(f.width, u64::from(width));
        }
        if let Some(height) = self.height {
            d.add_u64(f.height, u64::from(height));
        }
        if let Some(duration) = self.duration_ms {
            d.add_u64(f.duration, duration);
        }
        if let Some(iso) = self.iso {
            d.add_u64(f.iso, u64::from(iso));
        }
        if let Some(focal) = self.focal_length_mm.filter(|v| v.is_finite()) {
            d.add_f64(f.focal, focal);
        }
        if let Some(aperture) = self.aperture.filter(|v| v.is_finite()) {
            d.add_f64(f.aperture, aperture);
        }
        if let Some((lat, lon)) = self.gps
            && (-90.0..=90.0).contains(&lat)
            && (-180.0..=180.0).contains(&lon)
        {
            d.add_f64(f.lat, lat);
            d.add_f64(f.lon, lon);
        }
        for tag in self.tag_values() {
            d.add_text(f.tag, tag);
        }
        let mut albums = HashSet::new();
        for album in &self.albums {
            if let Some(key) = whole(album)
                && albums.insert(key)
            {
                d.add_text(f.album, album.trim());
            }
        }
        if let Some(flag) = &self.flag {
            d.add_text(f.flag, flag);
        }
        if let Some(label) = &self.color_label {
            d.add_text(f.label, label);
        }
        for has in &self.has {
            d.add_text(f.has, has);
        }
        if let Some(caption) = &self.description {
            d.add_text(f.caption, caption);
        }
        if let Some(creator) = &self.author {
            d.add_text(f.creator, creator);
        }
        if let Some(rating) = self.rating {
            d.add_i64(f.rating, i64::from(rating));
        }
        d.add_bool(f.missing, self.missing);
        d
    }
}

fn nonblank(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

/// The levels of a tag path: split on `|` and `/`, trimmed, empty ones dropped.
pub(crate) fn tag_levels(raw: &str) -> Vec<&str> {
    raw.split(['|', '/']).map(str::trim).filter(|l| !l.is_empty()).collect()
}

/// A value as the exact-value analyzer indexes it, or `None` if blank.
pub(crate) fn whole(value: &str) -> Option<String> {
    tokenizer::tokens(Mode::Whole, value).into_iter().next()
}

/// `.CR2` → `cr2`.
pub(crate) fn normalize_extension(ext: &str) -> Option<String> {
    let e = ext.trim().trim_start_matches('.');
    whole(e)
}
