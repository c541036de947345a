//! A mutation fuzzer on stable Rust: real files (generated here, made by
//! the standard tools, and, with `TROVE_FUZZ_CORPUS`, Pillow's test images)
//! mutated by proptest and fed to every parser that reads bytes from
//! outside: EXIF, XMP, IPTC-IIM, the image decoders (JPEG, PNG, TIFF, WebP, GIF, BMP,
//! HEIC through libheif, RAW previews), header probes, ffprobe's JSON,
//! pdfinfo's text and audio tags.
//!
//! Each parser must answer every input with a value or a typed error: a
//! panic that escapes, an input that takes more than `HANG` or a process
//! that grows past `MAX_RSS_MB` fails the run, and the smallest failing
//! input proptest finds is written to `target/fuzz-failures/` (copy it into
//! `tests/fuzz/regressions/` to keep it as a regression test; every file
//! there is fed to every parser first). A crash of a C decoder ends the
//! process, and the run with it.
//!
//! Ignored in the plain test run; `scripts/test.sh` runs it with the corpus
//! for a bounded number of cases per target from a fixed seed, so every
//! run tries the same inputs:
//!     TROVE_FUZZ_CORPUS=~/.cache/trove/corpus/pillow \
//!         cargo test --workspace --test fuzz -- --ignored --nocapture
//! `TROVE_FUZZ_SCALE=10` tries ten times as many inputs per target.
#![allow(clippy::unwrap_used, clippy::disallowed_methods, clippy::print_stderr)]

use std::io::Cursor;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use image::{ImageFormat, Rgb, RgbImage};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};
use trove_media::ProxySpec;

/// Longer than any parser may take on one small input (a debug build on a
/// busy CI machine): past it, the input is saved and the process aborted.
const HANG: Duration = Duration::from_secs(60);
/// The test process's peak RSS: decoders run under the pixel limit below.
const MAX_RSS_MB: u64 = 1500;

/// Decoders run at a lower pixel limit than the app's, so a mutated size
/// field cannot make one allocate gigabytes legitimately.
fn spec() -> ProxySpec {
    ProxySpec {
        max_pixels: 16_000_000,
        ..ProxySpec::default()
    }
}

/// One way to change a file. Positions are taken modulo the length.
#[derive(Debug, Clone)]
enum Mutation {
    Flip(u32, u8),
    Set(u32, u8),
    /// A 16- or 32-bit field set to a boundary value (sizes, counts, offsets).
    Field(u32, u32, bool),
    Insert(u32, Vec<u8>),
    Delete(u32, u16),
    /// A chunk copied over another place (repeated markers, IFD loops).
    Copy(u32, u32, u16),
    Truncate(u32),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let boundary = prop_oneof![
        Just(0u32),
        Just(1),
        Just(0x7f),
        Just(0xff),
        Just(0x7fff),
        Just(0xffff),
        Just(0x7fff_ffff),
        Just(0xffff_ffff),
        any::<u32>(),
    ];
    prop_oneof![
        4 => (any::<u32>(), 0u8..8).prop_map(|(p, b)| Mutation::Flip(p, b)),
        3 => (any::<u32>(), any::<u8>()).prop_map(|(p, v)| Mutation::Set(p, v)),
        3 => (any::<u32>(), boundary, any::<bool>()).prop_map(|(p, v, wide)| Mutation::Field(p, v, wide)),
        1 => (any::<u32>(), prop::collection::vec(any::<u8>(), 1..24)).prop_map(|(p, v)| Mutation::Insert(p, v)),
        1 => (any::<u32>(), 1u16..512).prop_map(|(p, n)| Mutation::Delete(p, n)),
        1 => (any::<u32>(), any::<u32>(), 1u16..256).prop_map(|(a, b, n)| Mutation::Copy(a, b, n)),
        1 => any::<u32>().prop_map(Mutation::Truncate),
    ]
}

