//! Video, audio and PDF assets: metadata probed into the catalog, proxies
//! made by the two job kinds, and a clear state when a tool is missing.

use trove_core::{AddRootOptions, Cancel, Library, NoEvents, OpenOptions, WorkerOptions};
use trove_media::Tools;
use trove_testkit::{VideoSpec, pdf_bytes, write_flac, write_jpeg, write_mp3, write_video};

use super::Env;

fn run(lib: &Library) -> trove_core::JobRunSummary {
    lib.run_jobs(&WorkerOptions::for_cores(2), &NoEvents, &Cancel::new())
        .unwrap()
}

fn variants(d: &trove_core::AssetDetail) -> Vec<String> {
    let mut v: Vec<String> = d.derivatives.iter().map(|x| x.variant.clone()).collect();
    v.sort();
    v
}

#[test]
fn a_video_gets_metadata_a_poster_subtitles_a_scrub_strip_and_a_playable_copy() {
    let env = Env::new();
    write_video(
        &env.path("trip.mkv"),
        &VideoSpec {
            codec: "libx265",
            black_secs: 1.0,
            secs: 3.0,
            creation_time: Some("2023-06-14T10:20:30Z"),
            subtitles: &["Hello glacier", "Puffins ahead"],
            ..VideoSpec::default()
        },
    );
    env.scan();
    let summary = run(&env.lib);
    assert_eq!(
        (summary.done, summary.failed),
        (2, 0),
        "proxies, then the playable copy"
    );
    let d = env.asset_at("trip.mkv");
    assert_eq!(
        variants(&d),
        ["preview", "scrub", "subtitles-2", "thumb", "thumb@2x", "video"]
    );
    for x in &d.derivatives {
        let len = std::fs::metadata(env.lib.dir().join(&x.path)).unwrap().len();
        assert_eq!(len, x.size, "{}", x.path);
    }
    let a = &d.asset;
    assert_eq!((a.width, a.height), (Some(320), Some(240)));
    assert!((3900..=4100).contains(&a.duration_ms.unwrap()), "{:?}", a.duration_ms);
    let capture = a.capture.unwrap();
    assert_eq!(
        capture.unix_ms, 1_686_738_030_000,
        "the container's time replaces the mtime"
    );
    assert_eq!(capture.source, trove_types::CaptureSource::Container);
    let m = d.metadata.as_ref().unwrap();
    assert_eq!(m.video_codec.as_deref(), Some("hevc"));
    assert_eq!(m.audio_codec.as_deref(), Some("aac"));
    assert_eq!(m.frame_rate, Some(25.0));
    assert_eq!(m.text.as_deref(), Some("Hello glacier\nPuffins ahead"));
    assert!(m.raw["ffprobe"]["streams"].is_array());
    let shots = m.raw["shots"].as_array().expect("shot changes recorded");
    assert!(
        shots.iter().any(|t| (t.as_f64().unwrap() - 1.0).abs() < 0.1),
        "{shots:?}"
    );
    assert!(d.proxy_error.is_none());
    // Done means done: nothing is queued again.
    assert_eq!(env.lib.enqueue_proxies(false).unwrap(), 0);
}

#[test]
fn an_h264_mp4_plays_as_it_is() {
    let env = Env::new();
    write_video(&env.path("clip.mp4"), &VideoSpec::default());
    env.scan();
    assert_eq!(run(&env.lib).failed, 0);
    let d = env.asset_at("clip.mp4");
    assert_eq!(variants(&d), ["preview", "scrub", "thumb", "thumb@2x"], "no transcode");
}

#[test]
fn closed_captions_inside_the_video_become_webvtt_and_searchable_words() {
    let env = Env::new();
    trove_testkit::write_video_with_captions(&env.path("news.mp4"), "HELLO GLACIER");
    env.scan();
    assert_eq!(run(&env.lib).failed, 0);
    let d = env.asset_at("news.mp4");
    assert_eq!(variants(&d), ["captions", "preview", "scrub", "thumb", "thumb@2x"]);
    let m = d.metadata.as_ref().unwrap();
    assert_eq!(m.text.as_deref(), Some("HELLO GLACIER"));
    let captions = d.derivatives.iter().find(|x| x.variant == "captions").unwrap();
    let vtt = std::fs::read_to_string(env.lib.dir().join(&captions.path)).unwrap();
    assert!(vtt.starts_with("WEBVTT"), "{vtt}");
    // What a player is handed: the same file, as the asset's one text track.
    let tracks = env.lib.text_tracks(d.asset.id).unwrap();
    assert_eq!(tracks, [("captions".to_owned(), vtt)]);
}

