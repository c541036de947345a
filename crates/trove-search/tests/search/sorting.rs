//! Orders, pages and totals.

use trove_search::{Direction, SearchRequest, Sort};

use crate::kit::{Library, Rng, asset, utc};

fn library() -> Library {
    let specs = [
        (1, "b.jpg", Some(utc(2021, 5, 1, 0)), 300),
        (2, "A.jpg", None, 100),
        (3, "c.jpg", Some(utc(2019, 1, 1, 0)), 200),
        (4, "D.jpg", Some(utc(2023, 3, 3, 0)), 400),
        (5, "e.jpg", None, 50),
    ];
    let docs: Vec<_> = specs
        .into_iter()
        .map(|(id, name, ms, size)| {
            let mut d = asset(id, name);
            d.capture_ms = ms;
            d.size = size;
            d
        })
        .collect();
    Library::with(&docs)
}

fn order(lib: &Library, sort: Sort, offset: usize, limit: usize) -> (u64, Vec<i64>) {
    let found = lib
        .index
        .search(&SearchRequest {
            query: "",
            sort,
            offset,
            limit,
            facets: false,
        })
        .unwrap();
    assert!(found.facets.is_none());
    (found.total, found.hits.iter().map(|h| h.id).collect())
}

#[test]
fn results_sort_by_capture_time_with_undated_last_either_way() {
    let lib = library();
    let newest = order(&lib, Sort::Captured(Direction::Descending), 0, 10).1;
    assert_eq!(&newest[..3], [4, 1, 3]);
    let oldest = order(&lib, Sort::Captured(Direction::Ascending), 0, 10).1;
    assert_eq!(&oldest[..3], [3, 1, 4]);
    let mut undated = oldest[3..].to_vec();
    undated.sort_unstable();
    assert_eq!(undated, [2, 5]);
}

#[test]
fn results_sort_by_name_ignoring_case_and_by_size() {
    let lib = library();
    assert_eq!(order(&lib, Sort::Name(Direction::Ascending), 0, 10).1, [2, 1, 3, 4, 5]);
    assert_eq!(order(&lib, Sort::Name(Direction::Descending), 0, 10).1, [5, 4, 3, 1, 2]);
    assert_eq!(order(&lib, Sort::Size(Direction::Descending), 0, 10).1, [4, 1, 3, 2, 5]);
    assert_eq!(order(&lib, Sort::Size(Direction::Ascending), 0, 10).1, [5, 2, 3, 1, 4]);
}

#[test]
fn pages_come_from_offset_and_limit_with_the_full_total() {
    let lib = library();
    let sort = Sort::Size(Direction::Ascending);
    assert_eq!(order(&lib, sort, 0, 2), (5, vec![5, 2]));
    assert_eq!(order(&lib, sort, 2, 2), (5, vec![3, 1]));
    assert_eq!(order(&lib, sort, 4, 2), (5, vec![4]));
    assert_eq!(order(&lib, sort, 9, 2), (5, vec![]));
    assert_eq!(order(&lib, sort, 0, 0), (5, vec![]), "a limit of 0 counts only");
    assert_eq!(order(&lib, sort, usize::MAX, usize::MAX), (5, vec![]));
    assert_eq!(order(&lib, sort, 1, usize::MAX).1.len(), 4);
}

#[test]
fn hits_carry_the_uuid_and_a_score_only_by_relevance() {
    let lib = library();
    let found = lib.search("jpg");
    assert_eq!(found.total, 5);
    assert!(
        found
            .hits
            .iter()
            .all(|h| h.uuid == format!("uuid-{}", h.id) && h.score.is_some())
    );
    let (_, ids) = order(&lib, Sort::Size(Direction::Ascending), 0, 1);
    let by_size = lib
        .index
        .search(&SearchRequest {
            query: "",
            sort: Sort::Size(Direction::Ascending),
            limit: 1,
            ..SearchRequest::default()
        })
        .unwrap();
    assert_eq!(by_size.hits[0].id, ids[0]);
    assert_eq!(by_size.hits[0].score, None);
}

#[test]
fn capture_time_pages_across_segments_equal_a_full_sort() {
    // Three commits (so three segments), a document updated and one
    // deleted (so segments with deletes), and undated assets in each.
    let mut rng = Rng::new(7);
    let docs: Vec<_> = (1..=300)
        .map(|id| {
            let mut d = asset(id, &format!("IMG_{id}.jpg"));
            // Distinct times, so the order is fully determined.
            d.capture_ms = (!rng.chance(15)).then(|| utc(2000, 1, 1, 0) + rng.below(1_000_000) as i64 * 1000 + id);
            d
        })
        .collect();
    let lib = Library::with(&docs[..100]);
    lib.index.upsert(&docs[100..200]).unwrap();
    lib.index.commit(2).unwrap();
    let mut updated = docs[5].clone();
    updated.capture_ms = Some(utc(2030, 1, 1, 0));
    lib.index.upsert(docs[200..].iter().chain([&updated])).unwrap();
    lib.index.delete([7]).unwrap();
    lib.index.commit(3).unwrap();

    let mut live: Vec<_> = docs.iter().filter(|d| d.id != 7 && d.id != 6).cloned().collect();
    live.push(updated);
    for direction in [Direction::Descending, Direction::Ascending] {
        let mut dated: Vec<_> = live.iter().filter(|d| d.capture_ms.is_some()).collect();
        dated.sort_by_key(|d| d.capture_ms);
        if direction == Direction::Descending {
            dated.reverse();
        }
        let expected: Vec<i64> = dated.iter().map(|d| d.id).collect();
        let mut pages = Vec::new();
        for offset in (0..live.len()).step_by(37) {
            let (total, ids) = order(&lib, Sort::Captured(direction), offset, 37);
            assert_eq!(total, live.len() as u64);
            pages.extend(ids);
        }
        assert_eq!(pages.len(), live.len(), "{direction:?}");
        assert_eq!(pages[..expected.len()], expected[..], "{direction:?}");
        let mut undated: Vec<i64> = pages[expected.len()..].to_vec();
        undated.sort_unstable();
        let mut want: Vec<i64> = live.iter().filter(|d| d.capture_ms.is_none()).map(|d| d.id).collect();
        want.sort_unstable();
        assert_eq!(undated, want, "undated last, {direction:?}");
    }
}
