use std::path::PathBuf;

use trove_catalog::CatalogError;

/// Errors of the library API. Each says what went wrong with which path, id
/// or value, and has a stable [`CoreError::code`] that front ends match on.
/// Advice that names a front end's own controls (a CLI command, an
/// environment variable, a button) is the front end's to add, by code: the
/// messages here hold only what is true whichever front end shows them.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(
        "the library {} is in use by another Trove process (pid {pid}); close it, or open the library read-only",
        path.display()
    )]
    Locked { path: PathBuf, pid: String },
    #[error("no Trove library at {}", path.display())]
    NoLibrary { path: PathBuf },
    #[error("{op} {}: {source}", path.display())]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A write found no room (ENOSPC, or a quota). Nothing half-written is
    /// kept; the same work succeeds once there is space.
    #[error("{op} {}: the disk is full; free some space on it", path.display())]
    DiskFull { op: &'static str, path: PathBuf },
    #[error("{} is not a folder; add a folder that holds your photos and videos", path.display())]
    NotAFolder { path: PathBuf },
    #[error("{} is inside the library folder {}; Trove cannot watch its own data", path.display(), library.display())]
    RootInsideLibrary { path: PathBuf, library: PathBuf },
    #[error(
        "the library folder {} is inside {}; Trove would catalog its own data. Keep the library elsewhere or add a folder that does not contain it",
        library.display(), path.display()
    )]
    LibraryInsideRoot { path: PathBuf, library: PathBuf },
    #[error("{} overlaps the watched folder {}; remove that one first or add a folder that does not contain or lie inside it", path.display(), other.display())]
    RootOverlaps { path: PathBuf, other: PathBuf },
    #[error("no asset or file matches {query:?}")]
    AssetNotFound { query: String },
    #[error("no watched folder matches {query:?}")]
    RootNotFound { query: String },
    #[error("this library is open read-only; {op} needs the writer, another Trove process")]
    ReadOnly { op: &'static str },
    #[error("cancelled")]
    Cancelled,
    #[error("watching {} failed: {detail}", path.display())]
    Watch { path: PathBuf, detail: String },
    /// No sync target is set.
    #[error("no sync target is set")]
    NoTarget,
    /// The target (bucket or folder) failed.
    #[error(transparent)]
    Store(#[from] trove_store::StoreError),
    /// A restore would overwrite a different file.
    #[error("{} exists and differs from the asset; not overwritten", path.display())]
    RestoreConflict { path: PathBuf },
    /// A restore into the originals' places whose folder is not there (an
    /// unplugged drive, a folder gone, another machine): writing it anew
    /// could fill the disk a drive is mounted on.
    #[error(
        "{} is not there (an unplugged drive, or a folder that is gone); originals go back into their folder only when it is there: plug the drive in, or restore them into another folder",
        path.display()
    )]
    RestoreFolderMissing { path: PathBuf },
    /// What the target returned is not the asset's content.
    #[error("{key} in the target does not match the catalogued content ({detail})")]
    Damaged { key: String, detail: String },
    /// A share's expiry that is not a duration Trove can sign for.
    #[error("cannot share for {asked:?}: {why}")]
    ShareExpiry { asked: String, why: &'static str },
    /// An upload request's options (accepted types, largest file) that make
    /// no request.
    #[error("cannot request files with {asked}: {why}")]
    RequestInvalid { asked: String, why: &'static str },
    /// A curation value (stars, flag, label, keyword, text) that cannot be
    /// set.
    #[error("cannot curate with this value: {0}")]
    CurationInvalid(#[from] trove_types::CurationValueError),
    /// A folder target and a watched folder (or the library) inside one
    /// another: sync would copy its own copies, or scans would catalog them.
    #[error(
        "the folder target {} and the {what} {} lie inside one another; the target must be a folder of its own",
        target.display(),
        other.display()
    )]
    TargetOverlaps {
        target: PathBuf,
        what: &'static str,
        other: PathBuf,
    },
    /// A target setting the bucket cannot be asked for: a malformed
    /// storage class, an archive class nothing can read back without a
    /// restore, an encryption mode S3 does not know, a KMS key without
    /// aws:kms.
    #[error("{detail}")]
    BadTargetSetting { detail: String },
    /// The whole disk or one of the operating system's folders.
    #[error("{} is the whole disk or a system folder; add the folders that hold your files", path.display())]
    SystemFolder { path: PathBuf },
    /// A log filter (`RUST_LOG`) that is not one.
    #[error(
        "the log filter {filter:?} is not valid ({detail}); use a level such as info or debug, or directives like trove_core=debug"
    )]
    BadLogFilter { filter: String, detail: String },
    /// An album that does not exist, by the name or id given.
    #[error("no album {key:?}")]
    AlbumNotFound { key: String },
    /// An album change the album tree does not allow (a name taken, a
    /// folder that still holds albums, assets put in a folder).
    #[error("cannot change the album {album:?}: {why}")]
    AlbumRefused { album: String, why: String },
    /// A sidecar Trove would not update (not XMP, not UTF-8, too large);
    /// it is left as it is.
    #[error("the sidecar {} cannot be updated: {detail}", path.display())]
    Sidecar { path: PathBuf, detail: String },
    /// An edit's selection that names no asset.
    #[error("the selection {selection} names no asset; nothing was changed")]
    NothingSelected { selection: String },
    /// `recover` into a folder that already holds a library.
    #[error("{} already holds a Trove library; recover into a new, empty folder", path.display())]
    LibraryExists { path: PathBuf },
    /// The target holds no catalog snapshot (at or before the time asked).
    #[error(
        "{target} holds no catalog snapshot and no asset manifest to recover from ({found} snapshot(s) in all; when a time is asked, only those taken at or before it count; each sync stores both)"
    )]
    NoSnapshot { target: String, found: usize },
    #[error("the target {target} is a folder, which cannot make links; share from an S3-compatible bucket")]
    ShareNeedsBucket { target: String },
    #[error("this share was signed with the sharing key, which was not given")]
    ShareKeyNeeded,
    #[error("{query:?} matches {found} assets; a share holds at most 1000 (narrow the query)")]
    ShareTooBig { query: String, found: u64 },
    #[error("cannot share {name}: {why}")]
    NothingToShare { name: String, why: &'static str },
    #[error("no share {id}")]
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
    /// A search that could not run: a bad query (a user error, with the
    /// query's own code), or an index that cannot be used.
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
                CatalogError::Full { .. } => "disk_full",
                CatalogError::NotFound { .. } => "not_found",
                _ => "catalog_error",
            },
            CoreError::Locked { .. } => "library_locked",
            CoreError::NoLibrary { .. } => "no_library",
            CoreError::Io { .. } => "io_error",
            CoreError::DiskFull { .. } => "disk_full",
            CoreError::NotAFolder { .. } => "not_a_folder",
            CoreError::RootInsideLibrary { .. } => "root_inside_library",
            CoreError::LibraryInsideRoot { .. } => "library_inside_root",
            CoreError::RootOverlaps { .. } => "root_overlaps",
            CoreError::AssetNotFound { .. } => "asset_not_found",
            CoreError::RootNotFound { .. } => "root_not_found",
            CoreError::ReadOnly { .. } => "read_only",
            CoreError::Cancelled => "cancelled",
            CoreError::Watch { .. } => "watch_failed",
            CoreError::Search { source, .. } if source.is_disk_full() => "disk_full",
            CoreError::Search { source, .. } => source.code(),
            CoreError::NoTarget => "no_target",
            CoreError::Store(e) if e.is_local_disk_full() => "disk_full",
            CoreError::Store(e) => e.code(),
            CoreError::RestoreConflict { .. } => "restore_conflict",
            CoreError::RestoreFolderMissing { .. } => "restore_folder_missing",
            CoreError::Damaged { .. } => "target_damaged",
            CoreError::ShareExpiry { .. } => "share_expiry_invalid",
            CoreError::RequestInvalid { .. } => "request_invalid",
            CoreError::CurationInvalid(_) => "curation_invalid",
            CoreError::AlbumNotFound { .. } => "album_not_found",
            CoreError::SystemFolder { .. } => "system_folder",
            CoreError::BadLogFilter { .. } => "bad_log_filter",
            CoreError::TargetOverlaps { .. } => "target_overlaps",
            CoreError::BadTargetSetting { .. } => "bad_storage_setting",
            CoreError::AlbumRefused { .. } => "album_refused",
            CoreError::Sidecar { .. } => "sidecar_refused",
            CoreError::NothingSelected { .. } => "nothing_selected",
            CoreError::LibraryExists { .. } => "library_exists",
            CoreError::NoSnapshot { .. } => "no_snapshot",
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

    /// Every code [`CoreError::code`] gives: the core's own, the target's
    /// (`store_*`) and the search's (`query_*`, `index_*`). Front ends map
    /// each to their advice; their tests check none is missing.
    pub fn codes() -> impl Iterator<Item = &'static str> {
        CODES
            .iter()
            .chain(trove_store::StoreError::CODES)
            .chain(trove_search::SearchError::CODES)
            .copied()
    }

    /// What a front end's advice table (`(code, advice)`, empty advice where
    /// the message says all) adds for `code`.
    pub fn advice(table: &[(&'static str, &'static str)], code: &str) -> Option<&'static str> {
        table
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, advice)| *advice)
            .filter(|advice| !advice.is_empty())
    }

    /// Where an advice table and [`CoreError::codes`] disagree: codes it has
    /// no line for, and lines for codes that no longer exist. Empty when the
    /// table covers every code exactly once; front ends assert that.
    pub fn advice_gaps(table: &[(&str, &str)]) -> Vec<String> {
        let codes: Vec<&str> = CoreError::codes().collect();
        let mut gaps: Vec<String> = codes
            .iter()
            .filter(|code| table.iter().filter(|(c, _)| c == *code).count() != 1)
            .map(|code| format!("{code}: not one line"))
            .collect();
        gaps.extend(
            table
                .iter()
                .filter(|(c, _)| !codes.contains(c))
                .map(|(c, _)| format!("{c}: no longer a code")),
        );
        gaps
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
                | CoreError::RestoreFolderMissing { .. }
                | CoreError::ShareExpiry { .. }
                | CoreError::RequestInvalid { .. }
                | CoreError::CurationInvalid(_)
                | CoreError::AlbumNotFound { .. }
                | CoreError::SystemFolder { .. }
                | CoreError::BadLogFilter { .. }
                | CoreError::TargetOverlaps { .. }
                | CoreError::BadTargetSetting { .. }
                | CoreError::AlbumRefused { .. }
                | CoreError::NothingSelected { .. }
                | CoreError::LibraryExists { .. }
                | CoreError::NoSnapshot { .. }
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

    /// A failed file-system operation; a full disk (or quota) is
    /// [`CoreError::DiskFull`], so callers can wait for space.
    pub(crate) fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        if trove_types::is_no_space(&source) {
            return CoreError::DiskFull { op, path: path.into() };
        }
        CoreError::Io {
            op,
            path: path.into(),
            source,
        }
    }

    /// True when a disk Trove writes to is full: the work waits for space
    /// rather than failing for good.
    pub fn is_disk_full(&self) -> bool {
        match self {
            CoreError::DiskFull { .. } => true,
            CoreError::Catalog(c) => c.is_disk_full(),
            CoreError::Search { source, .. } => source.is_disk_full(),
            CoreError::Store(e) => e.is_local_disk_full(),
            _ => false,
        }
    }
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;

