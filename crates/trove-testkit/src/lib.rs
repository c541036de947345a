//! Fixtures for Trove's tests and benchmarks. Every file made here is a real
//! file of its format: JPEGs and PNGs are encoded by the `image` crate and
//! EXIF is written by kamadak-exif's (experimental) writer.
#![allow(clippy::unwrap_used)] // test code: a failed fixture should stop the test

pub mod disk;
pub mod fault;
pub mod s3;

use std::io::Cursor;
use std::path::Path;

use exif::experimental::Writer;
use exif::{Field, In, Rational, Tag, Value};
use image::{ImageFormat, Rgb, RgbImage};

/// EXIF fields to embed in a JPEG.
#[derive(Debug, Clone, Default)]
pub struct Exif<'a> {
    /// `YYYY:MM:DD HH:MM:SS`
    pub date_time_original: Option<&'a str>,
    /// `+HH:MM`
    pub offset_time_original: Option<&'a str>,
    pub sub_sec_time_original: Option<&'a str>,
    pub create_date: Option<&'a str>,
    pub make: Option<&'a str>,
    pub model: Option<&'a str>,
    pub orientation: Option<u16>,
    /// Signed decimal degrees.
    pub gps: Option<(f64, f64)>,
}

fn ascii(tag: Tag, s: &str) -> Field {
    Field {
        tag,
        ifd_num: In::PRIMARY,
        value: Value::Ascii(vec![s.as_bytes().to_vec()]),
    }
}

fn dms(v: f64) -> Value {
    let v = v.abs();
    let deg = v.trunc();
    let min = ((v - deg) * 60.0).trunc();
    let sec = ((v - deg) * 60.0 - min) * 60.0;
    Value::Rational(vec![
        Rational::from((deg as u32, 1)),
        Rational::from((min as u32, 1)),
        Rational::from(((sec * 10_000.0).round() as u32, 10_000)),
    ])
}

/// The TIFF-format EXIF blob for `e`.
pub fn exif_blob(e: &Exif<'_>) -> Vec<u8> {
    let mut fields = Vec::new();
    if let Some(s) = e.date_time_original {
        fields.push(ascii(Tag::DateTimeOriginal, s));
    }
    if let Some(s) = e.offset_time_original {
        fields.push(ascii(Tag::OffsetTimeOriginal, s));
    }
    if let Some(s) = e.sub_sec_time_original {
        fields.push(ascii(Tag::SubSecTimeOriginal, s));
    }
    if let Some(s) = e.create_date {
        fields.push(ascii(Tag::DateTimeDigitized, s));
    }
    if let Some(s) = e.make {
        fields.push(ascii(Tag::Make, s));
    }
    if let Some(s) = e.model {
        fields.push(ascii(Tag::Model, s));
    }
    if let Some(o) = e.orientation {
        fields.push(Field {
            tag: Tag::Orientation,
            ifd_num: In::PRIMARY,
            value: Value::Short(vec![o]),
        });
    }
    if let Some((lat, lon)) = e.gps {
        fields.push(ascii(Tag::GPSLatitudeRef, if lat < 0.0 { "S" } else { "N" }));
        fields.push(Field {
            tag: Tag::GPSLatitude,
            ifd_num: In::PRIMARY,
            value: dms(lat),
        });
        fields.push(ascii(Tag::GPSLongitudeRef, if lon < 0.0 { "W" } else { "E" }));
        fields.push(Field {
            tag: Tag::GPSLongitude,
            ifd_num: In::PRIMARY,
            value: dms(lon),
        });
    }
    let mut w = Writer::new();
    for f in &fields {
        w.push_field(f);
    }
    let mut out = Cursor::new(Vec::new());
    w.write(&mut out, false).unwrap();
    out.into_inner()
}

/// A JPEG of `w` x `h` pixels filled with `rgb` (plus a gradient, so files
/// of the same colour and size still differ by `seed`), with EXIF.
pub fn jpeg_bytes(w: u32, h: u32, rgb: [u8; 3], seed: u32, exif: Option<&Exif<'_>>) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        let n = (x.wrapping_mul(7) ^ y.wrapping_mul(13) ^ seed) & 0x0f;
        Rgb([rgb[0].saturating_add(n as u8), rgb[1], rgb[2].saturating_sub(n as u8)])
    });
    let mut plain = Cursor::new(Vec::new());
    img.write_to(&mut plain, ImageFormat::Jpeg).unwrap();
    let plain = plain.into_inner();
    match exif {
        None => plain,
        Some(e) => insert_exif(&plain, &exif_blob(e)),
    }
}

