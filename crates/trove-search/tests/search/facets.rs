//! Facet counts equal a brute-force count over the documents indexed.

use std::collections::{BTreeMap, BTreeSet};

use trove_search::{AssetDoc, AssetKind, FacetCount, Facets, SearchRequest, Sort};

use crate::kit::{Library, Rng, asset, utc, year_month};

const MODELS: [&str; 4] = ["X100V", "Canon EOS R5", "iPhone 13 Pro", "ILCE-7M3"];
const LENSES: [&str; 3] = ["23mm F2", "RF24-70mm F2.8 L IS USM", "iPhone back camera"];
const KEYWORDS: [&str; 5] = ["beach", "Family", "sunset", "dog", "snow"];
const PATHS: [&str; 5] = [
    "family|kids",
    "Family|Pets|Dog",
    "trips/iceland",
    "trips|iceland|vik",
    "work",
];
const ALBUMS: [&str; 3] = ["Iceland 2024", "Best of", "Portfolio"];
const EXTS: [&str; 5] = ["JPG", ".jpg", "cr2", "mov", "HEIC"];
const KINDS: [AssetKind; 4] = [
    AssetKind::Image,
    AssetKind::Video,
    AssetKind::Audio,
    AssetKind::Document,
];

fn random_docs(n: i64, seed: u64) -> Vec<AssetDoc> {
    let mut rng = Rng::new(seed);
    let start = utc(2019, 1, 1, 0);
    let span = utc(2025, 1, 1, 0) - start;
    (1..=n)
        .map(|id| {
            let mut d = asset(id, &format!("IMG_{id:04}.JPG"));
            d.kind = *rng.pick(&KINDS);
            if rng.chance(80) {
                d.camera_model = Some((*rng.pick(&MODELS)).to_owned());
            }
            if rng.chance(60) {
                d.lens = Some((*rng.pick(&LENSES)).to_owned());
            }
            if rng.chance(85) {
                d.capture_ms = Some(start + (rng.below(span as u64) as i64));
            }
            if rng.chance(70) {
                d.rating = Some(rng.below(7) as i8 - 1);
            }
            for _ in 0..rng.below(3) {
                d.keywords.push((*rng.pick(&KEYWORDS)).to_owned());
            }
            for _ in 0..rng.below(3) {
                d.hierarchical_keywords.push((*rng.pick(&PATHS)).to_owned());
            }
            let mut albums = BTreeSet::new();
            for _ in 0..rng.below(3) {
                albums.insert(*rng.pick(&ALBUMS));
            }
            d.albums = albums.into_iter().map(str::to_owned).collect();
            for _ in 0..=rng.below(2) {
                d.extensions.push((*rng.pick(&EXTS)).to_owned());
            }
            if rng.chance(40) {
                d.color_label = Some((*rng.pick(&["red", "yellow", "green", "blue", "purple"])).to_owned());
            }
            if rng.chance(30) {
                d.flag = Some((*rng.pick(&["pick", "reject"])).to_owned());
            }
            d
        })
        .collect()
}

