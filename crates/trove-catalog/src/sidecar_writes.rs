//! Which assets' XMP sidecars are waiting to be written, and what went
//! wrong when one could not be.

use rusqlite::params;

use crate::batch::Batch;
use crate::db::Catalog;
use crate::error::{Result, SqlContext};
use crate::model::{AssetRowId, FileId};

/// How the sidecar writes stand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SidecarCounts {
    /// Waiting to be written (failed ones included).
    pub dirty: u64,
    /// Written and current.
    pub written: u64,
    /// The last failures: (asset row, error).
    pub failures: Vec<(AssetRowId, String)>,
}

impl Batch<'_> {
    /// Every asset of edit `edit` needs its sidecars written again.
    pub(crate) fn mark_edit_sidecars(&mut self, edit: i64) -> Result<()> {
        self.tx()
            .execute(
                "INSERT INTO sidecar_writes (asset_id, dirty)
                 SELECT asset_id, 1 FROM edit_assets WHERE edit_id = ?1
                 ON CONFLICT (asset_id) DO UPDATE SET dirty = 1",
                [edit],
            )
            .ctx("mark sidecars")?;
        Ok(())
    }

    /// Every curated asset needs its sidecars written (sidecars were just
    /// turned on). Returns how many.
    pub fn mark_all_sidecars(&mut self) -> Result<u64> {
        let n = self
            .tx()
            .execute(
                "INSERT INTO sidecar_writes (asset_id, dirty)
                 SELECT asset_id, 1 FROM curation WHERE true
                 ON CONFLICT (asset_id) DO UPDATE SET dirty = 1",
                [],
            )
            .ctx("mark sidecars")?;
        Ok(n as u64)
    }

    /// The asset's sidecars are written and current.
    pub fn sidecar_written(&mut self, asset: AssetRowId) -> Result<()> {
        self.tx()
            .execute(
                "UPDATE sidecar_writes SET dirty = 0, written_at = ?2, error = NULL WHERE asset_id = ?1",
                params![asset, self.now()],
            )
            .ctx("record sidecar")?;
        Ok(())
    }

    /// Writing failed; the asset stays dirty, with the reason.
    pub fn sidecar_failed(&mut self, asset: AssetRowId, error: &str) -> Result<()> {
        self.tx()
            .execute(
                "UPDATE sidecar_writes SET error = ?2 WHERE asset_id = ?1",
                params![asset, error],
            )
            .ctx("record sidecar")?;
        Ok(())
    }

    /// A sidecar Trove itself wrote beside `file`: its modification time,
    /// so the scan does not take Trove's own write for another tool's.
    pub fn own_sidecar_written(&mut self, file: FileId, mtime_ns: i64) -> Result<()> {
        self.tx()
            .execute(
                "UPDATE files SET sidecar_mtime_ns = ?2 WHERE id = ?1",
                params![file, mtime_ns],
            )
            .ctx("record sidecar")?;
        Ok(())
    }
}

impl Catalog {
    /// Dirty assets after row `after`, in row order, at most `limit`.
    pub fn dirty_sidecars(&self, after: AssetRowId, limit: u32) -> Result<Vec<AssetRowId>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT asset_id FROM sidecar_writes WHERE dirty = 1 AND asset_id > ?1 ORDER BY asset_id LIMIT ?2",
            )
            .ctx("list sidecars")?;
        let rows = stmt
            .query_map(params![after, limit], |r| r.get(0))
            .ctx("list sidecars")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list sidecars")
    }

    /// How the sidecar writes stand, with up to `failures` of the failures.
    pub fn sidecar_counts(&self, failures: u32) -> Result<SidecarCounts> {
        let (dirty, written): (i64, i64) = self
            .conn
            .query_row(
                "SELECT coalesce(sum(dirty = 1), 0), coalesce(sum(dirty = 0), 0) FROM sidecar_writes",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("count sidecars")?;
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT asset_id, error FROM sidecar_writes WHERE dirty = 1 AND error IS NOT NULL
                 ORDER BY asset_id LIMIT ?1",
            )
            .ctx("count sidecars")?;
        let rows = stmt
            .query_map([failures], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("count sidecars")?;
        Ok(SidecarCounts {
            dirty: dirty.max(0) as u64,
            written: written.max(0) as u64,
            failures: rows.collect::<rusqlite::Result<_>>().ctx("count sidecars")?,
        })
    }
}
