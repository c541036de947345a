//! Building libraries of assets and asking them things.

use tempfile::TempDir;
use trove_search::{AssetDoc, AssetKind, Index, SearchError, SearchRequest, SearchResults, Sort};

/// An index in a temporary folder, dropped with it.
pub struct Library {
    pub index: Index,
    _dir: TempDir,
}

impl Library {
    /// An index holding `docs`, committed at change sequence 1.
    pub fn with(docs: &[AssetDoc]) -> Library {
        let dir = TempDir::new().unwrap();
        let (index, _) = Index::open_or_create(dir.path().join("search")).unwrap();
        index.upsert(docs).unwrap();
        index.commit(1).unwrap();
        Library { index, _dir: dir }
    }

    /// Ids matching `query`, ascending.
    pub fn ids(&self, query: &str) -> Vec<i64> {
        let mut ids: Vec<i64> = self.search(query).hits.iter().map(|h| h.id).collect();
        ids.sort_unstable();
        ids
    }

    /// Ids matching `query`, best first.
    pub fn ranked(&self, query: &str) -> Vec<i64> {
        self.search(query).hits.iter().map(|h| h.id).collect()
    }

    pub fn search(&self, query: &str) -> SearchResults {
        self.try_search(query)
            .unwrap_or_else(|e| panic!("{query:?} failed: {e}"))
    }

    pub fn try_search(&self, query: &str) -> Result<SearchResults, SearchError> {
        self.index.search(&SearchRequest {
            query,
            sort: Sort::Relevance,
            offset: 0,
            limit: 10_000,
            facets: false,
        })
    }

    pub fn error(&self, query: &str) -> SearchError {
        match self.try_search(query) {
            Ok(found) => panic!("{query:?} should fail, found {found:?}"),
            Err(e) => e,
        }
    }
}

/// An image named `name` with id `id`.
pub fn asset(id: i64, name: &str) -> AssetDoc {
    let mut doc = AssetDoc::new(id, format!("uuid-{id}"), AssetKind::Image);
    doc.names = vec![name.to_owned()];
    doc
}

/// Unix milliseconds of a UTC date and time.
pub fn utc(year: i32, month: u8, day: u8, hour: u8) -> i64 {
    let month = time::Month::try_from(month).unwrap();
    let date = time::Date::from_calendar_date(year, month, day).unwrap();
    let at = date.with_hms(hour, 0, 0).unwrap().assume_utc();
    (at.unix_timestamp_nanos() / 1_000_000) as i64
}

/// (year, month) of Unix milliseconds, UTC.
pub fn year_month(ms: i64) -> (i32, u8) {
    let at = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).unwrap();
    (at.year(), at.month() as u8)
}

pub use trove_testkit::Rng;

/// The point `metres` from (lat, lon) along `bearing` degrees, on the
/// sphere the index measures on.
pub fn destination(lat: f64, lon: f64, bearing: f64, metres: f64) -> (f64, f64) {
    const R: f64 = 6_371_008.8;
    let (p1, l1, b) = (lat.to_radians(), lon.to_radians(), bearing.to_radians());
    let d = metres / R;
    let p2 = (p1.sin() * d.cos() + p1.cos() * d.sin() * b.cos()).asin();
    let l2 = l1 + (b.sin() * d.sin() * p1.cos()).atan2(d.cos() - p1.sin() * p2.sin());
    let lon2 = (l2.to_degrees() + 540.0) % 360.0 - 180.0;
    (p2.to_degrees(), lon2)
}
