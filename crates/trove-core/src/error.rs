use std::path::PathBuf;

use trove_catalog::CatalogError;

/// Errors of the library API. Each names the path, id or value involved and
/// has a stable [`CoreError::code`] that front ends match on.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(
        "the library {} is in use by another Trove process (pid {pid}); close it, or open the library read-only",
        path.display()
    )]
    Locked { path: PathBuf, pid: String },
    #[error("no Trove library at {}; create one with `trove init` or pick another folder", path.display())]
    NoLibrary { path: PathBuf },
    #[error("{op} {}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a folder; add a folder that holds your photos and videos", path.display())]
    NotAFolder { path: PathBuf },
    #[error("{} is inside the library folder {}; Trove cannot watch its own data", path.display(), library.display())]
    RootInsideLibrary { path: PathBuf, library: PathBuf },
    #[error(
        "the library folder {} is inside {}; Trove would catalog its own data. Keep the library elsewhere (--library) or add a folder that does not contain it",
        library.display(), path.display()
    )]
    LibraryInsideRoot { path: PathBuf, library: PathBuf },
    #[error("{} overlaps the watched folder {}; remove that one first or add a folder that does not contain or lie inside it", path.display(), other.display())]
    RootOverlaps { path: PathBuf, other: PathBuf },
    #[error(
        "no asset or file matches {query:?}; give an asset id (as `trove ls` prints) or the path of a catalogued file"
    )]
    AssetNotFound { query: String },
    #[error("no watched folder matches {query:?}; `trove roots` lists them")]
    RootNotFound { query: String },
    #[error("this library is open read-only; {op} needs the writer (stop the other Trove process first)")]
    ReadOnly { op: &'static str },
    #[error("cancelled")]
    Cancelled,
    #[error("watching {} failed: {detail}", path.display())]
    Watch { path: PathBuf, detail: String },
    /// No sync target is set.
    #[error("no sync target is set; set one with `trove target set s3://BUCKET/PREFIX` or `file:///PATH`")]
    NoTarget,
    /// The target (bucket or folder) failed.
    #[error(transparent)]
    Store(#[from] trove_store::StoreError),
    /// A restore would overwrite a different file.
    #[error("{} exists and differs from the asset; not overwritten (restore --to another folder)", path.display())]
    RestoreConflict { path: PathBuf },
    /// What the target returned is not the asset's content.
    #[error("{key} in the target does not match the catalogued content ({detail}); run `trove verify`")]
    Damaged { key: String, detail: String },
    /// A search that could not run: a bad query (a user error, with the
    /// query's own code), or an index that cannot be used.
    #[error("cannot share for {asked:?}: {why}")]
    ShareExpiry { asked: String, why: &'static str },
    #[error(
        "the target {target} is a folder, which cannot make links; share from an S3-compatible bucket (`trove target set s3://BUCKET/PREFIX`)"
    )]
    ShareNeedsBucket { target: String },
    #[error(
        "this share was signed with the sharing key; give it again (TROVE_SHARE_ACCESS_KEY_ID and TROVE_SHARE_SECRET_ACCESS_KEY, or the target's share profile)"
    )]
    ShareKeyNeeded,
    #[error("{query:?} matches {found} assets; a share holds at most 1000 (narrow the query)")]
    ShareTooBig { query: String, found: u64 },
    #[error("cannot share {name}: {why}")]
    NothingToShare { name: String, why: &'static str },
    #[error("no share {id}; `trove share list` lists them")]
    ShareNotFound { id: String },
    #[error("share {id} is {state}; make a new share instead")]
    ShareNotLive { id: String, state: &'static str },
    #[error("share {id} is an upload request; its upload policy cannot be extended, make a new request instead")]
    ShareRequestRenew { id: String },
    #[error("copying {key} into the share failed: {detail}")]
    ShareCopy { key: String, detail: String },
    /// A PDF page could not be rendered (damaged file, missing poppler).
    #[error("rendering page {page} of {} failed: {detail}", path.display())]
    PageRender { path: PathBuf, page: u32, detail: String },
    /// An image could not be decoded at full size (damaged, too large).
    #[error("showing {} at full size failed: {detail}", path.display())]
    FullImage { path: PathBuf, detail: String },
    #[error("{source}")]
    Search {
        path: PathBuf,
        #[source]
        source: trove_search::SearchError,
    },
}

impl CoreError {
    /// A stable code for front ends. Never change an existing code.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Catalog(e) => match e {
                CatalogError::TooNew { .. } => "catalog_too_new",
                CatalogError::NeedsUpgrade { .. } => "catalog_needs_upgrade",
                CatalogError::Corrupt { .. } => "catalog_corrupt",
                CatalogError::Busy { .. } => "catalog_busy",
                CatalogError::NotFound { .. } => "not_found",
                _ => "catalog_error",
            },
            CoreError::Locked { .. } => "library_locked",
            CoreError::NoLibrary { .. } => "no_library",
            CoreError::Io { .. } => "io_error",
            CoreError::NotAFolder { .. } => "not_a_folder",
            CoreError::RootInsideLibrary { .. } => "root_inside_library",
            CoreError::LibraryInsideRoot { .. } => "library_inside_root",
            CoreError::RootOverlaps { .. } => "root_overlaps",
            CoreError::AssetNotFound { .. } => "asset_not_found",
            CoreError::RootNotFound { .. } => "root_not_found",
            CoreError::ReadOnly { .. } => "read_only",
            CoreError::Cancelled => "cancelled",
            CoreError::Watch { .. } => "watch_failed",
            CoreError::Search { source, .. } => source.code(),
            CoreError::NoTarget => "no_target",
            CoreError::Store(e) => e.code(),
            CoreError::RestoreConflict { .. } => "restore_conflict",
            CoreError::Damaged { .. } => "target_damaged",
            CoreError::ShareExpiry { .. } => "share_expiry_invalid",
            CoreError::ShareNeedsBucket { .. } => "share_needs_bucket",
            CoreError::ShareKeyNeeded => "share_key_needed",
            CoreError::ShareTooBig { .. } => "share_too_big",
            CoreError::NothingToShare { .. } => "nothing_to_share",
            CoreError::ShareNotFound { .. } => "share_not_found",
            CoreError::ShareNotLive { .. } => "share_not_live",
            CoreError::ShareRequestRenew { .. } => "share_request_renew",
            CoreError::ShareCopy { .. } => "share_copy_failed",
            CoreError::PageRender { .. } => "page_render_failed",
            CoreError::FullImage { .. } => "full_image_failed",
        }
    }

    /// True for mistakes in what the user asked (as opposed to failures of
    /// the machine or of Trove). Front ends use it to pick an exit code.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            CoreError::NotAFolder { .. }
                | CoreError::RootInsideLibrary { .. }
                | CoreError::LibraryInsideRoot { .. }
                | CoreError::RootOverlaps { .. }
                | CoreError::AssetNotFound { .. }
                | CoreError::RootNotFound { .. }
                | CoreError::NoLibrary { .. }
                | CoreError::NoTarget
                | CoreError::RestoreConflict { .. }
                | CoreError::ShareExpiry { .. }
                | CoreError::ShareNeedsBucket { .. }
                | CoreError::ShareKeyNeeded
                | CoreError::ShareTooBig { .. }
                | CoreError::NothingToShare { .. }
                | CoreError::ShareNotFound { .. }
                | CoreError::ShareNotLive { .. }
                | CoreError::ShareRequestRenew { .. }
                | CoreError::Store(trove_store::StoreError::Invalid(_))
        ) || matches!(self, CoreError::Search { source, .. } if source.is_user_error())
    }

    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        CoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
