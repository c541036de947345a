//! `near:`: a bounding box on the latitude and longitude columns narrows
//! the candidates, then the great-circle (haversine) distance decides, so
//! the edge of the circle is exact.

use std::ops::Bound;

use tantivy::query::doc_predicate_query::{ConstOrVariableSegmentPredicate, DocPredicate, DocPredicateQuery};
use tantivy::query::{AllScorer, BooleanQuery, Occur, Query, RangeQuery};
use tantivy::schema::Field;
use tantivy::{DocId, SegmentReader, Term};

use crate::schema::name;

/// Mean Earth radius in metres (IUGG), as used for haversine distances.
pub const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Great-circle distance in metres between two points in degrees.
pub fn haversine_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let h = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The assets within `radius_m` of (`lat`, `lon`).
pub(crate) fn near_query(lat_field: Field, lon_field: Field, lat: f64, lon: f64, radius_m: f64) -> Box<dyn Query> {
    // Angular radius, widened a little so that rounding never drops a point
    // the exact test would keep.
    let angle = (radius_m / EARTH_RADIUS_M).to_degrees() * 1.000_001 + 1e-9;
    let range = |field, lo: f64, hi: f64| -> Box<dyn Query> {
        Box::new(RangeQuery::new(
            Bound::Included(Term::from_field_f64(field, lo)),
            Bound::Included(Term::from_field_f64(field, hi)),
        ))
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, range(lat_field, lat - angle, lat + angle))];
    if lat.abs() + angle < 89.0 {
        // The widest longitude span of the circle is at the latitude where it
        // touches its meridian tangents: asin(sin(angle) / cos(lat)).
        let ratio = angle.to_radians().sin() / lat.to_radians().cos();
        if ratio < 1.0 {
            let dlon = ratio.asin().to_degrees() * 1.000_001 + 1e-9;
            let (west, east) = (lon - dlon, lon + dlon);
            let lon_clause: Box<dyn Query> = if west < -180.0 {
                union(range(lon_field, west + 360.0, 180.0), range(lon_field, -180.0, east))
            } else if east > 180.0 {
                union(range(lon_field, west, 180.0), range(lon_field, -180.0, east - 360.0))
            } else {
                range(lon_field, west, east)
            };
            clauses.push((Occur::Must, lon_clause));
        }
    }
    let exact = DocPredicateQuery::from(Within { lat, lon, radius_m });
    clauses.push((Occur::Must, Box::new(exact)));
    Box::new(BooleanQuery::new(clauses))
}

fn union(a: Box<dyn Query>, b: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(BooleanQuery::union(vec![a, b]))
}

/// The exact test, evaluated on the candidates only.
#[derive(Debug, Clone, Copy)]
struct Within {
    lat: f64,
    lon: f64,
    radius_m: f64,
}

impl DocPredicate for Within {
    type SegmentDocPredicate = Box<dyn Fn(DocId) -> bool + Send + Sync>;

    fn doc_predicate(
        &self,
        segment: &SegmentReader,
    ) -> tantivy::Result<ConstOrVariableSegmentPredicate<Self::SegmentDocPredicate>> {
        let lats = segment.fast_fields().f64(name::LAT)?;
        let lons = segment.fast_fields().f64(name::LON)?;
        let Within { lat, lon, radius_m } = *self;
        Ok(ConstOrVariableSegmentPredicate::Variable {
            predicate: Box::new(move |doc| match (lats.first(doc), lons.first(doc)) {
                (Some(a), Some(b)) => haversine_m(lat, lon, a, b) <= radius_m,
                _ => false,
            }),
            necessary_condition: Box::new(AllScorer::new(segment.max_doc())),
        })
    }
}
