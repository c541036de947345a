//! The shapes the web page sees. Converted by hand from core types so the
//! core can change without breaking the page; TypeScript types are generated
//! from these (see `tests/bindings.rs`), and a test fails when the committed
//! ones drift.

use base64::Engine as _;
use serde::Serialize;
use trove_core::{AssetSummary, CoreError, Event, LibraryStatus, RootInfo, ScanPhase, ScanReport};
use ts_rs::TS;

/// Every command error: a stable code to branch on and a message to show.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ErrorDto {
    pub code: String,
    pub message: String,
}

/// The core's message, and what to do in this window when there is
/// something to add (`hints.rs`).
impl From<CoreError> for ErrorDto {
    fn from(e: CoreError) -> Self {
        let message = match crate::hints::hint(e.code()) {
            Some(hint) => format!("{e}; {hint}"),
            None => e.to_string(),
        };
        ErrorDto {
            code: e.code().to_owned(),
            message,
        }
    }
}

impl ErrorDto {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorDto {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RootDto {
    #[ts(type = "number")]
    pub id: i64,
    pub path: String,
    /// "online" or "offline".
    pub state: String,
    #[ts(type = "number")]
    pub files: u64,
    #[ts(type = "number")]
    pub missing_files: u64,
    #[ts(type = "number")]
    pub problems: u64,
    /// Unix ms of the last completed full scan.
    #[ts(type = "number | null")]
    pub last_scan_at: Option<i64>,
}

impl From<&RootInfo> for RootDto {
    fn from(r: &RootInfo) -> Self {
        RootDto {
            id: r.id,
            path: r.path.to_string_lossy().into_owned(),
            state: r.state.as_str().to_owned(),
            files: r.files,
            missing_files: r.missing_files,
            problems: r.problems,
            last_scan_at: r.last_scan_at,
        }
    }
}

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
        }
    }
}

/// One value of a facet and how many matching assets have it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FacetValueDto {
    pub value: String,
    #[ts(type = "number")]
    pub count: u64,
}

/// Counts over everything that matches a search, to filter by.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FacetsDto {
    pub kind: Vec<FacetValueDto>,
    pub camera: Vec<FacetValueDto>,
    pub lens: Vec<FacetValueDto>,
    /// Years as text (`2024`), oldest first.
    pub year: Vec<FacetValueDto>,
    /// Ratings as text (`5`), highest first.
    pub rating: Vec<FacetValueDto>,
    pub tag: Vec<FacetValueDto>,
    pub album: Vec<FacetValueDto>,
    pub ext: Vec<FacetValueDto>,
}

impl From<&trove_core::Facets> for FacetsDto {
    fn from(f: &trove_core::Facets) -> Self {
        let list = |v: &[trove_core::FacetCount]| {
            v.iter()
                .map(|c| FacetValueDto {
                    value: c.value.clone(),
                    count: c.count,
                })
                .collect()
        };
        FacetsDto {
            kind: list(&f.kind),
            camera: list(&f.camera),
            lens: list(&f.lens),
            year: f
                .years
                .iter()
                .map(|y| FacetValueDto {
                    value: y.year.to_string(),
                    count: y.count,
                })
                .collect(),
            rating: f
                .ratings
                .iter()
                .map(|r| FacetValueDto {
                    value: r.rating.to_string(),
                    count: r.count,
                })
                .collect(),
            tag: list(&f.tags),
            album: list(&f.albums),
            ext: list(&f.ext),
        }
    }
}

/// A page of search results with the facets of the whole result.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SearchPageDto {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub offset: u64,
    pub assets: Vec<AssetDto>,
    /// Only when asked for (the first page of a query).
    pub facets: Option<FacetsDto>,
    /// Time the index took, in milliseconds.
    pub took_ms: f64,
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

