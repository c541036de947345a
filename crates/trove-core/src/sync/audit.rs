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

impl Library {
    /// The newest rows of the trail before row `before_id`, newest first
    /// (only failures when asked): a History view's pages.
    pub fn audit_newest(&self, before_id: Option<i64>, failures_only: bool, limit: u32) -> Result<Vec<AuditRecord>> {
        Ok(self
            .catalog()
            .audit_newest(before_id, failures_only, limit.min(MAX_AUDIT_PAGE))?)
    }

    /// Writes the whole trail, oldest first, as PREMIS events (one JSON
    /// object a line) to the file `dest`, through a temporary file beside
    /// it (never half a file, never another file replaced halfway);
    /// returns how many.
    pub fn export_premis(&self, dest: &std::path::Path) -> Result<u64> {
        use std::io::Write as _;
        let parent = dest
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let tmp = parent.join(format!(".trove-history-{}.jsonl", uuid::Uuid::new_v4().simple()));
        let err = |e| crate::error::CoreError::io("write the history", dest, e);
        let written = (|| {
            let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(err)?);
            let mut after = 0;
            let mut n = 0;
            loop {
                let page = self.audit_trail(after, None, None, MAX_AUDIT_PAGE)?;
                let Some(last) = page.last() else { break };
                after = last.id;
                for r in &page {
                    serde_json::to_writer(&mut out, &premis_event(r)).map_err(|e| err(e.into()))?;
                    out.write_all(b"\n").map_err(err)?;
                    n += 1;
                }
            }
            out.into_inner()
                .map_err(|e| err(e.into_error()))?
                .sync_all()
                .map_err(err)?;
            std::fs::rename(&tmp, dest).map_err(err)?;
            Ok(n)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        written
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
