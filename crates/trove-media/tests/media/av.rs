//! Video, audio and PDF through ffmpeg, lofty and poppler, on files the
//! tests make with those same tools.

use std::path::{Path, PathBuf};

use trove_media::{
    AvProbe, ProxySpec, Tools, Variant, closed_captions_vtt, has_closed_captions, image_proxies, is_web_playable,
    pdf_info, pdf_page_png, poster_frame, probe_audio, probe_av, scrub_strip, shot_changes, subtitles_vtt,
    transcode_audio, transcode_video, vtt_text,
};
use trove_testkit::{
    VideoSpec, pdf_bytes, write_flac, write_mov_with_caption_track, write_mp3, write_video, write_video_with_captions,
};

fn tools() -> Tools {
    Tools::default()
}

fn video(dir: &Path, name: &str, spec: &VideoSpec<'_>) -> (PathBuf, AvProbe) {
    let path = dir.join(name);
    write_video(&path, spec);
    let probe = probe_av(&tools(), &path).expect("probe");
    (path, probe)
}

fn mean_luma(img: &image::RgbImage) -> f64 {
    let sum: f64 = img
        .pixels()
        .map(|p| 0.299 * f64::from(p[0]) + 0.587 * f64::from(p[1]) + 0.114 * f64::from(p[2]))
        .sum();
    sum / f64::from(img.width() * img.height())
}

#[test]
fn ffprobe_metadata_of_a_phone_like_video() {
    let dir = tempfile::tempdir().unwrap();
    let (_, p) = video(
        dir.path(),
        "clip.mp4",
        &VideoSpec {
            secs: 3.0,
            creation_time: Some("2023-06-14T10:20:30Z"),
            location: Some("+64.1400-021.9400+012.000/"),
            make: Some("Apple"),
            model: Some("iPhone 15"),
            subtitles: &["Hello glacier"],
            ..VideoSpec::default()
        },
    );
    assert!(p.container.as_deref().unwrap().contains("mp4"), "{:?}", p.container);
    let d = p.duration_ms.unwrap();
    assert!((2900..=3200).contains(&d), "duration {d}");
    let v = p.video.as_ref().unwrap();
    assert_eq!((v.codec.as_str(), v.width, v.height, v.rotation), ("h264", 320, 240, 0));
    assert_eq!(v.frame_rate, Some(25.0));
    assert_eq!(p.audio.as_ref().unwrap().codec, "aac");
    assert!(p.bit_rate.unwrap() > 0);
    let t = p.creation_time.unwrap();
    assert_eq!(t.unix_ms, 1_686_738_030_000);
    assert_eq!(
        (p.make.as_deref(), p.model.as_deref()),
        (Some("Apple"), Some("iPhone 15"))
    );
    assert_eq!(
        p.gps,
        Some(trove_types::GeoPoint {
            lat: 64.14,
            lon: -21.94,
            alt: Some(12.0)
        })
    );
    assert_eq!(p.subtitles.len(), 1);
    assert!(p.subtitles[0].text_based);
    assert_eq!(p.subtitles[0].language.as_deref(), Some("eng"));
    assert!(is_web_playable(&p), "H.264/AAC in MP4 plays in the webview");
    assert!(p.raw["streams"].as_array().unwrap().len() >= 3);
}

#[test]
fn the_poster_frame_skips_a_black_opening_and_follows_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let (path, p) = video(
        dir.path(),
        "fade-in.mp4",
        &VideoSpec {
            black_secs: 2.0,
            secs: 4.0,
            rotate: Some(90),
            ..VideoSpec::default()
        },
    );
    assert_eq!(p.video.as_ref().unwrap().display_size(), (240, 320));
    let bmp = poster_frame(&tools(), &path, &p, 2048).unwrap();
    let frame = image::load_from_memory(&bmp).unwrap().into_rgb8();
    assert_eq!(frame.dimensions(), (240, 320), "rotation applied to the pixels");
    assert!(mean_luma(&frame) > 40.0, "not black: {}", mean_luma(&frame));
    let made = image_proxies(&bmp, Some(1), &ProxySpec::default()).unwrap();
    let thumb = made.proxies.iter().find(|p| p.variant == Variant::Thumb).unwrap();
    assert_eq!((thumb.width, thumb.height), (240, 320), "never scaled up");
    assert!(!made.thumbhash.is_empty());
}

#[test]
fn hevc_in_matroska_gets_a_playable_h264_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let (path, p) = video(
        dir.path(),
        "clip.mkv",
        &VideoSpec {
            codec: "libx265",
            width: 640,
            height: 360,
            subtitles: &["First cue", "Second cue"],
            ..VideoSpec::default()
        },
    );
    assert_eq!(p.video.as_ref().unwrap().codec, "hevc");
    assert!(!is_web_playable(&p));
    let out = dir.path().join("proxy.mp4");
    transcode_video(&tools(), &path, &p, 720, &out).unwrap();
    let q = probe_av(&tools(), &out).unwrap();
    assert!(is_web_playable(&q), "{q:?}");
    let v = q.video.unwrap();
    assert_eq!((v.width, v.height), (640, 360), "small videos are not scaled up");
    // faststart: the index (moov) comes before the media data (mdat).
    let bytes = std::fs::read(&out).unwrap();
    let pos = |tag: &[u8]| bytes.windows(4).position(|w| w == tag).unwrap();
    assert!(pos(b"moov") < pos(b"mdat"));
    // Subtitles come out as WebVTT, and as searchable text.
    let vtt = subtitles_vtt(&tools(), &path, &p.subtitles[0]).unwrap();
    assert!(vtt.starts_with("WEBVTT"), "{vtt}");
    assert_eq!(vtt_text(&vtt), "First cue\nSecond cue");
}

