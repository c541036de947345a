//! Writes a generated tree of files for benchmarks:
//! `trove-make-tree DIR FILES [SIZE_SCALE] [SEED]`.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: trove-make-tree DIR FILES [SIZE_SCALE] [SEED]");
        std::process::exit(2);
    }
    let dir = PathBuf::from(&args[1]);
    let files: usize = args[2].parse().unwrap();
    let size_scale: f64 = args.get(3).map(|s| s.parse().unwrap()).unwrap_or(1.0);
    let seed: u64 = args.get(4).map(|s| s.parse().unwrap()).unwrap_or(1);
    let bytes = trove_testkit::write_tree(
        &dir,
        trove_testkit::TreeSpec {
            files,
            files_per_dir: 250,
            size_scale,
            seed,
        },
    );
    println!("{files} files, {bytes} bytes in {}", dir.display());
}
