//! The bulk uploader's state file: one small SQLite database per target
//! that remembers which files went up and were verified (by path, size and
//! modification time), and the parts of multipart uploads in progress, so an
//! interrupted `trove upload` resumes and a repeated one skips what is done.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::{CatalogError, Result, SqlContext};
use crate::rows::{from_i64, to_i64};
use crate::sync::SyncPart;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS uploads (
    id          INTEGER PRIMARY KEY,
    key         TEXT    NOT NULL UNIQUE,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    md5         BLOB,
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'verified', 'failed')),
    upload_id   TEXT,
    last_error  TEXT,
    verified_at INTEGER
);
CREATE TABLE IF NOT EXISTS upload_parts (
    object_id INTEGER NOT NULL REFERENCES uploads (id) ON DELETE CASCADE,
    upload_id TEXT    NOT NULL,
    number    INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    md5       BLOB    NOT NULL,
    PRIMARY KEY (object_id, number)
);
";

/// What the state file knows about one key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadRow {
    pub id: i64,
    pub size: u64,
    pub mtime_ns: i64,
    pub verified: bool,
    pub upload_id: Option<String>,
}

/// A change to record.
#[derive(Debug, Clone)]
pub enum UploadChange {
    Started { id: i64, upload_id: String },
    Part { id: i64, upload_id: String, part: SyncPart },
    Verified { id: i64, md5: Option<[u8; 16]> },
    Failed { id: i64, error: String },
}

/// An open state file.
#[derive(Debug)]
pub struct UploadState {
    conn: Connection,
}

impl UploadState {
    /// Opens (creating if needed) the state file at `path`.
    pub fn open(path: &Path) -> Result<UploadState> {
        let conn = Connection::open(path).map_err(|source| CatalogError::Open {
            path: path.to_owned(),
            source,
        })?;
        conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;")
            .ctx("open upload state")?;
        conn.execute_batch(SCHEMA).ctx("create upload state")?;
        Ok(UploadState { conn })
    }

    pub fn get(&self, key: &str) -> Result<Option<UploadRow>> {
        self.conn
            .prepare_cached("SELECT id, size, mtime_ns, state, upload_id FROM uploads WHERE key = ?1")
            .ctx("read upload state")?
            .query_row([key], |r| {
                Ok(UploadRow {
                    id: r.get(0)?,
                    size: from_i64(r.get(1)?),
                    mtime_ns: r.get(2)?,
                    verified: r.get::<_, String>(3)? == "verified",
                    upload_id: r.get(4)?,
                })
            })
            .optional()
            .ctx("read upload state")
    }

    /// Records that `key` is about to be sent with this size and mtime. A
    /// row for other content starts over (its multipart upload is dropped).
    pub fn begin(&self, key: &str, size: u64, mtime_ns: i64) -> Result<UploadRow> {
        if let Some(row) = self.get(key)?
            && row.size == size
            && row.mtime_ns == mtime_ns
        {
            return Ok(row);
        }
        self.conn
            .prepare_cached(
                "INSERT INTO uploads (key, size, mtime_ns) VALUES (?1, ?2, ?3)
                 ON CONFLICT (key) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
                    state = 'pending', upload_id = NULL, md5 = NULL, verified_at = NULL",
            )
            .ctx("record upload")?
            .execute(params![key, to_i64(size), mtime_ns])
            .ctx("record upload")?;
        let row = self.get(key)?.ok_or_else(|| CatalogError::NotFound {
            what: "upload",
            key: key.to_owned(),
        })?;
        self.conn
            .prepare_cached("DELETE FROM upload_parts WHERE object_id = ?1")
            .ctx("record upload")?
            .execute([row.id])
            .ctx("record upload")?;
        Ok(row)
    }

    /// Marks `key` verified without sending it (it was found in the target
    /// with the same size and an ETag the file's bytes give: its MD5, kept
    /// here, or a multipart ETag, which holds none).
    pub fn mark_present(&self, key: &str, size: u64, mtime_ns: i64, md5: Option<[u8; 16]>, now: i64) -> Result<()> {
        let row = self.begin(key, size, mtime_ns)?;
        self.apply(&[UploadChange::Verified { id: row.id, md5 }], now)
    }

    /// Applies changes in one transaction.
    pub fn apply(&self, changes: &[UploadChange], now: i64) -> Result<()> {
        let tx = self.conn.unchecked_transaction().ctx("begin upload state")?;
        for c in changes {
            match c {
                UploadChange::Started { id, upload_id } => {
                    tx.execute(
                        "UPDATE uploads SET upload_id = ?2 WHERE id = ?1",
                        params![id, upload_id],
                    )
                    .ctx("record upload")?;
                    tx.execute(
                        "DELETE FROM upload_parts WHERE object_id = ?1 AND upload_id IS NOT ?2",
                        params![id, upload_id],
                    )
                    .ctx("record upload")?;
                }
                UploadChange::Part { id, upload_id, part } => {
                    tx.execute(
                        "INSERT OR REPLACE INTO upload_parts (object_id, upload_id, number, size, md5)
                         VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![id, upload_id, part.number, to_i64(part.size), &part.md5[..]],
                    )
                    .ctx("record part")?;
                }
                UploadChange::Verified { id, md5 } => {
                    tx.execute(
                        "UPDATE uploads SET state = 'verified', md5 = ?2, upload_id = NULL, last_error = NULL,
                            verified_at = ?3 WHERE id = ?1",
                        params![id, md5.as_ref().map(|m| &m[..]), now],
                    )
                    .ctx("record upload")?;
                    tx.execute("DELETE FROM upload_parts WHERE object_id = ?1", [id])
                        .ctx("record upload")?;
                }
                UploadChange::Failed { id, error } => {
                    tx.execute(
                        "UPDATE uploads SET state = 'failed', last_error = ?2 WHERE id = ?1",
                        params![id, error],
                    )
                    .ctx("record upload")?;
                }
            }
        }
        tx.commit().ctx("commit upload state")
    }

    /// The parts of an upload that the target accepted, in order.
    pub fn parts(&self, id: i64, upload_id: &str) -> Result<Vec<SyncPart>> {
        crate::sync::read_parts(
            &self.conn,
            "SELECT number, size, md5 FROM upload_parts WHERE object_id = ?1 AND upload_id = ?2 ORDER BY number",
            id,
            upload_id,
        )
    }

    /// Upload ids of unfinished multipart uploads the state tracks.
    pub fn upload_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT upload_id FROM uploads WHERE upload_id IS NOT NULL")
            .ctx("list uploads")?;
        let rows = stmt.query_map([], |r| r.get(0)).ctx("list uploads")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list uploads")
    }
}
