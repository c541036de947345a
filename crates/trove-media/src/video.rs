//! Video and audio through ffprobe and ffmpeg: technical metadata, a poster
//! frame that is not black, a scrub strip for hover scrubbing, subtitles as
//! WebVTT, shot changes, and playable proxies (H.264/AAC MP4, AAC M4A).
//!
//! Every run goes through [`crate::tools`]: low priority, memory-capped,
//! with a timeout. Paths are passed to the tools as separate arguments,
//! never through a shell or a filter graph, so no file name can inject.

use std::ffi::OsStr;
use std::path::Path;
use std::time::Duration;

use serde_json::Value;
use trove_types::{CaptureSource, CaptureTime, GeoPoint, Metadata};

use crate::MediaError;
use crate::tools::Tools;

/// What ffprobe says about a video or audio file.
#[derive(Debug, Clone, Default)]
pub struct AvProbe {
    /// ffprobe's format name (`mov,mp4,m4a,3gp,3g2,mj2`, `matroska,webm`).
    pub container: Option<String>,
    pub duration_ms: Option<u64>,
    /// Bits per second, of the whole file.
    pub bit_rate: Option<u64>,
    pub video: Option<VideoStream>,
    pub audio: Option<AudioStream>,
    pub subtitles: Vec<SubtitleStream>,
    /// An embedded picture (album cover) rather than a real video stream.
    pub has_cover_art: bool,
    /// The container's creation time.
    pub creation_time: Option<CaptureTime>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub gps: Option<GeoPoint>,
    pub title: Option<String>,
    pub artist: Option<String>,
    pub album: Option<String>,
    pub genre: Option<String>,
    /// ffprobe's format and stream sections, for the metadata panel.
    pub raw: Value,
}