#[test]
fn audio_gets_tags_cover_art_and_an_aac_copy_when_needed() {
    let env = Env::new();
    let cover = trove_testkit::jpeg_bytes(200, 200, [30, 160, 30], 3, None);
    write_mp3(
        &env.path("song.mp3"),
        "Glacier Song",
        "The Tests",
        "Iceland 2024",
        Some(&cover),
    );
    write_flac(&env.path("take.flac"), "Take 1");
    env.scan();
    let summary = run(&env.lib);
    assert_eq!(summary.failed, 0);
    let song = env.asset_at("song.mp3");
    assert_eq!(
        variants(&song),
        ["preview", "thumb", "thumb@2x"],
        "cover art, no transcode"
    );
    let m = song.metadata.as_ref().unwrap();
    assert_eq!(m.title.as_deref(), Some("Glacier Song"));
    assert_eq!(m.artist.as_deref(), Some("The Tests"));
    assert_eq!(m.album.as_deref(), Some("Iceland 2024"));
    assert_eq!(m.audio_codec.as_deref(), Some("mp3"));
    assert!(song.asset.duration_ms.unwrap() > 1500);
    let take = env.asset_at("take.flac");
    assert_eq!(variants(&take), ["audio"]);
    assert_eq!(take.metadata.as_ref().unwrap().title.as_deref(), Some("Take 1"));
}

#[test]
fn a_pdf_gets_its_page_count_title_author_and_first_page() {
    let env = Env::new();
    std::fs::write(env.path("notes.pdf"), pdf_bytes("Field notes", "Ada Lovelace", 4)).unwrap();
    env.scan();
    assert_eq!(run(&env.lib).failed, 0);
    let d = env.asset_at("notes.pdf");
    assert_eq!(variants(&d), ["preview", "thumb", "thumb@2x"]);
    let preview = d.derivatives.iter().find(|x| x.variant == "preview").unwrap();
    assert_eq!(preview.height, Some(2048), "A4 portrait, long side 2048");
    let m = d.metadata.as_ref().unwrap();
    assert_eq!(m.page_count, Some(4));
    assert_eq!(m.title.as_deref(), Some("Field notes"));
    assert_eq!(m.author.as_deref(), Some("Ada Lovelace"));
    assert_eq!((d.asset.width, d.asset.height), (Some(595), Some(842)));

    // Any page on demand, for the viewer: rendered once, then kept.
    let page = env.lib.pdf_page(d.asset.id, 3).unwrap().expect("page 3");
    let img = image::open(&page.path).unwrap();
    assert_eq!(img.height(), 2048);
    assert!(page.path.starts_with(env.lib.dir().join("proxies")));
    let made = std::fs::metadata(&page.path).unwrap().modified().unwrap();
    let again = env.lib.pdf_page(d.asset.id, 3).unwrap().unwrap();
    assert_eq!(
        std::fs::metadata(&again.path).unwrap().modified().unwrap(),
        made,
        "not rendered twice"
    );
    assert!(env.lib.pdf_page(d.asset.id, 5).unwrap().is_none(), "there are 4 pages");
    assert!(env.lib.pdf_page(d.asset.id, 0).unwrap().is_none());
    write_jpeg(&env.path("photo.jpg"), 8, 8, [1, 2, 3], 1, None);
    env.scan();
    let photo = env.asset_at("photo.jpg").asset.id;
    assert!(env.lib.pdf_page(photo, 1).unwrap().is_none(), "not a PDF");
}

