//! Compares three ways to run the CPU work of proxy jobs on N threads, for
//! the media issue's "rayon, or spawn_blocking behind a semaphore: measure
//! and pick": `bench_pool DIR threads|rayon|blocking N`.
//!
//! Each job is what a `make_proxies` job does with a JPEG: read the file,
//! decode once, make the thumbnail, the 2x thumbnail and the preview, and
//! write them (to a temporary folder, then removed). The modes:
//! - `threads`: N plain threads, each taking the next file from a shared
//!   counter (how Trove's workers claim jobs from the catalog);
//! - `rayon`: a rayon pool of N threads over the files (`par_iter`);
//! - `blocking`: a tokio runtime, each file a `spawn_blocking` task that
//!   first takes one of N semaphore permits.
//!
//! Prints `<images> <seconds>`. Driven by scripts/bench_pool.py, which
//! interleaves the modes and reads each run's peak RSS.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use rayon::prelude::*;
use trove_media::{ProxySpec, image_proxies};

fn job(file: &Path, out: &Path) {
    let bytes = std::fs::read(file).unwrap();
    let made = image_proxies(&bytes, None, &ProxySpec::default()).unwrap();
    let stem = file.file_stem().unwrap().to_string_lossy();
    for p in made.proxies {
        std::fs::write(out.join(format!("{stem}-{}.jpg", p.variant.name())), &p.jpeg).unwrap();
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 4 {
        eprintln!("usage: bench_pool DIR threads|rayon|blocking N");
        std::process::exit(2);
    }
    let n: usize = args[3].parse().unwrap();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&args[1])
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("jpg")))
        .collect();
    files.sort();
    let out = tempfile::tempdir().unwrap();
    let out = out.path();
    let start = Instant::now();
    match args[2].as_str() {
        "threads" => {
            let next = AtomicUsize::new(0);
            std::thread::scope(|s| {
                for _ in 0..n {
                    s.spawn(|| {
                        while let Some(f) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                            job(f, out);
                        }
                    });
                }
            });
        }
        "rayon" => {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(n).build().unwrap();
            pool.install(|| files.par_iter().for_each(|f| job(f, out)));
        }
        "blocking" => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .build()
                .unwrap();
            let out = out.to_owned();
            rt.block_on(async {
                let permits = Arc::new(tokio::sync::Semaphore::new(n));
                let mut tasks = tokio::task::JoinSet::new();
                for f in &files {
                    let f = f.clone();
                    let permit = permits.clone().acquire_owned().await.unwrap();
                    let out = out.clone();
                    tasks.spawn_blocking(move || {
                        job(&f, &out);
                        drop(permit);
                    });
                }
                while let Some(r) = tasks.join_next().await {
                    r.unwrap();
                }
            });
        }
        other => {
            eprintln!("unknown mode {other:?}: threads, rayon or blocking");
            std::process::exit(2);
        }
    }
    println!("{} {:.3}", files.len(), start.elapsed().as_secs_f64());
}
