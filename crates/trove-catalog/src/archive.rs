//! Objects waiting for their restore from an archive storage class
//! (schema 22): when the restore was asked for, at which tier, and when
//! to look again.

use rusqlite::params;

use crate::batch::Batch;
use crate::db::Catalog;
use crate::error::{Result, SqlContext};

/// One object whose restore was asked for and has not been read since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArchiveWait {
    /// The sync object (`sync_objects.id`).
    pub object_id: i64,
    /// The restore tier asked for (`Standard`, `Bulk`, `Expedited`).
    pub tier: String,
    /// The object's storage class when it was asked for, if the target said.
    pub storage_class: Option<String>,
    /// Unix ms.
    pub asked_at: i64,
    /// Looks taken since the restore was asked for.
    pub checks: u32,
    /// Unix ms: not read again before this.
    pub next_check_at: i64,
}

impl Catalog {
    /// The waits of one target's objects, soonest look first.
    pub fn archive_waits(&self, target: i64) -> Result<Vec<ArchiveWait>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT w.object_id, w.tier, w.storage_class, w.asked_at, w.checks, w.next_check_at
                 FROM archive_waits w JOIN sync_objects o ON o.id = w.object_id
                 WHERE o.target_id = ?1 ORDER BY w.next_check_at, w.object_id",
            )
            .ctx("read archive waits")?;
        let rows = stmt
            .query_map([target], |r| {
                Ok(ArchiveWait {
                    object_id: r.get(0)?,
                    tier: r.get(1)?,
                    storage_class: r.get(2)?,
                    asked_at: r.get(3)?,
                    checks: r.get::<_, i64>(4)?.clamp(0, i64::from(u32::MAX)) as u32,
                    next_check_at: r.get(5)?,
                })
            })
            .ctx("read archive waits")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .ctx("read archive waits")?;
        Ok(rows)
    }
}

impl Batch<'_> {
    /// Records (or updates) an object's wait.
    pub fn save_archive_wait(&mut self, w: &ArchiveWait) -> Result<()> {
        self.tx()
            .prepare_cached(
                "INSERT OR REPLACE INTO archive_waits
                     (object_id, tier, storage_class, asked_at, checks, next_check_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .ctx("save an archive wait")?
            .execute(params![
                w.object_id,
                w.tier,
                w.storage_class,
                w.asked_at,
                i64::from(w.checks),
                w.next_check_at
            ])
            .ctx("save an archive wait")?;
        Ok(())
    }

    /// The object was read: its wait is over.
    pub fn clear_archive_wait(&mut self, object: i64) -> Result<()> {
        self.tx()
            .prepare_cached("DELETE FROM archive_waits WHERE object_id = ?1")
            .ctx("clear an archive wait")?
            .execute([object])
            .ctx("clear an archive wait")?;
        Ok(())
    }
}
