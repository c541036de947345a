//! Assets as the grid, the timeline and the viewer see them: pages, one
//! asset's detail, its text tracks.

use base64::Engine as _;
use serde::Serialize;
use trove_core::AssetSummary;
use ts_rs::TS;

use super::time::wall_clock;

/// One grid cell. Never carries a file-system path: the page asks by id.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AssetDto {
    pub id: String,
    pub name: String,
    /// "image", "video", "audio", "document" or "other".
    pub kind: String,
    pub mime: Option<String>,
    /// The web view shows or plays the original as it is (its type is in
    /// `trove_core::WEB_VIEWABLE`): zoom to 100% and playback use it.
    pub web_viewable: bool,
    #[ts(type = "number")]
    pub size: u64,
    /// "present", "missing" or "offline".
    pub status: String,
    /// Capture wall-clock time as `YYYY-MM-DDTHH:MM:SS`, and where it came from.
    pub captured: Option<String>,
    pub capture_source: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub file_count: u32,
    /// The ThumbHash placeholder (base64), painted until the thumbnail
    /// arrives; `None` before proxies were made.
    pub thumbhash: Option<String>,
    /// "synced", "pending" or "failed" in the sync target; null when it has
    /// nothing there.
    pub sync: Option<String>,
    /// Stars, 0 (none) to 5.
    pub rating: u8,
    /// "pick" or "reject"; null when unflagged.
    pub flag: Option<String>,
    /// "red", "yellow", "green", "blue" or "purple"; null when unlabelled.
    pub label: Option<String>,
}

impl From<&AssetSummary> for AssetDto {
    fn from(a: &AssetSummary) -> Self {
        AssetDto {
            id: a.id.to_string(),
            name: a.name.clone(),
            kind: a.kind.as_str().to_owned(),
            mime: a.mime.clone(),
            web_viewable: a.mime.as_deref().is_some_and(|m| trove_core::WEB_VIEWABLE.contains(&m)),
            size: a.size,
            status: a.status.as_str().to_owned(),
            captured: a.capture.map(|c| wall_clock(c.wall_clock_ms())),
            capture_source: a.capture.map(|c| c.source.as_str().to_owned()),
            width: a.width,
            height: a.height,
            file_count: a.file_count,
            thumbhash: a
                .thumbhash
                .as_ref()
                .map(|h| base64::engine::general_purpose::STANDARD.encode(h)),
            sync: a.sync.clone(),
            rating: a.marks.rating,
            flag: a.marks.flag.map(|f| f.as_str().to_owned()),
            label: a.marks.label.map(|l| l.as_str().to_owned()),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AssetPageDto {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub offset: u64,
    pub assets: Vec<AssetDto>,
}

/// One section of the timeline: `count` consecutive assets of the listing
/// captured on `date` (`YYYY-MM-DD`, local to where they were taken; null
/// for assets without a capture time).
#[derive(Debug, Clone, Serialize, TS)]
pub struct TimelineDayDto {
    pub date: Option<String>,
    #[ts(type = "number")]
    pub count: u64,
}

impl From<&trove_core::TimelineDay> for TimelineDayDto {
    fn from(d: &trove_core::TimelineDay) -> Self {
        TimelineDayDto {
            date: d
                .date
                .map(|d| format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())),
            count: d.count,
        }
    }
}

/// One labelled value of the viewer's metadata panel.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FieldDto {
    /// The panel's section: "Camera", "File", "Video", "Audio", "Document", "Description".
    pub group: String,
    pub label: String,
    pub value: String,
}

/// A file of an asset: which folder, and where inside it (no absolute path).
#[derive(Debug, Clone, Serialize, TS)]
pub struct FileDto {
    #[ts(type = "number")]
    pub root_id: i64,
    /// Relative to its folder.
    pub rel_path: String,
    pub present: bool,
    #[ts(type = "number")]
    pub size: u64,
}

/// A proxy made from the asset.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DerivativeDto {
    pub variant: String,
    pub format: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    #[ts(type = "number")]
    pub size: u64,
}

/// One object of the asset in the sync target.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncObjectDto {
    /// "original", "proxy" or "manifest".
    pub role: String,
    pub variant: Option<String>,
    /// "pending", "verified" or "failed".
    pub state: String,
    pub last_error: Option<String>,
}

/// Everything the viewer shows about one asset.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AssetDetailDto {
    pub asset: AssetDto,
    #[ts(type = "number | null")]
    pub duration_ms: Option<i64>,
    pub blake3: String,
    pub md5: Option<String>,
    pub fields: Vec<FieldDto>,
    pub files: Vec<FileDto>,
    pub derivatives: Vec<DerivativeDto>,
    pub sync: Vec<SyncObjectDto>,
    /// Why proxies could not be made, if they could not.
    pub proxy_error: Option<String>,
    /// A document's page count (the viewer pages through a PDF).
    pub pages: Option<u32>,
    /// What the person set (the editable panel).
    pub curation: super::CurationDto,
}

