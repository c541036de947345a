//! What an indexing run reports (also carried by its event).

/// What an indexing run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexReport {
    /// Assets written (added or updated).
    pub indexed: u64,
    /// Assets removed from the index.
    pub removed: u64,
    /// The catalog change sequence the index now reflects.
    pub seq: u64,
    /// Whether the whole index was rebuilt.
    pub rebuilt: bool,
}