fn apply(seed: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for m in mutations {
        let len = v.len().max(1);
        let at = |p: u32| p as usize % len;
        match m {
            Mutation::Flip(p, b) if !v.is_empty() => {
                let i = at(*p);
                v[i] ^= 1 << b;
            }
            Mutation::Set(p, x) if !v.is_empty() => {
                let i = at(*p);
                v[i] = *x;
            }
            Mutation::Field(p, x, wide) => {
                let i = at(*p);
                let bytes: Vec<u8> = if *wide {
                    x.to_be_bytes().to_vec()
                } else {
                    (*x as u16).to_be_bytes().to_vec()
                };
                for (k, b) in bytes.into_iter().enumerate() {
                    if let Some(slot) = v.get_mut(i + k) {
                        *slot = b;
                    }
                }
            }
            Mutation::Insert(p, bytes) => {
                let i = at(*p).min(v.len());
                v.splice(i..i, bytes.iter().copied());
            }
            Mutation::Delete(p, n) if !v.is_empty() => {
                let i = at(*p);
                let end = (i + *n as usize).min(v.len());
                v.drain(i..end);
            }
            Mutation::Copy(from, to, n) if !v.is_empty() => {
                let (f, t) = (at(*from), at(*to));
                let n = (*n as usize).min(v.len() - f).min(v.len() - t);
                let chunk = v[f..f + n].to_vec();
                v[t..t + n].copy_from_slice(&chunk);
            }
            Mutation::Truncate(p) => {
                let i = at(*p);
                v.truncate(i);
            }
            _ => {}
        }
    }
    v
}

/// What the watchdog needs to save an input that hangs.
struct Watch {
    /// Milliseconds since `start` when the current call began (0: idle).
    began_ms: AtomicU64,
    start: Instant,
    current: Mutex<(String, Vec<u8>)>,
}

static WATCH: std::sync::OnceLock<Watch> = std::sync::OnceLock::new();
/// Inputs tried, over all targets.
static CALLS: AtomicU64 = AtomicU64::new(0);

fn watch() -> &'static Watch {
    WATCH.get_or_init(|| {
        std::thread::spawn(|| {
            loop {
                std::thread::sleep(Duration::from_millis(500));
                let w = watch();
                let began = w.began_ms.load(Ordering::SeqCst);
                if began > 0 && w.start.elapsed().as_millis() as u64 - began > HANG.as_millis() as u64 {
                    let (target, input) = w.current.lock().unwrap().clone();
                    let path = save_failure(&target, "hang", &input);
                    eprintln!("{target} took over {HANG:?} on {}; aborting", path.display());
                    std::process::abort();
                }
            }
        });
        Watch {
            began_ms: AtomicU64::new(0),
            start: Instant::now(),
            current: Mutex::new((String::new(), Vec::new())),
        }
    })
}

fn failures_dir() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures")
}

fn save_failure(target: &str, why: &str, input: &[u8]) -> PathBuf {
    let dir = failures_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{target}-{why}-{}.bin", blake3_short(input)));
    std::fs::write(&path, input).unwrap();
    path
}

fn blake3_short(bytes: &[u8]) -> String {
    // FNV-1a: a name for the file, not a security property.
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// Runs one parser on one input under the watchdog; a panic that escapes
/// is the failure.
fn call(target: &'static str, input: &[u8], parse: &Parser) -> Result<(), String> {
    let w = watch();
    *w.current.lock().unwrap() = (target.to_owned(), input.to_vec());
    w.began_ms
        .store(w.start.elapsed().as_millis().max(1) as u64, Ordering::SeqCst);
    CALLS.fetch_add(1, Ordering::SeqCst);
    let outcome = catch_unwind(AssertUnwindSafe(|| parse(input)));
    w.began_ms.store(0, Ordering::SeqCst);
    outcome.map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic".into())
    })
}

/// How a target reads one input.
type Parser = dyn Fn(&[u8]) + Sync;

/// A parser under test: its name, its seeds, and how it reads an input.
struct Target {
    name: &'static str,
    /// Inputs to try (times `TROVE_FUZZ_SCALE`, 1 by default): the slow
    /// parsers (full decodes, files on disk) get fewer.
    cases: u32,
    seeds: Vec<Vec<u8>>,
    parse: Box<Parser>,
}