/// Facets counted the slow way: a set of values per document, then a tally.
fn brute_force(docs: &[&AssetDoc]) -> Facets {
    fn tally(sets: impl Iterator<Item = BTreeSet<String>>) -> Vec<FacetCount> {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        for set in sets {
            for value in set {
                *counts.entry(value).or_default() += 1;
            }
        }
        let mut out: Vec<FacetCount> = counts
            .into_iter()
            .map(|(value, count)| FacetCount { value, count })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        out
    }
    let one = |v: Option<&String>| v.into_iter().cloned().collect::<BTreeSet<String>>();
    let tag_paths = |d: &AssetDoc| -> BTreeSet<String> {
        let mut set = BTreeSet::new();
        for raw in d.keywords.iter().chain(&d.hierarchical_keywords).chain(&d.tags) {
            let levels: Vec<String> = raw.split(['|', '/']).map(|l| l.trim().to_lowercase()).collect();
            for depth in 1..=levels.len() {
                set.insert(levels[..depth].join("/"));
            }
        }
        set
    };
    let mut months: BTreeMap<(i32, u8), u64> = BTreeMap::new();
    let mut years: BTreeMap<i32, u64> = BTreeMap::new();
    let mut ratings: BTreeMap<i8, u64> = BTreeMap::new();
    let mut undated = 0;
    for d in docs {
        match d.capture_ms {
            Some(ms) => {
                let (y, m) = year_month(ms);
                *months.entry((y, m)).or_default() += 1;
                *years.entry(y).or_default() += 1;
            }
            None => undated += 1,
        }
        if let Some(r) = d.rating {
            *ratings.entry(r).or_default() += 1;
        }
    }
    Facets {
        kind: tally(docs.iter().map(|d| [d.kind.as_str().to_owned()].into())),
        camera: tally(docs.iter().map(|d| one(d.camera_model.as_ref()))),
        lens: tally(docs.iter().map(|d| one(d.lens.as_ref()))),
        years: years
            .into_iter()
            .map(|(year, count)| trove_search::YearCount { year, count })
            .collect(),
        months: months
            .into_iter()
            .map(|((year, month), count)| trove_search::MonthCount { year, month, count })
            .collect(),
        undated,
        ratings: ratings
            .into_iter()
            .rev()
            .map(|(rating, count)| trove_search::RatingCount { rating, count })
            .collect(),
        tags_top: tally(docs.iter().map(|d| {
            tag_paths(d)
                .into_iter()
                .map(|p| p.split('/').next().unwrap_or_default().to_owned())
                .collect()
        })),
        tags: tally(docs.iter().map(|d| tag_paths(d))),
        albums: tally(docs.iter().map(|d| d.albums.iter().cloned().collect())),
        ext: tally(docs.iter().map(|d| {
            d.extensions
                .iter()
                .map(|e| e.trim_start_matches('.').to_lowercase())
                .collect()
        })),
        labels: tally(docs.iter().map(|d| one(d.color_label.as_ref()))),
        flags: tally(docs.iter().map(|d| one(d.flag.as_ref()))),
    }
}

fn facets_of(lib: &Library, query: &str) -> (u64, Facets) {
    let found = lib
        .index
        .search(&SearchRequest {
            query,
            sort: Sort::Relevance,
            offset: 0,
            limit: 0,
            facets: true,
        })
        .unwrap();
    (found.total, found.facets.unwrap())
}

#[test]
fn facet_counts_equal_a_brute_force_count_for_each_query() {
    let docs = random_docs(400, 0x5eed);
    // Two commits, so the counts span several segments.
    let lib = Library::with(&docs[..150]);
    lib.index.upsert(&docs[150..]).unwrap();
    lib.index.commit(2).unwrap();
    type Filter = fn(&AssetDoc) -> bool;
    let cases: [(&str, Filter); 7] = [
        ("", |_| true),
        ("kind:video", |d| d.kind == AssetKind::Video),
        ("rating:>=3", |d| d.rating.is_some_and(|r| r >= 3)),
        ("-kind:image", |d| d.kind != AssetKind::Image),
        ("tag:family", |d| {
            d.keywords
                .iter()
                .chain(&d.hierarchical_keywords)
                .any(|k| k.to_lowercase().starts_with("family"))
        }),
        ("taken:2021", |d| {
            d.capture_ms.is_some_and(|ms| year_month(ms).0 == 2021)
        }),
        ("kind:audio OR album:portfolio", |d| {
            d.kind == AssetKind::Audio || d.albums.iter().any(|a| a == "Portfolio")
        }),
    ];
    for (query, filter) in cases {
        let matching: Vec<&AssetDoc> = docs.iter().filter(|d| filter(d)).collect();
        assert!(!matching.is_empty(), "{query} should match something");
        let (total, facets) = facets_of(&lib, query);
        assert_eq!(total, matching.len() as u64, "{query}");
        assert_eq!(facets, brute_force(&matching), "{query}");
    }
}

