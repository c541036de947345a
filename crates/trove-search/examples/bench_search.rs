//! Search benchmark: builds an index of N synthetic assets with realistic
//! field distributions (cameras and lenses with a long tail, capture dates
//! over 20 years, camera-style file names in dated folders, hierarchical
//! keywords, ratings, GPS around a few places), then times a fixed mix of
//! 50 queries (free text, prefix, typos, fields, date ranges, combined
//! filters), each with facet counts, and prints build time, index size,
//! p50/p95/p99 latency and peak RSS.
//!
//! `bench_search [N] [DIR] [--reuse] [--per-query]` (default 100000, a temp
//! dir). `--reuse` keeps an index already in DIR when it holds N assets
//! (the build figure is then not measured); `--per-query` also prints each
//! query's median, with and without facets, slowest first; `--sort=relevance`
//! (or name, size; newest by default) orders the results so; `--only=QUERY`
//! runs one query 200 times (for a profiler).
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::time::Instant;

use trove_search::{AssetDoc, AssetKind, Direction, Index, SearchRequest, Sort};
use trove_testkit::Rng;

/// Index into a list where earlier entries are much more common.
fn skewed(rng: &mut Rng, n: usize) -> usize {
    let a = rng.below(n as u64);
    let b = rng.below(n as u64);
    a.min(b) as usize
}

const CAMERAS: &[(&str, &str)] = &[
    ("Apple", "iPhone 13 Pro"),
    ("Apple", "iPhone 15"),
    ("FUJIFILM", "X100V"),
    ("SONY", "ILCE-7M3"),
    ("Canon", "Canon EOS R5"),
    ("NIKON CORPORATION", "NIKON Z 6_2"),
    ("samsung", "SM-G991B"),
    ("Google", "Pixel 7"),
    ("OLYMPUS CORPORATION", "E-M1MarkII"),
    ("Panasonic", "DC-GH5"),
    ("Canon", "Canon EOS 5D Mark III"),
    ("RICOH IMAGING COMPANY, LTD.", "RICOH GR III"),
];
const LENSES: &[&str] = &[
    "iPhone 13 Pro back triple camera 5.7mm f/1.5",
    "23mm f/2",
    "FE 24-70mm F2.8 GM",
    "RF24-105mm F4 L IS USM",
    "NIKKOR Z 50mm f/1.8 S",
    "FE 85mm F1.8",
    "EF 35mm f/1.4L II USM",
    "M.Zuiko 12-40mm F2.8",
];
const WORDS: &[&str] = &[
    "beach",
    "iceland",
    "wedding",
    "birthday",
    "garden",
    "mountains",
    "city",
    "family",
    "dog",
    "sunset",
    "snow",
    "market",
    "concert",
    "harbour",
    "forest",
    "kids",
    "grandma",
    "school",
    "museum",
    "road-trip",
    "paris",
    "lisbon",
    "kyoto",
    "desert",
    "lake",
    "river",
    "bridge",
    "portrait",
    "street",
    "night",
];
const TAGS: &[&str] = &[
    "family|kids",
    "family|parents",
    "places|iceland",
    "places|japan|kyoto",
    "animals|birds|puffin",
    "animals|dogs",
    "events|wedding",
    "events|birthday",
    "work",
    "print",
];
const ALBUMS: &[&str] = &["Iceland 2024", "Best of 2019", "Wedding", "Kids", "Portfolio"];
const PLACES: &[(f64, f64)] = &[
    (64.14, -21.94),
    (38.72, -9.14),
    (35.01, 135.77),
    (48.86, 2.35),
    (51.5, -0.12),
];