/// Puts an APP1 Exif segment right after the SOI marker.
pub fn insert_exif(jpeg: &[u8], tiff: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], b"\xff\xd8", "not a JPEG");
    let len = u16::try_from(tiff.len() + 8).unwrap();
    let mut out = Vec::with_capacity(jpeg.len() + tiff.len() + 10);
    out.extend_from_slice(b"\xff\xd8\xff\xe1");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(b"Exif\0\0");
    out.extend_from_slice(tiff);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Puts an APP1 XMP segment (as Adobe tools write it) right after SOI.
pub fn insert_xmp(jpeg: &[u8], xmp: &str) -> Vec<u8> {
    assert_eq!(&jpeg[..2], b"\xff\xd8", "not a JPEG");
    const NS: &[u8] = b"http://ns.adobe.com/xap/1.0/\0";
    let len = u16::try_from(xmp.len() + NS.len() + 2).unwrap();
    let mut out = Vec::with_capacity(jpeg.len() + xmp.len() + 40);
    out.extend_from_slice(b"\xff\xd8\xff\xe1");
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(NS);
    out.extend_from_slice(xmp.as_bytes());
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// Puts an ICC profile into APP2 `ICC_PROFILE` segments (split at 64 KB,
/// as the ICC spec says) right after SOI.
pub fn insert_icc(jpeg: &[u8], icc: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], b"\xff\xd8", "not a JPEG");
    let chunks: Vec<&[u8]> = icc.chunks(65_000).collect();
    let mut out = b"\xff\xd8".to_vec();
    for (i, chunk) in chunks.iter().enumerate() {
        let len = u16::try_from(chunk.len() + 2 + 14).unwrap();
        out.extend_from_slice(b"\xff\xe2");
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(b"ICC_PROFILE\0");
        out.push(u8::try_from(i + 1).unwrap());
        out.push(u8::try_from(chunks.len()).unwrap());
        out.extend_from_slice(chunk);
    }
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// An XMP packet with a rating, a label, a title and keywords.
pub fn xmp_packet(rating: i8, label: &str, title: &str, keywords: &[&str], hierarchical: &[&str]) -> String {
    let li = |items: &[&str]| {
        items
            .iter()
            .map(|k| format!("<rdf:li>{k}</rdf:li>"))
            .collect::<String>()
    };
    format!(
        r#"<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:lr="http://ns.adobe.com/lightroom/1.0/" xmp:Rating="{rating}" xmp:Label="{label}"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title><dc:subject><rdf:Bag>{}</rdf:Bag></dc:subject><lr:hierarchicalSubject><rdf:Bag>{}</rdf:Bag></lr:hierarchicalSubject></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>"#,
        li(keywords),
        li(hierarchical)
    )
}

pub fn write_jpeg(path: &Path, w: u32, h: u32, rgb: [u8; 3], seed: u32, exif: Option<&Exif<'_>>) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, jpeg_bytes(w, h, rgb, seed, exif)).unwrap();
}

pub fn png_bytes(w: u32, h: u32, rgb: [u8; 3], seed: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(w, h, |x, y| {
        Rgb([rgb[0] ^ ((x + seed) as u8), rgb[1] ^ (y as u8), rgb[2]])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, ImageFormat::Png).unwrap();
    out.into_inner()
}

pub fn write_png(path: &Path, w: u32, h: u32, rgb: [u8; 3], seed: u32) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, png_bytes(w, h, rgb, seed)).unwrap();
}

/// A small, fast pseudo-random generator (xorshift64*) so generated trees
/// are the same on every run without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// Shape of a generated tree.
#[derive(Debug, Clone, Copy)]
pub struct TreeSpec {
    pub files: usize,
    pub files_per_dir: usize,
    /// Sizes are drawn from a mix: mostly small (4-64 KiB), some medium
    /// (0.5-4 MiB), a few large (8-24 MiB), scaled by `size_scale`.
    pub size_scale: f64,
    pub seed: u64,
}

