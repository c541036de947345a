//! Facet counts for the documents a query matches, read from the fast
//! (column) fields in the same pass as the hits.
//!
//! Each count is a number of assets: an asset with two files of the same
//! extension, or a tag given twice, counts once.

use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::columns::{ColumnCache, Histogram, RATING_SLOTS, SegmentColumns};
use crate::date;

/// A value and how many matching assets have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

/// Matching assets captured in a year (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearCount {
    pub year: i32,
    pub count: u64,
}

/// Matching assets captured in a month (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthCount {
    pub year: i32,
    /// 1..=12
    pub month: u8,
    pub count: u64,
}

/// Matching assets with a rating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatingCount {
    pub rating: i8,
    pub count: u64,
}

/// Facet counts over every asset the query matched (not only the page).
///
/// Value lists are sorted by count, largest first, then by value; the
/// histograms and ratings by their key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Facets {
    /// By kind (`image`, `video`...).
    pub kind: Vec<FacetCount>,
    /// By camera model.
    pub camera: Vec<FacetCount>,
    /// By lens.
    pub lens: Vec<FacetCount>,
    /// By capture year, oldest first.
    pub years: Vec<YearCount>,
    /// By capture month, oldest first.
    pub months: Vec<MonthCount>,
    /// Matching assets with no capture time.
    pub undated: u64,
    /// By rating, highest first; unrated assets are not counted.
    pub ratings: Vec<RatingCount>,
    /// By top-level tag (the first level of every tag path), lower case.
    pub tags_top: Vec<FacetCount>,
    /// By tag, every level of every path (`family`, `family/kids`), lower case.
    pub tags: Vec<FacetCount>,
    /// By album.
    pub albums: Vec<FacetCount>,
    /// By file extension, lower case without the dot.
    pub ext: Vec<FacetCount>,
    /// By colour label (`red`...).
    pub labels: Vec<FacetCount>,
    /// By flag (`pick`, `reject`).
    pub flags: Vec<FacetCount>,
}

/// Counts facets over the matching documents, with the segments' arrays
/// from a [`ColumnCache`].
#[derive(Clone, Copy)]
pub(crate) struct FacetCollector<'a> {
    pub(crate) cache: &'a ColumnCache,
}

/// Raw counts of one segment, or of several merged.
#[derive(Debug, Default)]
pub(crate) struct Counts {
    strings: [HashMap<String, u64>; 8],
    months: HashMap<(i64, u32), u64>,
    undated: u64,
    ratings: HashMap<i64, u64>,
}

/// Counts of one segment, by array slot while collecting.
pub(crate) struct SegmentFacets {
    columns: Arc<SegmentColumns>,
    /// Per string column, by ordinal plus one (slot 0: no value).
    by_ord: Vec<Histogram>,
    /// By month slot (slot 0: undated).
    by_month: Histogram,
    /// By rating slot (slot 0: unrated).
    by_rating: Histogram,
    /// What falls outside the arrays' slots.
    counts: Counts,
}

