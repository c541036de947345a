//! From [`Node`]s to Tantivy queries.
//!
//! `None` stands for "no constraint" (the empty query, or a word with
//! nothing searchable in it such as `';`): it drops out of an AND, makes an
//! OR match everything, and its negation is ignored too (`-';` is not a
//! request for nothing).

use std::ops::Bound;

use tantivy::Term;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, RangeQuery,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use crate::query::Node;
use crate::query::prefix::PartPrefixQuery;
use crate::query::value::{Clause, Interval, NumField, TextTarget};
use crate::schema::Fields;
use crate::tokenizer::{self, Mode};
use crate::{date, geo};

/// Score multiplier of an exact term or phrase match.
const EXACT_BOOST: f32 = 2.0;
/// Constant score of a prefix match (as you type: `bea` → `beach`).
const PREFIX_BOOST: f32 = 0.5;
/// Constant score of a match one typo away.
const FUZZY_BOOST: f32 = 0.25;
/// Words shorter than this (in characters) get no typo tolerance.
const FUZZY_MIN_CHARS: usize = 5;
/// Words shorter than this (in characters) are not matched as prefixes.
const PREFIX_MIN_CHARS: usize = 2;
/// Most terms the last word of a phrase prefix expands to.
const PHRASE_PREFIX_EXPANSIONS: u32 = 50;

type Q = Box<dyn Query>;

/// Builds Tantivy queries against one schema's fields.
#[derive(Debug)]
pub(crate) struct Builder<'a> {
    pub fields: &'a Fields,
}