impl AvProbe {
    /// Adds ffprobe's findings to an asset's metadata. What the file itself
    /// said (XMP titles, EXIF cameras and places) wins over container tags;
    /// codecs, frame rate and rotation are ffprobe's alone.
    pub fn fill_metadata(&self, m: &mut Metadata) {
        m.container = self.container.clone();
        m.video_codec = self.video.as_ref().map(|v| v.codec.clone());
        m.audio_codec = self.audio.as_ref().map(|a| a.codec.clone());
        m.frame_rate = self.video.as_ref().and_then(|v| v.frame_rate);
        m.bit_rate = self.bit_rate.or(m.bit_rate);
        m.rotation = self.video.as_ref().map(|v| v.rotation);
        m.camera_make = m.camera_make.take().or_else(|| self.make.clone());
        m.camera_model = m.camera_model.take().or_else(|| self.model.clone());
        m.gps = m.gps.or(self.gps);
        m.title = m.title.take().or_else(|| self.title.clone());
        m.artist = m.artist.take().or_else(|| self.artist.clone());
        m.album = m.album.take().or_else(|| self.album.clone());
        m.genre = m.genre.take().or_else(|| self.genre.clone());
        m.add_raw("ffprobe", self.raw.clone());
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct VideoStream {
    pub codec: String,
    /// Stored size, before rotation.
    pub width: u32,
    pub height: u32,
    /// Display rotation in degrees: 0, 90, 180 or 270.
    pub rotation: i32,
    pub frame_rate: Option<f64>,
}

impl VideoStream {
    /// Size as shown, rotation applied.
    pub fn display_size(&self) -> (u32, u32) {
        if self.rotation % 180 == 0 {
            (self.width, self.height)
        } else {
            (self.height, self.width)
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AudioStream {
    pub codec: String,
    pub sample_rate: Option<u32>,
    pub channels: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubtitleStream {
    /// The stream's index in the file (for `-map 0:<index>`).
    pub index: u32,
    pub codec: String,
    pub language: Option<String>,
    /// Text subtitles can become WebVTT; bitmap ones (DVD, PGS) cannot.
    pub text_based: bool,
}

/// How long ffprobe may take on one file.
/// The first arguments of every quiet ffmpeg run: no banner, no reading
/// from the terminal, errors only.
const QUIET: [&str; 4] = ["-hide_banner", "-nostdin", "-loglevel", "error"];

const PROBE_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one frame grab may take.
const FRAME_TIMEOUT: Duration = Duration::from_secs(60);

/// Runs ffprobe on a file.
pub fn probe_av(tools: &Tools, path: &Path) -> Result<AvProbe, MediaError> {
    let run = tools.ffprobe(PROBE_TIMEOUT, 8 << 20);
    let out = run
        .exec([
            OsStr::new("-v"),
            OsStr::new("error"),
            OsStr::new("-print_format"),
            OsStr::new("json"),
            OsStr::new("-show_format"),
            OsStr::new("-show_streams"),
            OsStr::new("--"),
            path.as_os_str(),
        ])
        .map_err(|e| as_corrupt(e, "video"))?;
    let json: Value = serde_json::from_slice(&out.stdout).map_err(|e| MediaError::ToolFailed {
        tool: "ffprobe",
        detail: format!("unreadable JSON: {e}"),
    })?;
    parse_probe(json)
}

/// A tool failing on a file means the file is damaged (or not what it
/// claims): the user should hear "corrupt", with the tool's words.
fn as_corrupt(e: MediaError, format: &'static str) -> MediaError {
    match e {
        MediaError::ToolFailed { detail, .. } => MediaError::Corrupt { format, detail },
        other => other,
    }
}

/// Maps ffprobe's JSON into an [`AvProbe`].
pub fn parse_probe(json: Value) -> Result<AvProbe, MediaError> {
    let format = json.get("format").cloned().unwrap_or(Value::Null);
    let streams = json
        .get("streams")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if format.is_null() && streams.is_empty() {
        return Err(MediaError::Corrupt {
            format: "video",
            detail: "ffprobe found no streams".into(),
        });
    }
    let tags = format.get("tags").cloned().unwrap_or(Value::Null);
    let tag = |keys: &[&str]| keys.iter().find_map(|k| str_of(&tags, k)).filter(|s| !s.is_empty());
    let mut p = AvProbe {
        container: str_of(&format, "format_name"),
        duration_ms: num_of(&format, "duration").map(|s| (s * 1000.0).round() as u64),
        bit_rate: num_of(&format, "bit_rate").map(|b| b as u64),
        make: tag(&["com.apple.quicktime.make", "make", "com.android.manufacturer"]),
        model: tag(&["com.apple.quicktime.model", "model", "com.android.model"]),
        gps: tag(&["com.apple.quicktime.location.ISO6709", "location"])
            .and_then(|s| parse_iso6709(&s))
            .map(|(lat, lon, alt)| GeoPoint { lat, lon, alt }),
        creation_time: tag(&["com.apple.quicktime.creationdate"])
            .and_then(|s| parse_time(&s))
            .or_else(|| tag(&["creation_time", "date"]).and_then(|s| parse_time(&s))),
        title: tag(&["title", "TITLE"]),
        artist: tag(&["artist", "ARTIST", "album_artist"]),
        album: tag(&["album", "ALBUM"]),
        genre: tag(&["genre", "GENRE"]),
        ..AvProbe::default()
    };
    for s in &streams {
        let codec = str_of(s, "codec_name").unwrap_or_else(|| "unknown".into());
        let attached = s
            .pointer("/disposition/attached_pic")
            .and_then(Value::as_i64)
            .unwrap_or(0)
            == 1;
        match s.get("codec_type").and_then(Value::as_str) {
            Some("video") if attached => p.has_cover_art = true,
            Some("video") if p.video.is_none() => {
                p.video = Some(VideoStream {
                    codec,
                    width: int_of(s, "width").unwrap_or(0) as u32,
                    height: int_of(s, "height").unwrap_or(0) as u32,
                    rotation: rotation_of(s),
                    frame_rate: rate_of(s, "avg_frame_rate").or_else(|| rate_of(s, "r_frame_rate")),
                });
                if p.creation_time.is_none() {
                    p.creation_time = s
                        .pointer("/tags/creation_time")
                        .and_then(Value::as_str)
                        .and_then(parse_time);
                }
            }
            Some("audio") if p.audio.is_none() => {
                p.audio = Some(AudioStream {
                    codec,
                    sample_rate: num_of(s, "sample_rate").map(|r| r as u32),
                    channels: int_of(s, "channels").map(|c| c as u32),
                })
            }
            Some("subtitle") => p.subtitles.push(SubtitleStream {
                index: int_of(s, "index").unwrap_or(0) as u32,
                text_based: is_text_subtitle(&codec),
                codec,
                language: s.pointer("/tags/language").and_then(Value::as_str).map(str::to_owned),
            }),
            _ => {}
        }
    }
    if p.duration_ms.is_none() {
        p.duration_ms = streams
            .iter()
            .filter_map(|s| num_of(s, "duration"))
            .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))))
            .map(|s| (s * 1000.0).round() as u64);
    }
    p.raw = serde_json::json!({ "format": format, "streams": streams });
    Ok(p)
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(|s| s.trim().to_owned())
}

/// ffprobe prints most numbers as strings.
fn num_of(v: &Value, key: &str) -> Option<f64> {
    match v.get(key)? {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_f64(),
        _ => None,
    }
    .filter(|x: &f64| x.is_finite() && *x >= 0.0)
}

fn int_of(v: &Value, key: &str) -> Option<i64> {
    num_of(v, key).map(|x| x as i64)
}

/// `"30000/1001"` as frames per second.
fn rate_of(v: &Value, key: &str) -> Option<f64> {
    let s = v.get(key)?.as_str()?;
    let (n, d) = s.split_once('/')?;
    let (n, d): (f64, f64) = (n.parse().ok()?, d.parse().ok()?);
    (n > 0.0 && d > 0.0).then(|| ((n / d) * 1000.0).round() / 1000.0)
}

/// Rotation from the display matrix (ffmpeg 5+) or the old `rotate` tag.
fn rotation_of(s: &Value) -> i32 {
    let from_matrix = s
        .get("side_data_list")
        .and_then(Value::as_array)
        .and_then(|l| l.iter().find_map(|d| d.get("rotation").and_then(Value::as_f64)));
    let from_tag = || {
        s.pointer("/tags/rotate")
            .and_then(Value::as_str)
            .and_then(|r| r.parse::<f64>().ok())
    };
    let deg = from_matrix.or_else(from_tag).unwrap_or(0.0);
    // Snap to a quarter turn: phones write exact multiples of 90.
    ((deg / 90.0).round() as i32 * 90).rem_euclid(360)
}

fn is_text_subtitle(codec: &str) -> bool {
    matches!(
        codec,
        "mov_text" | "subrip" | "srt" | "ass" | "ssa" | "webvtt" | "text" | "microdvd" | "subviewer" | "sami"
            // A QuickTime closed-caption track (c608): ffmpeg decodes it to text.
            | "eia_608"
    )
}

/// Parses the creation times containers carry: RFC 3339
/// (`2023-06-14T10:20:30.000000Z`), Apple's `2023-06-14T12:20:30+0200`,
/// and `2023-06-14 10:20:30` (taken as UTC, as QuickTime defines it).
fn parse_time(s: &str) -> Option<CaptureTime> {
    use time::format_description::well_known::Rfc3339;
    use time::macros::format_description;
    use time::{OffsetDateTime, PrimitiveDateTime};
    let s = s.trim();
    let (dt, has_offset) = if let Ok(dt) = OffsetDateTime::parse(s, &Rfc3339) {
        (dt, !s.ends_with('Z'))
    } else if let Ok(dt) = OffsetDateTime::parse(
        s,
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory][offset_minute]"),
    ) {
        (dt, true)
    } else {
        let pdt =
            PrimitiveDateTime::parse(s, format_description!("[year]-[month]-[day] [hour]:[minute]:[second]")).ok()?;
        (pdt.assume_utc(), false)
    };
    // 1970-01-01 and other zero dates mean "not set".
    if dt.year() < 1971 {
        return None;
    }
    Some(CaptureTime {
        unix_ms: (dt.unix_timestamp_nanos() / 1_000_000) as i64,
        offset_minutes: Some(if has_offset { dt.offset().whole_minutes() } else { 0 }),
        source: CaptureSource::Container,
    })
}

/// ISO 6709 as phones write it: `+64.1400-021.9400+012.000/`.
fn parse_iso6709(s: &str) -> Option<(f64, f64, Option<f64>)> {
    let s = s.trim().trim_end_matches('/');
    let mut parts = Vec::new();
    let mut start = 0;
    for (i, c) in s.char_indices().skip(1) {
        if c == '+' || c == '-' {
            parts.push(&s[start..i]);
            start = i;
        }
    }
    parts.push(&s[start..]);
    let nums: Vec<f64> = parts.iter().map(|p| p.parse::<f64>()).collect::<Result<_, _>>().ok()?;
    let (lat, lon) = (*nums.first()?, *nums.get(1)?);
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return None;
    }
    Some((lat, lon, nums.get(2).copied()))
}