#[test]
fn facet_counts_stay_exact_through_updates_deletes_and_odd_values() {
    let mut docs = random_docs(300, 0xface);
    // Odd values: centuries apart (outside a segment's month span), ratings
    // outside -1..=5, and over 255 camera models in one segment.
    docs[0].capture_ms = Some(utc(1700, 3, 1, 0));
    docs[1].capture_ms = Some(utc(2200, 7, 1, 0));
    docs[2].rating = Some(9);
    docs[3].rating = Some(-7);
    for (i, d) in docs.iter_mut().enumerate().skip(10).take(280) {
        d.camera_model = Some(format!("Model {i}"));
    }
    let lib = Library::with(&docs[..200]);
    lib.index.upsert(&docs[200..]).unwrap();
    lib.index.commit(2).unwrap();
    // Updates and a delete leave deleted documents in both segments.
    for d in docs.iter_mut().step_by(7) {
        d.kind = AssetKind::Audio;
        d.albums = vec!["Updated".into()];
    }
    let updated: Vec<&AssetDoc> = docs.iter().step_by(7).collect();
    lib.index.upsert(updated).unwrap();
    lib.index.delete([6, 250]).unwrap();
    lib.index.commit(3).unwrap();
    let live: Vec<&AssetDoc> = docs.iter().filter(|d| d.id != 6 && d.id != 250).collect();
    for (query, filter) in [
        ("", (|_| true) as fn(&AssetDoc) -> bool),
        ("kind:audio", |d| d.kind == AssetKind::Audio),
        ("-album:updated", |d| !d.albums.iter().any(|a| a == "Updated")),
    ] {
        let matching: Vec<&AssetDoc> = live.iter().copied().filter(|d| filter(d)).collect();
        let (total, facets) = facets_of(&lib, query);
        assert_eq!(total, matching.len() as u64, "{query}");
        assert_eq!(facets, brute_force(&matching), "{query}");
    }
    let (_, facets) = facets_of(&lib, "");
    assert!(facets.years.iter().any(|y| y.year == 1700) && facets.years.iter().any(|y| y.year == 2200));
    assert!(facets.ratings.iter().any(|r| r.rating == -7));
}

#[test]
fn a_capture_time_the_index_cannot_hold_searches_as_undated() {
    let mut far = asset(1, "far.jpg");
    far.capture_ms = Some(utc(9000, 1, 1, 0));
    let lib = Library::with(&[far, asset(2, "undated.jpg")]);
    let (total, facets) = facets_of(&lib, "");
    assert_eq!((total, facets.undated), (2, 2));
    assert_eq!(lib.ids("taken:9000"), Vec::<i64>::new());
    assert_eq!(lib.ids("taken:<9999"), Vec::<i64>::new());
}

#[test]
fn the_date_histogram_counts_years_and_months_in_utc() {
    let mut docs = Vec::new();
    for (id, ms) in [
        (1, utc(2022, 12, 31, 23)),
        (2, utc(2023, 1, 1, 0)),
        (3, utc(2023, 1, 20, 0)),
        (4, utc(2023, 6, 1, 0)),
        (5, utc(2024, 2, 29, 23)),
    ] {
        let mut d = asset(id, "x.jpg");
        d.capture_ms = Some(ms);
        docs.push(d);
    }
    docs.push(asset(6, "undated.jpg"));
    let lib = Library::with(&docs);
    let (_, facets) = facets_of(&lib, "");
    let years: Vec<(i32, u64)> = facets.years.iter().map(|y| (y.year, y.count)).collect();
    assert_eq!(years, [(2022, 1), (2023, 3), (2024, 1)]);
    let months: Vec<(i32, u8, u64)> = facets.months.iter().map(|m| (m.year, m.month, m.count)).collect();
    assert_eq!(months, [(2022, 12, 1), (2023, 1, 2), (2023, 6, 1), (2024, 2, 1)]);
    assert_eq!(facets.undated, 1);
}

#[test]
fn hierarchical_tags_count_at_every_level_and_top_levels_apart() {
    let mut a = asset(1, "a.jpg");
    a.hierarchical_keywords = vec!["Family|Kids".into(), "family|pets".into()];
    a.keywords = vec!["family".into()];
    let mut b = asset(2, "b.jpg");
    b.hierarchical_keywords = vec!["family/kids".into()];
    let lib = Library::with(&[a, b]);
    let (_, facets) = facets_of(&lib, "");
    let tags: Vec<(&str, u64)> = facets.tags.iter().map(|t| (t.value.as_str(), t.count)).collect();
    assert_eq!(tags, [("family", 2), ("family/kids", 2), ("family/pets", 1)]);
    let top: Vec<(&str, u64)> = facets.tags_top.iter().map(|t| (t.value.as_str(), t.count)).collect();
    assert_eq!(top, [("family", 2)]);
}
