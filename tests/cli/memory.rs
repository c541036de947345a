//! Memory: the image decodes in flight stay within `--decode-memory`
//! however many workers run, measured as the process's peak RSS.

use std::path::Path;
use std::process::{Command, Stdio};

use super::{trove, trove_bin};

/// Runs the command to its end; its exit code and peak RSS in MB, as the
/// kernel counted them (`wait4`'s `ru_maxrss`).
#[allow(unsafe_code)] // wait4 through libc: std gives no child's rusage
fn run_measured(cmd: &mut Command, log: &Path) -> (i32, u64) {
    let child = cmd
        .stdout(Stdio::from(std::fs::File::create(log.with_extension("out")).unwrap()))
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; `pid` is our
    // child, which nothing else waits for (`child` is dropped unwaited).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(waited, pid, "wait4: {}", std::io::Error::last_os_error());
    drop(child);
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    (code, usage.ru_maxrss as u64 / 1024)
}

/// Runs `trove thumbs` with `extra` on the library `lib` (no decode budget
/// from the environment); asserts it succeeded and gives its peak RSS in MB.
fn measured_thumbs(lib: &Path, extra: &[&str]) -> u64 {
    let log = lib.with_extension("thumbs.log");
    let (code, peak_mb) = run_measured(
        Command::new(trove_bin())
            .arg("--library")
            .arg(lib)
            .arg("thumbs")
            .args(extra)
            .arg("--json")
            .env_remove("TROVE_LIBRARY")
            .env_remove("TROVE_DECODE_MEMORY_MB"),
        &log,
    );
    assert_eq!(code, 0, "{}", std::fs::read_to_string(&log).unwrap());
    peak_mb
}

/// A 16-bit RGBA PNG of noise (8 bytes a pixel once decoded: the heaviest
/// common photo PNG, as scanners and editors write them), made by libvips
/// in processes of its own: the kernel counts a child's peak RSS from the
/// moment it is spawned, memory of the spawning process included, so this
/// test process must stay small.
fn write_noise_png16(path: &Path, w: u32, h: u32, mean: u32) {
    let dir = path.parent().unwrap();
    let step = |args: &[&str]| {
        let out = Command::new("vips").args(args).current_dir(dir).output().unwrap();
        assert!(
            out.status.success(),
            "vips {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (w, h, mean) = (w.to_string(), h.to_string(), mean.to_string());
    step(&["gaussnoise", "noise.v", &w, &h, "--mean", &mean]);
    step(&["bandjoin", "noise.v noise.v noise.v noise.v", "rgba.v"]);
    step(&["cast", "rgba.v", "rgba16.v", "ushort"]);
    step(&[
        "pngsave",
        "rgba16.v",
        path.to_str().unwrap(),
        "--bitdepth",
        "16",
        "--compression",
        "1",
    ]);
    for f in ["noise.v", "rgba.v", "rgba16.v"] {
        std::fs::remove_file(dir.join(f)).unwrap();
    }
}

/// Four 24-megapixel 16-bit PNGs (about 300 MB each while they decode,
/// with the file) on four workers: within a 300 MB budget they decode one
/// at a time, so the process stays near one decode above its baseline
/// instead of four (measured: about 380 MB within the budget, 1.24 GB
/// without it).
#[test]
fn concurrent_large_decodes_stay_within_the_memory_budget() {
    let tmp = tempfile::tempdir().unwrap();
    let photos = tmp.path().join("scans");
    std::fs::create_dir_all(&photos).unwrap();
    for i in 0..4 {
        write_noise_png16(&photos.join(format!("scan{i}.png")), 6000, 4000, 100 + i);
    }
    let lib = tmp.path().join("lib");
    let out = trove(&lib, &["add", photos.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", super::stderr(&out));

    let peak_mb = measured_thumbs(&lib, &["--threads", "4", "--decode-memory", "300"]);
    let cat = rusqlite::Connection::open(lib.join("catalog.db")).unwrap();
    let with_thumbs: i64 = cat
        .query_row(
            "SELECT count(DISTINCT asset_id) FROM derivatives WHERE variant = 'thumb'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(with_thumbs, 4, "every scan got its thumbnails");
    // One decode (about 300 MB) and the process's own, with room to
    // spare; four at once would be over 1 GB.
    eprintln!("peak RSS of `trove thumbs` on 4 workers within a 300 MB budget: {peak_mb} MB");
    assert!(
        peak_mb < 550,
        "peak RSS {peak_mb} MB: the decodes were not kept within the budget"
    );
}

/// A 40,000 x 40,000 scan (1.6 gigapixels: 4.8 GB as 8-bit RGB) gets its
/// thumbnails the way vipsthumbnail makes them, shrunk while it decodes,
/// in strips: the peak RSS of `trove thumbs` (which the kernel counts over
/// its libvips child too) stays a small fraction of the bitmap, and the
/// asset keeps its true size instead of a `too_large` error.
#[test]
fn a_forty_thousand_pixel_square_scan_gets_thumbnails_in_bounded_memory() {
    let tmp = tempfile::tempdir().unwrap();
    let scans = tmp.path().join("scans");
    std::fs::create_dir_all(&scans).unwrap();
    let out = Command::new("vips")
        .args(["black", "wall.png", "40000", "40000", "--bands", "3"])
        .current_dir(&scans)
        .output()
        .unwrap();
    assert!(out.status.success(), "vips: {}", String::from_utf8_lossy(&out.stderr));
    let lib = tmp.path().join("lib");
    let out = trove(&lib, &["add", scans.to_str().unwrap(), "--json"]);
    assert!(out.status.success(), "{}", super::stderr(&out));

    let peak_mb = measured_thumbs(&lib, &[]);
    let cat = rusqlite::Connection::open(lib.join("catalog.db")).unwrap();
    let (w, h): (i64, i64) = cat
        .query_row("SELECT width, height FROM assets", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!((w, h), (40_000, 40_000));
    let mut sizes: Vec<(String, i64, i64)> = cat
        .prepare("SELECT variant, width, height FROM derivatives ORDER BY variant")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    sizes.sort();
    assert_eq!(
        sizes,
        [
            ("preview".to_owned(), 2048, 2048),
            ("thumb".to_owned(), 256, 256),
            ("thumb@2x".to_owned(), 512, 512)
        ]
    );
    // Measured: about 240 MB (vipsthumbnail alone: 237 MB); the bitmap
    // whole would be 4.8 GB.
    eprintln!("peak RSS of `trove thumbs` on a 40,000 x 40,000 PNG: {peak_mb} MB");
    assert!(
        peak_mb < 600,
        "peak RSS {peak_mb} MB: the scan was not shrunk while decoding"
    );
}