impl Collector for FacetCollector<'_> {
    type Fruit = Counts;
    type Child = SegmentFacets;

    fn for_segment(&self, _ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let columns = self.cache.get(segment)?;
        Ok(SegmentFacets {
            by_ord: columns
                .strings
                .iter()
                .map(|s| Histogram::new(s.terms.len() + 1))
                .collect(),
            by_month: Histogram::new(columns.month_slots.max(1)),
            by_rating: Histogram::new(RATING_SLOTS),
            columns,
            counts: Counts::default(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<tantivy::Result<Counts>>) -> tantivy::Result<Counts> {
        let mut total = Counts::default();
        for segment in segments {
            let segment = segment?;
            for (into, from) in total.strings.iter_mut().zip(segment.strings) {
                for (value, n) in from {
                    *into.entry(value).or_default() += n;
                }
            }
            for (key, n) in segment.months {
                *total.months.entry(key).or_default() += n;
            }
            for (key, n) in segment.ratings {
                *total.ratings.entry(key).or_default() += n;
            }
            total.undated += segment.undated;
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentFacets {
    type Fruit = tantivy::Result<Counts>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        let columns = &*self.columns;
        for (values, counts) in columns.strings.iter().zip(&mut self.by_ord) {
            values.count(docs, counts);
        }
        if columns.months.is_empty() {
            // No capture times in the segment: every document is undated.
            self.counts.undated += docs.len() as u64;
        } else {
            let counts = &mut self.counts;
            self.by_month.add(
                docs,
                |doc| usize::from(columns.months.get(doc as usize).copied().unwrap_or(0)),
                |doc| match columns.capture.as_ref().and_then(|c| c.first(doc)) {
                    Some(when) => {
                        let key = date::year_month(when.into_timestamp_millis());
                        *counts.months.entry(key).or_default() += 1;
                    }
                    None => counts.undated += 1,
                },
            );
        }
        if !columns.ratings.is_empty() {
            let counts = &mut self.counts;
            self.by_rating.add(
                docs,
                |doc| usize::from(columns.ratings.get(doc as usize).copied().unwrap_or(0)),
                |doc| {
                    if let Some(rating) = columns.rating.as_ref().and_then(|c| c.first(doc)) {
                        *counts.ratings.entry(rating).or_default() += 1;
                    }
                },
            );
        }
    }

    fn harvest(self) -> tantivy::Result<Counts> {
        let mut counts = self.counts;
        let columns = &*self.columns;
        let mut months = self.by_month.totals();
        counts.undated += months.next().unwrap_or(0);
        for (slot, n) in months.enumerate().map(|(i, n)| (i + 1, n)) {
            if n > 0 {
                let month = columns.first_month + slot as i64 - 1;
                let key = (month.div_euclid(12), (month.rem_euclid(12) + 1) as u32);
                *counts.months.entry(key).or_default() += n;
            }
        }
        for (slot, n) in self.by_rating.totals().enumerate().skip(1) {
            if n > 0 {
                *counts.ratings.entry(slot as i64 - 2).or_default() += n;
            }
        }
        for ((values, by_ord), into) in columns.strings.iter().zip(self.by_ord).zip(counts.strings.iter_mut()) {
            for (term, n) in values.terms.iter().zip(by_ord.totals().skip(1)) {
                if n > 0 {
                    *into.entry(term.clone()).or_default() += n;
                }
            }
        }
        Ok(counts)
    }
}

fn sorted(counts: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut out: Vec<FacetCount> = counts
        .into_iter()
        .map(|(value, count)| FacetCount { value, count })
        .collect();
    out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
    out
}

impl From<Counts> for Facets {
    fn from(counts: Counts) -> Facets {
        let [kind, camera, lens, tags, albums, ext, labels, flags] = counts.strings;
        let mut top = HashMap::new();
        for (tag, n) in &tags {
            if !tag.contains('/') {
                top.insert(tag.clone(), *n);
            }
        }
        let mut months: Vec<MonthCount> = counts
            .months
            .into_iter()
            .map(|((year, month), count)| MonthCount {
                year: clamp_year(year),
                month: month as u8,
                count,
            })
            .collect();
        months.sort_by_key(|m| (m.year, m.month));
        let mut years: Vec<YearCount> = Vec::new();
        for m in &months {
            match years.last_mut() {
                Some(y) if y.year == m.year => y.count += m.count,
                _ => years.push(YearCount {
                    year: m.year,
                    count: m.count,
                }),
            }
        }
        let mut ratings: Vec<RatingCount> = counts
            .ratings
            .into_iter()
            .map(|(rating, count)| RatingCount {
                rating: rating.clamp(i64::from(i8::MIN), i64::from(i8::MAX)) as i8,
                count,
            })
            .collect();
        ratings.sort_by_key(|r| std::cmp::Reverse(r.rating));
        Facets {
            kind: sorted(kind),
            camera: sorted(camera),
            lens: sorted(lens),
            years,
            months,
            undated: counts.undated,
            ratings,
            tags_top: sorted(top),
            tags: sorted(tags),
            albums: sorted(albums),
            labels: sorted(labels),
            flags: sorted(flags),
            ext: sorted(ext),
        }
    }
}

fn clamp_year(year: i64) -> i32 {
    year.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}
