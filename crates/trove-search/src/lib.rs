//! Trove's search index (work in progress).