fn scale() -> f64 {
    std::env::var("TROVE_FUZZ_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1.0)
}

fn fuzz(t: &Target) -> Option<String> {
    let config = Config {
        cases: ((f64::from(t.cases) * scale()) as u32).max(1),
        failure_persistence: None,
        max_shrink_iters: 4096,
        ..Config::default()
    };
    // A fixed seed: every run (here and in CI) tries the same inputs.
    let mut seed = [0u8; 32];
    seed[..t.name.len().min(32)].copy_from_slice(&t.name.as_bytes()[..t.name.len().min(32)]);
    let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let strategy = (0..t.seeds.len(), prop::collection::vec(mutation(), 1..6));
    let result = runner.run(&strategy, |(i, muts)| {
        let input = apply(&t.seeds[i], &muts);
        call(t.name, &input, &*t.parse).map_err(TestCaseError::fail)
    });
    match result {
        Ok(()) => None,
        Err(TestError::Fail(why, (i, muts))) => {
            let input = apply(&t.seeds[i], &muts);
            let path = save_failure(t.name, "panic", &input);
            Some(format!("{}: {why} (input saved to {})", t.name, path.display()))
        }
        Err(e) => Some(format!("{}: {e}", t.name)),
    }
}

// ---------------------------------------------------------------- seeds

fn picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| Rgb([(x * 7) as u8, (y * 5) as u8, ((x ^ y) * 3) as u8]))
}

fn encode(img: &RgbImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, format).unwrap();
    out.into_inner()
}

fn exif() -> trove_testkit::Exif<'static> {
    trove_testkit::Exif {
        date_time_original: Some("2023:07:14 18:22:05"),
        offset_time_original: Some("+02:00"),
        sub_sec_time_original: Some("123"),
        create_date: Some("2023:07:14 18:22:05"),
        make: Some("Canon"),
        model: Some("Canon EOS 5D Mark IV"),
        orientation: Some(6),
        gps: Some((64.1466, -21.9426)),
    }
}

/// A file made by a tool of the machine (the test fails if it is missing:
/// scripts/deps.sh installs them).
fn tool_output(dir: &Path, program: &str, args: &[&str], out: Option<&str>) -> Vec<u8> {
    let status = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!("{program} runs (scripts/deps.sh installs it): {e}");
        });
    assert!(
        status.status.success(),
        "{program}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    match out {
        Some(file) => std::fs::read(dir.join(file)).unwrap(),
        None => status.stdout,
    }
}

/// Up to `n` small files of the corpus whose names end in one of `exts`,
/// picked evenly from the sorted list (the same ones on every machine).
fn corpus(exts: &[&str], n: usize) -> Vec<Vec<u8>> {
    let Some(dir) = std::env::var_os("TROVE_FUZZ_CORPUS") else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![PathBuf::from(dir)];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p
                .extension()
                .and_then(|x| x.to_str())
                .is_some_and(|x| exts.contains(&x.to_ascii_lowercase().as_str()))
                && e.metadata().is_ok_and(|m| m.len() <= 200_000)
            {
                files.push(p);
            }
        }
    }
    files.sort();
    let step = files.len().div_ceil(n.max(1)).max(1);
    files.iter().step_by(step).map(|p| std::fs::read(p).unwrap()).collect()
}

fn regressions() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz/regressions");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .map(|p| std::fs::read(p).unwrap())
        .collect()
}

