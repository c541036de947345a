//! One producer per kind of asset: what `make_proxies` and `make_playable`
//! make, as a [`Made`] for `record` to write.

use trove_catalog::Metadata;
use trove_media::{AvProbe, MediaError, ProxySpec};

use super::{Body, Facts, Failure, MAX_ORIGINAL_BYTES, Made, MadeFile, Source, changed};
use crate::jobs::failure::JobFailure;
use crate::library::Library;

/// Frames in a video's scrub strip, and the width of each.
const SCRUB_FRAMES: u32 = 20;
const SCRUB_WIDTH: u32 = 160;
/// Short side of a video's playable proxy.
const PLAYABLE_SHORT_SIDE: u32 = 720;
/// Scene score above which a frame starts a new shot.
const SHOT_THRESHOLD: f64 = 0.3;

type Produced = Result<Made, Failure>;

impl Library {
    pub(super) fn image_proxies(&self, src: &Source<'_>) -> Produced {
        let a = &src.detail.asset;
        if a.size > MAX_ORIGINAL_BYTES {
            return Err(MediaError::OverMemoryLimit {
                detail: format!(
                    "the file is {} bytes; Trove makes proxies of originals up to {} bytes",
                    a.size, MAX_ORIGINAL_BYTES
                ),
            }
            .into());
        }
        let bytes = std::fs::read(src.path)
            .map_err(|e| JobFailure::retryable(format!("reading {}: {e}", src.path.display())))?;
        if blake3::hash(&bytes).as_bytes() != &a.blake3.0 {
            return Err(changed(src.path).into());
        }
        let orientation = src.detail.metadata.as_ref().and_then(|m| m.orientation);
        // A RAW file shows through the largest JPEG its camera embedded,
        // turned by the RAW's own orientation.
        let pixels = match a.mime.as_deref() {
            Some(mime) if trove_media::is_raw_mime(mime) => {
                let j = trove_media::raw_preview(&bytes)?;
                &bytes[j.offset..j.offset + j.len]
            }
            _ => &bytes[..],
        };
        let mut made = Made::default();
        made.image(trove_media::image_proxies(pixels, orientation, &ProxySpec::default())?);
        Ok(made)
    }

    pub(super) fn video_proxies(&self, src: &Source<'_>) -> Produced {
        let tools = self.tools();
        let probe = trove_media::probe_av(tools, src.path)?;
        let mut made = Made::default();
        let mut m = base_metadata(src);
        fill_av_metadata(&mut m, &probe);
        // Subtitles and closed captions: WebVTT beside the proxies, and
        // their words searchable.
        let mut text = Vec::new();
        let mut add_vtt = |variant: String, vtt: String| {
            text.push(trove_media::vtt_text(&vtt));
            made.files.push(MadeFile {
                variant,
                ext: "vtt",
                format: "webvtt",
                width: None,
                height: None,
                body: Body::Bytes(vtt.into_bytes()),
            });
        };
        for s in probe.subtitles.iter().filter(|s| s.text_based) {
            match trove_media::subtitles_vtt(tools, src.path, s) {
                Ok(vtt) => add_vtt(format!("subtitles-{}", s.index), vtt),
                Err(e) => tolerate(e)?,
            }
        }
        // Captions carried inside the video stream (broadcast, some cameras).
        match trove_media::has_closed_captions(tools, src.path, &probe).and_then(|has| {
            has.then(|| trove_media::closed_captions_vtt(tools, src.path, &probe))
                .transpose()
        }) {
            Ok(Some(vtt)) => add_vtt("captions".to_owned(), vtt),
            Ok(None) => {}
            Err(e) => tolerate(e)?,
        }
        if !text.is_empty() {
            m.text = Some(text.join("\n"));
        }
        let (width, height) = probe.video.as_ref().map(|v| v.display_size()).unzip();
        made.facts = Some(Facts {
            width,
            height,
            duration_ms: probe.duration_ms,
            capture: probe.creation_time,
        });
        made.metadata = Some(m);
        if probe.video.is_some() {
            let spec = ProxySpec::default();
            let frame = trove_media::poster_frame(tools, src.path, &probe, spec.preview_long)?;
            made.image(trove_media::image_proxies(&frame, Some(1), &spec)?);
            made.playable = true;
        }
        Ok(made)
    }

    pub(super) fn audio_proxies(&self, src: &Source<'_>) -> Produced {
        let tags = trove_media::probe_audio(src.path)?;
        let mut made = Made::default();
        let mut m = base_metadata(src);
        m.title = m.title.take().or(tags.title);
        m.artist = tags.artist;
        m.album = tags.album;
        m.genre = tags.genre;
        m.bit_rate = tags.bitrate_kbps.map(|k| u64::from(k) * 1000);
        merge_raw(
            &mut m,
            "audio",
            serde_json::json!({
                "year": tags.year,
                "sample_rate": tags.sample_rate,
                "channels": tags.channels,
            }),
        );
        made.facts = Some(Facts {
            duration_ms: tags.duration_ms,
            ..Facts::default()
        });
        if let Some(cover) = &tags.cover {
            // A broken cover picture is not a broken song.
            if let Ok(p) = trove_media::image_proxies(cover, None, &ProxySpec::default()) {
                made.image(p);
            }
        }
        // Codecs (and whether the webview plays it) need ffprobe. Without
        // it, the tags and cover are kept and the asset says what it needs.
        match trove_media::probe_av(self.tools(), src.path) {
            Ok(probe) => {
                fill_av_metadata(&mut m, &probe);
                made.playable = !trove_media::is_web_playable(&probe);
            }
            Err(e @ MediaError::ToolMissing { .. }) => made.problem = Some(e),
            Err(e) => return Err(e.into()),
        }
        made.metadata = Some(m);
        Ok(made)
    }

