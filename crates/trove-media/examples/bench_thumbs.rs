//! Times Trove's proxies over a folder of JPEGs, one image after another on
//! one thread, writing the outputs like vipsthumbnail does:
//! `bench_thumbs DIR OUT thumb|grid|all [QUALITY]` (thumb: the 256
//! thumbnail only; grid: it and the 2x one; all: both and the preview;
//! QUALITY: JPEG quality, 100 for the quality comparison). Prints
//! `<images> <seconds>`. `TROVE_DECODE_MARGIN` overrides the JPEG decode
//! margin, to measure the speed/quality trade of another one.
//! Driven by scripts/bench_thumbs.py, which runs vipsthumbnail beside it.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::time::Instant;

use trove_media::{ProxySpec, image_proxies};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !(4..=5).contains(&args.len()) {
        eprintln!("usage: bench_thumbs DIR OUT thumb|grid|all [QUALITY]");
        std::process::exit(2);
    }
    let defaults = ProxySpec::default();
    #[allow(clippy::disallowed_methods)] // a benchmark tool's knob, not library configuration
    let margin = std::env::var("TROVE_DECODE_MARGIN").map_or(defaults.decode_margin, |m| m.parse().unwrap());
    let spec = ProxySpec {
        preview: args[3] == "all",
        thumb2x: args[3] != "thumb",
        quality: args.get(4).map_or(defaults.quality, |q| q.parse().unwrap()),
        decode_margin: margin,
        ..defaults
    };
    let mut files: Vec<_> = std::fs::read_dir(&args[1])
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")))
        .collect();
    files.sort();
    std::fs::create_dir_all(&args[2]).unwrap();
    let start = Instant::now();
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let out = image_proxies(&bytes, None, &spec).unwrap();
        let stem = f.file_stem().unwrap().to_string_lossy();
        for p in out.proxies {
            std::fs::write(format!("{}/{stem}-{}.jpg", args[2], p.variant.name()), &p.jpeg).unwrap();
        }
    }
    println!("{} {:.3}", files.len(), start.elapsed().as_secs_f64());
}
