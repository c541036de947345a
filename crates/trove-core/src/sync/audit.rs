//! The audit trail, read: every upload, repair, fixity check, deletion,
//! restore and recovery the catalog recorded (`trove_catalog::audit`), and
//! its export as PREMIS events (JSON lines), which digital-preservation
//! tools read.

use serde_json::{Value, json};
use trove_catalog::AuditRecord;
use trove_types::AssetId;

use crate::error::Result;
use crate::library::Library;

/// The most rows one read returns.
pub const MAX_AUDIT_PAGE: u32 = 10_000;

impl Library {
    /// Rows of the trail after `after_id`, oldest first, at or after
    /// `since_ms` and about `asset` when given.
    pub fn audit_trail(
        &self,
        after_id: i64,
        since_ms: Option<i64>,
        asset: Option<AssetId>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>> {
        let asset = asset.map(|a| a.to_string());
        Ok(self
            .catalog()
            .audit_trail(after_id, since_ms, asset.as_deref(), limit.min(MAX_AUDIT_PAGE))?)
    }
}

/// One row as a PREMIS 3 event (in JSON, with PREMIS's semantic unit
/// names): its identifier, type (label and Library of Congress URI), time,
/// outcome, detail, the objects it concerns (the asset's UUID, the object's
/// key in its target, with checksums) and the agent (this Trove).
pub fn premis_event(r: &AuditRecord) -> Value {
    let (label, uri) = r.event.premis();
    let time = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.at) * 1_000_000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default();
    let mut objects = Vec::new();
    if let Some(a) = &r.asset {
        objects.push(json!({"linkingObjectIdentifierType": "trove-asset-uuid", "linkingObjectIdentifierValue": a}));
    }
    if let Some(k) = &r.key {
        objects.push(json!({
            "linkingObjectIdentifierType": "object-key",
            "linkingObjectIdentifierValue": match &r.target {
                Some(t) => format!("{}/{k}", t.trim_end_matches('/')),
                None => k.clone(),
            },
        }));
    }
    let mut fixity = Vec::new();
    if let Some(m) = &r.md5 {
        fixity.push(json!({"messageDigestAlgorithm": "MD5", "messageDigest": m}));
    }
    if let Some(b) = &r.blake3 {
        fixity.push(json!({"messageDigestAlgorithm": "BLAKE3", "messageDigest": b}));
    }
    json!({
        "eventIdentifier": {"eventIdentifierType": "trove-audit", "eventIdentifierValue": r.id.to_string()},
        "eventType": {"label": label, "uri": uri, "trove": r.event.as_str()},
        "eventDateTime": time,
        "eventDetailInformation": {"eventDetail": r.detail, "trigger": r.trigger},
        "eventOutcomeInformation": {"eventOutcome": if r.success { "success" } else { "failure" }},
        "linkingAgentIdentifier": {
            "linkingAgentIdentifierType": "software",
            "linkingAgentIdentifierValue": concat!("Trove ", env!("CARGO_PKG_VERSION")),
        },
        "linkingObjectIdentifier": objects,
        "fixity": fixity,
        "size": r.size,
    })
}
