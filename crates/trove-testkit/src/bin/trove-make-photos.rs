//! Writes camera-size JPEGs (6000 x 4000, quality 90) with smooth colour
//! fields, edges and sensor-like noise, for proxy benchmarks:
//! `trove-make-photos DIR COUNT [WIDTH HEIGHT]`. The noise (+-12 levels) is
//! what gives them a camera JPEG's weight: about 8 MB, 2.7 bits a pixel,
//! where 24 MP cameras commonly write 6-12 MB. Decoding cost follows the entropy, so
//! lighter files (+-3 levels made 3.5 MB) would flatter every decoder.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::path::PathBuf;

use image::codecs::jpeg::JpegEncoder;
use image::{Rgb, RgbImage};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: trove-make-photos DIR COUNT [WIDTH HEIGHT]");
        std::process::exit(2);
    }
    let dir = PathBuf::from(&args[1]);
    let count: u32 = args[2].parse().unwrap();
    let w: u32 = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(6000);
    let h: u32 = args.get(4).map(|s| s.parse().unwrap()).unwrap_or(4000);
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = trove_testkit::Rng::new(42);
    for i in 0..count {
        let (fx, fy, phase) = (60.0 + (i % 7) as f32 * 23.0, 80.0 + (i % 5) as f32 * 31.0, i as f32);
        let img = RgbImage::from_fn(w, h, |x, y| {
            let (xf, yf) = (x as f32, y as f32);
            let edge = if (x / 400 + y / 300 + i) % 5 == 0 { 60.0 } else { 0.0 };
            let n = (rng.below(25) as f32) - 12.0;
            let r = 128.0 + 100.0 * (xf / fx + phase).sin() + edge + n;
            let g = 128.0 + 100.0 * (yf / fy - phase).cos() - edge + n;
            let b = 128.0 + 90.0 * ((xf + yf) / (fx + fy)).sin() + n;
            Rgb([
                r.clamp(0.0, 255.0) as u8,
                g.clamp(0.0, 255.0) as u8,
                b.clamp(0.0, 255.0) as u8,
            ])
        });
        let path = dir.join(format!("DSC{i:05}.jpg"));
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        img.write_with_encoder(JpegEncoder::new_with_quality(&mut out, 90))
            .unwrap();
    }
    println!("{count} photos of {w} x {h} in {}", dir.display());
}
