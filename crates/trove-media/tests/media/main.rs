//! Proxies made from real image files: sizes, orientation, formats, and
//! hostile input.
#![allow(clippy::unwrap_used)]

use std::io::Cursor;

use image::{ImageFormat, Rgb, RgbImage, Rgba, RgbaImage};
use trove_media::{MediaError, ProxySpec, Variant, full_size_jpeg, image_proxies, orient};
use trove_testkit::{Exif, exif_blob, insert_exif};

mod av;

const RED: [u8; 3] = [230, 20, 20];
const GREEN: [u8; 3] = [20, 200, 20];
const BLUE: [u8; 3] = [20, 20, 230];
const WHITE: [u8; 3] = [250, 250, 250];

/// A picture as it should be shown: red top-left, green top-right, blue
/// bottom-left, white bottom-right.
fn quadrants(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb(match (x < w / 2, y < h / 2) {
            (true, true) => RED,
            (false, true) => GREEN,
            (true, false) => BLUE,
            (false, false) => WHITE,
        })
    })
}

fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn decode(jpeg: &[u8]) -> RgbImage {
    image::load_from_memory(jpeg).unwrap().into_rgb8()
}

fn near(p: &Rgb<u8>, want: [u8; 3]) -> bool {
    p.0.iter().zip(want).all(|(a, b)| a.abs_diff(b) < 40)
}

fn assert_quadrants(img: &RgbImage, what: &str) {
    let (w, h) = img.dimensions();
    assert!(
        near(img.get_pixel(w / 4, h / 4), RED),
        "{what}: top-left is {:?}",
        img.get_pixel(w / 4, h / 4)
    );
    assert!(near(img.get_pixel(3 * w / 4, h / 4), GREEN), "{what}: top-right");
    assert!(near(img.get_pixel(w / 4, 3 * h / 4), BLUE), "{what}: bottom-left");
    assert!(near(img.get_pixel(3 * w / 4, 3 * h / 4), WHITE), "{what}: bottom-right");
}

/// A JPEG whose pixels are stored as a camera would, with EXIF orientation
/// `o`, so that applying `o` shows `shown`.
fn stored_as_camera(shown: &RgbImage, o: u8) -> Vec<u8> {
    let inverse = match o {
        6 => 8,
        8 => 6,
        other => other,
    };
    insert_exif(
        &encode(&orient(shown.clone(), inverse), ImageFormat::Jpeg),
        &exif_blob(&Exif {
            orientation: Some(u16::from(o)),
            ..Exif::default()
        }),
    )
}

#[test]
fn every_exif_orientation_is_applied_to_every_proxy() {
    let shown = quadrants(96, 64);
    for o in 1..=8u8 {
        let jpeg = stored_as_camera(&shown, o);
        let out = image_proxies(&jpeg, None, &ProxySpec::default()).unwrap();
        for p in &out.proxies {
            let img = decode(&p.jpeg);
            assert_eq!(
                (img.width(), img.height()),
                (96, 64),
                "orientation {o} {}",
                p.variant.name()
            );
            assert_quadrants(&img, &format!("orientation {o} {}", p.variant.name()));
        }
    }
}

/// Zoom to 100% of what the web view cannot show: the whole image at its
/// own size, upright, for every orientation and for the formats that need it.
#[test]
fn full_size_images_are_upright_at_their_own_size() {
    let shown = quadrants(2400, 1600);
    for o in 1..=8u8 {
        let jpeg = stored_as_camera(&shown, o);
        let full = full_size_jpeg(&jpeg, None, 250_000_000, 90).unwrap();
        assert_eq!((full.width, full.height), (2400, 1600), "orientation {o}");
        let img = decode(&full.jpeg);
        assert_eq!(img.dimensions(), (2400, 1600), "orientation {o}");
        assert_quadrants(&img, &format!("full size, orientation {o}"));
    }
    // 16-bit PNG, TIFF and HEIC: decoded whole, not from a scaled preview.
    let wide = quadrants(3000, 200);
    let png16 = {
        let img = image::DynamicImage::ImageRgb8(wide.clone()).into_rgb16();
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    };
    for (what, bytes) in [
        ("png16", png16),
        ("tiff", encode(&wide, ImageFormat::Tiff)),
        ("heic", heif_enc(&wide, false)),
    ] {
        let full = full_size_jpeg(&bytes, None, 250_000_000, 90).unwrap();
        assert_eq!((full.width, full.height), (3000, 200), "{what}");
        assert_quadrants(&decode(&full.jpeg), what);
    }
    // The same limits as the proxies: a bomb is refused, garbage is corrupt.
    let err = full_size_jpeg(&encode(&shown, ImageFormat::Png), None, 1_000_000, 90).unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
    let err = full_size_jpeg(b"\xff\xd8\xff\xe0 not really a jpeg", None, 250_000_000, 90).unwrap_err();
    assert_eq!(err.code(), "corrupt", "{err}");
}