#[test]
fn without_ffmpeg_and_poppler_images_still_work_and_the_rest_waits_for_the_tools() {
    let none = Tools::in_dir(std::path::Path::new("/nonexistent"));
    let env = Env::with(AddRootOptions::default(), OpenOptions::write().create(true).tools(none));
    write_jpeg(&env.path("photo.jpg"), 64, 48, [200, 10, 10], 1, None);
    write_video(&env.path("clip.mp4"), &VideoSpec::default());
    std::fs::write(env.path("notes.pdf"), pdf_bytes("t", "a", 1)).unwrap();
    let cover = trove_testkit::jpeg_bytes(64, 64, [30, 160, 30], 3, None);
    write_mp3(&env.path("song.mp3"), "Song", "A", "B", Some(&cover));
    env.scan();
    run(&env.lib);
    assert_eq!(env.asset_at("photo.jpg").derivatives.len(), 3);
    for (name, tool) in [("clip.mp4", "ffmpeg"), ("notes.pdf", "poppler-utils")] {
        let d = env.asset_at(name);
        let err = d.proxy_error.as_deref().unwrap();
        assert!(err.starts_with("tool_missing:"), "{name}: {err}");
        assert!(err.contains(tool), "{name} says what to install: {err}");
    }
    // The song keeps its tags and cover, and says what it still needs.
    let song = env.asset_at("song.mp3");
    assert_eq!(song.derivatives.len(), 3);
    assert_eq!(song.metadata.as_ref().unwrap().title.as_deref(), Some("Song"));
    assert!(song.proxy_error.as_deref().unwrap().starts_with("tool_missing:"));

    // Once the tools are there, the same library finishes the work.
    let dir = env.lib.dir().to_owned();
    let Env { lib, tmp, .. } = env;
    drop(lib);
    let lib = Library::open(&dir, OpenOptions::write()).unwrap();
    assert_eq!(
        lib.enqueue_proxies(false).unwrap(),
        3,
        "the video, the PDF and the song"
    );
    assert_eq!(run(&lib).failed, 0);
    let clip = tmp.path().canonicalize().unwrap().join("photos/clip.mp4");
    let d = lib.asset_detail(clip.to_str().unwrap()).unwrap();
    assert!(d.proxy_error.is_none());
    assert!(d.derivatives.iter().any(|x| x.variant == "thumb"));
}

#[test]
fn a_corrupt_video_is_a_typed_error_and_the_rest_goes_on() {
    let env = Env::new();
    write_video(&env.path("good.mp4"), &VideoSpec::default());
    let mut bytes = std::fs::read(env.path("good.mp4")).unwrap();
    bytes.truncate(bytes.len() / 20);
    std::fs::write(env.path("cut.mp4"), &bytes).unwrap();
    env.scan();
    run(&env.lib);
    let d = env.asset_at("cut.mp4");
    assert!(
        d.proxy_error.as_deref().unwrap().starts_with("corrupt:"),
        "{:?}",
        d.proxy_error
    );
    assert!(env.asset_at("good.mp4").derivatives.len() >= 3);
}

/// A video whose picture data is destroyed (a broken download, a card
/// pulled out mid-write) but whose container header survives: no poster,
/// a typed error saying so, and still the container's date, size,
/// duration and camera, as exiftool reads them from such a file. Not a
/// failed job retried forever: the file will not mend.
#[test]
fn a_video_without_a_decodable_frame_keeps_what_its_container_says() {
    let env = Env::new();
    write_video(
        &env.path("broken.mov"),
        &VideoSpec {
            secs: 1.0,
            audio: false,
            creation_time: Some("2019-04-02T08:09:10Z"),
            make: Some("Apple"),
            model: Some("iPhone XS"),
            location: Some("+64.1400-021.9400/"),
            ..VideoSpec::default()
        },
    );
    // Every byte of the picture data, zeroed; the header (moov) stays.
    let mut bytes = std::fs::read(env.path("broken.mov")).unwrap();
    let at = bytes.windows(4).position(|w| w == b"mdat").unwrap();
    let len = u32::from_be_bytes(bytes[at - 4..at].try_into().unwrap()) as usize;
    bytes[at + 4..at - 4 + len].fill(0);
    std::fs::write(env.path("broken.mov"), &bytes).unwrap();
    env.scan();
    let summary = run(&env.lib);
    assert_eq!((summary.done, summary.failed), (1, 0), "{summary:?}");
    let d = env.asset_at("broken.mov");
    let err = d.proxy_error.as_deref().expect("a reason for the missing poster");
    assert!(err.starts_with("corrupt:"), "{err}");
    assert!(d.derivatives.is_empty(), "{:?}", d.derivatives);
    let a = &d.asset;
    assert_eq!((a.width, a.height), (Some(320), Some(240)));
    assert!((900..=1100).contains(&a.duration_ms.unwrap()), "{:?}", a.duration_ms);
    let capture = a.capture.unwrap();
    assert_eq!(capture.unix_ms, 1_554_192_550_000);
    assert_eq!(capture.source, trove_types::CaptureSource::Container);
    let m = d.metadata.as_ref().unwrap();
    assert_eq!(
        (m.camera_make.as_deref(), m.camera_model.as_deref()),
        (Some("Apple"), Some("iPhone XS"))
    );
    let gps = m.gps.unwrap();
    assert!(
        (gps.lat - 64.14).abs() < 1e-6 && (gps.lon + 21.94).abs() < 1e-6,
        "{gps:?}"
    );
    assert_eq!(env.lib.enqueue_proxies(false).unwrap(), 0, "not queued again");
}