impl Builder<'_> {
    /// The query for `node`; matches everything when nothing constrains it.
    pub(crate) fn query(&self, node: &Node) -> Q {
        self.node(node).unwrap_or_else(|| Box::new(AllQuery))
    }

    fn node(&self, node: &Node) -> Option<Q> {
        match node {
            Node::All => None,
            Node::Clause(clause) => self.clause(clause),
            Node::Not(inner) => {
                let q = self.node(inner)?;
                Some(Box::new(BooleanQuery::new(vec![
                    (Occur::Must, Box::new(AllQuery)),
                    (Occur::MustNot, q),
                ])))
            }
            Node::And(items) => {
                let mut clauses: Vec<(Occur, Q)> = Vec::new();
                for item in items {
                    match item {
                        Node::Not(inner) => {
                            if let Some(q) = self.node(inner) {
                                clauses.push((Occur::MustNot, q));
                            }
                        }
                        other => {
                            if let Some(q) = self.node(other) {
                                clauses.push((Occur::Must, q));
                            }
                        }
                    }
                }
                if clauses.is_empty() {
                    return None;
                }
                if !clauses.iter().any(|(occur, _)| *occur == Occur::Must) {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                if clauses.len() == 1 {
                    return clauses.pop().map(|(_, q)| q);
                }
                Some(Box::new(BooleanQuery::new(clauses)))
            }
            Node::Or(items) => {
                let mut alternatives = Vec::with_capacity(items.len());
                for item in items {
                    alternatives.push(self.node(item)?);
                }
                Some(Box::new(BooleanQuery::union(alternatives)))
            }
        }
    }

    fn clause(&self, clause: &Clause) -> Option<Q> {
        let f = self.fields;
        let exact = |field: Field, value: &str| -> Option<Q> {
            Some(Box::new(TermQuery::new(
                Term::from_field_text(field, value),
                IndexRecordOption::Basic,
            )))
        };
        match clause {
            Clause::Text { target, text, phrase } => self.text(*target, text, *phrase),
            Clause::Kind(kind) => exact(f.kind, kind.as_str()),
            Clause::Ext(ext) => exact(f.ext, ext),
            Clause::Mime(mime) => exact(f.mime, mime),
            Clause::Tag(tag) => exact(f.tag, tag),
            Clause::Album(album) => exact(f.album, album),
            Clause::Label(label) => exact(f.label, label),
            Clause::Flag(flag) => exact(f.flag, flag),
            Clause::Has(has) => exact(f.has, has),
            Clause::Missing(missing) => Some(Box::new(TermQuery::new(
                Term::from_field_bool(f.missing, *missing),
                IndexRecordOption::Basic,
            ))),
            Clause::Taken { from, to } => {
                // Periods past what the index holds clamp to its ends, where
                // no capture time is indexed (`taken:9999` finds nothing).
                let term = |ms: i64| Term::from_field_date(f.capture, date::tantivy_date(ms));
                let lower = from.map_or(Bound::Unbounded, |ms| Bound::Included(term(ms)));
                let upper = to.map_or(Bound::Unbounded, |ms| Bound::Excluded(term(ms)));
                Some(Box::new(RangeQuery::new(lower, upper)))
            }
            Clause::Int { field, interval } => Some(self.int_range(*field, interval)),
            Clause::Float { field, interval } => {
                let field = match field {
                    NumField::Focal => f.focal,
                    _ => f.aperture,
                };
                let term = |x: &f64| Term::from_field_f64(field, *x);
                Some(Box::new(RangeQuery::new(
                    interval.lower.as_ref().map(term),
                    interval.upper.as_ref().map(term),
                )))
            }
            Clause::Near { lat, lon, radius_m } => Some(geo::near_query(f.lat, f.lon, *lat, *lon, *radius_m)),
        }
    }

    fn int_range(&self, which: NumField, interval: &Interval<i64>) -> Q {
        let f = self.fields;
        let (field, signed) = match which {
            NumField::Rating => (f.rating, true),
            NumField::Iso => (f.iso, false),
            NumField::Width => (f.width, false),
            _ => (f.height, false),
        };
        // Values were checked against the field's range when parsed.
        let term = |x: &i64| {
            if signed {
                Term::from_field_i64(field, *x)
            } else {
                Term::from_field_u64(field, u64::try_from(*x).unwrap_or(0))
            }
        };
        Box::new(RangeQuery::new(
            interval.lower.as_ref().map(term),
            interval.upper.as_ref().map(term),
        ))
    }

    /// A word (`phrase == false`) or a quoted phrase over the target's fields.
    fn text(&self, target: TextTarget, text: &str, phrase: bool) -> Option<Q> {
        let f = self.fields;
        let fields: &[(Field, f32)] = match target {
            TextTarget::Any => &[(f.name, 3.0), (f.title, 2.0), (f.folder, 1.0), (f.text, 1.0)],
            TextTarget::Name => &[(f.name, 1.0)],
            TextTarget::Folder => &[(f.folder, 1.0)],
            TextTarget::Title => &[(f.title, 1.0)],
            TextTarget::Caption => &[(f.caption, 1.0)],
            TextTarget::Creator => &[(f.creator, 1.0)],
            TextTarget::Camera => &[(f.camera, 1.0)],
            TextTarget::Lens => &[(f.lens, 1.0)],
        };
        let parts = tokenizer::tokens(Mode::Parts, text);
        if parts.is_empty() {
            return None;
        }
        // The whole word as names index it (`img_2041.jpg`), and as runs cut
        // at letter/digit boundaries are kept (`x100v`).
        let whole = tokenizer::tokens(Mode::Whole, text).into_iter().next();
        let boosted = |q: Q, boost: f32| -> Q { Box::new(BoostQuery::new(q, boost)) };
        let mut any: Vec<Q> = Vec::new();
        for &(field, weight) in fields {
            let terms: Vec<Term> = parts.iter().map(|p| Term::from_field_text(field, p)).collect();
            if let [term] = terms.as_slice() {
                let chars = parts[0].chars().count();
                let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
                any.push(boosted(Box::new(exact), weight * EXACT_BOOST));
                if !phrase && chars >= PREFIX_MIN_CHARS {
                    // Parts only: every longer term that begins with the
                    // word has a part that does (see `prefix`).
                    let prefix = PartPrefixQuery::new(field, &parts[0]);
                    any.push(boosted(Box::new(prefix), weight * PREFIX_BOOST));
                }
                if !phrase && chars >= FUZZY_MIN_CHARS {
                    let fuzzy = FuzzyTermQuery::new(term.clone(), 1, true);
                    any.push(boosted(Box::new(fuzzy), weight * FUZZY_BOOST));
                }
            } else {
                any.push(boosted(Box::new(PhraseQuery::new(terms.clone())), weight * EXACT_BOOST));
                if !phrase {
                    let mut prefix = PhrasePrefixQuery::new(terms);
                    prefix.set_max_expansions(PHRASE_PREFIX_EXPANSIONS);
                    any.push(boosted(Box::new(prefix), weight * PREFIX_BOOST));
                    if let Some(whole) = whole.as_deref() {
                        let term = Term::from_field_text(field, whole);
                        let prefix = FuzzyTermQuery::new_prefix(term.clone(), 0, true);
                        let exact = TermQuery::new(term, IndexRecordOption::WithFreqs);
                        any.push(boosted(Box::new(exact), weight * EXACT_BOOST));
                        // Unbounded, unlike the phrase prefix: typing a file
                        // name from its start finds every file it begins.
                        any.push(boosted(Box::new(prefix), weight * PREFIX_BOOST));
                    }
                }
            }
        }
        Some(Box::new(BooleanQuery::union(any)))
    }
}