/// Grabs a representative frame that is not black, as shown (rotation
/// applied), no larger than `max_long` on its long side. Returns it as a
/// BMP for [`crate::image_proxies`].
///
/// ffmpeg's `thumbnail` filter picks the most typical of 50 frames from a
/// point 10 % in; when that is still dark or flat (a fade, a lens cap),
/// later points are tried and the brightest frame wins.
pub fn poster_frame(tools: &Tools, path: &Path, probe: &AvProbe, max_long: u32) -> Result<Vec<u8>, MediaError> {
    if probe.video.is_none() {
        return Err(MediaError::Absent { what: "video stream" });
    }
    let secs = probe.duration_ms.map(|d| d as f64 / 1000.0).unwrap_or(0.0);
    let starts: Vec<f64> = if secs >= 2.0 {
        vec![secs * 0.1, secs * 0.33, secs * 0.5, secs * 0.75, 0.0]
    } else {
        vec![0.0]
    };
    let run = tools.ffmpeg(FRAME_TIMEOUT, (max_long as usize).pow(2) * 3 + 4096);
    let filter = format!(
        "thumbnail=50,scale=iw*sar:ih,scale=w='min(iw,{max_long})':h='min(ih,{max_long})':force_original_aspect_ratio=decrease,setsar=1"
    );
    let mut best: Option<(f64, Vec<u8>)> = None;
    let mut last_err = None;
    for start in starts {
        let ss = format!("{start:.3}");
        let args: Vec<&OsStr> = vec![
            "-hide_banner".as_ref(),
            "-nostdin".as_ref(),
            "-loglevel".as_ref(),
            "error".as_ref(),
            "-ss".as_ref(),
            ss.as_ref(),
            "-i".as_ref(),
            path.as_os_str(),
            "-map".as_ref(),
            "0:V:0".as_ref(),
            "-frames:v".as_ref(),
            "1".as_ref(),
            "-vf".as_ref(),
            filter.as_ref(),
            "-f".as_ref(),
            "image2pipe".as_ref(),
            "-c:v".as_ref(),
            "bmp".as_ref(),
            "pipe:1".as_ref(),
        ];
        match run.exec(args) {
            Ok(out) if !out.stdout.is_empty() => {
                let light = frame_light(&out.stdout)?;
                if light.is_lit() {
                    return Ok(out.stdout);
                }
                if best.as_ref().is_none_or(|(b, _)| light.score() > *b) {
                    best = Some((light.score(), out.stdout));
                }
            }
            // A start past the last frame gives nothing: try the next one.
            Ok(_) => {}
            Err(e @ (MediaError::ToolMissing { .. } | MediaError::Timeout { .. })) => return Err(e),
            Err(e) => last_err = Some(e),
        }
    }
    match (best, last_err) {
        (Some((_, frame)), _) => Ok(frame),
        (None, Some(e)) => Err(as_corrupt(e, "video")),
        (None, None) => Err(MediaError::Corrupt {
            format: "video",
            detail: "ffmpeg decoded no frame".into(),
        }),
    }
}