#[test]
fn a_camera_size_jpeg_gives_three_sizes_and_a_placeholder() {
    let photo = quadrants(3000, 2000);
    let out = image_proxies(&encode(&photo, ImageFormat::Jpeg), None, &ProxySpec::default()).unwrap();
    assert_eq!((out.source_width, out.source_height), (3000, 2000));
    let sizes: Vec<_> = out.proxies.iter().map(|p| (p.variant, p.width, p.height)).collect();
    assert_eq!(
        sizes,
        [
            (Variant::Thumb, 384, 256),
            (Variant::Thumb2x, 768, 512),
            (Variant::Preview, 2048, 1365)
        ]
    );
    for p in &out.proxies {
        let img = decode(&p.jpeg);
        assert_eq!((img.width(), img.height()), (p.width, p.height));
        assert_quadrants(&img, p.variant.name());
    }
    assert!(
        (5..=40).contains(&out.thumbhash.len()),
        "thumbhash of {} bytes",
        out.thumbhash.len()
    );
}

#[test]
fn png_16_bit_with_alpha_is_flattened_over_white() {
    let img = image::ImageBuffer::<Rgba<u16>, _>::from_fn(40, 30, |x, _| {
        if x < 20 {
            Rgba([65535, 0, 0, 65535])
        } else {
            Rgba([0, 0, 0, 0])
        }
    });
    let mut png = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgba16(img)
        .write_to(&mut png, ImageFormat::Png)
        .unwrap();
    let out = image_proxies(&png.into_inner(), None, &ProxySpec::default()).unwrap();
    let thumb = decode(&out.proxies[0].jpeg);
    assert!(near(thumb.get_pixel(5, 15), [255, 0, 0]));
    assert!(
        near(thumb.get_pixel(35, 15), [255, 255, 255]),
        "transparent shows as white"
    );
}

#[test]
fn an_animated_gif_shows_its_first_frame() {
    use image::codecs::gif::GifEncoder;
    use image::{Delay, Frame};
    let mut gif = Vec::new();
    {
        let mut enc = GifEncoder::new(&mut gif);
        for colour in [[255, 0, 0, 255], [0, 0, 255, 255]] {
            let frame = Frame::from_parts(
                RgbaImage::from_pixel(32, 32, Rgba(colour)),
                0,
                0,
                Delay::from_numer_denom_ms(100, 1),
            );
            enc.encode_frame(frame).unwrap();
        }
    }
    let out = image_proxies(&gif, None, &ProxySpec::default()).unwrap();
    assert!(near(decode(&out.proxies[0].jpeg).get_pixel(16, 16), [255, 0, 0]));
}

#[test]
fn other_formats_decode() {
    let img = quadrants(64, 48);
    for format in [ImageFormat::Png, ImageFormat::Tiff, ImageFormat::Bmp, ImageFormat::WebP] {
        let out = image_proxies(&encode(&img, format), None, &ProxySpec::default()).unwrap();
        assert_quadrants(&decode(&out.proxies[0].jpeg), &format!("{format:?}"));
    }
}

/// HEIC and AVIF as libheif's own encoder (heif-enc, Debian
/// libheif-examples) writes them, with EXIF orientation 6 that libheif's
/// decode must not apply twice (HEIF carries rotation in `irot`).
fn heif_enc(img: &RgbImage, avif: bool) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src.png");
    std::fs::write(&src, encode(img, ImageFormat::Png)).unwrap();
    let out = dir.path().join(if avif { "out.avif" } else { "out.heic" });
    let mut cmd = std::process::Command::new("heif-enc");
    if avif {
        cmd.arg("-A");
    }
    let status = cmd
        .args(["-q", "90", "-o"])
        .arg(&out)
        .arg(&src)
        .output()
        .expect("heif-enc runs (scripts/deps.sh installs libheif-examples)");
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
    std::fs::read(out).unwrap()
}

