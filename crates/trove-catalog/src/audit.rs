//! The audit trail: an append-only record of what happened to the copies
//! in the target (uploads, repairs, fixity checks with their results,
//! deletions, restores, recoveries). The sync state methods write their
//! rows in the same transaction as the state they change, so the record
//! and the state never disagree. The table refuses updates and deletes.

use rusqlite::params;
use serde::Serialize;

use crate::batch::Batch;
use crate::db::Catalog;
use crate::error::{Result, SqlContext};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditEvent {
    /// An object sent to the target and verified (or its failure).
    Upload,
    /// An object found missing or damaged, sent again and verified.
    Repair,
    /// An object read back and compared with its checksums.
    FixityCheck,
    Deletion,
    /// An original brought back from the target.
    Restore,
    /// A library built from the target.
    Recovery,
}

impl AuditEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            AuditEvent::Upload => "upload",
            AuditEvent::Repair => "repair",
            AuditEvent::FixityCheck => "fixity_check",
            AuditEvent::Deletion => "deletion",
            AuditEvent::Restore => "restore",
            AuditEvent::Recovery => "recovery",
        }
    }

    fn parse(s: &str) -> Option<AuditEvent> {
        Some(match s {
            "upload" => AuditEvent::Upload,
            "repair" => AuditEvent::Repair,
            "fixity_check" => AuditEvent::FixityCheck,
            "deletion" => AuditEvent::Deletion,
            "restore" => AuditEvent::Restore,
            "recovery" => AuditEvent::Recovery,
            _ => return None,
        })
    }

    /// The PREMIS event type (Library of Congress preservation vocabulary)
    /// this maps onto: its label and URI.
    pub fn premis(self) -> (&'static str, &'static str) {
        match self {
            AuditEvent::Upload | AuditEvent::Repair => {
                ("replication", "http://id.loc.gov/vocabulary/preservation/eventType/rep")
            }
            AuditEvent::FixityCheck => (
                "fixity check",
                "http://id.loc.gov/vocabulary/preservation/eventType/fix",
            ),
            AuditEvent::Deletion => ("deletion", "http://id.loc.gov/vocabulary/preservation/eventType/del"),
            AuditEvent::Restore | AuditEvent::Recovery => {
                ("recovery", "http://id.loc.gov/vocabulary/preservation/eventType/rec")
            }
        }
    }
}

/// A new row of the trail.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAudit<'a> {
    pub event: AuditEvent,
    pub success: bool,
    pub target: Option<&'a str>,
    pub key: Option<&'a str>,
    /// The asset's UUID.
    pub asset: Option<&'a str>,
    pub md5: Option<[u8; 16]>,
    pub blake3: Option<[u8; 32]>,
    pub size: Option<u64>,
    pub detail: Option<&'a str>,
    /// What set it off: `sync`, `verify`, `restore`, `recover`, `snapshot`,
    /// `retention`.
    pub trigger: &'a str,
}

/// One row of the trail.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditRecord {
    pub id: i64,
    /// Unix milliseconds.
    pub at: i64,
    pub event: AuditEvent,
    pub success: bool,
    pub target: Option<String>,
    pub key: Option<String>,
    pub asset: Option<String>,
    pub md5: Option<String>,
    pub blake3: Option<String>,
    pub size: Option<u64>,
    pub detail: Option<String>,
    pub trigger: String,
}

