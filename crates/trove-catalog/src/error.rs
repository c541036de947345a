use std::path::PathBuf;

/// Everything that can go wrong in the catalog. Each variant names the
/// catalog file or the operation so a message is useful on its own.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("cannot open the catalog {}: {source}", path.display())]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the catalog {} was written by a newer Trove (schema {found}; this build knows up to {known}); install a newer Trove to open it",
        path.display()
    )]
    TooNew { path: PathBuf, found: i64, known: i64 },
    #[error(
        "the catalog {} is damaged or is not a Trove catalog ({detail}); restore it from a backup or move it aside to start a new one",
        path.display()
    )]
    Corrupt { path: PathBuf, detail: String },
    #[error(
        "the catalog {} has schema {found} and needs an upgrade to {known}; open it once with a process that may write",
        path.display()
    )]
    NeedsUpgrade { path: PathBuf, found: i64, known: i64 },
    #[error("upgrading the catalog {} to schema {version} failed: {source}", path.display())]
    Migrate {
        path: PathBuf,
        version: i64,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the catalog is busy (another Trove process holds a write lock) during {op}; try again")]
    Busy { op: &'static str },
    /// SQLite found no room for the write (SQLITE_FULL: the disk holding
    /// the catalog is full). The catalog is intact: the transaction was
    /// rolled back, and the same write succeeds once there is space.
    #[error("the disk holding the catalog is full ({op} could not be written); free some space on it")]
    Full { op: &'static str },
    #[error("catalog {op} failed: {source}")]
    Sql {
        op: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the catalog has a bad value in {what}: {value}")]
    BadValue { what: &'static str, value: String },
    #[error("{what} {key} is not in the catalog")]
    NotFound { what: &'static str, key: String },
}

impl CatalogError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, CatalogError::NotFound { .. })
    }

    /// True when trying the same call again later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, CatalogError::Busy { .. } | CatalogError::Full { .. })
    }

    /// True when the disk holding the catalog is full.
    pub fn is_disk_full(&self) -> bool {
        matches!(self, CatalogError::Full { .. })
    }
}

pub type Result<T, E = CatalogError> = std::result::Result<T, E>;

/// Attaches the operation's name to a rusqlite error.
pub(crate) trait SqlContext<T> {
    fn ctx(self, op: &'static str) -> Result<T>;
}

impl<T> SqlContext<T> for rusqlite::Result<T> {
    fn ctx(self, op: &'static str) -> Result<T> {
        self.map_err(|source| match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DatabaseBusy) | Some(rusqlite::ErrorCode::DatabaseLocked) => {
                CatalogError::Busy { op }
            }
            Some(rusqlite::ErrorCode::DiskFull) => CatalogError::Full { op },
            _ => CatalogError::Sql { op, source },
        })
    }
}
