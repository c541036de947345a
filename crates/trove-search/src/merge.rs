//! How segments are merged: Tantivy's log merge policy, with merged
//! segments capped in size.
//!
//! A search runs its segments in parallel, one per core, so it waits for
//! its largest segment. Left alone, the log policy merges a large library
//! into one segment holding most documents (three quarters of a million
//! in the benchmark), and broad searches then ran on one core. Capping
//! what merges produce keeps a large library in several segments of
//! similar size; small libraries are unaffected.

use std::collections::HashMap;

use tantivy::index::{SegmentId, SegmentMeta};
use tantivy::merge_policy::{LogMergePolicy, MergeCandidate, MergePolicy};

/// Most live documents a merge may produce.
pub(crate) const MAX_MERGED_DOCS: u32 = 200_000;
/// A segment with more of its documents deleted than this is merged even
/// alone, to drop them (an asset's update deletes its old document).
const MAX_DELETED_RATIO: f32 = 0.3;

#[derive(Debug)]
pub(crate) struct CappedMergePolicy {
    inner: LogMergePolicy,
    cap: u32,
}

impl CappedMergePolicy {
    pub(crate) fn new(cap: u32) -> CappedMergePolicy {
        let mut inner = LogMergePolicy::default();
        inner.set_max_docs_before_merge(cap as usize);
        inner.set_del_docs_ratio_before_merge(MAX_DELETED_RATIO);
        // Four similar segments merge (Tantivy's default waits for eight):
        // every segment costs each search a term-dictionary walk per word,
        // and at a million assets 10 segments searched faster than 13
        // (p50 4.4-4.5 against 4.8-4.9 ms, side by side).
        inner.set_min_num_segments(4);
        CappedMergePolicy { inner, cap }
    }
}

impl MergePolicy for CappedMergePolicy {
    fn compute_merge_candidates(&self, segments: &[SegmentMeta]) -> Vec<MergeCandidate> {
        let by_id: HashMap<SegmentId, &SegmentMeta> = segments.iter().map(|s| (s.id(), s)).collect();
        let worth_alone = |meta: &SegmentMeta| {
            meta.max_doc() > 0 && meta.num_deleted_docs() as f32 / meta.max_doc() as f32 > MAX_DELETED_RATIO
        };
        let mut out = Vec::new();
        for MergeCandidate(ids) in self.inner.compute_merge_candidates(segments) {
            // Cut the candidate into groups of at most `cap` live documents.
            let mut group: Vec<SegmentId> = Vec::new();
            let mut docs = 0u32;
            let mut flush = |group: &mut Vec<SegmentId>| {
                let alone_worth_it = group.len() == 1 && by_id.get(&group[0]).is_some_and(|m| worth_alone(m));
                if group.len() > 1 || alone_worth_it {
                    out.push(MergeCandidate(std::mem::take(group)));
                }
                group.clear();
            };
            for id in ids {
                let n = by_id.get(&id).map_or(0, |m| m.num_docs());
                if !group.is_empty() && docs.saturating_add(n) > self.cap {
                    flush(&mut group);
                    docs = 0;
                }
                group.push(id);
                docs = docs.saturating_add(n);
            }
            if !group.is_empty() {
                flush(&mut group);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::{INDEXED, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    #[test]
    fn merges_never_make_a_segment_over_the_cap_and_still_reduce_segments() {
        let mut schema = Schema::builder();
        let n = schema.add_u64_field("n", INDEXED);
        let index = Index::create_in_ram(schema.build());
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.set_merge_policy(Box::new(CappedMergePolicy::new(100)));
        for batch in 0..12u64 {
            for i in 0..30 {
                let mut doc = TantivyDocument::new();
                doc.add_u64(n, batch * 100 + i);
                writer.add_document(doc).unwrap();
            }
            writer.commit().unwrap();
        }
        writer.wait_merging_threads().unwrap();
        let metas = index.searchable_segment_metas().unwrap();
        let sizes: Vec<u32> = metas.iter().map(|m| m.num_docs()).collect();
        assert_eq!(sizes.iter().sum::<u32>(), 360);
        assert!(sizes.iter().all(|&s| s <= 100), "{sizes:?}");
        assert!(sizes.len() < 12, "some merges happened: {sizes:?}");
    }
}