/// Writes a tree of files with unique random contents (with a signature no
/// format claims, so they are "other" files that need no proxies: a folder
/// catalogues them when set to take every file, `--kinds all`).
/// Returns the total bytes.
pub fn write_tree(root: &Path, spec: TreeSpec) -> u64 {
    let mut rng = Rng::new(spec.seed);
    let mut total = 0u64;
    let mut buf = Vec::new();
    for i in 0..spec.files {
        let dir = root.join(format!("{:04}", i / spec.files_per_dir.max(1)));
        if i % spec.files_per_dir.max(1) == 0 {
            std::fs::create_dir_all(&dir).unwrap();
        }
        let class = rng.below(100);
        let size = match class {
            0..=79 => 4096 + rng.below(60 * 1024),
            80..=97 => 512 * 1024 + rng.below(3584 * 1024),
            _ => 8 * 1024 * 1024 + rng.below(16 * 1024 * 1024),
        };
        let size = ((size as f64 * spec.size_scale) as usize).max(16);
        buf.resize(size, 0);
        rng.fill(&mut buf);
        buf[..4].copy_from_slice(b"TRV\0");
        std::fs::write(dir.join(format!("DATA_{i:06}.bin")), &buf).unwrap();
        total += size as u64;
    }
    total
}

/// A test video made by ffmpeg (which the test machine installs).
#[derive(Debug, Clone)]
pub struct VideoSpec<'a> {
    /// `libx264` or `libx265`.
    pub codec: &'a str,
    pub width: u32,
    pub height: u32,
    /// Seconds of black before the test pattern.
    pub black_secs: f64,
    /// Seconds of test pattern.
    pub secs: f64,
    /// Display rotation tag in degrees.
    pub rotate: Option<i32>,
    /// Cues of a text subtitle stream.
    pub subtitles: &'a [&'a str],
    /// The container's creation time, RFC 3339.
    pub creation_time: Option<&'a str>,
    /// ISO 6709 location, e.g. `+64.1400-021.9400/`.
    pub location: Option<&'a str>,
    pub make: Option<&'a str>,
    pub model: Option<&'a str>,
    pub audio: bool,
}

impl Default for VideoSpec<'_> {
    fn default() -> Self {
        VideoSpec {
            codec: "libx264",
            width: 320,
            height: 240,
            black_secs: 0.0,
            secs: 2.0,
            rotate: None,
            subtitles: &[],
            creation_time: None,
            location: None,
            make: None,
            model: None,
            audio: true,
        }
    }
}

