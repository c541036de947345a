//! The page of hits by capture time, read from [`ColumnCache`] arrays.
//!
//! Tantivy's fast-field order reads each matching document's value through
//! the column's compressed index (about 15 ns a document); newest first is
//! the order the app asks for most, over every match of broad queries, so
//! it reads the cache's plain array instead.

use std::cmp::Ordering;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::columns::{ColumnCache, SegmentColumns};

/// The hits `offset..offset + limit` by capture time, assets without one
/// last either way; equal times in index order. The key of each hit is its
/// rank (higher first), of no use to callers.
pub(crate) struct TopByCapture<'a> {
    pub(crate) cache: &'a ColumnCache,
    pub(crate) descending: bool,
    pub(crate) offset: usize,
    pub(crate) limit: usize,
}

pub(crate) struct SegmentTop {
    columns: Arc<SegmentColumns>,
    segment: SegmentOrdinal,
    descending: bool,
    /// How many hits of this segment may make the page.
    keep: usize,
    /// Candidates; cut back to `keep` whenever it holds twice as many.
    buffer: Vec<(u64, DocId)>,
    /// Once the buffer was cut: the rank a document must beat to enter.
    threshold: Option<u64>,
}

/// Best first: higher rank, then earlier document.
fn better(a: &(u64, DocId), b: &(u64, DocId)) -> Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

impl SegmentTop {
    fn rank(&self, doc: DocId) -> u64 {
        let captured = self.columns.captured.get(doc as usize).copied().unwrap_or(0);
        match (captured, self.descending) {
            (0, _) => 0,
            (c, true) => c,
            (c, false) => u64::MAX - c + 1,
        }
    }

    fn cut(&mut self) {
        if self.buffer.len() > self.keep {
            self.buffer.select_nth_unstable_by(self.keep - 1, better);
            self.buffer.truncate(self.keep);
            self.threshold = self.buffer.iter().map(|&(rank, _)| rank).min();
        }
    }
}

impl Collector for TopByCapture<'_> {
    type Fruit = Vec<(u64, DocAddress)>;
    type Child = SegmentTop;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentTop> {
        let keep = self.offset.saturating_add(self.limit).max(1);
        Ok(SegmentTop {
            columns: self.cache.get(reader)?,
            segment,
            descending: self.descending,
            keep,
            buffer: Vec::with_capacity(keep.min(1 << 16) * 2),
            threshold: None,
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Vec<(u64, DocAddress)>>) -> tantivy::Result<Self::Fruit> {
        let mut all: Vec<(u64, DocAddress)> = segments.into_iter().flatten().collect();
        all.sort_unstable_by(|a, b| {
            b.0.cmp(&a.0)
                .then(a.1.segment_ord.cmp(&b.1.segment_ord))
                .then(a.1.doc_id.cmp(&b.1.doc_id))
        });
        Ok(all.into_iter().skip(self.offset).take(self.limit).collect())
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = Vec<(u64, DocAddress)>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.collect_block(&[doc]);
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        for &doc in docs {
            let rank = self.rank(doc);
            // Documents come in order, so a later one that only ties the
            // threshold loses to those already kept.
            if self.threshold.is_none_or(|t| rank > t) {
                self.buffer.push((rank, doc));
                if self.buffer.len() >= self.keep.saturating_mul(2) {
                    self.cut();
                }
            }
        }
    }

    fn harvest(mut self) -> Self::Fruit {
        self.cut();
        self.buffer.sort_unstable_by(better);
        let segment = self.segment;
        self.buffer
            .into_iter()
            .map(|(rank, doc)| (rank, DocAddress::new(segment, doc)))
            .collect()
    }
}
