//! The sync target's settings, folder policies, verification, and the
//! operations the page can stop.

use serde::Serialize;
use ts_rs::TS;

/// The sync target as the settings show it (no secrets).
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncSettingsDto {
    /// `s3://bucket/prefix` or `file:///path`; null when none is set.
    pub url: Option<String>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Where the credentials come from: "keychain" (stored by Trove),
    /// "environment" (AWS_* variables or ~/.aws, when no keychain entry).
    pub credentials: String,
    /// Whether the OS keychain answered (a Secret Service on Linux).
    pub keychain: bool,
    /// Why the keychain cannot be used, when it cannot.
    pub keychain_error: Option<String>,
    #[ts(type = "number")]
    pub verified: u64,
    #[ts(type = "number")]
    pub pending: u64,
    #[ts(type = "number")]
    pub failed: u64,
    /// Objects in an archive storage class whose restore was asked for
    /// (a fixity check reads them once they are back).
    #[ts(type = "number")]
    pub archive_waits: u64,
    pub running: bool,
    /// Days an edited file's earlier version stays in the target once the
    /// new one is verified; null keeps it forever.
    pub keep_replaced_days: Option<u32>,
    /// Storage class of originals (STANDARD_IA...); null: the bucket's
    /// default.
    pub storage_class: Option<String>,
    /// Storage class of proxies and manifests; null: the bucket's default.
    pub proxy_storage_class: Option<String>,
    /// Server-side encryption asked for: AES256 or aws:kms; null: the
    /// bucket's default.
    pub sse: Option<String>,
    /// The KMS key asked for under aws:kms (id, alias or ARN); null: the
    /// bucket's key.
    pub sse_kms_key_id: Option<String>,
    /// How archived originals are asked back: Standard, Bulk or Expedited;
    /// null: Standard.
    pub restore_tier: Option<String>,
    /// What each watched folder sends.
    pub policies: Vec<RootPolicyDto>,
}

/// What one watched folder sends to the target.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RootPolicyDto {
    #[ts(type = "number")]
    pub root_id: i64,
    pub path: String,
    /// "all" (originals and proxies), "proxies" or "none".
    pub policy: String,
}

/// What a fixity check found.
#[derive(Debug, Clone, Serialize, TS)]
pub struct VerifyDto {
    /// Objects read back and compared.
    #[ts(type = "number")]
    pub checked: u64,
    #[ts(type = "number")]
    pub ok: u64,
    /// "key: what differs" for damaged objects (queued to be sent again).
    pub damaged: Vec<String>,
    /// Keys the target no longer has (queued to be sent again).
    pub missing: Vec<String>,
    /// "key: error" for objects that could not be read (left as they are).
    pub errors: Vec<String>,
    /// Keys of objects in an archive storage class whose restore was asked
    /// for; a later check reads them once they are back.
    pub archived: Vec<String>,
}

impl From<&trove_core::VerifyReport> for VerifyDto {
    fn from(r: &trove_core::VerifyReport) -> Self {
        VerifyDto {
            checked: r.checked,
            ok: r.ok,
            damaged: r.damaged.iter().map(|(k, why)| format!("{k}: {why}")).collect(),
            missing: r.missing.clone(),
            errors: r.errors.iter().map(|(k, why)| format!("{k}: {why}")).collect(),
            archived: r.archived.iter().map(|(k, _)| k.clone()).collect(),
        }
    }
}

/// One row of the audit trail, for the History view.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditDto {
    #[ts(type = "number")]
    pub id: i64,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub at: i64,
    /// upload, repair, fixity_check, deletion, restore or recovery.
    pub event: String,
    pub success: bool,
    /// The object's key in the target.
    pub key: Option<String>,
    /// The asset's id.
    pub asset: Option<String>,
    #[ts(type = "number | null")]
    pub size: Option<u64>,
    pub detail: Option<String>,
    /// What set it off (sync, verify, reconcile, restore, recover...).
    pub trigger: String,
}

impl From<&trove_core::AuditRecord> for AuditDto {
    fn from(r: &trove_core::AuditRecord) -> Self {
        AuditDto {
            id: r.id,
            at: r.at,
            event: r.event.as_str().to_owned(),
            success: r.success,
            key: r.key.clone(),
            asset: r.asset.clone(),
            size: r.size,
            detail: r.detail.clone(),
            trigger: r.trigger.clone(),
        }
    }
}

/// Long work the page can stop with `cancel_operation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `sync_now`'s background sync.
    Sync,
    /// `verify_now`.
    Verify,
    /// `import_incoming`.
    ImportIncoming,
    /// `restore_originals`.
    Restore,
    /// `recover_library`.
    Recover,
}

/// What restoring a folder's originals from the target did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RestoreDto {
    /// Files brought back, verified.
    #[ts(type = "number")]
    pub restored: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Files already in place with the right content.
    #[ts(type = "number")]
    pub already_there: u64,
    /// Assets with no verified original in the target.
    #[ts(type = "number")]
    pub not_synced: u64,
    /// Originals in an archive storage class whose restore was asked for;
    /// restoring again after `next_look_ms` brings them.
    #[ts(type = "number")]
    pub archived: u64,
    /// Unix ms.
    #[ts(type = "number | null")]
    pub next_look_ms: Option<i64>,
}

impl From<&trove_core::RestoreReport> for RestoreDto {
    fn from(r: &trove_core::RestoreReport) -> Self {
        RestoreDto {
            restored: r.restored.len() as u64,
            bytes: r.bytes,
            already_there: r.already_there,
            not_synced: r.not_synced.len() as u64,
            archived: r.archived.len() as u64,
            next_look_ms: r.archived.iter().map(|a| a.1).min(),
        }
    }
}