/// What removing a watched folder did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RemovedRootDto {
    pub path: String,
    /// File records no longer tracked.
    #[ts(type = "number")]
    pub files: u64,
    /// Assets found nowhere else, now shown as missing.
    #[ts(type = "number")]
    pub now_missing: u64,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct LibraryDto {
    pub path: String,
    /// False when another Trove process owns the library: browsing works,
    /// adding folders does not.
    pub writable: bool,
    #[ts(type = "number")]
    pub assets: u64,
    #[ts(type = "number")]
    pub missing: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    #[ts(type = "number")]
    pub problems: u64,
    pub roots: Vec<RootDto>,
}

impl LibraryDto {
    pub fn new(s: &LibraryStatus, writable: bool) -> Self {
        LibraryDto {
            path: s.library.to_string_lossy().into_owned(),
            writable,
            assets: s.counts.assets,
            missing: s.counts.missing,
            bytes: s.counts.bytes,
            problems: s.counts.scan_problems,
            roots: s.roots.iter().map(RootDto::from).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct ScanReportDto {
    #[ts(type = "number")]
    pub root_id: i64,
    pub root: String,
    pub offline: bool,
    #[ts(type = "number")]
    pub files_seen: u64,
    #[ts(type = "number")]
    pub new_assets: u64,
    #[ts(type = "number")]
    pub duplicates: u64,
    #[ts(type = "number")]
    pub changed: u64,
    #[ts(type = "number")]
    pub moved: u64,
    #[ts(type = "number")]
    pub missing: u64,
    #[ts(type = "number")]
    pub problems: u64,
    #[ts(type = "number")]
    pub elapsed_ms: u64,
}

impl From<&ScanReport> for ScanReportDto {
    fn from(r: &ScanReport) -> Self {
        ScanReportDto {
            root_id: r.root_id,
            root: r.root.to_string_lossy().into_owned(),
            offline: r.offline,
            files_seen: r.files_seen,
            new_assets: r.new_assets,
            duplicates: r.duplicates,
            changed: r.changed,
            moved: r.moved,
            missing: r.missing,
            problems: r.problems,
            elapsed_ms: r.elapsed_ms,
        }
    }
}

/// Events pushed to the page on the `trove://event` channel.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventDto {
    ScanStarted {
        #[ts(type = "number")]
        root_id: i64,
        root: String,
    },
    ScanProgress {
        #[ts(type = "number")]
        root_id: i64,
        root: String,
        /// "discover", "hash" or "finish".
        phase: String,
        #[ts(type = "number")]
        files_done: u64,
        #[ts(type = "number")]
        files_total: u64,
        #[ts(type = "number")]
        bytes_done: u64,
        #[ts(type = "number")]
        bytes_total: u64,
        #[ts(type = "number")]
        elapsed_ms: u64,
    },
    ScanFinished {
        report: ScanReportDto,
    },
    FileProblem {
        path: String,
        code: String,
        message: String,
    },
    RootOffline {
        #[ts(type = "number")]
        root_id: i64,
        root: String,
    },
    RootOnline {
        #[ts(type = "number")]
        root_id: i64,
        root: String,
    },
    Warning {
        message: String,
    },
    JobFailed {
        #[ts(type = "number")]
        job_id: i64,
        kind: String,
        error: String,
        will_retry: bool,
    },
    /// A job made an asset's proxies: its thumbnail (and ThumbHash) can be
    /// shown now.
    ProxiesMade {
        #[ts(type = "number")]
        job_id: i64,
    },
    /// The catalog changed (the page should refresh what it shows).
    CatalogChanged {
        #[ts(type = "number")]
        root_id: i64,
    },
    /// Sync progress (objects and bytes sent and verified so far).
    SyncProgress {
        #[ts(type = "number")]
        objects_done: u64,
        #[ts(type = "number")]
        objects_total: u64,
        #[ts(type = "number")]
        bytes_done: u64,
        #[ts(type = "number")]
        bytes_total: u64,
        #[ts(type = "number")]
        failed: u64,
    },
    /// The network is down: the sync waits and resumes by itself.
    SyncPaused {
        reason: String,
    },
    SyncResumed,
    /// A sync run ended: `error` says why when it stopped early.
    SyncFinished {
        #[ts(type = "number")]
        uploaded: u64,
        #[ts(type = "number")]
        failed: u64,
        #[ts(type = "number")]
        pending: u64,
        error: Option<ErrorDto>,
    },
}

impl EventDto {
    /// Converts a core event; `None` for events the page does not use.
    pub fn from_core(e: &Event) -> Option<Self> {
        Some(match e {
            Event::ScanStarted { root_id, root } => EventDto::ScanStarted {
                root_id: *root_id,
                root: root.to_string_lossy().into_owned(),
            },
            Event::ScanProgress(p) => EventDto::ScanProgress {
                root_id: p.root_id,
                root: p.root.to_string_lossy().into_owned(),
                phase: match p.phase {
                    ScanPhase::Discover => "discover",
                    ScanPhase::Hash => "hash",
                    ScanPhase::Finish => "finish",
                }
                .to_owned(),
                files_done: p.files_done,
                files_total: p.files_total,
                bytes_done: p.bytes_done,
                bytes_total: p.bytes_total,
                elapsed_ms: p.elapsed_ms,
            },
            Event::ScanFinished(r) => EventDto::ScanFinished { report: r.into() },
            Event::FileProblem {
                path, code, message, ..
            } => EventDto::FileProblem {
                path: path.to_string_lossy().into_owned(),
                code: code.clone(),
                message: message.clone(),
            },
            Event::RootOffline { root_id, root } => EventDto::RootOffline {
                root_id: *root_id,
                root: root.to_string_lossy().into_owned(),
            },
            Event::RootOnline { root_id, root } => EventDto::RootOnline {
                root_id: *root_id,
                root: root.to_string_lossy().into_owned(),
            },
            Event::Warning { message } => EventDto::Warning {
                message: message.clone(),
            },
            Event::JobFailed {
                job_id,
                kind,
                error,
                will_retry,
            } => EventDto::JobFailed {
                job_id: *job_id,
                kind: kind.clone(),
                error: error.clone(),
                will_retry: *will_retry,
            },
            Event::SyncProgress(p) => EventDto::SyncProgress {
                objects_done: p.objects_done,
                objects_total: p.objects_total,
                bytes_done: p.bytes_done,
                bytes_total: p.bytes_total,
                failed: p.failed,
            },
            Event::SyncPaused { reason } => EventDto::SyncPaused { reason: reason.clone() },
            Event::SyncResumed => EventDto::SyncResumed,
            Event::JobFinished { job_id, kind }
                if kind == trove_core::job_kind::MAKE_PROXIES || kind == trove_core::job_kind::MAKE_PLAYABLE =>
            {
                EventDto::ProxiesMade { job_id: *job_id }
            }
            Event::WatchApplied { root_id, report, .. } if !report.is_noop() => {
                EventDto::CatalogChanged { root_id: *root_id }
            }
            _ => return None,
        })
    }
}

/// `YYYY-MM-DDTHH:MM:SS` of a wall-clock time in ms read as UTC
/// ([`trove_core::types::CaptureTime::wall_clock_ms`]).
pub fn wall_clock(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's
/// algorithm), to avoid a date crate for one conversion.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::wall_clock;

    #[test]
    fn wall_clock_formats_known_instants() {
        assert_eq!(wall_clock(0), "1970-01-01T00:00:00");
        assert_eq!(wall_clock(1_700_000_000_000), "2023-11-14T22:13:20");
        assert_eq!(wall_clock(951_782_400_000), "2000-02-29T00:00:00");
        assert_eq!(wall_clock(-1000), "1969-12-31T23:59:59");
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
        if let (Some(lat), Some(lon)) = (m.gps_lat, m.gps_lon) {
            put("Camera", "Location", Some(format!("{lat:.5}, {lon:.5}")));
        }
        put("Description", "Title", m.title.clone());
        put("Description", "Description", m.description.clone());
        put(
            "Description",
            "Rating",
            m.rating.map(|r| "★".repeat(r.clamp(0, 5) as usize)),
        );
        put("Description", "Label", m.color_label.clone());
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
        };
        AssetDetailDto {
            pages: d.metadata.as_ref().and_then(|m| m.page_count),
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

/// Jobs of one kind that are waiting, running or failed.
#[derive(Debug, Clone, Serialize, TS)]
pub struct JobKindDto {
    /// `scan_root`, `make_proxies`, `make_playable`...
    pub kind: String,
    #[ts(type = "number")]
    pub queued: u64,
    #[ts(type = "number")]
    pub running: u64,
    #[ts(type = "number")]
    pub failed: u64,
    /// Every job of this kind ever finished (two readings give a rate).
    #[ts(type = "number")]
    pub done: u64,
}

/// A job that failed for good, with why.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FailedJobDto {
    #[ts(type = "number")]
    pub id: i64,
    pub kind: String,
    pub error: String,
    pub attempts: u32,
    /// Unix ms.
    #[ts(type = "number")]
    pub failed_at: i64,
}

/// The job queue as the activity panel shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct JobStatusDto {
    pub paused: bool,
    pub kinds: Vec<JobKindDto>,
    /// The most recent failures (at most 50).
    pub failed: Vec<FailedJobDto>,
}

/// The sync target as the settings show it (no secrets).
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncSettingsDto {
    /// `s3://bucket/prefix` or `file:///path`; null when none is set.
    pub url: Option<String>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Where the credentials come from: "keychain" (stored by Trove),
    /// "environment" (AWS_* variables or ~/.aws, when no keychain entry).
    pub credentials: String,
    /// Whether the OS keychain answered (a Secret Service on Linux).
    pub keychain: bool,
    /// Why the keychain cannot be used, when it cannot.
    pub keychain_error: Option<String>,
    #[ts(type = "number")]
    pub verified: u64,
    #[ts(type = "number")]
    pub pending: u64,
    #[ts(type = "number")]
    pub failed: u64,
    pub running: bool,
    /// Days an edited file's earlier version stays in the target once the
    /// new one is verified; null keeps it forever.
    pub keep_replaced_days: Option<u32>,
    /// What each watched folder sends.
    pub policies: Vec<RootPolicyDto>,
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

/// What the web view's player lacks on this machine (see `playback.rs`).
#[derive(Debug, Clone, Serialize, TS)]
pub struct PlaybackDto {
    /// False when GStreamer's registry could not be read: nothing is known
    /// to be missing, and `note` says why.
    pub checked: bool,
    pub missing: Vec<MissingElementDto>,
    pub note: Option<String>,
}

/// A GStreamer element the player needs and this machine lacks.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MissingElementDto {
    /// The element looked for ("webvttenc"; alternatives joined by " or ").
    pub element: String,
    /// The Debian and Ubuntu package that holds it.
    pub package: String,
    /// What stops without it: every video and sound, a video's picture,
    /// sound, or videos with a subtitle stream.
    #[ts(type = "\"all\" | \"video\" | \"audio\" | \"text\"")]
    pub affects: String,
    /// What the element does, and what fails without it.
    pub purpose: String,
}

impl From<&crate::playback::Support> for PlaybackDto {
    fn from(s: &crate::playback::Support) -> Self {
        use crate::playback::Support;
        match s {
            Support::Checked { missing } => PlaybackDto {
                checked: true,
                missing: missing
                    .iter()
                    .map(|r| MissingElementDto {
                        element: r.elements.join(" or "),
                        package: r.package.to_owned(),
                        affects: r.affects.as_str().to_owned(),
                        purpose: r.purpose.to_owned(),
                    })
                    .collect(),
                note: None,
            },
            Support::Unknown { reason } => PlaybackDto {
                checked: false,
                missing: Vec::new(),
                note: Some(reason.clone()),
            },
        }
    }
}

/// What one watched folder sends to the target.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RootPolicyDto {
    #[ts(type = "number")]
    pub root_id: i64,
    pub path: String,
    /// "all" (originals and proxies), "proxies" or "none".
    pub policy: String,
}

/// What a fixity check found.
#[derive(Debug, Clone, Serialize, TS)]
pub struct VerifyDto {
    /// Objects read back and compared.
    #[ts(type = "number")]
    pub checked: u64,
    #[ts(type = "number")]
    pub ok: u64,
    /// "key: what differs" for damaged objects (queued to be sent again).
    pub damaged: Vec<String>,
    /// Keys the target no longer has (queued to be sent again).
    pub missing: Vec<String>,
    /// "key: error" for objects that could not be read (left as they are).
    pub errors: Vec<String>,
}

impl From<&trove_core::VerifyReport> for VerifyDto {
    fn from(r: &trove_core::VerifyReport) -> Self {
        VerifyDto {
            checked: r.checked,
            ok: r.ok,
            damaged: r.damaged.iter().map(|(k, why)| format!("{k}: {why}")).collect(),
            missing: r.missing.clone(),
            errors: r.errors.iter().map(|(k, why)| format!("{k}: {why}")).collect(),
        }
    }
}

/// A share as the share list shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ShareDto {
    pub id: String,
    /// "link", "page" or "request".
    pub kind: String,
    pub title: Option<String>,
    /// "live", "expired" or "revoked".
    pub state: String,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub expires_at: i64,
    #[ts(type = "number")]
    pub assets: u64,
}