/// Runs ffmpeg, panicking with its message on failure (test set-up).
fn ffmpeg(args: &[String]) {
    let out = std::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg runs (scripts/deps.sh installs it)");
    assert!(
        out.status.success(),
        "ffmpeg {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes a video at `path` (the extension picks the container).
pub fn write_video(path: &Path, spec: &VideoSpec<'_>) {
    let s = |v: &str| v.to_owned();
    let size = format!("{}x{}", spec.width, spec.height);
    let total = spec.black_secs + spec.secs;
    let mut args = vec![];
    let mut filter = String::new();
    let mut inputs = 0;
    if spec.black_secs > 0.0 {
        args.extend([
            s("-f"),
            s("lavfi"),
            s("-i"),
            format!("color=black:s={size}:r=25:d={}", spec.black_secs),
        ]);
        inputs += 1;
    }
    args.extend([
        s("-f"),
        s("lavfi"),
        s("-i"),
        format!("testsrc=s={size}:r=25:d={}", spec.secs),
    ]);
    inputs += 1;
    if inputs == 2 {
        filter.push_str("[0:v][1:v]concat=n=2:v=1,format=yuv420p[v]");
    } else {
        filter.push_str("[0:v]format=yuv420p[v]");
    }
    let mut maps = vec![s("-map"), s("[v]")];
    if spec.audio {
        args.extend([s("-f"), s("lavfi"), s("-i"), format!("sine=f=440:d={total}")]);
        maps.extend([s("-map"), format!("{inputs}:a")]);
        inputs += 1;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    if !spec.subtitles.is_empty() {
        let srt = dir.path().join("subs.srt");
        let mut text = String::new();
        for (i, cue) in spec.subtitles.iter().enumerate() {
            text.push_str(&format!(
                "{}\n00:00:{:02},000 --> 00:00:{:02},500\n{cue}\n\n",
                i + 1,
                i,
                i
            ));
        }
        std::fs::write(&srt, text).expect("write srt");
        args.extend([s("-i"), srt.to_string_lossy().into_owned()]);
        maps.extend([s("-map"), format!("{inputs}:s")]);
    }
    args.extend([s("-filter_complex"), filter]);
    args.extend(maps);
    args.extend([s("-c:v"), s(spec.codec), s("-preset"), s("ultrafast")]);
    if spec.codec == "libx265" {
        args.extend([s("-x265-params"), s("log-level=error")]);
    }
    if spec.audio {
        args.extend([s("-c:a"), s("aac")]);
    }
    if !spec.subtitles.is_empty() {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        args.extend([s("-c:s"), s(if ext == "mkv" { "srt" } else { "mov_text" })]);
        args.extend([s("-metadata:s:s:0"), s("language=eng")]);
    }
    if let Some(t) = spec.creation_time {
        args.extend([s("-metadata"), format!("creation_time={t}")]);
    }
    if let Some(l) = spec.location {
        args.extend([s("-metadata"), format!("location={l}")]);
    }
    if let Some(m) = spec.make {
        args.extend([s("-metadata"), format!("make={m}")]);
    }
    if let Some(m) = spec.model {
        args.extend([s("-metadata"), format!("model={m}")]);
    }
    if spec.location.is_some() || spec.make.is_some() {
        args.extend([s("-movflags"), s("use_metadata_tags")]);
    }
    let Some(r) = spec.rotate else {
        args.push(path.to_string_lossy().into_owned());
        ffmpeg(&args);
        return;
    };
    // ffmpeg 5 writes a rotation (display matrix) only when remuxing.
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("mp4");
    let unrotated = dir.path().join(format!("unrotated.{ext}"));
    args.push(unrotated.to_string_lossy().into_owned());
    ffmpeg(&args);
    ffmpeg(&[
        s("-i"),
        unrotated.to_string_lossy().into_owned(),
        s("-map"),
        s("0"),
        s("-c"),
        s("copy"),
        s("-metadata:s:v:0"),
        format!("rotate={r}"),
        path.to_string_lossy().into_owned(),
    ]);
}

/// CEA-608 byte pairs that show `text` (upper-case ASCII) as one pop-on
/// caption, then clear it: resume caption loading, erase the hidden
/// memory, row 15, the text, end of caption (shown), and later erase the
/// displayed memory. Control codes are sent twice, as broadcasters do. Each
/// byte carries odd parity.
fn cea608_pairs(text: &str) -> (Vec<[u8; 2]>, [u8; 2]) {
    let odd = |b: u8| if b.count_ones().is_multiple_of(2) { b | 0x80 } else { b };
    let control = |a: u8, b: u8| [[odd(a), odd(b)], [odd(a), odd(b)]];
    let mut pairs = Vec::new();
    pairs.extend(control(0x14, 0x20)); // RCL
    pairs.extend(control(0x14, 0x2e)); // ENM
    pairs.extend(control(0x14, 0x70)); // PAC: row 15, white
    let mut bytes: Vec<u8> = text.bytes().filter(|b| (0x20..0x7f).contains(b)).collect();
    if bytes.len() % 2 == 1 {
        bytes.push(0);
    }
    pairs.extend(bytes.chunks(2).map(|c| [odd(c[0]), odd(c[1])]));
    pairs.extend(control(0x14, 0x2f)); // EOC: show it
    (pairs, [odd(0x14), odd(0x2c)]) // EDM: clear it
}

/// Writes an H.264 MP4 (4 s, 29.97 fps) whose video stream carries
/// `text` as CEA-608 closed captions (ATSC A53 SEI messages), as broadcast
/// and some cameras record them. ffmpeg cannot write captions from text, so
/// the captions go into an MPEG-2 stream's picture user data ("GA94"), which
/// libx264 then carries over (`-a53cc`).
pub fn write_video_with_captions(path: &Path, text: &str) {
    let s = |v: &str| v.to_owned();
    let dir = tempfile::tempdir().expect("temp dir");
    let plain = dir.path().join("plain.m2v");
    ffmpeg(&[
        s("-f"),
        s("lavfi"),
        s("-i"),
        s("testsrc=s=320x240:r=30000/1001:d=4"),
        s("-c:v"),
        s("mpeg2video"),
        s("-bf"),
        s("0"),
        s("-f"),
        s("mpeg2video"),
        plain.to_string_lossy().into_owned(),
    ]);
    let (pairs, clear) = cea608_pairs(text);
    // Ten frames of padding, the caption, two seconds on screen, cleared.
    let null = [0x80, 0x80];
    let mut per_frame: Vec<[u8; 2]> = vec![null; 10];
    per_frame.extend(pairs);
    per_frame.extend(std::iter::repeat_n(null, 60));
    per_frame.extend([clear, clear]);
    let es = std::fs::read(&plain).expect("read the MPEG-2 stream");
    let starts: Vec<usize> = (0..es.len().saturating_sub(3))
        .filter(|&i| es[i..i + 3] == [0, 0, 1])
        .chain([es.len()])
        .collect();
    let mut out = es[..starts[0]].to_vec();
    let (mut frame, mut in_picture) = (0, false);
    for w in starts.windows(2) {
        let code = es[w[0] + 3];
        // User data goes after a picture's header and extensions, before
        // its first slice (start codes 0x01..=0xaf).
        if in_picture && (0x01..=0xaf).contains(&code) {
            let p = per_frame.get(frame).copied().unwrap_or(null);
            frame += 1;
            out.extend_from_slice(&[
                0,
                0,
                1,
                0xb2,
                b'G',
                b'A',
                b'9',
                b'4',
                3,
                0x40 | 1,
                0xff,
                0xfc,
                p[0],
                p[1],
                0xff,
            ]);
            in_picture = false;
        }
        out.extend_from_slice(&es[w[0]..w[1]]);
        if code == 0x00 {
            in_picture = true;
        }
    }
    let captioned = dir.path().join("captioned.m2v");
    std::fs::write(&captioned, out).expect("write the captioned stream");
    ffmpeg(&[
        s("-i"),
        captioned.to_string_lossy().into_owned(),
        s("-c:v"),
        s("libx264"),
        s("-preset"),
        s("ultrafast"),
        s("-a53cc"),
        s("1"),
        path.to_string_lossy().into_owned(),
    ]);
}

/// Writes a QuickTime movie (H.264, 4 s) with `text` in a CEA-608 closed
/// caption track (`c608`), as editing tools deliver captions, written from
/// a Scenarist (SCC) file.
pub fn write_mov_with_caption_track(path: &Path, text: &str) {
    let s = |v: &str| v.to_owned();
    let dir = tempfile::tempdir().expect("temp dir");
    let (pairs, clear) = cea608_pairs(text);
    let words = |ps: &[[u8; 2]]| {
        ps.iter()
            .map(|p| format!("{:02x}{:02x}", p[0], p[1]))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let scc = dir.path().join("captions.scc");
    std::fs::write(
        &scc,
        format!(
            "Scenarist_SCC V1.0\n\n00:00:00:10\t{}\n\n00:00:03:00\t{}\n\n",
            words(&pairs),
            words(&[clear, clear])
        ),
    )
    .expect("write the SCC file");
    ffmpeg(&[
        s("-f"),
        s("lavfi"),
        s("-i"),
        s("testsrc=s=320x240:r=25:d=4"),
        s("-i"),
        scc.to_string_lossy().into_owned(),
        s("-map"),
        s("0"),
        s("-map"),
        s("1"),
        s("-c:v"),
        s("libx264"),
        s("-preset"),
        s("ultrafast"),
        s("-c:s"),
        s("copy"),
        path.to_string_lossy().into_owned(),
    ]);
}

/// Writes an MP3 with ID3 tags and, optionally, a cover picture (JPEG).
pub fn write_mp3(path: &Path, title: &str, artist: &str, album: &str, cover_jpeg: Option<&[u8]>) {
    let s = |v: &str| v.to_owned();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut args = vec![s("-f"), s("lavfi"), s("-i"), s("sine=f=440:d=2")];
    if let Some(c) = cover_jpeg {
        let cover = dir.path().join("cover.jpg");
        std::fs::write(&cover, c).expect("write cover");
        args.extend([
            s("-i"),
            cover.to_string_lossy().into_owned(),
            s("-map"),
            s("0:a"),
            s("-map"),
            s("1:v"),
        ]);
        args.extend([s("-c:v"), s("copy"), s("-disposition:v"), s("attached_pic")]);
    }
    args.extend([s("-c:a"), s("libmp3lame"), s("-id3v2_version"), s("3")]);
    args.extend([s("-metadata"), format!("title={title}")]);
    args.extend([s("-metadata"), format!("artist={artist}")]);
    args.extend([s("-metadata"), format!("album={album}")]);
    args.push(path.to_string_lossy().into_owned());
    ffmpeg(&args);
}

/// Writes a tagged FLAC (a format the webview does not play).
pub fn write_flac(path: &Path, title: &str) {
    ffmpeg(&[
        "-f".into(),
        "lavfi".into(),
        "-i".into(),
        "sine=f=330:d=2".into(),
        "-metadata".into(),
        format!("title={title}"),
        path.to_string_lossy().into_owned(),
    ]);
}

/// A small, valid PDF: `pages` pages of Helvetica text, with a title and
/// an author in its document information.
pub fn pdf_bytes(title: &str, author: &str, pages: u32) -> Vec<u8> {
    let pages = pages.max(1);
    // Objects: 1 catalog, 2 pages, 3 font, 4 info, then (page, content) pairs.
    let mut objs: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..pages).map(|i| format!("{} 0 R", 5 + 2 * i)).collect();
    objs.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objs.push(format!("<< /Type /Pages /Kids [{}] /Count {pages} >>", kids.join(" ")).into_bytes());
    objs.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec());
    objs.push(
        format!("<< /Title ({title}) /Author ({author}) /CreationDate (D:20240301100000+01'00') >>").into_bytes(),
    );
    for i in 0..pages {
        let content = format!(
            "BT /F1 48 Tf 60 400 Td (Page {}) Tj ET 0 0 1 rg 60 100 200 200 re f",
            i + 1
        );
        objs.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents {} 0 R /Resources << /Font << /F1 3 0 R >> >> >>",
                6 + 2 * i
            )
            .into_bytes(),
        );
        objs.push(format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()).into_bytes());
    }
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objs.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objs.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R /Info 4 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objs.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// A RAW-like file as cameras write them: a little-endian TIFF whose IFD0
/// carries the camera's make and orientation and a small thumbnail, then
/// the sensor data as lossless JPEG (SOF3, claiming 6000 x 4000), then the
/// large baseline JPEG preview. Enough structure for Trove's RAW path
/// (the preview is found by its markers) and for EXIF readers (IFD0).
pub fn raw_tiff(orientation: u16, thumb_jpeg: &[u8], preview_jpeg: &[u8]) -> Vec<u8> {
    let make = b"TroveCam\0";
    let entries: u16 = 7;
    let ifd_len = 2 + usize::from(entries) * 12 + 4;
    let make_at = 8 + ifd_len;
    let thumb_at = make_at + make.len();
    let mut out = Vec::new();
    out.extend_from_slice(b"II*\0");
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&entries.to_le_bytes());
    let mut entry = |tag: u16, typ: u16, count: u32, value: u32| {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&value.to_le_bytes());
    };
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const ASCII: u16 = 2;
    entry(0x00fe, LONG, 1, 1);
    entry(0x0100, SHORT, 1, 160);
    entry(0x0101, SHORT, 1, 120);
    entry(0x010f, ASCII, make.len() as u32, make_at as u32);
    entry(0x0112, SHORT, 1, u32::from(orientation));
    entry(0x0201, LONG, 1, thumb_at as u32);
    entry(0x0202, LONG, 1, thumb_jpeg.len() as u32);
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(make);
    out.extend_from_slice(thumb_jpeg);
    // "Sensor data": a lossless JPEG header over noise.
    out.extend_from_slice(&[0xff, 0xd8, 0xff, 0xc3, 0, 11, 14, 0x0f, 0xa0, 0x17, 0x70, 1, 1, 0x11, 0]);
    out.extend_from_slice(&[0xff, 0xda, 0, 8, 1, 1, 0, 1, 0, 0]);
    let mut rng = Rng::new(99);
    out.extend((0..50_000).map(|_| (rng.next_u64() % 255) as u8));
    out.extend_from_slice(&[0xff, 0xd9]);
    out.extend_from_slice(preview_jpeg);
    out
}