fn asset(i: u64, rng: &mut Rng) -> AssetDoc {
    let kind = match rng.below(100) {
        0..=84 => AssetKind::Image,
        85..=95 => AssetKind::Video,
        96..=97 => AssetKind::Audio,
        _ => AssetKind::Document,
    };
    let mut d = AssetDoc::new(i as i64, format!("{i:032x}"), kind);
    // 2005-2025, more recent years more common.
    let year = 2025 - skewed(rng, 21) as i64;
    let day = rng.below(365) as i64;
    let ms = ((year - 1970) * 365 + (year - 1969) / 4 + day) * 86_400_000 + rng.below(86_400_000) as i64;
    d.capture_ms = (!rng.chance(2)).then_some(ms);
    let ext = match kind {
        AssetKind::Image => ["jpg", "jpg", "jpg", "heic", "cr2", "arw", "dng", "png"][rng.below(8) as usize],
        AssetKind::Video => ["mp4", "mov", "mkv"][rng.below(3) as usize],
        AssetKind::Audio => ["mp3", "m4a", "flac"][rng.below(3) as usize],
        _ => "pdf",
    };
    let prefix = ["IMG_", "DSC", "DSCF", "PXL_", "_MG_"][rng.below(5) as usize];
    d.names.push(format!("{prefix}{:04}.{ext}", rng.below(10_000)));
    d.extensions.push(ext.to_owned());
    let event = WORDS[skewed(rng, WORDS.len())];
    d.folders.push(format!("{year}/{year}-{:02} {event}", day / 31 + 1));
    d.folders.push("Pictures".to_owned());
    d.size = 500_000 + rng.below(30_000_000);
    if kind == AssetKind::Image || kind == AssetKind::Video {
        let (make, model) = CAMERAS[skewed(rng, CAMERAS.len())];
        d.camera_make = Some(make.to_owned());
        d.camera_model = Some(model.to_owned());
        d.lens = rng.chance(70).then(|| LENSES[skewed(rng, LENSES.len())].to_owned());
        d.iso = Some([100, 200, 400, 800, 1600, 3200, 6400, 12800][skewed(rng, 8)]);
        d.aperture = Some([1.4, 1.8, 2.0, 2.8, 4.0, 5.6, 8.0][rng.below(7) as usize]);
        d.focal_length_mm = Some([23.0, 24.0, 35.0, 50.0, 85.0, 105.0][rng.below(6) as usize]);
        d.width = Some(6000);
        d.height = Some(4000);
    }
    if rng.chance(40) {
        let (lat, lon) = PLACES[skewed(rng, PLACES.len())];
        let jitter = |r: &mut Rng| (r.below(2000) as f64 - 1000.0) / 10_000.0;
        d.gps = Some((lat + jitter(rng), lon + jitter(rng)));
    }
    if rng.chance(30) {
        d.rating = Some(rng.below(6) as i8);
    }
    if rng.chance(25) {
        d.hierarchical_keywords.push(TAGS[skewed(rng, TAGS.len())].to_owned());
        d.keywords
            .push(WORDS[rng.below(WORDS.len() as u64) as usize].to_owned());
    }
    if rng.chance(10) {
        d.albums.push(ALBUMS[skewed(rng, ALBUMS.len())].to_owned());
    }
    if rng.chance(5) {
        d.title = Some(format!(
            "{} {}",
            WORDS[rng.below(30) as usize],
            WORDS[rng.below(30) as usize]
        ));
    }
    d.missing = rng.chance(1);
    d
}

/// The fixed mix: what people type, as they type it.
const QUERIES: &[&str] = &[
    "beach",
    "bea",
    "icelnad",
    "wedding 2019",
    "IMG_2041",
    "2041",
    "DSC",
    "kyoto",
    "road-trip",
    "sunset beach",
    "camera:x100v",
    "camera:\"EOS R5\"",
    "lens:35mm",
    "kind:video",
    "kind:image rating:>=4",
    "ext:cr2",
    "ext:heic taken:2023",
    "taken:2019",
    "taken:2021-06",
    "taken:2015..2018",
    "taken:>=2024-01",
    "rating:5",
    "rating:>=3 kind:image",
    "iso:>3200",
    "iso:>=1600 aperture:<=2",
    "tag:family",
    "tag:family/kids",
    "tag:animals/birds",
    "album:\"Iceland 2024\"",
    "album:kids",
    "near:64.14,-21.94,5km",
    "near:38.72,-9.14,10km kind:image",
    "missing:true",
    "beach OR snow",
    "family -wedding",
    "(beach OR lake) taken:2020..2022",
    "NOT kind:image",
    "sunset camera:iphone",
    "portrait lens:85mm rating:>=4",
    "garden taken:2010..2015 kind:image",
    "mount",
    "mountains snow iceland",
    "par",
    "lisbon harbour",
    "concert kind:video",
    "grandma birthday",
    "focal:50mm",
    "width:>=4000",
    "",
    "kid",
];

fn peak_rss_mb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map_or(0, |kb| kb / 1024)
}