/// Brightness and contrast of a frame, from a sample of its pixels.
#[derive(Debug, Clone, Copy)]
struct Light {
    mean: f64,
    spread: f64,
}

impl Light {
    /// Not black, and not one flat colour.
    fn is_lit(self) -> bool {
        self.mean >= 24.0 && self.spread >= 8.0
    }
    fn score(self) -> f64 {
        self.mean + self.spread
    }
}

fn frame_light(bmp: &[u8]) -> Result<Light, MediaError> {
    let img = image::load_from_memory_with_format(bmp, image::ImageFormat::Bmp)
        .map_err(|e| MediaError::Corrupt {
            format: "video",
            detail: format!("ffmpeg's frame is unreadable: {e}"),
        })?
        .into_rgb8();
    let step = ((img.width() as usize * img.height() as usize) / 4096).max(1);
    let luma: Vec<f64> = img
        .pixels()
        .step_by(step)
        .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
        .collect();
    let n = luma.len().max(1) as f64;
    let mean = luma.iter().sum::<f64>() / n;
    let var = luma.iter().map(|l| (l - mean).powi(2)).sum::<f64>() / n;
    Ok(Light {
        mean,
        spread: var.sqrt(),
    })
}

/// A sprite sheet of evenly spaced frames, side by side, for hover
/// scrubbing in the grid.
#[derive(Debug, Clone)]
pub struct ScrubStrip {
    pub jpeg: Vec<u8>,
    pub frames: u32,
    pub frame_width: u32,
    pub frame_height: u32,
}

