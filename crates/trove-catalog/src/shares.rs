//! Shares: signed links, share pages and upload requests, with the objects
//! each one placed under its own prefix in the target.

use rusqlite::{OptionalExtension, params};

use crate::batch::Batch;
use crate::db::Catalog;
use crate::error::{Result, SqlContext};

/// What a share is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareKind {
    /// One link per asset.
    Link,
    /// A static page listing a selection.
    Page,
    /// An upload request into `incoming/<id>/`.
    Request,
}

impl ShareKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ShareKind::Link => "link",
            ShareKind::Page => "page",
            ShareKind::Request => "request",
        }
    }

    fn parse(s: &str) -> ShareKind {
        match s {
            "page" => ShareKind::Page,
            "request" => ShareKind::Request,
            _ => ShareKind::Link,
        }
    }
}

/// One share as the catalog keeps it (no links: they are signed again on
/// demand).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareRecord {
    /// 32 lower-case hex digits (128 random bits).
    pub id: String,
    pub target_id: i64,
    pub kind: ShareKind,
    pub title: Option<String>,
    pub message: Option<String>,
    /// JSON of the options the user chose.
    pub options: String,
    /// Signed with the narrower sharing key (`true`) or the main key.
    pub share_key: bool,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub cleaned_at: Option<i64>,
}

/// One object of a share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareItem {
    /// Relative to the target's prefix (`share/<id>/...`, `incoming/<id>/...`).
    pub key: String,
    pub position: i64,
    pub asset_row: Option<i64>,
    /// `thumb`, `preview`, `media`, `original`, `page`, `data`, `incoming`.
    pub role: String,
    pub name: Option<String>,
    pub size: u64,
}

const SHARE_COLUMNS: &str =
    "id, target_id, kind, title, message, options, signer, created_at, expires_at, revoked_at, cleaned_at";

fn share_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<ShareRecord> {
    Ok(ShareRecord {
        id: row.get(0)?,
        target_id: row.get(1)?,
        kind: ShareKind::parse(&row.get::<_, String>(2)?),
        title: row.get(3)?,
        message: row.get(4)?,
        options: row.get(5)?,
        share_key: row.get::<_, String>(6)? == "share",
        created_at: row.get(7)?,
        expires_at: row.get(8)?,
        revoked_at: row.get(9)?,
        cleaned_at: row.get(10)?,
    })
}

impl Batch<'_> {
    /// Records a new share and its objects.
    pub fn insert_share(&mut self, share: &ShareRecord, items: &[ShareItem]) -> Result<()> {
        let op = "record share";
        self.tx()
            .execute(
                &format!("INSERT INTO shares ({SHARE_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
                params![
                    share.id,
                    share.target_id,
                    share.kind.as_str(),
                    share.title,
                    share.message,
                    share.options,
                    if share.share_key { "share" } else { "main" },
                    share.created_at,
                    share.expires_at,
                    share.revoked_at,
                    share.cleaned_at,
                ],
            )
            .ctx(op)?;
        for item in items {
            self.add_share_item(&share.id, item)?;
        }
        Ok(())
    }

    /// Adds (or replaces) one object of a share.
    pub fn add_share_item(&mut self, share_id: &str, item: &ShareItem) -> Result<()> {
        let op = "record share object";
        self.tx()
            .prepare_cached(
                "INSERT INTO share_items (share_id, key, position, asset_id, role, name, size)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
                 ON CONFLICT (share_id, key) DO UPDATE SET
                    position = excluded.position, asset_id = excluded.asset_id, role = excluded.role,
                    name = excluded.name, size = excluded.size",
            )
            .ctx(op)?
            .execute(params![
                share_id,
                item.key,
                item.position,
                item.asset_row,
                item.role,
                item.name,
                item.size as i64
            ])
            .ctx(op)?;
        Ok(())
    }

    /// A new expiry (renewed links).
    pub fn set_share_expiry(&mut self, id: &str, expires_at: i64) -> Result<()> {
        self.tx()
            .execute(
                "UPDATE shares SET expires_at = ?2 WHERE id = ?1",
                params![id, expires_at],
            )
            .ctx("renew share")?;
        Ok(())
    }

    /// The user revoked the share.
    pub fn mark_share_revoked(&mut self, id: &str) -> Result<()> {
        let now = self.now();
        self.tx()
            .execute(
                "UPDATE shares SET revoked_at = coalesce(revoked_at, ?2) WHERE id = ?1",
                params![id, now],
            )
            .ctx("revoke share")?;
        Ok(())
    }

    /// The share's objects were deleted from the target.
    pub fn mark_share_cleaned(&mut self, id: &str) -> Result<()> {
        let now = self.now();
        self.tx()
            .execute("UPDATE shares SET cleaned_at = ?2 WHERE id = ?1", params![id, now])
            .ctx("clean share")?;
        Ok(())
    }
}

impl Catalog {
    /// Every share, newest first.
    pub fn shares(&self) -> Result<Vec<ShareRecord>> {
        let op = "list shares";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SHARE_COLUMNS} FROM shares ORDER BY created_at DESC, id"
            ))
            .ctx(op)?;
        let rows = stmt.query_map([], share_from_row).ctx(op)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx(op)
    }

    /// One share by id.
    pub fn share(&self, id: &str) -> Result<Option<ShareRecord>> {
        self.conn
            .query_row(
                &format!("SELECT {SHARE_COLUMNS} FROM shares WHERE id = ?1"),
                [id],
                share_from_row,
            )
            .optional()
            .ctx("read share")
    }

    /// Shares whose objects are still in the target although they expired
    /// before `now` or were revoked.
    pub fn shares_to_clean(&self, now: i64) -> Result<Vec<ShareRecord>> {
        let op = "list shares to clean";
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {SHARE_COLUMNS} FROM shares
                 WHERE cleaned_at IS NULL AND (expires_at <= ?1 OR revoked_at IS NOT NULL) ORDER BY id"
            ))
            .ctx(op)?;
        let rows = stmt.query_map([now], share_from_row).ctx(op)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx(op)
    }

    /// The objects of a share, in position order.
    pub fn share_items(&self, id: &str) -> Result<Vec<ShareItem>> {
        let op = "list share objects";
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT key, position, asset_id, role, name, size FROM share_items
                 WHERE share_id = ?1 ORDER BY position, key",
            )
            .ctx(op)?;
        let rows = stmt
            .query_map([id], |row| {
                Ok(ShareItem {
                    key: row.get(0)?,
                    position: row.get(1)?,
                    asset_row: row.get(2)?,
                    role: row.get(3)?,
                    name: row.get(4)?,
                    size: row.get::<_, i64>(5)?.max(0) as u64,
                })
            })
            .ctx(op)?;
        rows.collect::<rusqlite::Result<Vec<_>>>().ctx(op)
    }
}