/// What a [`dng_bytes`] file shows.
#[derive(Debug, Clone, Copy)]
pub struct DngSpec<'a> {
    pub width: u32,
    pub height: u32,
    /// Linear camera RGB (0..1) of the left half and of the right half.
    pub left: [f32; 3],
    pub right: [f32; 3],
    pub orientation: u16,
    /// A JPEG stored after the sensor data, as the small preview some
    /// converters keep (found by its markers, as Trove finds previews).
    pub preview: Option<&'a [u8]>,
}

/// A DNG without an embedded preview, as some converters, scientific and
/// old cameras write them: IFD0 is the raw image itself, 16-bit samples
/// through an RGGB colour filter (uncompressed, white at 4095), with the
/// colour matrix of a camera whose sensor sees linear sRGB (D65), so that
/// a correct development shows `left` and `right` in sRGB. LibRaw and
/// exiftool read it; libvips sees only a grey one-band mosaic.
pub fn dng_bytes(spec: &DngSpec<'_>) -> Vec<u8> {
    const BYTE: u16 = 1;
    const ASCII: u16 = 2;
    const SHORT: u16 = 3;
    const LONG: u16 = 4;
    const RATIONAL: u16 = 5;
    const SRATIONAL: u16 = 10;
    const WHITE: f32 = 4095.0;
    let (w, h) = (spec.width, spec.height);
    let mut pixels = Vec::with_capacity((w * h * 2) as usize);
    for y in 0..h {
        for x in 0..w {
            // R G / G B.
            let channel = [[0, 1], [1, 2]][(y % 2) as usize][(x % 2) as usize];
            let colour = if x < w / 2 { spec.left } else { spec.right };
            let v = (colour[channel].clamp(0.0, 1.0) * WHITE).round() as u16;
            pixels.extend_from_slice(&v.to_le_bytes());
        }
    }
    // XYZ (D65) to linear sRGB: the sensor "is" sRGB.
    let matrix = [
        3.2406f64, -1.5372, -0.4986, -0.9689, 1.8758, 0.0415, 0.0557, -0.2040, 1.0570,
    ];
    let le16 = |v: &[u16]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let le32 = |v: &[u32]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
    let srational: Vec<u8> = matrix
        .iter()
        .flat_map(|&m| {
            let n = (m * 10_000.0).round() as i32;
            [n.to_le_bytes(), 10_000i32.to_le_bytes()].concat()
        })
        .collect();
    // (tag, type, count, value bytes), in tag order; the strip offset is
    // filled in once the layout is known.
    let mut entries: Vec<(u16, u16, u32, Vec<u8>)> = vec![
        (254, LONG, 1, le32(&[0])),
        (256, LONG, 1, le32(&[w])),
        (257, LONG, 1, le32(&[h])),
        (258, SHORT, 1, le16(&[16])),
        (259, SHORT, 1, le16(&[1])),
        (262, SHORT, 1, le16(&[32803])),
        (271, ASCII, 6, b"Trove\0".to_vec()),
        (272, ASCII, 9, b"Test DNG\0".to_vec()),
        (273, LONG, 1, le32(&[0])),
        (274, SHORT, 1, le16(&[spec.orientation])),
        (277, SHORT, 1, le16(&[1])),
        (278, LONG, 1, le32(&[h])),
        (279, LONG, 1, le32(&[pixels.len() as u32])),
        (284, SHORT, 1, le16(&[1])),
        (33421, SHORT, 2, le16(&[2, 2])),
        (33422, BYTE, 4, vec![0, 1, 1, 2]),
        (50706, BYTE, 4, vec![1, 4, 0, 0]),
        (50708, ASCII, 15, b"Trove Test DNG\0".to_vec()),
        (50717, LONG, 1, le32(&[WHITE as u32])),
        (50721, SRATIONAL, 9, srational),
        (50728, RATIONAL, 3, le32(&[1, 1, 1, 1, 1, 1])),
        (50778, SHORT, 1, le16(&[21])),
    ];
    let ifd_len = 2 + entries.len() * 12 + 4;
    let extra_len: usize = entries
        .iter()
        .filter(|e| e.3.len() > 4)
        .map(|e| e.3.len() + e.3.len() % 2)
        .sum();
    let strip_at = (8 + ifd_len + extra_len) as u32;
    if let Some(e) = entries.iter_mut().find(|e| e.0 == 273) {
        e.3 = le32(&[strip_at]);
    }
    let mut out = b"II*\0".to_vec();
    out.extend_from_slice(&8u32.to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    let mut extra = Vec::new();
    let mut extra_at = (8 + ifd_len) as u32;
    for (tag, typ, count, value) in &entries {
        out.extend_from_slice(&tag.to_le_bytes());
        out.extend_from_slice(&typ.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        if value.len() <= 4 {
            let mut v = value.clone();
            v.resize(4, 0);
            out.extend_from_slice(&v);
        } else {
            out.extend_from_slice(&extra_at.to_le_bytes());
            extra.extend_from_slice(value);
            if value.len() % 2 == 1 {
                extra.push(0);
            }
            extra_at += (value.len() + value.len() % 2) as u32;
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&extra);
    assert_eq!(out.len() as u32, strip_at);
    out.extend_from_slice(&pixels);
    if let Some(p) = spec.preview {
        out.extend_from_slice(p);
    }
    out
}

/// A single-part scanline OpenEXR image of `w` x `h` pixels, every pixel
/// the linear-light colour `rgb` (32-bit float R, G, B channels, no
/// compression): what HDR merges and VFX tools write. Written here (the
/// file format is small and fixed; neither ffmpeg nor libvips saves EXR).
pub fn exr_bytes(w: u32, h: u32, rgb: [f32; 3]) -> Vec<u8> {
    fn attr(out: &mut Vec<u8>, name: &str, kind: &str, value: &[u8]) {
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(kind.as_bytes());
        out.push(0);
        out.extend_from_slice(&(value.len() as i32).to_le_bytes());
        out.extend_from_slice(value);
    }
    const FLOAT: i32 = 2;
    let mut out = vec![0x76, 0x2f, 0x31, 0x01, 2, 0, 0, 0];
    // Channels in alphabetical order, as the format requires.
    let mut chlist = Vec::new();
    for name in ["B", "G", "R"] {
        chlist.extend_from_slice(name.as_bytes());
        chlist.push(0);
        chlist.extend_from_slice(&FLOAT.to_le_bytes());
        chlist.extend_from_slice(&[0, 0, 0, 0]); // pLinear, reserved
        chlist.extend_from_slice(&1i32.to_le_bytes());
        chlist.extend_from_slice(&1i32.to_le_bytes());
    }
    chlist.push(0);
    attr(&mut out, "channels", "chlist", &chlist);
    attr(&mut out, "compression", "compression", &[0]);
    let window: Vec<u8> = [0i32, 0, w as i32 - 1, h as i32 - 1]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    attr(&mut out, "dataWindow", "box2i", &window);
    attr(&mut out, "displayWindow", "box2i", &window);
    attr(&mut out, "lineOrder", "lineOrder", &[0]);
    attr(&mut out, "pixelAspectRatio", "float", &1f32.to_le_bytes());
    attr(&mut out, "screenWindowCenter", "v2f", &[0u8; 8]);
    attr(&mut out, "screenWindowWidth", "float", &1f32.to_le_bytes());
    out.push(0);
    // One scanline per block: the offset table, then each block (its y,
    // its size, then each channel's samples for the line).
    let line_bytes = (w as usize) * 3 * 4;
    let table_at = out.len();
    let first_block = table_at + 8 * h as usize;
    for y in 0..h as usize {
        out.extend_from_slice(&((first_block + y * (8 + line_bytes)) as u64).to_le_bytes());
    }
    for y in 0..h {
        out.extend_from_slice(&(y as i32).to_le_bytes());
        out.extend_from_slice(&(line_bytes as i32).to_le_bytes());
        for v in [rgb[2], rgb[1], rgb[0]] {
            for _ in 0..w {
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    out
}