/// Makes a scrub strip of `frames` frames, each `frame_width` wide. Long
/// videos are sampled from keyframes only, which costs a fraction of a
/// full decode.
pub fn scrub_strip(
    tools: &Tools,
    path: &Path,
    probe: &AvProbe,
    frames: u32,
    frame_width: u32,
) -> Result<ScrubStrip, MediaError> {
    let video = probe
        .video
        .as_ref()
        .ok_or(MediaError::Absent { what: "video stream" })?;
    let secs = probe
        .duration_ms
        .map(|d| d as f64 / 1000.0)
        .filter(|s| *s > 0.0)
        .ok_or(MediaError::Absent { what: "duration" })?;
    let (dw, dh) = video.display_size();
    if dw == 0 || dh == 0 {
        return Err(MediaError::Corrupt {
            format: "video",
            detail: "the video stream has no size".into(),
        });
    }
    let frame_height = ((f64::from(frame_width) * f64::from(dh) / f64::from(dw) / 2.0).round() as u32 * 2).max(2);
    let filter =
        format!("fps={frames}/{secs:.3},scale=iw*sar:ih,scale={frame_width}:{frame_height},setsar=1,tile={frames}x1");
    let mut args: Vec<&OsStr> = vec![
        "-hide_banner".as_ref(),
        "-nostdin".as_ref(),
        "-loglevel".as_ref(),
        "error".as_ref(),
    ];
    if secs > 120.0 {
        args.extend(["-skip_frame".as_ref(), "nokey".as_ref()] as [&OsStr; 2]);
    }
    args.extend([
        "-i".as_ref(),
        path.as_os_str(),
        "-map".as_ref(),
        "0:V:0".as_ref(),
        "-vf".as_ref(),
        filter.as_ref(),
        "-frames:v".as_ref(),
        "1".as_ref(),
        "-f".as_ref(),
        "image2pipe".as_ref(),
        "-c:v".as_ref(),
        "mjpeg".as_ref(),
        "-q:v".as_ref(),
        "5".as_ref(),
        "pipe:1".as_ref(),
    ] as [&OsStr; 15]);
    let run = tools.ffmpeg(decode_timeout(secs), 16 << 20);
    let out = run.exec(args).map_err(|e| as_corrupt(e, "video"))?;
    if out.stdout.is_empty() {
        return Err(MediaError::Corrupt {
            format: "video",
            detail: "ffmpeg decoded no frame".into(),
        });
    }
    Ok(ScrubStrip {
        jpeg: out.stdout,
        frames,
        frame_width,
        frame_height,
    })
}

/// Time allowed for work that decodes a whole file of `secs` seconds: a
/// safety net against hangs, not a budget (2 cores decode 4K slowly).
fn decode_timeout(secs: f64) -> Duration {
    Duration::from_secs(120 + (secs * 20.0) as u64)
}

/// The text subtitle stream as WebVTT.
pub fn subtitles_vtt(tools: &Tools, path: &Path, stream: &SubtitleStream) -> Result<String, MediaError> {
    if !stream.text_based {
        return Err(MediaError::Unsupported {
            detail: format!("{} subtitles are pictures, not text", stream.codec),
        });
    }
    let map = format!("0:{}", stream.index);
    let run = tools.ffmpeg(Duration::from_secs(300), 32 << 20);
    to_webvtt(&run, &[OsStr::new("-i"), path.as_os_str()], &map, "subtitle")
}