#[test]
fn heic_and_avif_decode_through_libheif() {
    let img = quadrants(128, 96);
    for avif in [false, true] {
        let bytes = heif_enc(&img, avif);
        // An orientation from EXIF is ignored: libheif already applied irot.
        let out = image_proxies(&bytes, Some(6), &ProxySpec::default()).unwrap();
        assert_eq!((out.source_width, out.source_height), (128, 96));
        let thumb = decode(&out.proxies[0].jpeg);
        assert_eq!(thumb.dimensions(), (128, 96), "avif: {avif}");
        assert_quadrants(&thumb, if avif { "avif" } else { "heic" });
        for cut in (0..bytes.len()).step_by(bytes.len() / 40 + 1) {
            if let Err(e) = image_proxies(&bytes[..cut], None, &ProxySpec::default()) {
                assert!(matches!(e.code(), "corrupt" | "unsupported"), "cut {cut}: {e}");
            }
        }
    }
}

/// A valid 20,000 x 20,000 PNG (400 MP, 1.2 GB of pixels, a few MB on
/// disk): refused with a typed error before any pixel is decoded, so the
/// process never holds its pixels.
#[test]
fn a_valid_twenty_thousand_pixel_square_png_is_refused_without_decoding() {
    let side = 20_000u32;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.png");
    {
        let file = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let mut enc = png::Encoder::new(file, side, side);
        enc.set_color(png::ColorType::Rgb);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header().unwrap();
        let mut w = writer.stream_writer().unwrap();
        let row = vec![90u8; side as usize * 3];
        for _ in 0..side {
            std::io::Write::write_all(&mut w, &row).unwrap();
        }
        w.finish().unwrap();
    }
    let bytes = std::fs::read(&path).unwrap();
    assert!(bytes.len() < 64 << 20, "{} bytes", bytes.len());
    let err = image_proxies(&bytes, None, &ProxySpec::default()).unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
    assert!(err.to_string().contains("20000 x 20000"), "{err}");
    // Peak memory of the whole test process stays far below the 1.2 GB a
    // decode would take.
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let peak_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    let peak_mb = peak_kb / 1024;
    assert!(peak_mb < 700, "peak RSS {peak_mb} MB");
}

/// The centre pixel of the grid thumbnail of a flat-colour JPEG carrying
/// `icc`.
fn shown_colour(rgb: [u8; 3], icc: Option<&[u8]>) -> [u8; 3] {
    let img = RgbImage::from_pixel(64, 64, Rgb(rgb));
    let jpeg = encode(&img, ImageFormat::Jpeg);
    let jpeg = match icc {
        Some(icc) => trove_testkit::insert_icc(&jpeg, icc),
        None => jpeg,
    };
    let out = image_proxies(&jpeg, None, &ProxySpec::default()).unwrap();
    decode(&out.proxies[0].jpeg).get_pixel(32, 32).0
}

#[test]
fn embedded_colour_profiles_are_converted_to_srgb() {
    let p3 = moxcms::ColorProfile::new_display_p3().encode().unwrap();
    let srgb = moxcms::ColorProfile::new_srgb().encode().unwrap();
    let orange = [200, 100, 50];
    let plain = shown_colour(orange, None);
    let tagged_srgb = shown_colour(orange, Some(&srgb));
    let tagged_p3 = shown_colour(orange, Some(&p3));
    for c in 0..3 {
        assert!(
            plain[c].abs_diff(tagged_srgb[c]) <= 2,
            "sRGB stays as it is: {plain:?} {tagged_srgb:?}"
        );
    }
    // Display P3's primaries are wider: the same numbers mean a more
    // saturated colour, which sRGB writes with more red and less blue.
    assert!(tagged_p3[0] > plain[0] + 10, "{tagged_p3:?} vs {plain:?}");
    assert!(tagged_p3[2] + 10 < plain[2], "{tagged_p3:?} vs {plain:?}");
    // A profile that cannot be read leaves the colours alone.
    let junk = shown_colour(orange, Some(b"not an icc profile at all, just bytes"));
    assert!(junk.iter().zip(plain).all(|(a, b)| a.abs_diff(b) <= 2));
}