impl Batch<'_> {
    /// Appends a row to the trail.
    pub fn audit(&mut self, a: &NewAudit<'_>) -> Result<()> {
        let now = self.now();
        self.tx()
            .prepare_cached(
                "INSERT INTO audit (at, event, outcome, target, object_key, asset, md5, blake3, size, detail, trigger)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, CASE WHEN ?7 IS NOT NULL THEN lower(hex(?7)) END,
                         CASE WHEN ?8 IS NOT NULL THEN lower(hex(?8)) END, ?9, ?10, ?11)",
            )
            .ctx("append to the audit trail")?
            .execute(params![
                now,
                a.event.as_str(),
                if a.success { "success" } else { "failure" },
                a.target,
                a.key,
                a.asset,
                a.md5.as_ref().map(|m| &m[..]),
                a.blake3.as_ref().map(|b| &b[..]),
                a.size.map(|s| s.min(i64::MAX as u64) as i64),
                a.detail,
                a.trigger,
            ])
            .ctx("append to the audit trail")?;
        Ok(())
    }

    /// Appends a row about a sync object, with its key, target, asset,
    /// size and checksums as the catalog has them now.
    pub fn audit_object(
        &mut self,
        object: i64,
        event: AuditEvent,
        success: bool,
        detail: Option<&str>,
        trigger: &str,
    ) -> Result<()> {
        let now = self.now();
        self.tx()
            .prepare_cached(
                "INSERT INTO audit (at, event, outcome, target, object_key, asset, md5, blake3, size, detail, trigger)
                 SELECT ?2, ?3, ?4, t.url, o.key, a.uuid, CASE WHEN o.md5 IS NOT NULL THEN lower(hex(o.md5)) END,
                        CASE WHEN o.role = 'original' THEN lower(hex(a.blake3)) END, o.size, ?5, ?6
                 FROM sync_objects o JOIN targets t ON t.id = o.target_id
                      LEFT JOIN assets a ON a.id = o.asset_id
                 WHERE o.id = ?1",
            )
            .ctx("append to the audit trail")?
            .execute(params![
                object,
                now,
                event.as_str(),
                if success { "success" } else { "failure" },
                detail,
                trigger
            ])
            .ctx("append to the audit trail")?;
        Ok(())
    }
}

impl Catalog {
    /// The trail, oldest first: rows after `after_id`, at or after
    /// `since_ms`, about `asset` (a UUID) when given; at most `limit`.
    pub fn audit_trail(
        &self,
        after_id: i64,
        since_ms: Option<i64>,
        asset: Option<&str>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, at, event, outcome, target, object_key, asset, md5, blake3, size, detail, trigger
                 FROM audit
                 WHERE id > ?1 AND (?2 IS NULL OR at >= ?2) AND (?3 IS NULL OR asset = ?3)
                 ORDER BY id LIMIT ?4",
            )
            .ctx("read the audit trail")?;
        let rows = stmt
            .query_map(params![after_id, since_ms, asset, limit], audit_row)
            .ctx("read the audit trail")?;
        rows.collect::<rusqlite::Result<_>>().ctx("read the audit trail")
    }

    /// The newest rows of the trail before row `before_id` (all when
    /// `None`), newest first; only failures when `failures_only`: what a
    /// History view pages through.
    pub fn audit_newest(&self, before_id: Option<i64>, failures_only: bool, limit: u32) -> Result<Vec<AuditRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, at, event, outcome, target, object_key, asset, md5, blake3, size, detail, trigger
                 FROM audit
                 WHERE (?1 IS NULL OR id < ?1) AND (NOT ?2 OR outcome = 'failure')
                 ORDER BY id DESC LIMIT ?3",
            )
            .ctx("read the audit trail")?;
        let rows = stmt
            .query_map(params![before_id, failures_only, limit], audit_row)
            .ctx("read the audit trail")?;
        rows.collect::<rusqlite::Result<_>>().ctx("read the audit trail")
    }
}

fn audit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRecord> {
    let event: String = r.get(2)?;
    let outcome: String = r.get(3)?;
    Ok(AuditRecord {
        id: r.get(0)?,
        at: r.get(1)?,
        // The table's CHECK allows only the events `parse` knows.
        event: AuditEvent::parse(&event).unwrap_or(AuditEvent::Upload),
        success: outcome == "success",
        target: r.get(4)?,
        key: r.get(5)?,
        asset: r.get(6)?,
        md5: r.get(7)?,
        blake3: r.get(8)?,
        size: r.get::<_, Option<i64>>(9)?.map(|s| s.max(0) as u64),
        detail: r.get(10)?,
        trigger: r.get(11)?,
    })
}