/// Runs ffmpeg on `input` (its input arguments) and returns stream `map`
/// as WebVTT; a failure is the file's (`what`: "subtitle"...).
fn to_webvtt(
    run: &crate::tools::Run<'_>,
    input: &[&OsStr],
    map: &str,
    what: &'static str,
) -> Result<String, MediaError> {
    let quiet = QUIET.map(OsStr::new);
    let output = ["-map", map, "-c:s", "webvtt", "-f", "webvtt", "pipe:1"].map(OsStr::new);
    let out = run
        .exec(quiet.iter().chain(input).chain(output.iter()))
        .map_err(|e| as_corrupt(e, what))?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether the video stream itself carries CEA-608 closed captions (ATSC
/// A53 messages inside H.264, HEVC or MPEG-2 frames, as broadcast and some
/// cameras record them). ffprobe only sees them by decoding frames: only
/// the keyframes among the first 150 frames are decoded (0.12 s for a 4K
/// HEVC phone video; the first 30 frames took 0.85 s). Streams that carry
/// captions carry them in every frame, as padding between cues.
pub fn has_closed_captions(tools: &Tools, path: &Path, probe: &AvProbe) -> Result<bool, MediaError> {
    let Some(video) = &probe.video else { return Ok(false) };
    if !matches!(video.codec.as_str(), "h264" | "hevc" | "mpeg2video" | "mpeg1video") {
        return Ok(false);
    }
    let run = tools.ffprobe(PROBE_TIMEOUT, 1 << 20);
    let out = run
        .exec([
            OsStr::new("-v"),
            OsStr::new("error"),
            OsStr::new("-select_streams"),
            OsStr::new("v:0"),
            OsStr::new("-skip_frame"),
            OsStr::new("nokey"),
            OsStr::new("-read_intervals"),
            OsStr::new("%+#150"),
            OsStr::new("-count_frames"),
            OsStr::new("-show_entries"),
            OsStr::new("stream=closed_captions"),
            OsStr::new("-print_format"),
            OsStr::new("json"),
            OsStr::new("--"),
            path.as_os_str(),
        ])
        .map_err(|e| as_corrupt(e, "video"))?;
    let json: Value = serde_json::from_slice(&out.stdout).map_err(|e| MediaError::ToolFailed {
        tool: "ffprobe",
        detail: format!("unreadable JSON: {e}"),
    })?;
    Ok(json.pointer("/streams/0/closed_captions").and_then(Value::as_i64) == Some(1))
}

/// The closed captions inside the video stream as WebVTT (ffmpeg's `movie`
/// source with its `subcc` output: the whole video is decoded, so this runs
/// only where [`has_closed_captions`] found some).
pub fn closed_captions_vtt(tools: &Tools, path: &Path, probe: &AvProbe) -> Result<String, MediaError> {
    let secs = probe.duration_ms.map(|d| d as f64 / 1000.0).unwrap_or(3600.0);
    let run = tools.ffmpeg(decode_timeout(secs), 32 << 20);
    let mut source = std::ffi::OsString::from("movie=");
    source.push(lavfi_escape(path.as_os_str()));
    source.push("[out0+subcc]");
    let input = [
        OsStr::new("-f"),
        OsStr::new("lavfi"),
        OsStr::new("-i"),
        source.as_os_str(),
    ];
    to_webvtt(&run, &input, "0:1", "closed caption")
}

/// A path as a value inside an ffmpeg filter graph, which is parsed twice:
/// once for the filter's options (`:` separates them) and once for the
/// graph (`[ ] , ;` are special). A backslash makes the next byte literal
/// at each level, so every byte that is not plainly safe is escaped twice.
#[cfg(unix)]
fn lavfi_escape(path: &OsStr) -> std::ffi::OsString {
    use std::os::unix::ffi::{OsStrExt, OsStringExt};
    let safe = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'/' | b'.' | b'-' | b'_');
    let once = |bytes: &[u8]| -> Vec<u8> {
        let mut out = Vec::with_capacity(bytes.len() * 2);
        for &b in bytes {
            if !safe(b) {
                out.push(b'\\');
            }
            out.push(b);
        }
        out
    };
    std::ffi::OsString::from_vec(once(&once(path.as_bytes())))
}

/// Elsewhere paths are escaped as text (a name that is not Unicode is
/// passed lossily).
#[cfg(not(unix))]
fn lavfi_escape(path: &OsStr) -> std::ffi::OsString {
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '-' | '_');
    let once = |text: &str| -> String {
        let mut out = String::with_capacity(text.len() * 2);
        for c in text.chars() {
            if !safe(c) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    };
    once(&once(&path.to_string_lossy())).into()
}

/// The words of a WebVTT file, without its header, timings and markup:
/// what search indexes.
pub fn vtt_text(vtt: &str) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut in_note = false;
    for line in vtt.lines() {
        let line = line.trim();
        if line.is_empty() {
            in_note = false;
            continue;
        }
        if in_note || line.starts_with("WEBVTT") || line.contains("-->") || line.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        if line.starts_with("NOTE") || line.starts_with("STYLE") || line.starts_with("REGION") {
            in_note = true;
            continue;
        }
        words.push(line);
    }
    let text = words.join("\n");
    // Drop `<i>`, `<c.yellow>` and similar markup.
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// Timestamps (seconds) where the picture changes shot, by ffmpeg's scene
/// score (0-1; 0.3 is a common threshold). Decodes a small copy of every
/// frame.
pub fn shot_changes(tools: &Tools, path: &Path, probe: &AvProbe, threshold: f64) -> Result<Vec<f64>, MediaError> {
    if probe.video.is_none() {
        return Err(MediaError::Absent { what: "video stream" });
    }
    let secs = probe.duration_ms.map(|d| d as f64 / 1000.0).unwrap_or(600.0);
    let filter = format!("scale=160:-2,select='gt(scene\\,{threshold:.3})',showinfo");
    let run = tools
        .ffmpeg(decode_timeout(secs), 1 << 20)
        // One showinfo line per shot: keep room for thousands.
        .stderr_tail(4 << 20);
    let out = run
        .exec([
            OsStr::new("-hide_banner"),
            OsStr::new("-nostdin"),
            OsStr::new("-nostats"),
            OsStr::new("-loglevel"),
            OsStr::new("info"),
            OsStr::new("-i"),
            path.as_os_str(),
            OsStr::new("-map"),
            OsStr::new("0:V:0"),
            OsStr::new("-vf"),
            OsStr::new(&filter),
            OsStr::new("-f"),
            OsStr::new("null"),
            OsStr::new("-"),
        ])
        .map_err(|e| as_corrupt(e, "video"))?;
    Ok(out
        .stderr
        .lines()
        .filter(|l| l.contains("Parsed_showinfo"))
        .filter_map(|l| {
            let rest = &l[l.find("pts_time:")? + "pts_time:".len()..];
            rest.split_whitespace().next()?.parse::<f64>().ok()
        })
        .collect())
}

/// Whether the desktop webview (WebKitGTK / WebView2 / WKWebView) plays
/// the file as it is: H.264 (or no video) with AAC or MP3 (or no audio)
/// in MP4/MOV, or plain MP3/AAC/M4A audio.
pub fn is_web_playable(probe: &AvProbe) -> bool {
    let container = probe.container.as_deref().unwrap_or("");
    let mp4 = container.contains("mp4") || container.contains("mov");
    let video_ok = match &probe.video {
        None => true,
        Some(v) => v.codec == "h264" && mp4,
    };
    let audio_ok = match &probe.audio {
        None => true,
        Some(a) => matches!(a.codec.as_str(), "aac" | "mp3") && (mp4 || container == "mp3" || container == "aac"),
    };
    video_ok && audio_ok
}

/// Makes a playable proxy of a video at `out`: H.264 (short side at most
/// `max_short`), AAC audio, MP4 with the index first (plays while it
/// downloads). Rotation is applied to the pixels.
pub fn transcode_video(
    tools: &Tools,
    path: &Path,
    probe: &AvProbe,
    max_short: u32,
    out: &Path,
) -> Result<(), MediaError> {
    if probe.video.is_none() {
        return Err(MediaError::Absent { what: "video stream" });
    }
    let secs = probe.duration_ms.map(|d| d as f64 / 1000.0).unwrap_or(3600.0);
    let scale = format!(
        "scale=iw*sar:ih,scale=w='if(gt(iw,ih),-2,min({max_short},iw))':h='if(gt(iw,ih),min({max_short},ih),-2)',setsar=1,format=yuv420p"
    );
    let run = tools.ffmpeg(decode_timeout(secs), 1 << 20);
    let mut args: Vec<&OsStr> = vec![
        "-hide_banner".as_ref(),
        "-nostdin".as_ref(),
        "-loglevel".as_ref(),
        "error".as_ref(),
        "-y".as_ref(),
        "-i".as_ref(),
        path.as_os_str(),
        "-map".as_ref(),
        "0:V:0".as_ref(),
        "-map".as_ref(),
        "0:a:0?".as_ref(),
        "-vf".as_ref(),
        scale.as_ref(),
        "-c:v".as_ref(),
        "libx264".as_ref(),
        "-preset".as_ref(),
        "veryfast".as_ref(),
        "-crf".as_ref(),
        "23".as_ref(),
        "-c:a".as_ref(),
        "aac".as_ref(),
        "-b:a".as_ref(),
        "128k".as_ref(),
        "-ac".as_ref(),
        "2".as_ref(),
        "-movflags".as_ref(),
        "+faststart".as_ref(),
        "-map_metadata".as_ref(),
        "-1".as_ref(),
        "-f".as_ref(),
        "mp4".as_ref(),
    ];
    args.push(out.as_os_str());
    run.exec(args).map_err(|e| as_corrupt(e, "video"))?;
    Ok(())
}

/// Makes a playable AAC (M4A) proxy of an audio file at `out`.
/// A copy of a video or a song without what it says about the person: no
/// location (QuickTime's ISO 6709 atoms, Apple's keys), camera, dates,
/// chapters, tags or telemetry tracks (a GoPro's GPS stream is a data
/// track). The streams are copied as they are (no re-encoding): it plays
/// exactly as the original. `out` takes the original's extension, which
/// picks the container.
pub fn strip_av_metadata(tools: &Tools, path: &Path, out: &Path) -> Result<(), MediaError> {
    let run = tools.ffmpeg(Duration::from_secs(600), 1 << 20);
    let input = [OsStr::new("-y"), OsStr::new("-i"), path.as_os_str()];
    let streams = [
        OsStr::new("-map"),
        OsStr::new("0:v?"),
        OsStr::new("-map"),
        OsStr::new("0:a?"),
        OsStr::new("-map"),
        OsStr::new("0:s?"),
        OsStr::new("-dn"),
        OsStr::new("-c"),
        OsStr::new("copy"),
        OsStr::new("-map_metadata"),
        OsStr::new("-1"),
        OsStr::new("-map_metadata:s"),
        OsStr::new("-1"),
        OsStr::new("-map_chapters"),
        OsStr::new("-1"),
        OsStr::new("-fflags"),
        OsStr::new("+bitexact"),
        OsStr::new("-flags:v"),
        OsStr::new("+bitexact"),
        OsStr::new("-flags:a"),
        OsStr::new("+bitexact"),
        out.as_os_str(),
    ];
    run.exec(QUIET.map(OsStr::new).into_iter().chain(input).chain(streams))
        .map_err(|e| as_corrupt(e, "media"))?;
    Ok(())
}

pub fn transcode_audio(tools: &Tools, path: &Path, probe: &AvProbe, out: &Path) -> Result<(), MediaError> {
    if probe.audio.is_none() {
        return Err(MediaError::Absent { what: "audio stream" });
    }
    let secs = probe.duration_ms.map(|d| d as f64 / 1000.0).unwrap_or(3600.0);
    let run = tools.ffmpeg(Duration::from_secs(120 + secs as u64), 1 << 20);
    let input = [OsStr::new("-y"), OsStr::new("-i"), path.as_os_str()];
    let output = [
        OsStr::new("-map"),
        OsStr::new("0:a:0"),
        OsStr::new("-vn"),
        OsStr::new("-c:a"),
        OsStr::new("aac"),
        OsStr::new("-b:a"),
        OsStr::new("160k"),
        OsStr::new("-movflags"),
        OsStr::new("+faststart"),
        OsStr::new("-f"),
        OsStr::new("ipod"),
        out.as_os_str(),
    ];
    run.exec(QUIET.map(OsStr::new).into_iter().chain(input).chain(output))
        .map_err(|e| as_corrupt(e, "audio"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso6709_locations() {
        assert_eq!(
            parse_iso6709("+64.1400-021.9400+012.000/"),
            Some((64.14, -21.94, Some(12.0)))
        );
        assert_eq!(parse_iso6709("-33.8688+151.2093/"), Some((-33.8688, 151.2093, None)));
        assert_eq!(parse_iso6709("garbage"), None);
        assert_eq!(parse_iso6709("+95.0+10.0/"), None);
    }

    #[test]
    fn container_times() {
        let t = parse_time("2023-06-14T10:20:30.000000Z").expect("rfc3339");
        assert_eq!(t.unix_ms, 1_686_738_030_000);
        assert_eq!(t.offset_minutes, Some(0));
        let t = parse_time("2023-06-14T12:20:30+0200").expect("apple");
        assert_eq!(t.unix_ms, 1_686_738_030_000);
        assert_eq!(t.offset_minutes, Some(120));
        assert!(
            parse_time("1970-01-01T00:00:00.000000Z").is_none(),
            "zero dates mean unset"
        );
        assert!(parse_time("yesterday").is_none());
    }

    #[test]
    fn vtt_to_text() {
        let vtt = "WEBVTT\n\nNOTE a comment\nstill the note\n\n1\n00:00:00.500 --> 00:00:02.000\n<i>Hello</i> glacier\n\n00:00:02.500 --> 00:00:03.500\nSecond line\n";
        assert_eq!(vtt_text(vtt), "Hello glacier\nSecond line");
    }

    #[test]
    fn rotation_snaps_to_quarter_turns() {
        let s = serde_json::json!({"side_data_list": [{"rotation": -90}]});
        assert_eq!(rotation_of(&s), 270);
        let s = serde_json::json!({"tags": {"rotate": "90"}});
        assert_eq!(rotation_of(&s), 90);
    }
}