fn targets(tmp: &Path) -> Vec<Target> {
    let img = picture(96, 64);
    let jpeg = trove_testkit::jpeg_bytes(96, 64, [200, 120, 40], 7, Some(&exif()));
    let xmp = trove_testkit::xmp_packet(4, "Red", "Title", &["a", "b"], &["Places|Iceland"]);
    let jpeg_xmp = trove_testkit::insert_xmp(&jpeg, &xmp);
    let png = encode(&img, ImageFormat::Png);
    let tiff = encode(&img, ImageFormat::Tiff);
    let raw = trove_testkit::raw_tiff(6, &trove_testkit::jpeg_bytes(32, 24, [1, 2, 3], 1, None), &jpeg);
    std::fs::write(tmp.join("src.png"), &png).unwrap();
    let heic = tool_output(
        tmp,
        "heif-enc",
        &["-q", "50", "-o", "out.heic", "src.png"],
        Some("out.heic"),
    );
    let mut images = vec![
        jpeg.clone(),
        jpeg_xmp.clone(),
        png.clone(),
        tiff.clone(),
        raw.clone(),
        heic.clone(),
        encode(&img, ImageFormat::WebP),
        encode(&img, ImageFormat::Gif),
        encode(&img, ImageFormat::Bmp),
    ];
    images.extend(corpus(
        &[
            "jpg", "jpeg", "png", "tif", "tiff", "webp", "gif", "bmp", "heic", "avif",
        ],
        60,
    ));
    let mut metadata = vec![jpeg.clone(), jpeg_xmp.clone(), tiff, raw.clone(), heic, png];
    metadata.extend(corpus(&["jpg", "jpeg", "tif", "tiff", "png", "webp"], 40));
    // Phones' and cameras' HEIF: the `meta` box parser (primary item,
    // properties, EXIF place) gets real layouts to mutate.
    metadata.extend(corpus(&["heic", "heif", "hif", "avif"], 20));

    // ffprobe's JSON of a real video, and pdfinfo's text of a real PDF.
    trove_testkit::write_video(
        &tmp.join("clip.mp4"),
        &trove_testkit::VideoSpec {
            secs: 0.5,
            location: Some("+64.1400-021.9400/"),
            make: Some("Apple"),
            model: Some("iPhone 15"),
            audio: true,
            ..Default::default()
        },
    );
    let probe_json = tool_output(
        tmp,
        "ffprobe",
        &[
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            "clip.mp4",
        ],
        None,
    );
    std::fs::write(tmp.join("doc.pdf"), trove_testkit::pdf_bytes("Report", "Ann Author", 2)).unwrap();
    let pdfinfo = tool_output(tmp, "pdfinfo", &["-isodates", "doc.pdf"], None);
    trove_testkit::write_mp3(&tmp.join("song.mp3"), "Title", "Artist", "Album", Some(&jpeg));
    let mp3 = std::fs::read(tmp.join("song.mp3")).unwrap();
    trove_testkit::write_flac(&tmp.join("song.flac"), "Title");
    let flac = std::fs::read(tmp.join("song.flac")).unwrap();

    let spec = spec();
    let audio_dir = tmp.join("audio");
    std::fs::create_dir_all(&audio_dir).unwrap();
    let audio_n = AtomicU64::new(0);
    vec![
        Target {
            name: "image_proxies",
            cases: 3000,
            seeds: images.clone(),
            parse: Box::new(move |b| {
                let _ = trove_media::image_proxies(b, None, &spec);
            }),
        },
        Target {
            name: "headers",
            cases: 20000,
            seeds: images,
            parse: Box::new(move |b| {
                let _ = trove_media::decode_memory(b, &spec);
                let _ = trove_media::image_dimensions(b, Some(6));
                let _ = trove_media::head_len_for(b, b.len() as u64);
                let _ = trove_media::detect(Path::new("file.jpg"), b);
            }),
        },
        Target {
            name: "exif",
            cases: 20000,
            seeds: metadata.clone(),
            parse: Box::new(|b| {
                let _ = trove_media::probe_exif(b);
            }),
        },
        Target {
            name: "iptc",
            cases: 20000,
            seeds: vec![
                std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/media/files/pillow-iptc.jpg")).unwrap(),
                jpeg.clone(),
            ],
            parse: Box::new(|b| {
                let _ = trove_media::probe_iptc(b);
            }),
        },
        Target {
            name: "raw_preview",
            cases: 20000,
            seeds: vec![raw, jpeg.clone()],
            parse: Box::new(|b| {
                if let Ok(j) = trove_media::raw_preview(b) {
                    assert!(j.offset + j.len <= b.len(), "a preview outside the file");
                }
            }),
        },
        Target {
            name: "xmp",
            cases: 20000,
            seeds: vec![xmp.into_bytes(), jpeg_xmp],
            parse: Box::new(|b| {
                let _ = trove_media::probe_xmp(b);
                let _ = trove_media::parse_xmp(b);
                let _ = trove_media::find_xmp_packet(b);
            }),
        },
        Target {
            name: "ffprobe_json",
            cases: 20000,
            seeds: vec![probe_json.clone()],
            parse: Box::new(move |b| {
                // Mutated text that is still JSON goes in as it is; the
                // rest steers a mutation of the real output's values.
                let v = serde_json::from_slice(b).unwrap_or_else(|_| mutate_json(&probe_json, b));
                let _ = trove_media::parse_probe(v);
            }),
        },
        Target {
            name: "pdfinfo",
            cases: 20000,
            seeds: vec![pdfinfo],
            parse: Box::new(|b| {
                let _ = trove_media::parse_pdfinfo(&String::from_utf8_lossy(b));
            }),
        },
        Target {
            name: "audio_tags",
            cases: 5000,
            seeds: vec![mp3, flac],
            parse: Box::new(move |b| {
                // lofty reads a path: each input is a file of its own.
                let n = audio_n.fetch_add(1, Ordering::SeqCst);
                let p = audio_dir.join(format!("{n}.{}", if b.starts_with(b"fLaC") { "flac" } else { "mp3" }));
                std::fs::write(&p, b).unwrap();
                let _ = trove_media::probe_audio(&p);
                let _ = std::fs::remove_file(&p);
            }),
        },
    ]
}