/// A CMYK JPEG as Photoshop writes it: libjpeg-turbo compresses the CMYK
/// pixels and adds Adobe's APP14 segment; the inks are stored inverted
/// (255 = no ink), so `inks` (0 = none, 255 = full) are inverted here.
fn adobe_cmyk_jpeg(w: usize, h: usize, inks: impl Fn(usize, usize) -> [u8; 4], icc: Option<&[u8]>) -> Vec<u8> {
    let pixels: Vec<u8> = (0..h)
        .flat_map(|y| (0..w).map(move |x| (x, y)))
        .flat_map(|(x, y)| inks(x, y).map(|v| 255 - v))
        .collect();
    let mut c = turbojpeg::Compressor::new().unwrap();
    c.set_colorspace(turbojpeg::Colorspace::CMYK).unwrap();
    c.set_subsamp(turbojpeg::Subsamp::None).unwrap();
    c.set_quality(98).unwrap();
    let jpeg = c
        .compress_to_vec(turbojpeg::Image {
            pixels: pixels.as_slice(),
            width: w,
            pitch: w * 4,
            height: h,
            format: turbojpeg::PixelFormat::CMYK,
        })
        .unwrap();
    assert!(
        jpeg.windows(9).any(|s| s[..2] == [0xff, 0xee] && &s[4..] == b"Adobe"),
        "libjpeg-turbo wrote no Adobe segment"
    );
    match icc {
        Some(icc) => trove_testkit::insert_icc(&jpeg, icc),
        None => jpeg,
    }
}

/// The mean colour of the 8 x 8 square centred on (x, y).
fn mean_at(img: &RgbImage, x: u32, y: u32) -> [u8; 3] {
    let mut sum = [0u32; 3];
    for dy in 0..8 {
        for dx in 0..8 {
            let p = img.get_pixel(x - 4 + dx, y - 4 + dy).0;
            for c in 0..3 {
                sum[c] += u32::from(p[c]);
            }
        }
    }
    sum.map(|v| (v / 64) as u8)
}

#[test]
fn a_cmyk_jpeg_without_a_profile_is_converted_by_the_plain_formula() {
    // Magenta and yellow inks, no cyan, no black: red.
    let jpeg = adobe_cmyk_jpeg(32, 16, |_, _| [0, 255, 255, 0], None);
    let out = image_proxies(&jpeg, None, &ProxySpec::default()).unwrap();
    let thumb = decode(&out.proxies[0].jpeg);
    assert_eq!((thumb.width(), thumb.height()), (32, 16));
    let red = mean_at(&thumb, 16, 8);
    assert!(red[0] > 240 && red[1] < 15 && red[2] < 15, "{red:?}");
}

/// A CMYK JPEG with a printer profile (Ghostscript's default CMYK profile,
/// from Debian's libgs-common) is converted through it, and matches what
/// lcms2's `jpgicc` makes of the same file with the same (relative
/// colorimetric) intent: printed cyan is not (0, 255, 255) on screen.
#[test]
fn a_cmyk_jpeg_is_converted_through_its_profile_as_lcms2_does() {
    let profile = std::path::Path::new("/usr/share/color/icc/ghostscript/default_cmyk.icc");
    let icc = std::fs::read(profile)
        .unwrap_or_else(|e| panic!("{}: {e}; run scripts/deps.sh (libgs-common)", profile.display()));
    // Four 32 px patches: cyan ink, magenta ink, yellow ink, 60 % black.
    let patches = [[255, 0, 0, 0], [0, 255, 0, 0], [0, 0, 255, 0], [0, 0, 0, 153]];
    let jpeg = adobe_cmyk_jpeg(128, 32, |x, _| patches[x / 32], Some(&icc));
    let dir = tempfile::tempdir().unwrap();
    let (input, output) = (dir.path().join("cmyk.jpg"), dir.path().join("srgb.jpg"));
    std::fs::write(&input, &jpeg).unwrap();
    let run = std::process::Command::new("jpgicc")
        .args(["-q98", "-t1"])
        .arg(&input)
        .arg(&output)
        .output()
        .unwrap_or_else(|e| panic!("jpgicc: {e}; run scripts/deps.sh (liblcms2-utils)"));
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let lcms = decode(&std::fs::read(&output).unwrap());

    let out = image_proxies(&jpeg, None, &ProxySpec::default()).unwrap();
    let ours = out
        .proxies
        .iter()
        .map(|p| decode(&p.jpeg))
        .find(|img| img.width() == 128)
        .expect("a full-size proxy");
    for (i, _) in patches.iter().enumerate() {
        let x = 16 + 32 * i as u32;
        let (a, b) = (mean_at(&ours, x, 16), mean_at(&lcms, x, 16));
        for c in 0..3 {
            assert!(a[c].abs_diff(b[c]) <= 3, "patch {i}: Trove {a:?}, lcms2 {b:?}");
        }
    }
    // The plain formula would show the cyan ink as (0, 255, 255).
    let cyan = mean_at(&ours, 16, 16);
    assert!(cyan[1] < 215, "cyan ink shown as {cyan:?}");
}

