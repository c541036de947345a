//! Fixity checks of large objects in progress (schema 20): the chaining
//! values of the chunks read so far, so that a check interrupted halfway
//! resumes from its last chunk instead of reading gigabytes again.

use rusqlite::{OptionalExtension, params};

use crate::batch::Batch;
use crate::db::Catalog;
use crate::error::{Result, SqlContext};

/// A check in progress: the chunk size and the BLAKE3 chaining value of
/// each chunk read so far, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixityProgress {
    pub chunk_bytes: u64,
    pub chunks: Vec<[u8; 32]>,
    /// The object's `verified_at` when the check began.
    pub verified_at: Option<i64>,
}

impl Catalog {
    /// The check in progress of an object, if one is.
    pub fn fixity_progress(&self, object: i64) -> Result<Option<FixityProgress>> {
        let row: Option<(i64, Vec<u8>, Option<i64>)> = self
            .conn
            .prepare_cached("SELECT chunk_bytes, chunks, verified_at FROM fixity_progress WHERE object_id = ?1")
            .ctx("read fixity progress")?
            .query_row([object], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .optional()
            .ctx("read fixity progress")?;
        Ok(row.map(|(chunk_bytes, blob, verified_at)| FixityProgress {
            chunk_bytes: chunk_bytes.max(0) as u64,
            // A blob that is not whole chaining values keeps the whole
            // ones (the check reads the rest again).
            chunks: blob.chunks_exact(32).map(|c| c.try_into().unwrap_or([0; 32])).collect(),
            verified_at,
        }))
    }
}

impl Batch<'_> {
    /// Records the chunks of an object's check read so far.
    pub fn save_fixity_progress(&mut self, object: i64, p: &FixityProgress) -> Result<()> {
        let blob: Vec<u8> = p.chunks.iter().flatten().copied().collect();
        let now = self.now();
        self.tx()
            .prepare_cached(
                "INSERT OR REPLACE INTO fixity_progress (object_id, chunk_bytes, chunks, verified_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .ctx("save fixity progress")?
            .execute(params![object, p.chunk_bytes as i64, blob, p.verified_at, now])
            .ctx("save fixity progress")?;
        Ok(())
    }

    /// The check of an object ended (either way).
    pub fn clear_fixity_progress(&mut self, object: i64) -> Result<()> {
        self.tx()
            .prepare_cached("DELETE FROM fixity_progress WHERE object_id = ?1")
            .ctx("clear fixity progress")?
            .execute([object])
            .ctx("clear fixity progress")?;
        Ok(())
    }
}
