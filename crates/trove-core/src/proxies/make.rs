//! One producer per kind of asset: what `make_proxies` and `make_playable`
//! make, as a [`Made`] for `record` to write.

use std::io::Read;

use trove_media::{MediaError, ProxySpec};
use trove_types::Metadata;

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
        let orientation = src.detail.metadata.as_ref().and_then(|m| m.orientation);
        let spec = ProxySpec::default();
        let raw = a.mime.as_deref().is_some_and(trove_media::is_raw_mime);
        let own = if a.size > MAX_ORIGINAL_BYTES {
            Err(MediaError::OverMemoryLimit {
                detail: format!(
                    "the file is {} bytes; Trove decodes originals up to {} bytes itself",
                    a.size, MAX_ORIGINAL_BYTES
                ),
            })
        } else {
            // The file and its decode come out of the decode budget: first
            // as the header says (before the file is read), then, if the
            // whole file says more, again for that.
            let cost = |pixels: &[u8]| a.size.saturating_add(trove_media::decode_memory(pixels, &spec));
            // One read: its first MiB (enough for an image's size and
            // colour type) before the budget is taken, the rest after.
            let reading = |e: std::io::Error| JobFailure::io(format!("reading {}", src.path.display()), &e);
            let mut file = std::fs::File::open(src.path).map_err(reading)?;
            let mut bytes = Vec::with_capacity(1 << 20);
            (&mut file).take(1 << 20).read_to_end(&mut bytes).map_err(reading)?;
            let guess = if raw { a.size } else { cost(&bytes) };
            let mut decoding = self.decode_budget().take(guess);
            bytes.reserve(usize::try_from(a.size).unwrap_or(0).saturating_sub(bytes.len()));
            file.read_to_end(&mut bytes).map_err(reading)?;
            if blake3::hash(&bytes).as_bytes() != &a.blake3.0 {
                return Err(changed(src.path).into());
            }
            // A RAW file shows through the largest JPEG its camera
            // embedded, turned by the RAW's own orientation; one without a
            // preview big enough for the proxies is developed by LibRaw
            // (a small preview still beats none when LibRaw cannot).
            let developed;
            let pixels = match raw.then(|| trove_media::raw_preview(&bytes)) {
                None => Ok(&bytes[..]),
                Some(Ok(j)) if j.width.max(j.height) >= trove_media::MIN_RAW_PREVIEW_SIDE => {
                    Ok(&bytes[j.offset..j.offset + j.len])
                }
                Some(embedded) => match trove_media::raw_develop(self.tools(), src.path, true) {
                    Ok(tiff) => {
                        developed = tiff;
                        Ok(&developed[..])
                    }
                    Err(e) => match embedded {
                        Ok(j) => {
                            tracing::info!(path = %src.path.display(), error = %e, "LibRaw could not develop it: its small preview is shown");
                            Ok(&bytes[j.offset..j.offset + j.len])
                        }
                        Err(_) => Err(e),
                    },
                },
            };
            pixels.and_then(|pixels| {
                let needed = cost(pixels);
                if needed > guess {
                    drop(decoding);
                    decoding = self.decode_budget().take(needed);
                }
                let made = trove_media::image_proxies(pixels, orientation, &spec);
                drop(decoding);
                made
            })
        };
        let mut made = Made::default();
        match own {
            Ok(p) => made.image(p),
            // What the fast decoders refuse, libvips may read (in a process
            // of its own, shrinking while it decodes); when it cannot
            // either, the first decoder's reason stands.
            // Not a RAW file: libvips has no RAW loader here, and reads a
            // DNG's sensor data as a grey mosaic.
            Err(e) if !raw && trove_media::vips_may_read(&e) => {
                let v = trove_media::vips_preview(self.tools(), src.path, spec.preview_long).map_err(|ve| {
                    tracing::debug!(path = %src.path.display(), error = %ve, "libvips could not read it either");
                    e.clone()
                })?;
                let mut p = trove_media::image_proxies(&v.jpeg, orientation, &spec)?;
                p.source_width = v.width;
                p.source_height = v.height;
                if a.width.is_none() || a.height.is_none() {
                    let (w, h) = match orientation {
                        Some(5..=8) => (v.height, v.width),
                        _ => (v.width, v.height),
                    };
                    made.facts = Some(Facts {
                        width: Some(w),
                        height: Some(h),
                        ..Facts::default()
                    });
                }
                tracing::info!(path = %src.path.display(), reason = %e, "shown through libvips");
                made.image(p);
                if made.problem.is_none() {
                    made.problem = v.warning;
                }
            }
            Err(e) => return Err(e.into()),
        }
        Ok(made)
    }

    pub(super) fn video_proxies(&self, src: &Source<'_>) -> Produced {
        let tools = self.tools();
        let probe = trove_media::probe_av(tools, src.path)?;
        let mut made = Made::default();
        let mut m = base_metadata(src);
        probe.fill_metadata(&mut m);
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
            match trove_media::poster_frame(tools, src.path, &probe, spec.preview_long)
                .and_then(|frame| trove_media::image_proxies(&frame, Some(1), &spec))
            {
                Ok(p) => {
                    made.image(p);
                    made.playable = true;
                }
                // A damaged or cut video keeps what its container says
                // (date, size, duration, camera) beside the reason it shows
                // no picture; the job is done, as the file will not mend.
                Err(e @ (MediaError::Corrupt { .. } | MediaError::Unsupported { .. })) => made.problem = Some(e),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(made)
    }

    pub(super) fn audio_proxies(&self, src: &Source<'_>) -> Produced {
        let tags = trove_media::probe_audio(src.path)?;
        let mut made = Made::default();
        let mut m = base_metadata(src);
        tags.fill_metadata(&mut m);
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
                probe.fill_metadata(&mut m);
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
        info.fill_metadata(&mut m);
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
            m.add_raw("shots", serde_json::json!(shots));
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
                .map_err(|e| JobFailure::io("creating a temporary proxy file".into(), &e))?;
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
    src.detail.metadata.clone().unwrap_or_else(Metadata::empty)
}

/// One bad subtitle or caption stream does not cost the video its poster;
/// a missing tool or a timeout stops the job (it is tried again).
fn tolerate(e: MediaError) -> Result<(), MediaError> {
    match e {
        MediaError::ToolMissing { .. } | MediaError::Timeout { .. } => Err(e),
        _ => Ok(()),
    }
}