#[test]
fn a_header_claiming_a_trillion_pixels_is_refused_before_decoding() {
    // A valid PNG signature and IHDR for 1,000,000 x 1,000,000 pixels.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&1_000_000u32.to_be_bytes());
    ihdr.extend_from_slice(&1_000_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]);
    png.extend_from_slice(&13u32.to_be_bytes());
    png.extend_from_slice(&ihdr);
    png.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    let err = image_proxies(&png, None, &ProxySpec::default()).unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
    assert!(err.to_string().contains("1000000 x 1000000"), "{err}");

    // The same for a JPEG header (SOF0 with 60,000 x 60,000).
    let mut jpeg = encode(&quadrants(16, 16), ImageFormat::Jpeg);
    let sof = jpeg.windows(2).position(|w| w == [0xff, 0xc0]).unwrap();
    jpeg[sof + 5..sof + 7].copy_from_slice(&60_000u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&60_000u16.to_be_bytes());
    let err = image_proxies(&jpeg, None, &ProxySpec::default()).unwrap_err();
    assert_eq!(err.code(), "too_large", "{err}");
}

#[test]
fn truncated_empty_and_random_files_are_typed_errors_never_panics() {
    let valid = [
        encode(&quadrants(64, 48), ImageFormat::Jpeg),
        encode(&quadrants(64, 48), ImageFormat::Png),
        encode(&quadrants(64, 48), ImageFormat::Tiff),
        adobe_cmyk_jpeg(64, 48, |x, y| [(x * 4) as u8, (y * 5) as u8, 0, 30], None),
    ];
    for file in &valid {
        for cut in (0..file.len()).step_by(7) {
            match image_proxies(&file[..cut], None, &ProxySpec::default()) {
                Ok(out) => assert_eq!(out.proxies.len(), 3),
                Err(e) => assert!(
                    matches!(e, MediaError::Corrupt { .. } | MediaError::Unsupported { .. }),
                    "cut {cut}: {e}"
                ),
            }
        }
    }
    assert_eq!(
        image_proxies(b"", None, &ProxySpec::default()).unwrap_err().code(),
        "unsupported"
    );
    let noise: Vec<u8> = (0..10_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    assert_eq!(
        image_proxies(&noise, None, &ProxySpec::default()).unwrap_err().code(),
        "unsupported"
    );
}

fn crc32(data: &[u8]) -> u32 {
    let mut c = 0xffff_ffffu32;
    for &b in data {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 != 0 { 0xedb8_8320 ^ (c >> 1) } else { c >> 1 };
        }
    }
    !c
}

/// The offset of the first `marker` (0xFF, `marker`) in a JPEG.
fn marker_at(jpeg: &[u8], marker: u8) -> usize {
    jpeg.windows(2).position(|w| w == [0xFF, marker]).unwrap()
}

/// A JPEG cut short anywhere in its image data gives its image as far as it
/// goes (libjpeg-turbo fills the rest grey, as every viewer and vips show
/// it), with the damage recorded; never `corrupt`.
#[test]
fn a_jpeg_cut_short_in_its_data_gives_its_image_with_a_warning() {
    let full = encode(&quadrants(256, 192), ImageFormat::Jpeg);
    let data_start = marker_at(&full, 0xDA) + 16;
    let mut cuts = 0;
    for cut in (data_start..full.len() - 2).step_by(97) {
        let out = image_proxies(&full[..cut], None, &ProxySpec::default()).unwrap_or_else(|e| panic!("cut {cut}: {e}"));
        assert_eq!(out.proxies.len(), 3);
        let warning = out.warning.unwrap_or_else(|| panic!("cut {cut}: no warning"));
        assert_eq!(warning.code(), "damaged", "{warning}");
        assert!(warning.to_string().contains("JPEG"), "{warning}");
        cuts += 1;
    }
    assert!(cuts > 10, "{cuts} cuts tried");
    // The top-left of a file cut near its end is still the picture.
    let out = image_proxies(&full[..full.len() - 40], None, &ProxySpec::default()).unwrap();
    assert!(near(&decode(&out.proxies[0].jpeg).get_pixel(4, 4).clone(), RED));
}