/// The real ffprobe output with some of its values replaced by what a
/// hostile or broken file makes ffprobe say, chosen by `noise`.
fn mutate_json(seed: &[u8], noise: &[u8]) -> serde_json::Value {
    use serde_json::{Value, json};
    fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| leaves(x, format!("{at}/{k}"), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, x)| leaves(x, format!("{at}/{i}"), out)),
            _ => out.push(at),
        }
    }
    let mut v: Value = serde_json::from_slice(seed).unwrap();
    let mut paths = Vec::new();
    leaves(&v, String::new(), &mut paths);
    let odd = [
        Value::Null,
        json!(-1),
        json!(0),
        json!(1e308),
        json!(i64::MAX),
        json!(u64::MAX),
        json!(""),
        json!("-1/0"),
        json!("0/0"),
        json!("1/0"),
        json!("NaN"),
        json!("-999999999999"),
        json!([]),
        json!({}),
        json!(true),
        json!("+90.0000-180.0000+9999/"),
        json!("9999-99-99T99:99:99.999999Z"),
        json!("é".repeat(5000)),
    ];
    for chunk in noise.chunks(3).take(12) {
        if let [a, b, c] = *chunk {
            let path = &paths[(usize::from(a) << 8 | usize::from(b)) % paths.len()];
            if let Some(slot) = v.pointer_mut(path) {
                *slot = odd[usize::from(c) % odd.len()].clone();
            }
        }
    }
    v
}

fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .unwrap()
        / 1024
}

#[test]
#[ignore = "bounded mutation fuzzing: scripts/test.sh runs it with the corpus"]
fn mutated_real_files_never_panic_hang_or_grow_unbounded() {
    let tmp = tempfile::tempdir().unwrap();
    let targets = targets(tmp.path());
    let kept = regressions();
    let mut failures = Vec::new();
    for t in &targets {
        for (n, input) in kept.iter().enumerate() {
            if let Err(why) = call(t.name, input, &*t.parse) {
                failures.push(format!("{}: regression input {n}: {why}", t.name));
            }
        }
        let started = Instant::now();
        let before = CALLS.load(Ordering::SeqCst);
        if let Some(f) = fuzz(t) {
            failures.push(f);
        }
        eprintln!(
            "fuzz {}: {} seeds, {} inputs in {:.1} s; peak RSS so far {} MB",
            t.name,
            t.seeds.len(),
            CALLS.load(Ordering::SeqCst) - before,
            started.elapsed().as_secs_f64(),
            peak_rss_mb()
        );
    }
    assert!(failures.is_empty(), "{failures:#?}");
    let peak = peak_rss_mb();
    assert!(peak < MAX_RSS_MB, "peak RSS {peak} MB");
}

/// The harness itself: a planted panic is found, reported with the input
/// that causes it, and saved.
#[test]
fn the_harness_finds_a_planted_panic_and_saves_its_input() {
    let target = Target {
        name: "planted",
        cases: 5000,
        seeds: vec![vec![0u8; 64]],
        parse: Box::new(|b| assert!(!b.contains(&0xAB), "planted")),
    };
    let found = fuzz(&target).expect("the planted panic is found");
    assert!(found.contains("planted"), "{found}");
    let saved = found.rsplit("input saved to ").next().unwrap().trim_end_matches(')');
    assert!(std::fs::read(saved).unwrap().contains(&0xAB), "{found}");
}
