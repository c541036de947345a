//! Trove's catalog: one SQLite file per library.
//!
//! The catalog is the source of truth for everything Trove knows: watched
//! roots, assets (one per unique content), the files that hold them, their
//! metadata, the durable job queue and an append-only event log whose ids
//! double as the catalog's change sequence.
//!
//! This crate knows nothing of tokio, Tantivy, the network or the file
//! system beyond the catalog file itself. Times are passed in as Unix
//! milliseconds so callers (and tests) own the clock.

mod albums;
mod archive;
mod audit;
mod batch;
mod curation;
mod db;
mod derivatives;
mod error;
mod fixity;
mod jobs;
mod keywords;
mod model;
pub mod paths;
mod queries;
mod recovery;
mod rows;
mod shares;
mod sidecar_writes;
mod sync;
mod upload_state;

pub use albums::{AlbumKind, AlbumRecord, Comment};
pub use archive::ArchiveWait;
pub use audit::{AuditEvent, AuditRecord, NewAudit};
pub use batch::{Batch, event_kind};
pub use curation::{Curation, CurationChange, EditRecord, EditState, MAX_TEXT_BYTES, TextField};
pub use db::{Catalog, SCHEMA_VERSION, check_file, check_snapshot};
pub use derivatives::Derivative;
pub use error::{CatalogError, Result};
pub use fixity::FixityProgress;
pub use jobs::{FailOutcome, Job, JobCounts, JobState, NewJob, STOPPED_WHILE_WORKING};
pub use keywords::KeywordNode;
pub use model::*;
pub use recovery::{RecoveredAs, RecoveredAsset, RecoveredFile};
pub use shares::{ShareItem, ShareKind, ShareRecord};
pub use sidecar_writes::SidecarCounts;
pub use sync::{
    ObjectRole, ObjectState, PlannedObject, SyncCounts, SyncObject, SyncPart, SyncPolicy, TargetRecord, TargetSettings,
};
pub use upload_state::{UploadChange, UploadRow, UploadState};

#[doc(hidden)]
/// The SQL of each migration, for tests that build catalogs of old schemas.
pub fn migration_sql(version: usize) -> Option<&'static str> {
    db::MIGRATIONS.get(version.checked_sub(1)?).copied()
}
