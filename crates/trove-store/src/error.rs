use std::path::PathBuf;

/// Why an object-store operation failed.
///
/// Callers branch on [`StoreError::is_not_found`], [`StoreError::is_retryable`]
/// and [`StoreError::code`], never on the text. Every variant names the store
/// (its URL-like description) and, where there is one, the object key.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// No object under this key.
    #[error("{store}: no object `{key}`")]
    NotFound { store: String, key: String },
    /// The bucket (or the folder) does not exist.
    #[error("{store}: the bucket or folder does not exist; create it, or check the name and the endpoint")]
    NoBucket { store: String },
    /// The credentials were refused: unknown key, wrong secret, bad signature.
    #[error("{store}: the credentials were refused ({detail}); check the access key and the secret")]
    BadCredentials { store: String, detail: String },
    /// The credentials are valid but not allowed to do this.
    #[error("{store}: access denied for `{key}` ({detail}); the key's policy must allow this operation")]
    AccessDenied { store: String, key: String, detail: String },
    /// No credentials could be found at all.
    #[error("{store}: no credentials found ({detail})")]
    NoCredentials { store: String, detail: String },
    /// The bytes the server received (or stored) are not the bytes sent.
    #[error("{store}: checksum mismatch for `{key}`: {detail}")]
    ChecksumMismatch { store: String, key: String, detail: String },
    /// The bucket or the disk is full, or a quota is exceeded.
    #[error("{store}: no space for `{key}` ({detail}); free space or raise the quota")]
    Full { store: String, key: String, detail: String },
    /// A multipart upload the caller remembered no longer exists (aborted or
    /// expired on the server); start a new one.
    #[error("{store}: the multipart upload of `{key}` no longer exists")]
    UploadGone { store: String, key: String },
    /// The network failed or timed out; the request can be tried again.
    #[error("{store}: network error during {op} of `{key}`: {detail}")]
    Network {
        store: String,
        op: &'static str,
        key: String,
        detail: String,
    },
    /// The server reported a temporary failure (5xx, SlowDown); try again.
    #[error("{store}: the server failed {op} of `{key}` ({status} {code}); will retry")]
    ServerBusy {
        store: String,
        op: &'static str,
        key: String,
        status: u16,
        code: String,
    },
    /// Any other error response from the server.
    #[error("{store}: {op} of `{key}` was refused ({status} {code}: {detail})")]
    Refused {
        store: String,
        op: &'static str,
        key: String,
        status: u16,
        code: String,
        detail: String,
    },
    /// A local file could not be read or written.
    #[error("cannot {op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The object is in an archive storage class (S3 Glacier Flexible
    /// Retrieval, Deep Archive): it cannot be read until a restore has been
    /// asked for ([`crate::ObjectStore::request_restore`]) and has finished.
    #[error("{store}: `{key}` is in an archive storage class and cannot be read until it is restored ({detail})")]
    Archived { store: String, key: String, detail: String },
    /// The store cannot do this at all (e.g. presigned links from a folder).
    #[error("{store}: {what} is not supported by this kind of target")]
    Unsupported { store: String, what: &'static str },
    /// A target URL, key or option is not valid.
    #[error("{0}")]
    Invalid(String),
}

impl StoreError {
    /// Every code [`StoreError::code`] gives.
    pub const CODES: &[&str] = &[
        "store_not_found",
        "store_no_bucket",
        "store_bad_credentials",
        "store_access_denied",
        "store_no_credentials",
        "store_checksum_mismatch",
        "store_full",
        "store_upload_gone",
        "store_network",
        "store_server_busy",
        "store_refused",
        "store_archived",
        "store_io",
        "store_unsupported",
        "store_invalid",
    ];

    /// The object (or bucket) is not there.
    pub fn is_not_found(&self) -> bool {
        matches!(self, StoreError::NotFound { .. } | StoreError::UploadGone { .. })
    }

    /// The object is in an archive storage class: it reads once a restore
    /// asked for it has run ([`crate::ObjectStore::request_restore`]).
    pub fn is_archived(&self) -> bool {
        matches!(self, StoreError::Archived { .. })
    }

    /// Trying the same request again later may succeed: network failures,
    /// server overload, and a checksum mismatch (bytes damaged in transit).
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Network { .. } | StoreError::ServerBusy { .. } | StoreError::ChecksumMismatch { .. } => true,
            StoreError::Io { source, .. } => matches!(
                source.kind(),
                std::io::ErrorKind::Interrupted | std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            ),
            _ => false,
        }
    }

    /// A read failed the way a damaged stored copy fails: the server
    /// answered 500 (SeaweedFS, for one, does when a chunk's CRC no longer
    /// matches), the body stopped early, or the disk under a folder target
    /// gave an I/O error. A failing network looks the same, so callers
    /// confirm (the target still answers for the object, and a second read
    /// fails too) before they call the copy damaged.
    pub fn may_be_damaged_copy(&self) -> bool {
        match self {
            StoreError::ServerBusy { status, .. } => *status == 500,
            StoreError::Network { op, .. } => *op == "download",
            StoreError::Io { source, .. } => !matches!(
                source.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::Interrupted
            ),
            _ => false,
        }
    }

    /// A local disk Trove writes to (a download's destination) is full.
    /// (A full folder target is [`StoreError::Full`].)
    pub fn is_local_disk_full(&self) -> bool {
        // As `trove_types::is_no_space` has it (this crate depends on no
        // other of Trove's).
        matches!(self, StoreError::Io { source, .. } if matches!(
            source.kind(),
            std::io::ErrorKind::StorageFull | std::io::ErrorKind::QuotaExceeded
        ))
    }

    /// Errors that no retry of any object will fix and that should stop a
    /// whole sync: wrong credentials, missing bucket, full bucket, denied.
    pub fn stops_everything(&self) -> bool {
        matches!(
            self,
            StoreError::NoBucket { .. }
                | StoreError::BadCredentials { .. }
                | StoreError::NoCredentials { .. }
                | StoreError::AccessDenied { .. }
                | StoreError::Full { .. }
        )
    }

    /// Stable, machine-readable code for the UI and the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::NotFound { .. } => "store_not_found",
            StoreError::NoBucket { .. } => "store_no_bucket",
            StoreError::BadCredentials { .. } => "store_bad_credentials",
            StoreError::AccessDenied { .. } => "store_access_denied",
            StoreError::NoCredentials { .. } => "store_no_credentials",
            StoreError::ChecksumMismatch { .. } => "store_checksum_mismatch",
            StoreError::Full { .. } => "store_full",
            StoreError::UploadGone { .. } => "store_upload_gone",
            StoreError::Network { .. } => "store_network",
            StoreError::ServerBusy { .. } => "store_server_busy",
            StoreError::Refused { .. } => "store_refused",
            StoreError::Archived { .. } => "store_archived",
            StoreError::Io { .. } => "store_io",
            StoreError::Unsupported { .. } => "store_unsupported",
            StoreError::Invalid(_) => "store_invalid",
        }
    }

    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        StoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