/// The core's own codes (see [`CoreError::codes`] for all).
const CODES: &[&str] = &[
    "catalog_too_new",
    "catalog_needs_upgrade",
    "catalog_corrupt",
    "catalog_busy",
    "not_found",
    "catalog_error",
    "library_locked",
    "no_library",
    "io_error",
    "disk_full",
    "not_a_folder",
    "root_inside_library",
    "library_inside_root",
    "root_overlaps",
    "asset_not_found",
    "root_not_found",
    "read_only",
    "cancelled",
    "watch_failed",
    "no_target",
    "restore_conflict",
    "restore_folder_missing",
    "target_damaged",
    "share_expiry_invalid",
    "request_invalid",
    "curation_invalid",
    "library_exists",
    "no_snapshot",
    "album_not_found",
    "system_folder",
    "bad_log_filter",
    "target_overlaps",
    "bad_storage_setting",
    "album_refused",
    "sidecar_refused",
    "nothing_selected",
    "share_needs_bucket",
    "share_key_needed",
    "share_too_big",
    "nothing_to_share",
    "share_not_found",
    "share_not_live",
    "share_request_renew",
    "share_copy_failed",
    "page_render_failed",
    "full_image_failed",
];

#[cfg(test)]
mod tests {
    use super::*;

    /// One error of every variant (and every catalog class). The match in
    /// `variant` has no wildcard: a new variant does not compile until it
    /// is added here, and so to the codes.
    fn samples() -> Vec<CoreError> {
        let p = || PathBuf::from("/p");
        let s = || "x".to_owned();
        let io = || std::io::Error::other("x");
        vec![
            CoreError::Catalog(CatalogError::TooNew {
                path: p(),
                found: 99,
                known: 1,
            }),
            CoreError::Catalog(CatalogError::NotFound {
                what: "asset",
                key: s(),
            }),
            CoreError::Locked { path: p(), pid: s() },
            CoreError::NoLibrary { path: p() },
            CoreError::io("read", p(), io()),
            CoreError::io("write", p(), std::io::Error::from(std::io::ErrorKind::StorageFull)),
            CoreError::NotAFolder { path: p() },
            CoreError::RootInsideLibrary {
                path: p(),
                library: p(),
            },
            CoreError::LibraryInsideRoot {
                path: p(),
                library: p(),
            },
            CoreError::RootOverlaps { path: p(), other: p() },
            CoreError::AssetNotFound { query: s() },
            CoreError::RootNotFound { query: s() },
            CoreError::ReadOnly { op: "x" },
            CoreError::Cancelled,
            CoreError::Watch { path: p(), detail: s() },
            CoreError::NoTarget,
            CoreError::Store(trove_store::StoreError::Invalid(s())),
            CoreError::RestoreConflict { path: p() },
            CoreError::RestoreFolderMissing { path: p() },
            CoreError::Damaged { key: s(), detail: s() },
            CoreError::ShareExpiry { asked: s(), why: "x" },
            CoreError::RequestInvalid { asked: s(), why: "x" },
            CoreError::CurationInvalid(trove_types::CurationValueError::new("rating", "9", "0 to 5 stars")),
            CoreError::NothingSelected { selection: s() },
            CoreError::LibraryExists { path: p() },
            CoreError::NoSnapshot { target: s(), found: 0 },
            CoreError::AlbumNotFound { key: s() },
            CoreError::SystemFolder { path: p() },
            CoreError::BadLogFilter {
                filter: s(),
                detail: s(),
            },
            CoreError::TargetOverlaps {
                target: p(),
                what: "x",
                other: p(),
            },
            CoreError::BadTargetSetting { detail: s() },
            CoreError::AlbumRefused { album: s(), why: s() },
            CoreError::Sidecar { path: p(), detail: s() },
            CoreError::ShareNeedsBucket { target: s() },
            CoreError::ShareKeyNeeded,
            CoreError::ShareTooBig { query: s(), found: 2 },
            CoreError::NothingToShare { name: s(), why: "x" },
            CoreError::ShareNotFound { id: s() },
            CoreError::ShareNotLive { id: s(), state: "x" },
            CoreError::ShareRequestRenew { id: s() },
            CoreError::ShareCopy { key: s(), detail: s() },
            CoreError::PageRender {
                path: p(),
                page: 1,
                detail: s(),
            },
            CoreError::FullImage { path: p(), detail: s() },
            CoreError::Search {
                path: p(),
                source: trove_search::SearchError::QueryTooLong { len: 9, max: 1 },
            },
        ]
    }

