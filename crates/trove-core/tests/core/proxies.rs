//! Proxies made as jobs: recorded, content-addressed, typed errors.

use trove_core::{Cancel, Library, NoEvents, OpenOptions, WorkerOptions};
use trove_testkit::{Exif, write_jpeg};

use super::Env;

fn run(env: &Env) -> trove_core::JobRunSummary {
    env.lib
        .run_jobs(&WorkerOptions::for_cores(2), &NoEvents, &Cancel::new())
        .unwrap()
}

#[test]
fn imported_images_get_three_recorded_proxies_on_disk() {
    let env = Env::new();
    let exif = Exif {
        orientation: Some(6),
        ..Exif::default()
    };
    write_jpeg(&env.path("tall.jpg"), 600, 400, [200, 50, 50], 1, Some(&exif));
    env.scan();
    assert_eq!(run(&env).failed, 0);
    let d = env.asset_at("tall.jpg");
    let variants: Vec<_> = d
        .derivatives
        .iter()
        .map(|x| (x.variant.as_str(), x.width, x.height))
        .collect();
    // Orientation 6 turns the 600 x 400 pixels into a portrait picture.
    assert_eq!(
        variants,
        [
            ("thumb", Some(256), Some(384)),
            ("thumb@2x", Some(400), Some(600)),
            ("preview", Some(400), Some(600))
        ]
    );
    for x in &d.derivatives {
        let path = env.lib.dir().join(&x.path);
        assert_eq!(std::fs::metadata(&path).unwrap().len(), x.size, "{}", path.display());
        assert!(
            x.path.contains(&d.asset.blake3.to_hex()),
            "content-addressed: {}",
            x.path
        );
        assert_eq!(x.source_blake3, d.asset.blake3);
    }
    assert!(d.thumbhash.is_some());
    assert!(d.proxy_error.is_none());
    // The change feed says so (derived data like the search index follows it).
    let conn = rusqlite::Connection::open(env.lib.catalog_path()).unwrap();
    let made: i64 = conn
        .query_row("SELECT count(*) FROM events WHERE kind = 'proxies_made'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(made, 1);
}

#[test]
fn a_renamed_or_duplicated_image_is_not_processed_again() {
    let env = Env::new();
    write_jpeg(&env.path("a.jpg"), 64, 64, [1, 2, 3], 1, None);
    env.scan();
    run(&env);
    std::fs::rename(env.path("a.jpg"), env.path("b.jpg")).unwrap();
    std::fs::copy(env.path("b.jpg"), env.path("copy.jpg")).unwrap();
    env.scan();
    assert_eq!(env.lib.enqueue_proxies(false).unwrap(), 0);
    assert_eq!(run(&env).done, 0);
    assert_eq!(env.lib.enqueue_proxies(true).unwrap(), 1, "--force makes them again");
    assert_eq!(run(&env).done, 1);
}

#[test]
fn a_corrupt_image_gets_a_typed_error_and_the_rest_goes_on() {
    let env = Env::new();
    write_jpeg(&env.path("good.jpg"), 64, 64, [1, 2, 3], 1, None);
    let mut bad = trove_testkit::jpeg_bytes(64, 64, [9, 9, 9], 2, None);
    bad.truncate(200);
    std::fs::write(env.path("bad.jpg"), &bad).unwrap();
    env.scan();
    let summary = run(&env);
    assert_eq!((summary.done, summary.failed), (1, 1));
    let d = env.asset_at("bad.jpg");
    assert!(d.derivatives.is_empty());
    assert!(
        d.proxy_error.as_deref().unwrap().starts_with("corrupt:"),
        "{:?}",
        d.proxy_error
    );
    let failed = env.lib.jobs(true, 10).unwrap();
    assert!(
        failed[0].last_error.as_deref().unwrap().contains("bad.jpg"),
        "names the file"
    );
    assert_eq!(env.asset_at("good.jpg").derivatives.len(), 3);
    // Not retried on its own; --force tries again.
    assert_eq!(env.lib.enqueue_proxies(false).unwrap(), 0);
}

#[test]
fn half_written_proxies_are_swept_when_the_library_opens() {
    let env = Env::new();
    let dir = env.lib.dir().to_owned();
    let tmp = dir.join("proxies/.tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::write(tmp.join("0123.part"), b"half a jpeg").unwrap();
    drop(env.lib);
    let _lib = Library::open(&dir, OpenOptions::write()).unwrap();
    assert!(!tmp.exists());
}

#[test]
fn assets_on_screen_get_their_proxies_first() {
    let env = Env::new();
    for i in 0..5 {
        write_jpeg(&env.path(&format!("{i}.jpg")), 32, 32, [i as u8 * 40, 0, 0], i, None);
    }
    env.scan();
    let wanted = env.asset_at("3.jpg").asset.id;
    assert_eq!(env.lib.prioritize_proxies(&[wanted]).unwrap(), 1);
    // One worker, stopped after its first job: the prioritized one.
    let cancel = Cancel::new();
    let sink = |e: trove_core::Event| {
        if let trove_core::Event::JobFinished { .. } = e {
            cancel.cancel();
        }
    };
    let opts = WorkerOptions {
        workers: 1,
        ..WorkerOptions::for_cores(1)
    };
    env.lib.run_jobs(&opts, &sink, &cancel).unwrap();
    assert_eq!(env.asset_at("3.jpg").derivatives.len(), 3);
    let others_done = (0..5)
        .filter(|i| *i != 3)
        .filter(|i| !env.asset_at(&format!("{i}.jpg")).derivatives.is_empty())
        .count();
    assert_eq!(others_done, 0);
}

#[test]
fn a_raw_file_shows_its_largest_embedded_preview_turned_by_its_orientation() {
    let env = Env::new();
    let thumb = trove_testkit::jpeg_bytes(160, 120, [10, 10, 200], 1, None);
    let preview = trove_testkit::jpeg_bytes(1024, 768, [200, 10, 10], 2, None);
    std::fs::write(env.path("DSC_0001.NEF"), trove_testkit::raw_tiff(6, &thumb, &preview)).unwrap();
    env.scan();
    assert_eq!(run(&env).failed, 0);
    let d = env.asset_at("DSC_0001.NEF");
    assert_eq!(d.asset.mime.as_deref(), Some("image/x-nikon-nef"));
    assert_eq!(d.metadata.as_ref().unwrap().camera_make.as_deref(), Some("TroveCam"));
    let sizes: Vec<_> = d
        .derivatives
        .iter()
        .map(|x| (x.variant.as_str(), x.width, x.height))
        .collect();
    // The 1024 x 768 preview (not the thumbnail, not the sensor data), portrait.
    assert_eq!(
        sizes,
        [
            ("thumb", Some(256), Some(342)),
            ("thumb@2x", Some(512), Some(683)),
            ("preview", Some(768), Some(1024))
        ]
    );
    let jpeg = std::fs::read(env.lib.dir().join(&d.derivatives[0].path)).unwrap();
    let img = image::load_from_memory(&jpeg).unwrap().into_rgb8();
    let p = img.get_pixel(img.width() / 2, img.height() / 2);
    assert!(
        p[0] > 150 && p[2] < 80,
        "the red preview, not the blue thumbnail: {p:?}"
    );
}

#[test]
fn proxy_files_are_served_by_id_and_never_from_outside_the_proxy_folder() {
    let env = Env::new();
    write_jpeg(&env.path("a.jpg"), 300, 200, [10, 120, 30], 1, None);
    env.scan();
    assert_eq!(run(&env).failed, 0);
    let d = env.asset_at("a.jpg");
    let thumb = env.lib.proxy_file(d.asset.id, "thumb").unwrap().unwrap();
    assert_eq!(thumb.mime, "image/jpeg");
    assert!(std::fs::read(&thumb.path).unwrap().starts_with(&[0xFF, 0xD8]));
    // Unknown variants, unknown assets and not-yet-made proxies: nothing.
    assert!(env.lib.proxy_file(d.asset.id, "original").unwrap().is_none());
    assert!(env.lib.proxy_file(d.asset.id, "video").unwrap().is_none());
    let other: trove_core::types::AssetId = "00000000-0000-4000-8000-000000000000".parse().unwrap();
    assert!(env.lib.proxy_file(other, "thumb").unwrap().is_none());

    // A catalog row pointing outside the proxy folder (a damaged or
    // hostile catalog) is not followed, nor is a link out of it.
    // The file exists (so only the containment check can refuse it).
    let secret = env.lib.dir().join("secret.txt");
    std::fs::write(&secret, "not a proxy").unwrap();
    let conn = rusqlite::Connection::open(env.lib.catalog_path()).unwrap();
    conn.execute(
        "UPDATE derivatives SET path = 'proxies/../secret.txt' WHERE variant = 'preview'",
        [],
    )
    .unwrap();
    assert!(env.lib.proxy_file(d.asset.id, "preview").unwrap().is_none());
    let link_target = env.lib.dir().join(
        d.derivatives
            .iter()
            .find(|x| x.variant == "thumb@2x")
            .unwrap()
            .path
            .clone(),
    );
    std::fs::remove_file(&link_target).unwrap();
    std::os::unix::fs::symlink(&secret, &link_target).unwrap();
    assert!(env.lib.proxy_file(d.asset.id, "thumb@2x").unwrap().is_none());
}

#[test]
fn zoom_to_full_size_renders_what_the_web_view_cannot_show() {
    let env = Env::new();
    // A TIFF (the web view shows none) and a RAW with a portrait orientation.
    let tiff = image::RgbImage::from_fn(1800, 1200, |x, _| {
        image::Rgb(if x < 900 { [220, 30, 30] } else { [30, 30, 220] })
    });
    tiff.save(env.path("scan.tif")).unwrap();
    let thumb = trove_testkit::jpeg_bytes(160, 120, [10, 10, 200], 1, None);
    let preview = trove_testkit::jpeg_bytes(1024, 768, [200, 10, 10], 2, None);
    std::fs::write(env.path("DSC_0002.NEF"), trove_testkit::raw_tiff(6, &thumb, &preview)).unwrap();
    write_jpeg(&env.path("plain.jpg"), 300, 200, [10, 120, 30], 1, None);
    env.scan();
    run(&env);

    let d = env.asset_at("scan.tif");
    let full = env.lib.full_image(d.asset.id).unwrap().expect("a full-size render");
    assert_eq!(full.mime, "image/jpeg");
    assert!(full.path.starts_with(env.lib.proxies_dir()), "{}", full.path.display());
    let img = image::load_from_memory(&std::fs::read(&full.path).unwrap())
        .unwrap()
        .into_rgb8();
    assert_eq!(img.dimensions(), (1800, 1200), "its own size, not the 2048 preview's");
    assert!(img.get_pixel(100, 600)[0] > 180 && img.get_pixel(1700, 600)[2] > 180);
    // Asked again: the same file, from the cache.
    let modified = std::fs::metadata(&full.path).unwrap().len();
    let again = env.lib.full_image(d.asset.id).unwrap().unwrap();
    assert_eq!(again.path, full.path);
    assert_eq!(std::fs::metadata(&again.path).unwrap().len(), modified);

    // A RAW: its largest embedded JPEG, turned by the RAW's orientation.
    let d = env.asset_at("DSC_0002.NEF");
    let full = env.lib.full_image(d.asset.id).unwrap().unwrap();
    let img = image::load_from_memory(&std::fs::read(&full.path).unwrap())
        .unwrap()
        .into_rgb8();
    assert_eq!(img.dimensions(), (768, 1024));

    // A JPEG: the original itself, as the web view shows it.
    let d = env.asset_at("plain.jpg");
    let full = env.lib.full_image(d.asset.id).unwrap().unwrap();
    assert_eq!(full.path, env.path("plain.jpg"));

    // Unknown ids: nothing.
    let other: trove_core::types::AssetId = "00000000-0000-4000-8000-000000000000".parse().unwrap();
    assert!(env.lib.full_image(other).unwrap().is_none());
}

#[test]
fn the_full_size_cache_keeps_only_the_most_recent_renders() {
    let env = Env::new();
    let n = trove_core::FULL_CACHE_KEEP + 3;
    for i in 0..n {
        image::RgbImage::from_pixel(40, 30, image::Rgb([i as u8 * 10, 50, 90]))
            .save(env.path(&format!("t{i:02}.tif")))
            .unwrap();
    }
    // A damaged TIFF: a typed error naming the file, and the rest goes on.
    let good = std::fs::read(env.path("t00.tif")).unwrap();
    std::fs::write(env.path("broken.tif"), &good[..good.len() / 3]).unwrap();
    env.scan();
    run(&env);
    let mut paths = Vec::new();
    for i in 0..n {
        let d = env.asset_at(&format!("t{i:02}.tif"));
        paths.push(env.lib.full_image(d.asset.id).unwrap().unwrap().path);
        // Distinct modification times order the cache.
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
    let cached = std::fs::read_dir(paths[0].parent().unwrap()).unwrap().count();
    assert_eq!(cached, trove_core::FULL_CACHE_KEEP);
    assert!(!paths[0].exists() && !paths[2].exists(), "the oldest renders went");
    assert!(paths[3].exists() && paths[n - 1].exists());
    let d = env.asset_at("broken.tif");
    let err = env.lib.full_image(d.asset.id).unwrap_err();
    assert_eq!(err.code(), "full_image_failed");
    assert!(err.to_string().contains("broken.tif"), "{err}");
    // A file edited since it was catalogued is not rendered under its old content.
    let d = env.asset_at("t05.tif");
    let cached = env
        .lib
        .proxies_dir()
        .join("full")
        .join(format!("{}.jpg", d.asset.blake3.to_hex()));
    let _ = std::fs::remove_file(&cached);
    image::RgbImage::from_pixel(40, 30, image::Rgb([1, 2, 3]))
        .save(env.path("t05.tif"))
        .unwrap();
    let err = env.lib.full_image(d.asset.id).unwrap_err();
    assert!(err.to_string().contains("changed since it was catalogued"), "{err}");
    assert!(!cached.exists());
}

/// Runs a libvips tool (Debian's libvips-tools, which scripts/deps.sh
/// installs) to make a test file.
fn vips(args: &[&str]) {
    let out = std::process::Command::new("vips")
        .args(args)
        .output()
        .expect("vips (scripts/deps.sh installs libvips-tools)");
    assert!(
        out.status.success(),
        "vips {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What Trove's own decoders refuse, libvips reads: a FITS image (no
/// decoder in Trove), a PNG whose data checksum is wrong, and a JPEG over
/// the pixel limit (vips shrinks it while decoding). Each gets its three
/// proxies and its true size, and no error.
#[test]
fn images_the_fast_decoders_refuse_are_shown_through_libvips() {
    let env = Env::new();
    vips(&["black", env.path("nebula.fits").to_str().unwrap(), "96", "64"]);
    // 20,000 x 15,000 = 300 megapixels, over the 250 MP limit.
    vips(&[
        "black",
        &format!("{}[Q=50]", env.path("huge-scan.jpg").display()),
        "20000",
        "15000",
    ]);
    let mut png = trove_testkit::png_bytes(64, 48, [10, 200, 30], 0);
    let idat = png.windows(4).position(|w| w == b"IDAT").unwrap();
    let len = u32::from_be_bytes(png[idat - 4..idat].try_into().unwrap()) as usize;
    let crc = idat + 4 + len;
    png[crc..crc + 4].copy_from_slice(b"\xde\xad\xbe\xef");
    std::fs::write(env.path("bad-crc.png"), &png).unwrap();
    env.scan();
    let summary = run(&env);
    assert_eq!((summary.done, summary.failed), (3, 0), "{summary:?}");
    for (name, size) in [
        ("nebula.fits", (96, 64)),
        ("huge-scan.jpg", (20_000, 15_000)),
        ("bad-crc.png", (64, 48)),
    ] {
        let d = env.asset_at(name);
        assert_eq!(d.proxy_error, None, "{name}");
        assert_eq!((d.asset.width, d.asset.height), (Some(size.0), Some(size.1)), "{name}");
        let variants: Vec<&str> = d.derivatives.iter().map(|x| x.variant.as_str()).collect();
        assert_eq!(variants, ["thumb", "thumb@2x", "preview"], "{name}");
        let preview = d.derivatives.iter().find(|x| x.variant == "preview").unwrap();
        assert!(
            preview.width.unwrap().max(preview.height.unwrap()) <= 2048,
            "{name}: {preview:?}"
        );
    }
    let preview = env.asset_at("huge-scan.jpg");
    let preview = preview.derivatives.iter().find(|x| x.variant == "preview").unwrap();
    assert_eq!((preview.width, preview.height), (Some(2048), Some(1536)));
}

/// The mean colour of the middle of the preview Trove made of `name`.
fn preview_colour(env: &Env, name: &str) -> [u8; 3] {
    let d = env.asset_at(name);
    let preview = d.derivatives.iter().find(|x| x.variant == "preview").unwrap();
    let img = image::open(env.lib.dir().join(&preview.path)).unwrap().to_rgb8();
    let (w, h) = img.dimensions();
    let mut sum = [0u64; 3];
    let mut n = 0;
    for y in h / 4..h * 3 / 4 {
        for x in w / 4..w * 3 / 4 {
            for (s, v) in sum.iter_mut().zip(img.get_pixel(x, y).0) {
                *s += u64::from(v);
            }
            n += 1;
        }
    }
    sum.map(|s| (s / n) as u8)
}

/// The layouts photographers' scanners and editors write that libvips
/// reads (the tolerance list): 16-bit, float (linear light, as
/// HDR merges write), CMYK with its profile, tiled, JPEG-compressed and
/// BigTIFF; a Photoshop file's composite; BMP in the OS/2, Windows 3 and
/// V5 layouts; JPEG XL, and OpenEXR (linear light). Each, made by libvips (through ImageMagick for PSD and BMP)
/// from one brick-red picture, gets its three proxies at its true size, in
/// that red: the conversion to sRGB happened, not only a decode.
#[test]
fn tiff_psd_and_bmp_variants_get_proxies_in_their_true_colours() {
    let env = Env::new();
    let red = [200u8, 60, 30];
    let src = env.path("src.png");
    image::RgbImage::from_pixel(96, 64, image::Rgb(red)).save(&src).unwrap();
    let src = src.to_str().unwrap().to_owned();
    let out = |name: &str| env.path(name).to_str().unwrap().to_owned();
    vips(&["colourspace", &src, &out("deep-16bit.tif"), "rgb16"]);
    vips(&["colourspace", &src, &out("hdr-float.tif"), "scrgb"]);
    vips(&["icc_export", &src, &out("press-cmyk.tif"), "--output-profile", "cmyk"]);
    vips(&[
        "tiffsave",
        &src,
        &out("tiled.tif"),
        "--tile",
        "--tile-width",
        "32",
        "--tile-height",
        "32",
    ]);
    vips(&[
        "tiffsave",
        &src,
        &out("jpeg-in.tif"),
        "--compression",
        "jpeg",
        "--Q",
        "95",
    ]);
    vips(&["tiffsave", &src, &out("big.tif"), "--bigtiff"]);
    vips(&["magicksave", &src, &out("layered.psd"), "--format", "PSD"]);
    for format in ["BMP2", "BMP3", "BMP"] {
        vips(&[
            "magicksave",
            &src,
            &out(&format!("{}.bmp", format.to_lowercase())),
            "--format",
            format,
        ]);
    }
    vips(&["jxlsave", &src, &out("modern.jxl")]);
    // Linear light, as HDR tools write it: the same red.
    let linear = red.map(|c| {
        let v = f32::from(c) / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    });
    std::fs::write(env.path("merge.exr"), trove_testkit::exr_bytes(96, 64, linear)).unwrap();
    std::fs::remove_file(&src).unwrap();
    let names = [
        "modern.jxl",
        "merge.exr",
        "deep-16bit.tif",
        "hdr-float.tif",
        "press-cmyk.tif",
        "tiled.tif",
        "jpeg-in.tif",
        "big.tif",
        "layered.psd",
        "bmp2.bmp",
        "bmp3.bmp",
        "bmp.bmp",
    ];
    env.scan();
    let summary = run(&env);
    assert_eq!((summary.done, summary.failed), (names.len() as u64, 0), "{summary:?}");
    for name in names {
        let d = env.asset_at(name);
        assert_eq!(d.proxy_error, None, "{name}");
        assert_eq!((d.asset.width, d.asset.height), (Some(96), Some(64)), "{name}");
        let variants: Vec<&str> = d.derivatives.iter().map(|x| x.variant.as_str()).collect();
        assert_eq!(variants, ["thumb", "thumb@2x", "preview"], "{name}");
        let shown = preview_colour(&env, name);
        // CMYK goes through a profile and back, JPEG through a lossy
        // code: a few levels either way, never a channel swapped or a
        // colour space left unconverted (those are off by 50 and more).
        let off = shown.iter().zip(red).map(|(&a, b)| a.abs_diff(b)).max().unwrap();
        assert!(off <= 16, "{name}: shown as {shown:?}, made as {red:?}");
        // Zoomed to 100 %, the same: at its own size, in its colours.
        let full = env.lib.full_image(d.asset.id).unwrap().unwrap();
        let full = image::open(&full.path).unwrap().to_rgb8();
        assert_eq!(full.dimensions(), (96, 64), "{name}");
        let px = full.get_pixel(48, 32).0;
        let off = px.iter().zip(red).map(|(&a, b)| a.abs_diff(b)).max().unwrap();
        assert!(off <= 16, "{name} at full size: {px:?}, made as {red:?}");
    }
}

/// The mean colour of a box of `img` (fractions of its size).
fn box_colour(img: &image::RgbImage, x0: f32, x1: f32, y0: f32, y1: f32) -> [u8; 3] {
    let (w, h) = img.dimensions();
    let (xs, ys) = (
        (x0 * w as f32) as u32..(x1 * w as f32) as u32,
        (y0 * h as f32) as u32..(y1 * h as f32) as u32,
    );
    let mut sum = [0u64; 3];
    let mut n = 0;
    for y in ys {
        for x in xs.clone() {
            for (s, v) in sum.iter_mut().zip(img.get_pixel(x, y).0) {
                *s += u64::from(v);
            }
            n += 1;
        }
    }
    sum.map(|s| (s / n.max(1)) as u8)
}

/// Which of red and blue dominates `c` (the development brightens, so
/// exact levels are LibRaw's; the hue is the scene's).
fn hue(c: [u8; 3]) -> &'static str {
    if c[0] > c[2].saturating_add(80) && c[0] > c[1].saturating_add(80) {
        "red"
    } else if c[2] > c[0].saturating_add(80) && c[2] > c[1].saturating_add(40) {
        "blue"
    } else {
        "neither"
    }
}

/// A RAW file without an embedded preview (a DNG whose IFD0 is the sensor
/// data itself) is developed by LibRaw: its proxies show the scene (red
/// left, blue right; libvips would show a grey mosaic), turned by its
/// orientation; one whose only preview is a small thumbnail is developed
/// too rather than blown up; zoomed, it is developed at full size; and a
/// file LibRaw cannot develop gets a typed error naming why, never a
/// mosaic.
#[test]
fn raw_files_without_a_usable_preview_are_developed_by_libraw() {
    let env = Env::new();
    let scene = trove_testkit::DngSpec {
        width: 256,
        height: 192,
        left: [0.6, 0.08, 0.04],
        right: [0.05, 0.1, 0.7],
        orientation: 1,
        preview: None,
    };
    std::fs::write(env.path("plain.dng"), trove_testkit::dng_bytes(&scene)).unwrap();
    std::fs::write(
        env.path("turned.dng"),
        trove_testkit::dng_bytes(&trove_testkit::DngSpec {
            orientation: 6,
            ..scene
        }),
    )
    .unwrap();
    // A 160 x 120 green thumbnail: too small to stand for the photo.
    let thumb = trove_testkit::jpeg_bytes(160, 120, [20, 200, 20], 0, None);
    std::fs::write(
        env.path("thumbnail-only.dng"),
        trove_testkit::dng_bytes(&trove_testkit::DngSpec {
            preview: Some(&thumb),
            ..scene
        }),
    )
    .unwrap();
    // Cut inside its IFD's values: LibRaw cannot open it.
    let cut = trove_testkit::dng_bytes(&scene);
    std::fs::write(env.path("cut.dng"), &cut[..200]).unwrap();
    env.scan();
    let summary = run(&env);
    assert_eq!((summary.done, summary.failed), (3, 1), "{summary:?}");

    let preview_of = |name: &str| {
        let d = env.asset_at(name);
        assert_eq!(d.proxy_error, None, "{name}");
        let variants: Vec<&str> = d.derivatives.iter().map(|x| x.variant.as_str()).collect();
        assert_eq!(variants, ["thumb", "thumb@2x", "preview"], "{name}");
        let p = d.derivatives.iter().find(|x| x.variant == "preview").unwrap();
        image::open(env.lib.dir().join(&p.path)).unwrap().to_rgb8()
    };
    for name in ["plain.dng", "thumbnail-only.dng"] {
        let img = preview_of(name);
        // Developed at half size: 128 x 96.
        assert_eq!(img.dimensions(), (128, 96), "{name}");
        let (left, right) = (
            box_colour(&img, 0.1, 0.4, 0.2, 0.8),
            box_colour(&img, 0.6, 0.9, 0.2, 0.8),
        );
        assert_eq!((hue(left), hue(right)), ("red", "blue"), "{name}: {left:?} {right:?}");
    }
    // Orientation 6: turned a quarter clockwise, the left (red) half is
    // now on top.
    let img = preview_of("turned.dng");
    assert_eq!(img.dimensions(), (96, 128));
    let (top, bottom) = (
        box_colour(&img, 0.2, 0.8, 0.1, 0.4),
        box_colour(&img, 0.2, 0.8, 0.6, 0.9),
    );
    assert_eq!((hue(top), hue(bottom)), ("red", "blue"), "{top:?} {bottom:?}");

    // Zoomed: developed at its full size.
    let d = env.asset_at("plain.dng");
    assert_eq!((d.asset.width, d.asset.height), (Some(256), Some(192)));
    let full = env.lib.full_image(d.asset.id).unwrap().unwrap();
    let full = image::open(&full.path).unwrap().to_rgb8();
    assert_eq!(full.dimensions(), (256, 192));
    assert_eq!(hue(box_colour(&full, 0.1, 0.4, 0.2, 0.8)), "red");

    // The cut one: a typed error with LibRaw's reason, and no proxies.
    let d = env.asset_at("cut.dng");
    let err = d.proxy_error.expect("cut.dng has an error");
    assert!(d.derivatives.is_empty(), "{:?}", d.derivatives);
    assert!(err.contains("LibRaw"), "{err}");
}

/// A PNG and a GIF cut off halfway (a broken download) show what arrived,
/// as libvips shows them, and the asset says it is damaged; an intact copy
/// of each says nothing.
#[test]
fn truncated_png_and_gif_show_what_arrived_and_say_so() {
    let env = Env::new();
    let src = env.path("src.png");
    // A gradient, so that the picture data runs through the whole file.
    image::RgbImage::from_fn(300, 200, |x, y| {
        image::Rgb([200, (x * 255 / 300) as u8, (y * 255 / 200) as u8])
    })
    .save(&src)
    .unwrap();
    let src = src.to_str().unwrap().to_owned();
    let out = |name: &str| env.path(name).to_str().unwrap().to_owned();
    vips(&["pngsave", &src, &out("whole.png"), "--compression", "0"]);
    vips(&["magicksave", &src, &out("whole.gif"), "--format", "GIF"]);
    std::fs::remove_file(&src).unwrap();
    for (whole, cut) in [("whole.png", "cut.png"), ("whole.gif", "cut.gif")] {
        let bytes = std::fs::read(env.path(whole)).unwrap();
        std::fs::write(env.path(cut), &bytes[..bytes.len() / 2]).unwrap();
    }
    env.scan();
    let summary = run(&env);
    assert_eq!((summary.done, summary.failed), (4, 0), "{summary:?}");
    for name in ["cut.png", "cut.gif"] {
        let d = env.asset_at(name);
        let variants: Vec<&str> = d.derivatives.iter().map(|x| x.variant.as_str()).collect();
        assert_eq!(variants, ["thumb", "thumb@2x", "preview"], "{name}");
        let err = d.proxy_error.as_deref().unwrap_or_default();
        assert!(err.starts_with("damaged:"), "{name}: {err:?}");
        // What arrived first (the top rows) shows as in the whole file.
        let preview = |name: &str| {
            let d = env.asset_at(name);
            let p = d.derivatives.iter().find(|x| x.variant == "preview").unwrap();
            image::open(env.lib.dir().join(&p.path)).unwrap().to_rgb8()
        };
        let whole = name.replace("cut", "whole");
        let (top, want) = (
            box_colour(&preview(name), 0.1, 0.9, 0.02, 0.15),
            box_colour(&preview(&whole), 0.1, 0.9, 0.02, 0.15),
        );
        let off = top.iter().zip(want).map(|(&a, b)| a.abs_diff(b)).max().unwrap();
        assert!(off <= 12, "{name}: top shown as {top:?}, whole file's {want:?}");
    }
    for name in ["whole.png", "whole.gif"] {
        assert_eq!(env.asset_at(name).proxy_error, None, "{name}");
    }
}