impl From<&trove_core::ShareInfo> for ShareDto {
    fn from(s: &trove_core::ShareInfo) -> Self {
        ShareDto {
            id: s.id.clone(),
            kind: s.kind.as_str().to_owned(),
            title: s.title.clone(),
            state: s.state.as_str().to_owned(),
            created_at: s.created_at,
            expires_at: s.expires_at,
            assets: s.assets,
        }
    }
}

/// Long work the page can stop with `cancel_operation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `sync_now`'s background sync.
    Sync,
    /// `verify_now`.
    Verify,
    /// `import_incoming`.
    ImportIncoming,
}

/// What importing an upload request's files did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IncomingDto {
    /// The folder they went into.
    pub folder: String,
    /// Files downloaded, verified and catalogued, by asset id.
    pub imported: Vec<String>,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Files an earlier import brought in.
    #[ts(type = "number")]
    pub already: u64,
    /// Files that could not be imported, and why.
    pub refused: Vec<RefusedDto>,
    /// Stopped before everything was fetched (what had arrived is in);
    /// importing again fetches the rest.
    pub cancelled: bool,
}

/// One file an import refused.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RefusedDto {
    /// Its name as sent.
    pub name: String,
    pub why: String,
}

impl IncomingDto {
    pub fn new(r: &trove_core::IncomingReport, folder: &std::path::Path) -> Self {
        IncomingDto {
            folder: folder.display().to_string(),
            imported: r.imported.iter().map(|(_, id)| id.to_string()).collect(),
            bytes: r.bytes,
            already: r.already,
            refused: r
                .refused
                .iter()
                .map(|(key, why)| RefusedDto {
                    name: key.rsplit('/').next().unwrap_or(key).to_owned(),
                    why: why.clone(),
                })
                .collect(),
            cancelled: r.cancelled,
        }
    }
}

/// One folder of a watched folder's tree.
#[derive(Debug, Clone, Serialize, TS)]
pub struct FolderDto {
    /// Relative to the watched folder, `/`-separated, for showing (a name
    /// that is not UTF-8 shows with replacement characters).
    pub path: String,
    /// The same path as the app knows it, for asking by: its bytes with
    /// `%`, control and non-ASCII bytes percent-encoded, so that every name
    /// a file system allows comes back exactly. Opaque to the page.
    pub key: String,
    /// Its own name (the last part of `path`).
    pub name: String,
    /// How deep it is: 1 for a folder directly in the watched folder.
    pub depth: u32,
    /// Files in it or below it.
    #[ts(type = "number")]
    pub files: u64,
}

impl From<&trove_core::FolderInfo> for FolderDto {
    fn from(f: &trove_core::FolderInfo) -> Self {
        FolderDto {
            path: f.path.to_string_lossy().into_owned(),
            key: crate::folder_key::encode(&f.path),
            name: f
                .path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            depth: f.path.components().count() as u32,
            files: f.files,
        }
    }
}

/// A new share and its links.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ShareLinksDto {
    pub share: ShareDto,
    pub links: Vec<String>,
}
