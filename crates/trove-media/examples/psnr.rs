//! Quality of a thumbnail, measured the way the media issue asks: against
//! a reference made by fully decoding the original and resizing it with
//! Lanczos3 to the thumbnail's exact size. Prints one PSNR (dB, RGB) per
//! candidate: `psnr ORIGINAL.jpg CANDIDATE.jpg...`.
//! Driven by scripts/bench_thumbs.py for Trove's and vipsthumbnail's outputs.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use fast_image_resize::images::Image as FirImage;
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: psnr ORIGINAL CANDIDATE...");
        std::process::exit(2);
    }
    let original = image::open(&args[1]).unwrap().into_rgb8();
    let (ow, oh) = original.dimensions();
    let src = FirImage::from_vec_u8(ow, oh, original.into_raw(), PixelType::U8x3).unwrap();
    let mut resizer = Resizer::new();
    for cand in &args[2..] {
        let c = image::open(cand).unwrap().into_rgb8();
        let (w, h) = c.dimensions();
        let mut reference = FirImage::new(w, h, PixelType::U8x3);
        let opts = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
        resizer.resize(&src, &mut reference, &opts).unwrap();
        let mse: f64 = reference
            .buffer()
            .iter()
            .zip(c.as_raw())
            .map(|(a, b)| (f64::from(*a) - f64::from(*b)).powi(2))
            .sum::<f64>()
            / (w as f64 * h as f64 * 3.0);
        let psnr = if mse == 0.0 {
            99.0
        } else {
            10.0 * (255.0f64 * 255.0 / mse).log10()
        };
        println!("{psnr:.2} {w}x{h} {cand}");
    }
}