/// Extraneous bytes before a marker (a common artefact of old cameras
/// and broken downloads) are a warning, in the header (where TurboJPEG
/// gives no header, so the pure-Rust decoder takes the file) and before
/// the image data. (Bytes before the final marker: libjpeg-turbo never
/// reads that far, and the image is whole.)
#[test]
fn a_jpeg_with_extraneous_bytes_before_a_marker_gives_its_image_with_a_warning() {
    let full = encode(&quadrants(128, 96), ImageFormat::Jpeg);
    for marker in [0xC4, 0xDA] {
        let at = marker_at(&full, marker);
        let mut bad = full[..at].to_vec();
        bad.extend_from_slice(&[0x00, 0x17, 0x42]);
        bad.extend_from_slice(&full[at..]);
        let out = image_proxies(&bad, None, &ProxySpec::default())
            .unwrap_or_else(|e| panic!("junk before marker {marker:#x}: {e}"));
        assert_eq!(out.proxies.len(), 3);
        let warning = out.warning.unwrap_or_else(|| panic!("marker {marker:#x}: no warning"));
        assert_eq!(warning.code(), "damaged", "marker {marker:#x}: {warning}");
        assert_quadrants(
            &decode(&out.proxies[2].jpeg),
            &format!("junk before marker {marker:#x}"),
        );
    }
    // An intact file has no warning.
    assert!(
        image_proxies(&full, None, &ProxySpec::default())
            .unwrap()
            .warning
            .is_none()
    );
}

/// exiftool's reading of a file's IPTC (JSON, values as text).
fn exiftool_iptc(path: &std::path::Path) -> serde_json::Value {
    let out = std::process::Command::new("exiftool")
        .args(["-j", "-IPTC:all", "-charset", "iptc=utf8"])
        .arg(path)
        .output()
        .expect("exiftool runs (scripts/deps.sh installs libimage-exiftool-perl)");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()[0].clone()
}

fn as_text(v: &serde_json::Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}

/// IPTC-IIM as a real photo tool wrote it (Pillow's test image) and as
/// exiftool writes it: Trove reads what exiftool reads.
#[test]
fn iptc_agrees_with_exiftool_on_real_and_exiftool_written_files() {
    let real = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/media/files/pillow-iptc.jpg");
    let x = trove_media::probe_iptc(&std::fs::read(&real).unwrap()).unwrap();
    let e = exiftool_iptc(&real);
    assert_eq!(x.city.as_deref(), e["City"].as_str());
    assert_eq!(x.country.as_deref(), e["Country-PrimaryLocationName"].as_str());
    let keywords: Vec<String> = e["Keywords"].as_array().unwrap().iter().map(as_text).collect();
    assert_eq!(x.keywords, keywords);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("written.jpg");
    std::fs::write(&path, encode(&quadrants(64, 48), ImageFormat::Jpeg)).unwrap();
    let out = std::process::Command::new("exiftool")
        .args([
            "-overwrite_original",
            "-codedcharacterset=utf8",
            "-IPTC:ObjectName=Puffins",
            "-IPTC:Keywords=Iceland",
            "-IPTC:Keywords=Lundi",
            "-IPTC:By-line=Ann Ösp",
            "-IPTC:CopyrightNotice=© Ann",
            "-IPTC:City=Reykjavík",
            "-IPTC:Province-State=Höfuðborgarsvæðið",
            "-IPTC:Country-PrimaryLocationName=Iceland",
            "-IPTC:Headline=Birds",
            "-IPTC:SpecialInstructions=Credit required",
            "-IPTC:Caption-Abstract=Two puffins on a cliff",
            "-IPTC:DateCreated=2019:07:14",
            "-IPTC:TimeCreated=18:22:05+02:00",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let x = trove_media::probe_iptc(&std::fs::read(&path).unwrap()).unwrap();
    let e = exiftool_iptc(&path);
    for (ours, theirs) in [
        (&x.title, "ObjectName"),
        (&x.creator, "By-line"),
        (&x.rights, "CopyrightNotice"),
        (&x.city, "City"),
        (&x.state, "Province-State"),
        (&x.country, "Country-PrimaryLocationName"),
        (&x.headline, "Headline"),
        (&x.instructions, "SpecialInstructions"),
        (&x.description, "Caption-Abstract"),
    ] {
        assert_eq!(ours.as_deref(), e[theirs].as_str(), "{theirs}");
    }
    let keywords: Vec<String> = e["Keywords"].as_array().unwrap().iter().map(as_text).collect();
    assert_eq!(x.keywords, keywords);
    assert_eq!(
        x.date_taken.as_deref(),
        Some("2019-07-14T18:22:05+02:00"),
        "exiftool: {} {}",
        e["DateCreated"],
        e["TimeCreated"]
    );
}