/// CEA-608 closed captions inside the H.264 stream (A53 messages) are
/// found by decoding a few frames and come out as WebVTT, even from a file
/// whose name is full of the filter graph's special characters; a video
/// without them decodes nothing more. A QuickTime caption track (c608) is a
/// text subtitle stream like any other.
#[test]
fn closed_captions_in_the_video_stream_and_in_a_caption_track_become_webvtt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("news [cam:1], it's; a\\b é.mp4");
    write_video_with_captions(&path, "HELLO GLACIER");
    let p = probe_av(&tools(), &path).unwrap();
    assert!(p.subtitles.is_empty(), "{p:?}");
    assert!(has_closed_captions(&tools(), &path, &p).unwrap());
    let vtt = closed_captions_vtt(&tools(), &path, &p).unwrap();
    assert!(vtt.starts_with("WEBVTT"), "{vtt}");
    assert_eq!(vtt_text(&vtt), "HELLO GLACIER", "{vtt}");

    let (plain, q) = video(dir.path(), "plain.mp4", &VideoSpec::default());
    assert!(!has_closed_captions(&tools(), &plain, &q).unwrap());

    let mov = dir.path().join("delivery.mov");
    write_mov_with_caption_track(&mov, "PUFFINS AHEAD");
    let m = probe_av(&tools(), &mov).unwrap();
    assert_eq!(m.subtitles.len(), 1, "{m:?}");
    assert_eq!(m.subtitles[0].codec, "eia_608");
    assert!(m.subtitles[0].text_based);
    let vtt = subtitles_vtt(&tools(), &mov, &m.subtitles[0]).unwrap();
    assert_eq!(vtt_text(&vtt), "PUFFINS AHEAD", "{vtt}");
}

#[test]
fn large_videos_are_scaled_to_720p_on_the_short_side() {
    let dir = tempfile::tempdir().unwrap();
    let (path, p) = video(
        dir.path(),
        "big.mov",
        &VideoSpec {
            codec: "libx265",
            width: 1920,
            height: 1080,
            secs: 1.0,
            rotate: Some(90),
            audio: false,
            ..VideoSpec::default()
        },
    );
    let out = dir.path().join("proxy.mp4");
    transcode_video(&tools(), &path, &p, 720, &out).unwrap();
    let v = probe_av(&tools(), &out).unwrap().video.unwrap();
    assert_eq!(
        (v.width, v.height, v.rotation),
        (720, 1280, 0),
        "rotated into the pixels"
    );
}

#[test]
fn scrub_strip_and_shot_changes() {
    let dir = tempfile::tempdir().unwrap();
    let (path, p) = video(
        dir.path(),
        "cut.mp4",
        &VideoSpec {
            black_secs: 1.0,
            secs: 3.0,
            ..VideoSpec::default()
        },
    );
    let strip = scrub_strip(&tools(), &path, &p, 10, 160).unwrap();
    let img = image::load_from_memory(&strip.jpeg).unwrap();
    assert_eq!((strip.frame_width, strip.frame_height), (160, 120));
    assert_eq!((img.width(), img.height()), (1600, 120));
    let shots = shot_changes(&tools(), &path, &p, 0.3).unwrap();
    assert!(
        shots.iter().any(|t| (t - 1.0).abs() < 0.1),
        "the cut from black at 1 s is found: {shots:?}"
    );
}

#[test]
fn audio_tags_cover_art_and_an_aac_proxy() {
    let dir = tempfile::tempdir().unwrap();
    let cover = trove_testkit::jpeg_bytes(300, 300, [200, 40, 40], 1, None);
    let mp3 = dir.path().join("song.mp3");
    write_mp3(&mp3, "Glacier Song", "The Tests", "Iceland 2024", Some(&cover));
    let tags = probe_audio(&mp3).unwrap();
    assert_eq!(tags.title.as_deref(), Some("Glacier Song"));
    assert_eq!(tags.artist.as_deref(), Some("The Tests"));
    assert_eq!(tags.album.as_deref(), Some("Iceland 2024"));
    let d = tags.duration_ms.unwrap();
    assert!((1900..=2200).contains(&d), "duration {d}");
    let art = tags.cover.expect("cover art");
    let made = image_proxies(&art, None, &ProxySpec::default()).unwrap();
    assert_eq!(made.source_width, 300);
    let p = probe_av(&tools(), &mp3).unwrap();
    assert!(p.has_cover_art && p.video.is_none(), "a cover is not a video stream");
    assert!(is_web_playable(&p));

    let flac = dir.path().join("take.flac");
    write_flac(&flac, "Take 1");
    assert_eq!(probe_audio(&flac).unwrap().title.as_deref(), Some("Take 1"));
    let p = probe_av(&tools(), &flac).unwrap();
    assert!(!is_web_playable(&p));
    let out = dir.path().join("take.m4a");
    transcode_audio(&tools(), &flac, &p, &out).unwrap();
    let q = probe_av(&tools(), &out).unwrap();
    assert_eq!(q.audio.as_ref().unwrap().codec, "aac");
    assert!(is_web_playable(&q));
}

