//! Upload benchmark: `trove upload` against `rclone copy` on the same local
//! server (SeaweedFS, or s3s-fs with `--server s3s-fs`), interleaved,
//! printing files/s, MB/s and client CPU seconds per run and the medians.
//!
//! cargo build --release -p trove-cli
//! cargo run --release -p trove-e2e --example bench_upload -- \
//!     [--small 5000] [--small-kb 200] [--large 20] [--large-mb 100] [--rounds 3] \
//!     [--server seaweedfs|s3s-fs] [--trove target/release/trove]
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::disallowed_methods)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use trove_testkit::Rng;
use trove_testkit::s3::{ACCESS_KEY, BUCKET, S3Server, SECRET_KEY};

struct Args {
    small: usize,
    small_kb: usize,
    large: usize,
    large_mb: usize,
    rounds: usize,
    s3s: bool,
    trove: PathBuf,
}

fn args() -> Args {
    let mut a = Args {
        small: 5000,
        small_kb: 200,
        large: 20,
        large_mb: 100,
        rounds: 3,
        s3s: false,
        trove: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target/release/trove")),
    };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < v.len() {
        let n = || v[i + 1].parse::<usize>().unwrap();
        match v[i].as_str() {
            "--small" => a.small = n(),
            "--small-kb" => a.small_kb = n(),
            "--large" => a.large = n(),
            "--large-mb" => a.large_mb = n(),
            "--rounds" => a.rounds = n(),
            "--trove" => a.trove = PathBuf::from(&v[i + 1]),
            "--server" => {
                a.s3s = match v[i + 1].as_str() {
                    "seaweedfs" => false,
                    "s3s-fs" => true,
                    other => panic!("--server {other}: seaweedfs or s3s-fs"),
                }
            }
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

/// CPU seconds (user + system) of this process's waited-for children, from
/// /proc/self/stat (cutime, cstime; USER_HZ is 100 on Linux).
fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let after_comm = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after_comm.split_whitespace().collect();
    // Fields 16 and 17 of stat are cutime and cstime; after the comm field
    // they are at index 13 and 14.
    (f[13].parse::<f64>().unwrap() + f[14].parse::<f64>().unwrap()) / 100.0
}

fn make_files(dir: &Path, n: usize, size: usize, seed: u64) -> u64 {
    std::fs::create_dir_all(dir).unwrap();
    let mut rng = Rng::new(seed);
    let mut buf = vec![0u8; size];
    let mut total = 0;
    for i in 0..n {
        // Sizes vary by +-25 % around the mean.
        let len = size * 3 / 4 + rng.below((size / 2) as u64 + 1) as usize;
        rng.fill(&mut buf[..len.min(size)]);
        let sub = dir.join(format!("{:03}", i / 100));
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(sub.join(format!("file-{i:05}.bin")), &buf[..len.min(size)]).unwrap();
        total += len.min(size) as u64;
    }
    total
}

struct Run {
    seconds: f64,
    cpu: f64,
    server_cpu: f64,
}

fn timed(mut cmd: Command, server: &S3Server) -> Run {
    let cpu0 = children_cpu();
    let server0 = server.cpu_seconds();
    let t = Instant::now();
    let out = cmd.output().unwrap();
    let seconds = t.elapsed().as_secs_f64();
    let server_cpu = server.cpu_seconds() - server0;
    assert!(
        out.status.success(),
        "{:?} failed:\n{}\n{}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Run {
        seconds,
        cpu: children_cpu() - cpu0,
        server_cpu,
    }
}

fn trove_cmd(a: &Args, server: &S3Server, dir: &Path, prefix: &str, state: &Path) -> Command {
    let mut c = Command::new(&a.trove);
    c.args(["--library"])
        .arg(state.with_extension("lib"))
        .arg("upload")
        .arg(dir)
        .args([
            "--to",
            &format!("s3://{BUCKET}/{prefix}"),
            "--endpoint",
            &server.endpoint,
        ])
        .arg("--state")
        .arg(state)
        .args(["--concurrency", "32", "--json"])
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_CA_BUNDLE");
    c
}

fn rclone_cmd(server: &S3Server, dir: &Path, prefix: &str, large: bool) -> Command {
    let mut c = server.rclone();
    c.arg("copy").arg(dir).arg(format!("s3:{BUCKET}/{prefix}"));
    if large {
        // rclone sends files below `--s3-upload-cutoff` (200M by default)
        // in one PUT; the cutoff makes it use 16 MiB parts as Trove does.
        c.args([
            "--s3-upload-cutoff",
            "16M",
            "--s3-chunk-size",
            "16M",
            "--s3-upload-concurrency",
            "4",
            "--transfers",
            "4",
        ]);
    } else {
        c.args(["--transfers", "32", "--checkers", "32"]);
    }
    c
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let a = args();
    assert!(
        a.trove.is_file(),
        "{} not found: cargo build --release -p trove-cli",
        a.trove.display()
    );
    let tmp = tempfile::tempdir().unwrap();
    println!(
        "server {}; generating {} x {} KB and {} x {} MB ...",
        if a.s3s { "s3s-fs" } else { "SeaweedFS" },
        a.small,
        a.small_kb,
        a.large,
        a.large_mb
    );
    let small_dir = tmp.path().join("small");
    let large_dir = tmp.path().join("large");
    let small_bytes = make_files(&small_dir, a.small, a.small_kb * 1024, 1);
    let large_bytes = make_files(&large_dir, a.large, a.large_mb * 1024 * 1024, 2);
    for (label, dir, n, bytes, large) in [
        ("small", &small_dir, a.small, small_bytes, false),
        ("large", &large_dir, a.large, large_bytes, true),
    ] {
        if n == 0 {
            continue;
        }
        let mut rows: Vec<(&str, Vec<Run>)> = vec![("trove", Vec::new()), ("rclone", Vec::new())];
        for round in 0..a.rounds {
            // Interleaved: who goes first alternates.
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for which in order {
                // A fresh server per run: SeaweedFS keeps deleted objects'
                // space until a vacuum, and a purge between runs once let a
                // full-size benchmark fill the disk.
                let server = if a.s3s {
                    S3Server::start_s3s()
                } else {
                    S3Server::start()
                };
                let prefix = format!("bench/{label}-{round}-{}", rows[which].0);
                let run = if which == 0 {
                    let state = tmp.path().join(format!("state-{label}-{round}.db"));
                    timed(trove_cmd(&a, &server, dir, &prefix, &state), &server)
                } else {
                    timed(rclone_cmd(&server, dir, &prefix, large), &server)
                };
                println!(
                    "{label} round {round} {:6}: {:7.2} s  {:8.1} files/s  {:7.1} MB/s  CPU {:6.2} s  server CPU {:6.2} s",
                    rows[which].0,
                    run.seconds,
                    n as f64 / run.seconds,
                    bytes as f64 / 1e6 / run.seconds,
                    run.cpu,
                    run.server_cpu
                );
                rows[which].1.push(run);
            }
        }
        let med = |i: usize, f: &dyn Fn(&Run) -> f64| median(rows[i].1.iter().map(f).collect());
        let fps = |r: &Run| n as f64 / r.seconds;
        let mbs = |r: &Run| bytes as f64 / 1e6 / r.seconds;
        let cpu = |r: &Run| r.cpu;
        let server_cpu = |r: &Run| r.server_cpu;
        println!(
            "{label}: median trove {:.1} files/s {:.1} MB/s CPU {:.2} s (server {:.2} s) | rclone {:.1} files/s {:.1} MB/s CPU {:.2} s (server {:.2} s)",
            med(0, &fps),
            med(0, &mbs),
            med(0, &cpu),
            med(0, &server_cpu),
            med(1, &fps),
            med(1, &mbs),
            med(1, &cpu),
            med(1, &server_cpu)
        );
        println!(
            "{label}: ratio trove/rclone: files/s {:.2}x, MB/s {:.2}x, CPU {:.2}x",
            med(0, &fps) / med(1, &fps),
            med(0, &mbs) / med(1, &mbs),
            med(0, &cpu) / med(1, &cpu)
        );
    }
}
