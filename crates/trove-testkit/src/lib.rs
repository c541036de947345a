//! Fixtures for Trove's tests and benchmarks. Every file made here is a real
//! file of its format: JPEGs and PNGs are encoded by the `image` crate and
//! EXIF is written by kamadak-exif's (experimental) writer.
#![allow(clippy::unwrap_used)] // test code: a failed fixture should stop the test

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
/// format claims, so they are catalogued as "other" and need no proxies).
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
