//! trove-search, specified: a real index in a temporary folder per test.
#![allow(clippy::unwrap_used)]

mod facets;
mod hostile;
mod kit;
mod lifecycle;
mod query;
mod sorting;