    pub(super) fn document_proxies(&self, src: &Source<'_>) -> Produced {
        if src.detail.asset.mime.as_deref() != Some("application/pdf") {
            // Office files and other documents: catalogued, no preview yet.
            return Ok(Made::default());
        }
        let tools = self.tools();
        let info = trove_media::pdf_info(tools, src.path)?;
        let mut m = base_metadata(src);
        m.page_count = info.pages;
        m.author = info.author.clone();
        m.title = m.title.take().or(info.title.clone());
        let mut made = Made {
            facts: Some(Facts {
                width: info.page_size.map(|(w, _)| w.round() as u32),
                height: info.page_size.map(|(_, h)| h.round() as u32),
                duration_ms: None,
                capture: info.created,
            }),
            metadata: Some(m),
            ..Made::default()
        };
        let spec = ProxySpec::default();
        let page = trove_media::pdf_page_png(tools, src.path, 1, spec.preview_long)?;
        made.image(trove_media::image_proxies(&page, Some(1), &spec)?);
        Ok(made)
    }

    /// The heavy part: a playable copy when the webview cannot play the
    /// original, and, for video, the scrub strip and shot changes.
    pub(super) fn playable_proxies(&self, src: &Source<'_>) -> Produced {
        let tools = self.tools();
        let probe = trove_media::probe_av(tools, src.path)?;
        let mut made = Made::default();
        if probe.video.is_some() {
            let strip = trove_media::scrub_strip(tools, src.path, &probe, SCRUB_FRAMES, SCRUB_WIDTH)?;
            made.files.push(MadeFile {
                variant: "scrub".into(),
                ext: "jpg",
                format: "jpeg",
                width: Some(strip.frame_width * strip.frames),
                height: Some(strip.frame_height),
                body: Body::Bytes(strip.jpeg),
            });
            let shots = trove_media::shot_changes(tools, src.path, &probe, SHOT_THRESHOLD)?;
            let mut m = base_metadata(src);
            merge_raw(&mut m, "shots", serde_json::json!(shots));
            made.metadata = Some(m);
        }
        if !trove_media::is_web_playable(&probe) {
            let (variant, ext) = if probe.video.is_some() {
                ("video", "mp4")
            } else {
                ("audio", "m4a")
            };
            let tmp = self
                .proxy_temp_path(ext)
                .map_err(|e| JobFailure::retryable(format!("creating a temporary proxy file: {e}")))?;
            let result = if probe.video.is_some() {
                trove_media::transcode_video(tools, src.path, &probe, PLAYABLE_SHORT_SIDE, &tmp)
            } else {
                trove_media::transcode_audio(tools, src.path, &probe, &tmp)
            };
            if let Err(e) = result {
                let _ = std::fs::remove_file(&tmp);
                return Err(e.into());
            }
            let out = trove_media::probe_av(tools, &tmp)?;
            let (width, height) = out.video.as_ref().map(|v| v.display_size()).unzip();
            made.files.push(MadeFile {
                variant: variant.into(),
                ext,
                format: if ext == "mp4" { "mp4" } else { "m4a" },
                width,
                height,
                body: Body::Temp(tmp),
            });
        }
        Ok(made)
    }
}

/// The asset's metadata as the scan left it (EXIF, XMP), to add to.
fn base_metadata(src: &Source<'_>) -> Metadata {
    src.detail.metadata.clone().unwrap_or_else(|| Metadata {
        raw: serde_json::json!({}),
        ..Metadata::default()
    })
}

fn merge_raw(m: &mut Metadata, key: &str, value: serde_json::Value) {
    if !m.raw.is_object() {
        m.raw = serde_json::json!({});
    }
    if let Some(o) = m.raw.as_object_mut() {
        o.insert(key.to_owned(), value);
    }
}

/// ffprobe's findings; what the scan read from the file itself (XMP
/// titles, EXIF cameras) wins over container tags.
fn fill_av_metadata(m: &mut Metadata, p: &AvProbe) {
    m.container = p.container.clone();
    m.video_codec = p.video.as_ref().map(|v| v.codec.clone());
    m.audio_codec = p.audio.as_ref().map(|a| a.codec.clone());
    m.frame_rate = p.video.as_ref().and_then(|v| v.frame_rate);
    m.bit_rate = p.bit_rate.or(m.bit_rate);
    m.rotation = p.video.as_ref().map(|v| v.rotation);
    m.camera_make = m.camera_make.take().or_else(|| p.make.clone());
    m.camera_model = m.camera_model.take().or_else(|| p.model.clone());
    if m.gps_lat.is_none()
        && let Some((lat, lon, alt)) = p.gps
    {
        m.gps_lat = Some(lat);
        m.gps_lon = Some(lon);
        m.gps_alt = alt;
    }
    m.title = m.title.take().or_else(|| p.title.clone());
    m.artist = m.artist.take().or_else(|| p.artist.clone());
    m.album = m.album.take().or_else(|| p.album.clone());
    m.genre = m.genre.take().or_else(|| p.genre.clone());
    merge_raw(m, "ffprobe", p.raw.clone());
}

/// One bad subtitle or caption stream does not cost the video its poster;
/// a missing tool or a timeout stops the job (it is tried again).
fn tolerate(e: MediaError) -> Result<(), MediaError> {
    match e {
        MediaError::ToolMissing { .. } | MediaError::Timeout { .. } => Err(e),
        _ => Ok(()),
    }
}