#[test]
fn pdf_info_and_first_page() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("notes.pdf");
    std::fs::write(&pdf, pdf_bytes("Field notes", "Ada Lovelace", 3)).unwrap();
    let info = pdf_info(&tools(), &pdf).unwrap();
    assert_eq!(info.pages, Some(3));
    assert_eq!(info.title.as_deref(), Some("Field notes"));
    assert_eq!(info.author.as_deref(), Some("Ada Lovelace"));
    assert_eq!(info.created.unwrap().offset_minutes, Some(60));
    let png = pdf_page_png(&tools(), &pdf, 1, 512).unwrap();
    let page = image::load_from_memory(&png).unwrap().into_rgb8();
    assert_eq!(page.height(), 512, "A4 portrait: the long side is the height");
    // The blue square drawn on the page is there.
    let blue = page.pixels().filter(|p| p[2] > 200 && p[0] < 60).count();
    assert!(blue > 1000, "{blue} blue pixels");
}

#[test]
fn missing_tools_are_a_clear_tool_missing_error() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("a.pdf");
    std::fs::write(&pdf, pdf_bytes("t", "a", 1)).unwrap();
    let none = Tools::in_dir(Path::new("/nonexistent"));
    let e = probe_av(&none, &pdf).unwrap_err();
    assert_eq!(e.code(), "tool_missing");
    assert!(e.to_string().contains("apt install ffmpeg"), "{e}");
    let e = pdf_page_png(&none, &pdf, 1, 256).unwrap_err();
    assert_eq!(e.code(), "tool_missing");
    assert!(e.to_string().contains("poppler-utils"), "{e}");
}

/// Truncated videos, PDFs and audio, garbage with a video name, and empty
/// files: each a typed error (or a smaller result), never a panic or hang.
#[test]
fn hostile_av_and_pdf_files_get_typed_errors() {
    let dir = tempfile::tempdir().unwrap();
    let (good, _) = video(dir.path(), "good.mp4", &VideoSpec::default());
    let mp4 = std::fs::read(&good).unwrap();
    let mp3 = dir.path().join("good.mp3");
    write_mp3(&mp3, "t", "a", "b", None);
    let mp3 = std::fs::read(&mp3).unwrap();
    let pdf = pdf_bytes("t", "a", 2);
    let mut rng = trove_testkit::Rng::new(7);
    let garbage: Vec<u8> = (0..20_000).map(|_| rng.next_u64() as u8).collect();
    let mut cases: Vec<(String, Vec<u8>)> = vec![
        ("empty.mp4".into(), vec![]),
        ("garbage.mp4".into(), garbage.clone()),
        ("garbage.pdf".into(), garbage.clone()),
        ("garbage.mp3".into(), garbage),
    ];
    for frac in [0.02, 0.3, 0.7, 0.95] {
        cases.push((
            format!("cut-{frac}.mp4"),
            mp4[..(mp4.len() as f64 * frac) as usize].to_vec(),
        ));
        cases.push((
            format!("cut-{frac}.mp3"),
            mp3[..(mp3.len() as f64 * frac) as usize].to_vec(),
        ));
        cases.push((
            format!("cut-{frac}.pdf"),
            pdf[..(pdf.len() as f64 * frac) as usize].to_vec(),
        ));
    }
    let known = ["corrupt", "unsupported", "absent", "too_large"];
    for (name, bytes) in cases {
        let path = dir.path().join(&name);
        std::fs::write(&path, &bytes).unwrap();
        if name.ends_with(".pdf") {
            if let Err(e) = pdf_info(&tools(), &path) {
                assert!(known.contains(&e.code()), "{name}: {e}");
            }
            if let Err(e) = pdf_page_png(&tools(), &path, 1, 256) {
                assert!(known.contains(&e.code()), "{name}: {e}");
            }
        } else if name.ends_with(".mp3") {
            if let Err(e) = probe_audio(&path) {
                assert!(known.contains(&e.code()), "{name}: {e}");
            }
        } else {
            match probe_av(&tools(), &path) {
                Err(e) => assert!(known.contains(&e.code()), "{name}: {e}"),
                Ok(p) => {
                    if let Err(e) = poster_frame(&tools(), &path, &p, 512) {
                        assert!(known.contains(&e.code()), "{name}: {e}");
                    }
                }
            }
        }
    }
}