fn fields(d: &trove_core::AssetDetail) -> Vec<FieldDto> {
    let mut out = Vec::new();
    let mut put = |group: &str, label: &str, value: Option<String>| {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            out.push(FieldDto {
                group: group.to_owned(),
                label: label.to_owned(),
                value,
            });
        }
    };
    let a = &d.asset;
    if let (Some(w), Some(h)) = (a.width, a.height) {
        put("File", "Dimensions", Some(format!("{w} × {h}")));
    }
    put("File", "Type", a.mime.clone());
    put("File", "Size", Some(format!("{} bytes", a.size)));
    put(
        "File",
        "Captured",
        a.capture.map(|c| {
            format!(
                "{} ({})",
                wall_clock(c.wall_clock_ms()).replace('T', " "),
                c.source.as_str()
            )
        }),
    );
    if let Some(m) = &d.metadata {
        put("Camera", "Camera", m.camera());
        put("Camera", "Lens", m.lens.clone());
        put("Camera", "Focal length", m.focal_length_mm.map(|f| format!("{f} mm")));
        put("Camera", "Aperture", m.aperture.map(|f| format!("f/{f}")));
        put("Camera", "Exposure", m.exposure_text());
        put("Camera", "ISO", m.iso.map(|i| i.to_string()));
        put(
            "Camera",
            "Flash",
            m.flash.map(|f| if f { "fired" } else { "did not fire" }.to_owned()),
        );
        if let Some(g) = m.gps {
            put("Camera", "Location", Some(format!("{:.5}, {:.5}", g.lat, g.lon)));
        }
        put("Video", "Container", m.container.clone());
        put("Video", "Video codec", m.video_codec.clone());
        put("Video", "Audio codec", m.audio_codec.clone());
        put("Video", "Frame rate", m.frame_rate.map(|f| format!("{f:.3} fps")));
        put("Video", "Bit rate", m.bit_rate.map(|b| format!("{} kb/s", b / 1000)));
        put("Audio", "Artist", m.artist.clone());
        put("Audio", "Album", m.album.clone());
        put("Audio", "Genre", m.genre.clone());
        put("Document", "Author", m.author.clone());
        put("Document", "Pages", m.page_count.map(|p| p.to_string()));
    }
    // What the person set (or the file's own XMP, until they edit it); a
    // song's or a PDF's own title stands when no other is set.
    let c = &d.curation;
    let m = d.metadata.as_ref();
    put(
        "Description",
        "Title",
        c.title.clone().or_else(|| m.and_then(|m| m.title.clone())),
    );
    put(
        "Description",
        "Caption",
        c.caption.clone().or_else(|| m.and_then(|m| m.description.clone())),
    );
    put(
        "Description",
        "Rating",
        (c.rating > 0).then(|| "★".repeat(usize::from(c.rating))),
    );
    put("Description", "Flag", c.flag.map(|f| f.as_str().to_owned()));
    put("Description", "Label", c.label.map(|l| l.as_str().to_owned()));
    put("Description", "Creator", c.creator.clone());
    put("Description", "Copyright", c.rights.clone());
    put(
        "Description",
        "Keywords",
        (!c.keywords.is_empty()).then(|| {
            c.keywords
                .iter()
                .map(|k| k.levels().join(" › "))
                .collect::<Vec<_>>()
                .join(", ")
        }),
    );
    if let Some(ms) = a.duration_ms {
        let s = ms / 1000;
        put(
            "Video",
            "Duration",
            Some(format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)),
        );
    }
    out
}

impl AssetDetailDto {
    pub fn new(d: &trove_core::AssetDetail, sync: &[trove_core::SyncObject]) -> Self {
        let first = d.files.iter().find(|f| f.record.present).or(d.files.first());
        let summary = AssetSummary {
            id: d.asset.id,
            kind: d.asset.kind,
            mime: d.asset.mime.clone(),
            size: d.asset.size,
            status: d.asset.status,
            capture: d.asset.capture,
            width: d.asset.width,
            height: d.asset.height,
            name: first
                .and_then(|f| f.path.file_name())
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            path: Default::default(),
            file_count: d.files.len() as u32,
            thumbhash: d.thumbhash.clone(),
            sync: None,
            marks: trove_core::catalog::Marks {
                rating: d.curation.rating,
                flag: d.curation.flag,
                label: d.curation.label,
            },
        };
        AssetDetailDto {
            pages: d.metadata.as_ref().and_then(|m| m.page_count),
            curation: (&d.curation).into(),
            asset: AssetDto::from(&summary),
            duration_ms: d.asset.duration_ms,
            blake3: d.asset.blake3.to_hex(),
            md5: d.asset.md5.map(|m| m.iter().map(|b| format!("{b:02x}")).collect()),
            fields: fields(d),
            files: d
                .files
                .iter()
                .map(|f| FileDto {
                    root_id: f.root_id,
                    rel_path: f.record.rel_path.to_string_lossy().into_owned(),
                    present: f.record.present,
                    size: f.record.size,
                })
                .collect(),
            derivatives: d
                .derivatives
                .iter()
                .map(|x| DerivativeDto {
                    variant: x.variant.clone(),
                    format: x.format.clone(),
                    width: x.width,
                    height: x.height,
                    size: x.size,
                })
                .collect(),
            sync: sync
                .iter()
                .map(|o| SyncObjectDto {
                    role: o.role.as_str().to_owned(),
                    variant: o.variant.clone(),
                    state: o.state.as_str().to_owned(),
                    last_error: o.last_error.clone(),
                })
                .collect(),
            proxy_error: d.proxy_error.clone(),
        }
    }
}

/// One text track of a video: closed captions or a subtitle stream.
#[derive(Debug, Clone, Serialize, TS)]
pub struct TextTrackDto {
    /// `captions` or `subtitles-N` (N: the stream's index in the file).
    pub variant: String,
    /// The `<track>` kind: "captions" or "subtitles".
    pub kind: String,
    /// What the player's menu shows.
    pub label: String,
    /// The WebVTT file.
    pub vtt: String,
}

impl TextTrackDto {
    pub fn new(variant: String, vtt: String) -> Self {
        let (kind, label) = match variant.strip_prefix("subtitles-") {
            Some(n) => ("subtitles", format!("Subtitles (stream {n})")),
            None => ("captions", "Closed captions".to_owned()),
        };
        TextTrackDto {
            variant,
            kind: kind.to_owned(),
            label,
            vtt,
        }
    }
}
