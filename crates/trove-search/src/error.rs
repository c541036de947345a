use std::path::PathBuf;

/// Why a search, an index update or opening the index failed.
///
/// The query variants (`is_user_error()`) describe a problem with what the
/// user typed and are meant to be shown to them; the others are internal
/// failures. Front ends branch on [`SearchError::code`], never on the text.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query is longer than the limit; refused before it is read.
    #[error("the query is {len} bytes long; the limit is {max} bytes")]
    QueryTooLong { len: usize, max: usize },
    /// Parentheses or negations are nested deeper than the limit.
    #[error("the query nests parentheses or NOT deeper than {max} levels")]
    QueryTooDeep { max: usize },
    /// The query has more terms and field clauses than the limit.
    #[error("the query has {terms} terms; the limit is {max}")]
    QueryTooComplex { terms: usize, max: usize },
    /// The query does not follow the grammar. `offset` is the byte offset
    /// of the bad part in the query, `column` its 1-based character column,
    /// `fragment` the text found there.
    #[error("{message} at column {column} (near `{fragment}`)")]
    Parse {
        message: String,
        offset: usize,
        column: usize,
        fragment: String,
    },
    /// `name:` where `name` is not a field the query language knows.
    #[error("unknown field `{field}:`; the fields are: {}", crate::query::FIELD_NAMES.join(", "))]
    UnknownField { field: String },
    /// A field's value could not be read, such as `rating:lots`.
    #[error("`{field}:{value}` is not valid: expected {expected}")]
    BadValue {
        field: String,
        value: String,
        expected: &'static str,
    },
    /// The index folder could not be opened or created.
    #[error("cannot open the search index in {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: tantivy::TantivyError,
    },
    /// The index was opened read-only and a write was asked for.
    #[error("the search index in {path} is open read-only")]
    ReadOnly { path: PathBuf },
    /// A read-only open found no usable index (missing, damaged or from
    /// another version); the library's writer rebuilds it.
    #[error("the search index in {path} cannot be used ({detail}); the library's writer rebuilds it")]
    Unusable { path: PathBuf, detail: String },
    /// Another writer (in this or another process) holds the index lock.
    #[error("the search index in {path} is in use by another writer")]
    Locked { path: PathBuf },
    /// A file-system operation on the index folder failed.
    #[error("cannot {op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Tantivy failed while indexing or searching.
    #[error("search index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl SearchError {
    /// Every code [`SearchError::code`] gives.
    pub const CODES: &[&str] = &[
        "query_too_long",
        "query_too_deep",
        "query_too_complex",
        "query_syntax",
        "query_unknown_field",
        "query_bad_value",
        "index_open",
        "index_locked",
        "index_read_only",
        "index_unusable",
        "index_io",
        "index_error",
    ];

    /// Stable, machine-readable code for the UI and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            SearchError::QueryTooLong { .. } => "query_too_long",
            SearchError::QueryTooDeep { .. } => "query_too_deep",
            SearchError::QueryTooComplex { .. } => "query_too_complex",
            SearchError::Parse { .. } => "query_syntax",
            SearchError::UnknownField { .. } => "query_unknown_field",
            SearchError::BadValue { .. } => "query_bad_value",
            SearchError::Open { .. } => "index_open",
            SearchError::Locked { .. } => "index_locked",
            SearchError::ReadOnly { .. } => "index_read_only",
            SearchError::Unusable { .. } => "index_unusable",
            SearchError::Io { .. } => "index_io",
            SearchError::Tantivy(_) => "index_error",
        }
    }

    /// True when a write failed because the disk holding the index is full
    /// (ENOSPC or a quota): the update can be tried again once there is
    /// room. Tantivy wraps the `io::Error` at various depths, and its
    /// indexing threads report theirs as text, so both are looked at.
    pub fn is_disk_full(&self) -> bool {
        let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(self);
        while let Some(e) = cur {
            if e.downcast_ref::<std::io::Error>().is_some_and(trove_types::is_no_space)
                || trove_types::says_no_space(&e.to_string())
            {
                return true;
            }
            cur = e.source();
        }
        false
    }

    /// True when the error is about the query the user typed (show it to
    /// them and let them fix it), false for internal failures.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            SearchError::QueryTooLong { .. }
                | SearchError::QueryTooDeep { .. }
                | SearchError::QueryTooComplex { .. }
                | SearchError::Parse { .. }
                | SearchError::UnknownField { .. }
                | SearchError::BadValue { .. }
        )
    }
}