    fn variant(e: &CoreError) -> &'static str {
        match e {
            CoreError::Catalog(_) => "Catalog",
            CoreError::Locked { .. } => "Locked",
            CoreError::NoLibrary { .. } => "NoLibrary",
            CoreError::Io { .. } => "Io",
            CoreError::DiskFull { .. } => "DiskFull",
            CoreError::NotAFolder { .. } => "NotAFolder",
            CoreError::RootInsideLibrary { .. } => "RootInsideLibrary",
            CoreError::LibraryInsideRoot { .. } => "LibraryInsideRoot",
            CoreError::RootOverlaps { .. } => "RootOverlaps",
            CoreError::AssetNotFound { .. } => "AssetNotFound",
            CoreError::RootNotFound { .. } => "RootNotFound",
            CoreError::ReadOnly { .. } => "ReadOnly",
            CoreError::Cancelled => "Cancelled",
            CoreError::Watch { .. } => "Watch",
            CoreError::NoTarget => "NoTarget",
            CoreError::Store(_) => "Store",
            CoreError::RestoreConflict { .. } => "RestoreConflict",
            CoreError::RestoreFolderMissing { .. } => "RestoreFolderMissing",
            CoreError::Damaged { .. } => "Damaged",
            CoreError::ShareExpiry { .. } => "ShareExpiry",
            CoreError::RequestInvalid { .. } => "RequestInvalid",
            CoreError::CurationInvalid(_) => "CurationInvalid",
            CoreError::NothingSelected { .. } => "NothingSelected",
            CoreError::LibraryExists { .. } => "LibraryExists",
            CoreError::NoSnapshot { .. } => "NoSnapshot",
            CoreError::AlbumNotFound { .. } => "AlbumNotFound",
            CoreError::SystemFolder { .. } => "SystemFolder",
            CoreError::BadLogFilter { .. } => "BadLogFilter",
            CoreError::TargetOverlaps { .. } => "TargetOverlaps",
            CoreError::BadTargetSetting { .. } => "BadTargetSetting",
            CoreError::AlbumRefused { .. } => "AlbumRefused",
            CoreError::Sidecar { .. } => "Sidecar",
            CoreError::ShareNeedsBucket { .. } => "ShareNeedsBucket",
            CoreError::ShareKeyNeeded => "ShareKeyNeeded",
            CoreError::ShareTooBig { .. } => "ShareTooBig",
            CoreError::NothingToShare { .. } => "NothingToShare",
            CoreError::ShareNotFound { .. } => "ShareNotFound",
            CoreError::ShareNotLive { .. } => "ShareNotLive",
            CoreError::ShareRequestRenew { .. } => "ShareRequestRenew",
            CoreError::ShareCopy { .. } => "ShareCopy",
            CoreError::PageRender { .. } => "PageRender",
            CoreError::FullImage { .. } => "FullImage",
            CoreError::Search { .. } => "Search",
        }
    }

    #[test]
    fn every_variant_has_a_listed_code_and_every_code_is_listed_once() {
        let all: Vec<&str> = CoreError::codes().collect();
        let samples = samples();
        let variants: std::collections::BTreeSet<&str> = samples.iter().map(variant).collect();
        assert_eq!(variants.len(), 43, "one sample per variant: {variants:?}");
        for e in &samples {
            assert!(
                all.contains(&e.code()),
                "{} ({}) is not in CoreError::codes()",
                e.code(),
                variant(e)
            );
        }
        let mut seen = std::collections::BTreeSet::new();
        for c in &all {
            assert!(seen.insert(c), "{c} is listed twice");
        }
    }

    #[test]
    fn advice_gaps_name_missing_doubled_and_stale_codes() {
        let full: Vec<(&'static str, &'static str)> = CoreError::codes().map(|c| (c, "")).collect();
        assert!(CoreError::advice_gaps(&full).is_empty());
        let mut bad = full[1..].to_vec();
        bad.push(("no_target", "again"));
        bad.push(("gone_code", ""));
        let gaps = CoreError::advice_gaps(&bad);
        assert!(gaps.contains(&format!("{}: not one line", full[0].0)), "{gaps:?}");
        assert!(gaps.contains(&"no_target: not one line".to_owned()), "{gaps:?}");
        assert!(gaps.contains(&"gone_code: no longer a code".to_owned()), "{gaps:?}");
        assert_eq!(
            CoreError::advice(&[("no_target", "set one"), ("cancelled", "")], "no_target"),
            Some("set one")
        );
        assert_eq!(CoreError::advice(&[("cancelled", "")], "cancelled"), None);
    }

    /// Messages hold no front end's words: no CLI command, no flag, no
    /// environment variable (front ends add those by code).
    #[test]
    fn messages_name_no_front_end() {
        for e in samples() {
            let m = e.to_string();
            for word in ["`trove", "--", "TROVE_", "AWS_"] {
                assert!(!m.contains(word), "{}: {m:?} names {word:?}", e.code());
            }
        }
    }
}
