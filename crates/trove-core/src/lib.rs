//! The Trove library API. The CLI and the desktop app are thin shells over
//! this crate.
//!
//! # Glossary
//!
//! - **library**: a folder holding a catalog, a search index and proxies.
//!   One process at a time is its *writer*; others may read.
//! - **root**: a folder the user added; Trove watches it and never writes
//!   inside it. A root whose drive is unplugged is *offline*, not deleted.
//! - **original**: a user's file under a root.
//! - **asset**: one unique content (by BLAKE3), with a UUID that survives
//!   renames, moves and edits, and the user data attached to it. An asset
//!   has one or more **files** (copies); a file that disappears is marked
//!   *missing*, never forgotten.
//! - **metadata**: what an asset's content says of itself (EXIF, XMP,
//!   ffprobe, tags): one record, `trove_types::Metadata`.
//! - **curation**: what a person sets on an asset: stars (0-5), a flag
//!   (pick, reject), a colour label, title, caption, creator, rights and
//!   **keywords** (paths in a tree, `Places|Iceland|Reykjavik`). Until an
//!   asset is edited, its file's own XMP is its curation.
//! - **edit**: one change of curation on a **selection** (ids, or all a
//!   search finds): one transaction, one event, one step of undo/redo.
//! - **scan**: reconciling a root (or some paths in it) with the catalog.
//! - **job**: durable work in the catalog's queue, leased by a worker.
//! - **event**: progress and results the core reports to its front end.
//! - **proxy**: a derived file (thumbnail, preview, poster frame, playable
//!   copy...) made from an original; also called a derivative.
//! - **search index**: Tantivy's index of what the catalog knows; derived
//!   data, rebuilt from the catalog whenever needed.
//! - **target**: where sync sends originals, proxies and manifests (an
//!   S3-compatible bucket or a folder); an **object** is one file there,
//!   named by content.
//! - **share**: presigned links to some assets (or a share page, or an
//!   upload request) with an expiry, revocable.
//! - **report**: what an operation did, returned when it ends and carried by
//!   its event.
//!
//! This crate never prints, never reads environment variables or home
//! directories, and takes its clock, paths and progress sinks as arguments.

mod albums;
mod assets;
mod cancel;
mod clock;
mod curation;
mod error;
mod events;
mod fsmeta;
mod jobs;
mod library;
pub mod logs;
mod model;
mod proxies;
mod roots;
mod scan;
mod search;
mod share;
mod sidecars;
mod status;
mod sync;
mod watch;

pub use cancel::Cancel;
pub use clock::{Clock, SystemClock};
pub use curation::{MAX_EDIT_ASSETS, Selection};
pub use error::{CoreError, Result};
pub use events::{Event, EventSink, NoEvents, ScanPhase, ScanProgress, Sink, SyncProgress};
pub use jobs::{ALL_KINDS, JobRunSummary, WorkerOptions, kind as job_kind};
pub use library::{Access, CATALOG_FILE, DEFAULT_DECODE_MEMORY_MB, LOCK_FILE, Library, OpenOptions};
pub use model::{
    AddRootOptions, AssetDetail, AssetFilter, AssetSummary, DuplicateSet, FileInfo, FolderInfo, LibraryStatus,
    ProblemInfo, RootInfo, TimelineDay,
};
pub use proxies::{
    FULL_CACHE_KEEP, PAGE_LONG_SIDE, PROXY_GENERATOR, ProxyFile, SERVABLE_VARIANTS, WEB_VIEWABLE, proxy_rel_dir,
};
pub use scan::{ScanReport, ScanScope};
pub use search::{
    Direction as SortDirection, Facets, IndexReport, SEARCH_DIR, SearchError, SearchOutcome, SearchQuery,
};
pub use share::{
    DEFAULT_SHARE_EXPIRY, IncomingReport, MAX_SHARE_ASSETS, MAX_SHARE_EXPIRY, RequestOptions, RevokeReport,
    ShareCredentials, ShareInfo, ShareLink, ShareOptions, ShareOutcome, ShareState, parse_expiry,
};
pub use sidecars::{SidecarMode, SidecarNaming, SidecarReport, sidecar_fields};
pub use sync::{
    Adopted, ArchiveOptions, CredentialSource, FetchReport, FixityOptions, MAX_AUDIT_PAGE, PlanReport, ReconcileReport,
    RecoverProxies, RecoverReport, RecoverRequest, RestoreOptions, RestoreProgress, RestoreReport, SNAPSHOT_PREFIX,
    SnapshotInfo, SyncOptions, SyncReport, SyncStatus, Target, TargetSettings, UploadReport, UploadRequest,
    VerifyReport, adopt_recovered, check_kms_key, check_proxy_storage_class, check_restore_days, check_restore_tier,
    check_sse, check_storage_class, premis_event, recovery_staging_dir, recovery_waiting, upload,
};
pub use trove_catalog::ShareKind;
pub use trove_catalog::{
    AuditEvent, AuditRecord, ObjectRole, ObjectState, RemovedRoot, SyncCounts, SyncObject, SyncPolicy,
};
pub use trove_search::{FacetCount, Sort};
pub use trove_store::{RestoreTier, TargetUrl};
pub use watch::WatchOptions;

/// Catalog types that front ends see through this crate.
pub mod catalog {
    pub use trove_catalog::{
        AlbumKind, AlbumRecord, Comment, Curation, CurationChange, EditRecord, EditState, KeywordNode, Marks,
        SidecarCounts, TextField,
    };
    pub use trove_catalog::{
        Asset, AssetStatus, CatalogCounts, Derivative, FileRecord, Job, JobCounts, JobState, RootState, SCHEMA_VERSION,
        ScanProblem,
    };
    /// The technical metadata record, defined once in `trove-types`.
    pub use trove_types::Metadata;
}

pub use trove_types as types;