fn dir_size(p: &std::path::Path) -> u64 {
    std::fs::read_dir(p)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let flag = |f: &str| args.iter().any(|a| a == f);
    let positional: Vec<&String> = args.iter().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: u64 = positional.first().map_or(100_000, |s| s.parse().unwrap());
    let tmp = tempfile::tempdir().unwrap();
    let dir = positional
        .get(1)
        .map_or_else(|| tmp.path().join("index"), std::path::PathBuf::from);
    assert_eq!(QUERIES.len(), 50);

    let reused = flag("--reuse")
        && Index::open_or_create(&dir)
            .map(|(index, _)| {
                let same = index.num_docs() == n;
                index.close().unwrap();
                same
            })
            .unwrap_or(false);
    let mut build = None;
    let mut merged = None;
    if !reused {
        let _ = std::fs::remove_dir_all(&dir);
    }
    let (mut index, _) = Index::open_or_create(&dir).unwrap();
    if !reused {
        let mut rng = Rng::new(0x5eed);
        let started = Instant::now();
        let mut batch = Vec::with_capacity(10_000);
        for i in 0..n {
            batch.push(asset(i + 1, &mut rng));
            if batch.len() == 10_000 {
                index.upsert(batch.iter()).unwrap();
                batch.clear();
            }
        }
        index.upsert(batch.iter()).unwrap();
        index.commit(n).unwrap();
        build = Some(started.elapsed().as_secs_f64());
        // Searches are timed once background merges are done, as a library
        // is between imports.
        index.close().unwrap();
        merged = Some(started.elapsed().as_secs_f64());
        index = Index::open_or_create(&dir).unwrap().0;
    }
    let segments = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "fast"))
        .count();
    let size = dir_size(&dir);

    // Warm up, then 5 rounds of the 50 queries, each with facets; newest
    // first unless `--sort=relevance|name|size` says otherwise.
    let sort = match args.iter().find_map(|a| a.strip_prefix("--sort=")) {
        None | Some("newest") => Sort::Captured(Direction::Descending),
        Some("relevance") => Sort::Relevance,
        Some("name") => Sort::Name(Direction::Ascending),
        Some("size") => Sort::Size(Direction::Descending),
        Some(other) => panic!("--sort={other}: use newest, relevance, name or size"),
    };
    let run = |q: &str, facets: bool| {
        index
            .search(&SearchRequest {
                query: q,
                sort,
                offset: 0,
                limit: 100,
                facets,
            })
            .unwrap()
    };
    // The first search of a freshly opened index builds the per-segment
    // column arrays (a commit does it in a running app).
    let first = Instant::now();
    run("", true);
    let first_ms = first.elapsed().as_secs_f64() * 1000.0;
    if let Some(q) = args.iter().find_map(|a| a.strip_prefix("--only=")) {
        // For a profiler: one query, many times, and nothing else.
        let t = Instant::now();
        for _ in 0..200 {
            std::hint::black_box(run(q, true));
        }
        println!("{q:?}: {:.2} ms each", t.elapsed().as_secs_f64() * 1000.0 / 200.0);
        return;
    }
    for q in QUERIES {
        run(q, true);
    }
    let mut times = Vec::new();
    let mut by_query = vec![Vec::new(); QUERIES.len()];
    let mut worst = (0.0, "");
    for _ in 0..5 {
        for (i, q) in QUERIES.iter().enumerate() {
            let t = Instant::now();
            let r = run(q, true);
            let ms = t.elapsed().as_secs_f64() * 1000.0;
            std::hint::black_box(r);
            if ms > worst.0 {
                worst = (ms, *q);
            }
            times.push(ms);
            by_query[i].push(ms);
        }
    }
    times.sort_by(f64::total_cmp);
    if flag("--per-query") {
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let mut rows: Vec<(f64, f64, u64, &str)> = QUERIES
            .iter()
            .zip(by_query)
            .map(|(q, with)| {
                let without = (0..5)
                    .map(|_| {
                        let t = Instant::now();
                        std::hint::black_box(run(q, false));
                        t.elapsed().as_secs_f64() * 1000.0
                    })
                    .collect();
                (median(with), median(without), run(q, false).total, *q)
            })
            .collect();
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
        println!("{:>9} {:>9} {:>8}  query", "facets ms", "plain ms", "matches");
        for (with, without, total, q) in rows {
            println!("{with:>9.2} {without:>9.2} {total:>8}  {q:?}");
        }
    }
    println!("assets            {n}");
    match build {
        Some(build) => println!(
            "index build       {build:.1} s ({:.0} assets/s, one writer thread); merges done at {:.1} s",
            n as f64 / build,
            merged.unwrap_or(build)
        ),
        None => println!("index build       not measured (--reuse)"),
    }
    println!("index size        {:.1} MB in {segments} segments", size as f64 / 1e6);
    println!("first search      {first_ms:.1} ms after opening (builds the column arrays)");
    println!(
        "query latency     p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms (50 queries x 5, with facets, {sort:?}, 100 hits)",
        percentile(&times, 0.5),
        percentile(&times, 0.95),
        percentile(&times, 0.99)
    );
    println!("slowest query     {:.2} ms: {:?}", worst.0, worst.1);
    println!("peak RSS          {} MB", peak_rss_mb());
}
