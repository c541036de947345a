//! Albums (ordered by hand, nested in album folders, with a cover; smart
//! albums are a saved search) and comments.
//!
//! Putting assets in an album, taking them out and commenting are edits
//! (see `curation.rs`): the functions here that take an edit id record
//! what they replace so that undo can put it back. Creating, renaming,
//! moving and deleting albums are not edits; each logs an `album_changed`
//! event that names the album, whose assets the search index and sync then
//! read again.

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};

use crate::batch::{Batch, event_kind};
use crate::db::Catalog;
use crate::error::{CatalogError, Result, SqlContext};
use crate::model::AssetRowId;

/// The gap between consecutive positions in an album's order.
const POSITION_STEP: f64 = 1024.0;

/// What an album is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlbumKind {
    /// Assets put in by hand, in a hand-made order.
    Album,
    /// Holds albums, not assets.
    Folder,
    /// A saved search: always what the search finds now.
    Smart,
}

impl AlbumKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AlbumKind::Album => "album",
            AlbumKind::Folder => "folder",
            AlbumKind::Smart => "smart",
        }
    }

    fn parse(s: &str) -> Result<AlbumKind> {
        match s {
            "album" => Ok(AlbumKind::Album),
            "folder" => Ok(AlbumKind::Folder),
            "smart" => Ok(AlbumKind::Smart),
            other => Err(CatalogError::BadValue {
                what: "albums.kind",
                value: other.to_owned(),
            }),
        }
    }
}

/// An album as the catalog keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct AlbumRecord {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    /// Its folders' names and its own, `Trips/Iceland 2024`.
    pub path: String,
    pub kind: AlbumKind,
    /// A smart album's search.
    pub query: Option<String>,
    /// The asset shown for it.
    pub cover: Option<trove_types::AssetId>,
    /// Assets put in it (0 for folders and smart albums).
    pub count: u64,
    pub created_at: i64,
}

/// A comment on an asset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comment {
    pub id: i64,
    pub author: String,
    pub text: String,
    pub at: i64,
}

/// The event detail that names an album.
pub(crate) fn album_detail(album: i64) -> String {
    serde_json::json!({ "album": album }).to_string()
}

impl Batch<'_> {
    /// Creates an album, album folder or smart album (`query` for a smart
    /// one) in `parent` (a folder) or at the top level.
    pub fn create_album(
        &mut self,
        name: &str,
        parent: Option<i64>,
        kind: AlbumKind,
        query: Option<&str>,
    ) -> Result<i64> {
        if let Some(p) = parent {
            self.require_folder(p)?;
        }
        self.require_free_name(parent, name, None)?;
        // Never the id of a deleted album that the history still names
        // (SQLite would hand out the highest id again): an undo of that
        // deletion, or of an edit into it, must find it free and never
        // touch another album.
        self.tx()
            .execute(
                "INSERT INTO albums (id, parent_id, name, kind, query, created_at, updated_at)
                 VALUES (max(coalesce((SELECT max(id) FROM albums), 0),
                             coalesce((SELECT max(json_extract(change, '$.album')) FROM edits), 0)) + 1,
                         ?1, ?2, ?3, ?4, ?5, ?5)",
                params![parent, name, kind.as_str(), query, self.now()],
            )
            .ctx("create album")?;
        let id = self.tx().last_insert_rowid();
        self.log(event_kind::ALBUM_CHANGED, None, None, None, Some(&album_detail(id)))?;
        Ok(id)
    }

    /// Renames an album (or folder) and moves it into `parent`.
    pub fn rename_album(&mut self, album: i64, name: &str, parent: Option<i64>) -> Result<()> {
        if let Some(p) = parent {
            self.require_folder(p)?;
            // A folder cannot go inside itself or below.
            let mut up = Some(p);
            while let Some(a) = up {
                if a == album {
                    return Err(CatalogError::BadValue {
                        what: "album folder",
                        value: "an album folder cannot hold itself".into(),
                    });
                }
                up = self
                    .tx()
                    .query_row("SELECT parent_id FROM albums WHERE id = ?1", [a], |r| r.get(0))
                    .optional()
                    .ctx("read album")?
                    .flatten();
            }
        }
        self.require_free_name(parent, name, Some(album))?;
        let n = self
            .tx()
            .execute(
                "UPDATE albums SET name = ?2, parent_id = ?3, updated_at = ?4 WHERE id = ?1",
                params![album, name, parent, self.now()],
            )
            .ctx("rename album")?;
        if n == 0 {
            return Err(not_found(album));
        }
        self.log_album_and_below(album)
    }

    /// The name of an album that can be deleted (an album, a smart album,
    /// or an empty folder); refused, naming why, before anything is written.
    pub(crate) fn check_album_deletable(&self, album: i64) -> Result<String> {
        let name: String = self
            .tx()
            .query_row("SELECT name FROM albums WHERE id = ?1", [album], |r| r.get(0))
            .optional()
            .ctx("delete album")?
            .ok_or_else(|| not_found(album))?;
        let children: i64 = self
            .tx()
            .query_row("SELECT count(*) FROM albums WHERE parent_id = ?1", [album], |r| {
                r.get(0)
            })
            .ctx("delete album")?;
        if children > 0 {
            return Err(CatalogError::BadValue {
                what: "album folder",
                value: "it still holds albums; move or delete them first".into(),
            });
        }
        Ok(name)
    }

    /// Deletes an album (its assets stay in the library) or an empty folder
    /// under edit `edit`: the album's row is kept in `edits.tree` and each
    /// member's place in `edit_assets`, for undo. Returns how many members.
    pub(crate) fn apply_album_delete(&mut self, edit: i64, album: i64) -> Result<u64> {
        self.check_album_deletable(album)?;
        let row: serde_json::Value = self
            .tx()
            .query_row(
                "SELECT json_object('id', id, 'parent_id', parent_id, 'name', name, 'kind', kind, 'query', query,
                                    'cover_id', cover_id, 'created_at', created_at, 'updated_at', updated_at)
                 FROM albums WHERE id = ?1",
                [album],
                |r| r.get::<_, String>(0),
            )
            .ctx("delete album")
            .and_then(|j| {
                serde_json::from_str(&j).map_err(|e| CatalogError::BadValue {
                    what: "album",
                    value: e.to_string(),
                })
            })?;
        self.tx()
            .execute(
                "INSERT INTO edit_assets (edit_id, asset_id, before)
                 SELECT ?1, asset_id, json_object('album', position, 'added_at', added_at)
                 FROM album_assets WHERE album_id = ?2",
                params![edit, album],
            )
            .ctx("record edit")?;
        let members: Vec<i64> = self.album_rows(album)?;
        self.tx()
            .execute(
                "UPDATE edits SET tree = ?2, asset_count = ?3 WHERE id = ?1",
                params![edit, row.to_string(), members.len() as i64],
            )
            .ctx("record edit")?;
        self.tx()
            .execute("DELETE FROM albums WHERE id = ?1", [album])
            .ctx("delete album")?;
        // The search index reads the members again and finds them without
        // this album.
        for row in &members {
            self.log(event_kind::METADATA_CHANGED, Some(*row), None, None, None)?;
        }
        Ok(members.len() as u64)
    }

    /// Takes back an album's deletion under edit `edit`: the album comes
    /// back with its id, name, place, cover and members in their order.
    /// Refused, naming why, when another album now has its name there or
    /// its folder is gone.
    pub(crate) fn undo_album_delete(&mut self, edit: i64) -> Result<()> {
        let row: serde_json::Value = self.edit_tree(edit)?;
        let (Some(id), Some(name)) = (row["id"].as_i64(), row["name"].as_str()) else {
            return Err(CatalogError::BadValue {
                what: "edits.tree",
                value: format!("no album in {row}"),
            });
        };
        let parent = row["parent_id"].as_i64();
        if let Some(p) = parent {
            let exists: bool = self
                .tx()
                .query_row("SELECT EXISTS (SELECT 1 FROM albums WHERE id = ?1)", [p], |r| r.get(0))
                .ctx("undo album deletion")?;
            if !exists {
                return Err(CatalogError::BadValue {
                    what: "album folder",
                    value: format!("the folder {name} was in, to undo its deletion (make the folder again)"),
                });
            }
        }
        self.require_free_name(parent, name, None)?;
        self.tx()
            .execute(
                "INSERT INTO albums (id, parent_id, name, kind, query, cover_id, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, (SELECT id FROM assets WHERE id = ?6), ?7, ?8)",
                params![
                    id,
                    parent,
                    name,
                    row["kind"].as_str().unwrap_or("album"),
                    row["query"].as_str(),
                    row["cover_id"].as_i64(),
                    row["created_at"].as_i64().unwrap_or(0),
                    row["updated_at"].as_i64().unwrap_or(0),
                ],
            )
            .ctx("undo album deletion")?;
        self.tx()
            .execute(
                "INSERT OR IGNORE INTO album_assets (album_id, asset_id, position, added_at)
                 SELECT ?2, ea.asset_id, json_extract(ea.before, '$.album'), json_extract(ea.before, '$.added_at')
                 FROM edit_assets ea JOIN assets a ON a.id = ea.asset_id
                 WHERE ea.edit_id = ?1",
                params![edit, id],
            )
            .ctx("undo album deletion")?;
        self.log(event_kind::ALBUM_CHANGED, None, None, None, Some(&album_detail(id)))
    }

    /// Sets (or clears) an album's cover.
    pub fn set_album_cover(&mut self, album: i64, cover: Option<AssetRowId>) -> Result<()> {
        let n = self
            .tx()
            .execute(
                "UPDATE albums SET cover_id = ?2, updated_at = ?3 WHERE id = ?1",
                params![album, cover, self.now()],
            )
            .ctx("set album cover")?;
        if n == 0 {
            return Err(not_found(album));
        }
        self.log(event_kind::ALBUM_CHANGED, None, None, None, Some(&album_detail(album)))
    }

    /// Moves `asset` in an album's order to just before `before` (or to
    /// the end). Rewrites one row, or renumbers the album when the gap is
    /// used up.
    pub fn move_in_album(&mut self, album: i64, asset: AssetRowId, before: Option<AssetRowId>) -> Result<()> {
        let position_of = |b: &Batch<'_>, a: AssetRowId| -> Result<Option<f64>> {
            b.tx()
                .query_row(
                    "SELECT position FROM album_assets WHERE album_id = ?1 AND asset_id = ?2",
                    [album, a],
                    |r| r.get(0),
                )
                .optional()
                .ctx("read album order")
        };
        if position_of(self, asset)?.is_none() {
            return Err(CatalogError::NotFound {
                what: "asset in album",
                key: format!("{asset} in album {album}"),
            });
        }
        let target = match before {
            None => self.album_end(album)? + POSITION_STEP,
            Some(b) => {
                let at = position_of(self, b)?.ok_or_else(|| CatalogError::NotFound {
                    what: "asset in album",
                    key: format!("{b} in album {album}"),
                })?;
                let prev: Option<f64> = self
                    .tx()
                    .query_row(
                        "SELECT max(position) FROM album_assets WHERE album_id = ?1 AND position < ?2 AND asset_id != ?3",
                        params![album, at, asset],
                        |r| r.get(0),
                    )
                    .ctx("read album order")?;
                let prev = prev.unwrap_or(at - POSITION_STEP);
                let mid = (prev + at) / 2.0;
                if mid <= prev || mid >= at {
                    self.renumber_album(album)?;
                    return self.move_in_album(album, asset, before);
                }
                mid
            }
        };
        self.tx()
            .execute(
                "UPDATE album_assets SET position = ?3 WHERE album_id = ?1 AND asset_id = ?2",
                params![album, asset, target],
            )
            .ctx("move in album")?;
        self.log(event_kind::ALBUM_CHANGED, None, None, None, Some(&album_detail(album)))
    }

    fn renumber_album(&mut self, album: i64) -> Result<()> {
        self.tx()
            .execute(
                "UPDATE album_assets SET position = (
                     SELECT n * ?2 FROM (SELECT asset_id, row_number() OVER (ORDER BY position, asset_id) AS n
                                         FROM album_assets WHERE album_id = ?1) o
                     WHERE o.asset_id = album_assets.asset_id)
                 WHERE album_id = ?1",
                params![album, POSITION_STEP],
            )
            .ctx("renumber album")?;
        Ok(())
    }

    /// Edit `edit` puts the selected assets (`temp.edit_sel`, in their
    /// order) at the end of `album`, remembering which were there already.
    pub(crate) fn apply_album_add(&mut self, edit: i64, album: i64) -> Result<()> {
        self.require_kind(album, AlbumKind::Album)?;
        self.record_album_places(edit, album)?;
        let end = self.album_end(album)?;
        self.tx()
            .execute(
                "INSERT OR IGNORE INTO album_assets (album_id, asset_id, position, added_at)
                 SELECT ?1, asset_id, ?2 + ?3 * (row_number() OVER (ORDER BY ord, asset_id)), ?4
                 FROM temp.edit_sel",
                params![album, end, POSITION_STEP, self.now()],
            )
            .ctx("add to album")?;
        Ok(())
    }

    /// Puts one asset at the end of an album (a recovered membership);
    /// nothing if it is in it already.
    pub(crate) fn append_to_album(&mut self, album: i64, asset: AssetRowId) -> Result<()> {
        let at = self.album_end(album)? + POSITION_STEP;
        let now = self.now();
        self.tx()
            .execute(
                "INSERT OR IGNORE INTO album_assets (album_id, asset_id, position, added_at)
                 VALUES (?1, ?2, ?3, ?4)",
                params![album, asset, at, now],
            )
            .ctx("add to album")?;
        Ok(())
    }

    /// The position of an album's last asset (0 for an empty album): new
    /// ones go after it.
    fn album_end(&self, album: i64) -> Result<f64> {
        let last: Option<f64> = self
            .tx()
            .query_row(
                "SELECT max(position) FROM album_assets WHERE album_id = ?1",
                [album],
                |r| r.get(0),
            )
            .ctx("read album order")?;
        Ok(last.unwrap_or(0.0))
    }

    /// Edit `edit` takes the selected assets out of `album`, remembering
    /// where each was.
    pub(crate) fn apply_album_remove(&mut self, edit: i64, album: i64) -> Result<()> {
        self.require_kind(album, AlbumKind::Album)?;
        self.record_album_places(edit, album)?;
        self.tx()
            .execute(
                "DELETE FROM album_assets WHERE album_id = ?1 AND asset_id IN (SELECT asset_id FROM temp.edit_sel)",
                [album],
            )
            .ctx("remove from album")?;
        Ok(())
    }

    /// Undoes an add or a remove of `edit`: every asset goes back to
    /// where it was in `album` (in it at its place, or out of it). An album
    /// deleted since has nothing to put back.
    pub(crate) fn undo_album_membership(&mut self, edit: i64, album: i64) -> Result<()> {
        self.tx()
            .execute(
                "DELETE FROM album_assets WHERE album_id = ?2
                   AND asset_id IN (SELECT asset_id FROM edit_assets WHERE edit_id = ?1)",
                params![edit, album],
            )
            .ctx("undo album edit")?;
        self.tx()
            .execute(
                "INSERT OR IGNORE INTO album_assets (album_id, asset_id, position, added_at)
                 SELECT ?2, ea.asset_id, json_extract(ea.before, '$.album'), ?3
                 FROM edit_assets ea
                 WHERE ea.edit_id = ?1 AND json_extract(ea.before, '$.album') IS NOT NULL
                   AND EXISTS (SELECT 1 FROM albums WHERE id = ?2)",
                params![edit, album, self.now()],
            )
            .ctx("undo album edit")?;
        Ok(())
    }

    /// Records for edit `edit` where each selected asset is in `album`
    /// (its position, or null when it is not in it), for undo.
    fn record_album_places(&mut self, edit: i64, album: i64) -> Result<()> {
        self.tx()
            .execute(
                "INSERT INTO edit_assets (edit_id, asset_id, before)
                 SELECT ?1, s.asset_id, json_object('album',
                     (SELECT position FROM album_assets WHERE album_id = ?2 AND asset_id = s.asset_id))
                 FROM temp.edit_sel s",
                params![edit, album],
            )
            .ctx("record edit")?;
        Ok(())
    }

    /// Edit `edit` adds a comment to every selected asset.
    pub(crate) fn apply_comment(&mut self, edit: i64, author: &str, text: &str) -> Result<()> {
        let last: i64 = self
            .tx()
            .query_row("SELECT coalesce(max(id), 0) FROM comments", [], |r| r.get(0))
            .ctx("add comment")?;
        self.tx()
            .execute(
                "INSERT INTO comments (asset_id, author, text, created_at)
                 SELECT asset_id, ?1, ?2, ?3 FROM temp.edit_sel ORDER BY ord, asset_id",
                params![author, text, self.now()],
            )
            .ctx("add comment")?;
        self.tx()
            .execute(
                "INSERT INTO edit_assets (edit_id, asset_id, before)
                 SELECT ?1, asset_id, json_object('comment', id) FROM comments WHERE id > ?2",
                params![edit, last],
            )
            .ctx("record edit")?;
        Ok(())
    }

    /// Undoes a comment edit: its comments go.
    pub(crate) fn undo_comment(&mut self, edit: i64) -> Result<()> {
        self.tx()
            .execute(
                "DELETE FROM comments WHERE id IN
                     (SELECT json_extract(before, '$.comment') FROM edit_assets WHERE edit_id = ?1)",
                [edit],
            )
            .ctx("undo comment")?;
        Ok(())
    }

    fn require_kind(&self, album: i64, kind: AlbumKind) -> Result<()> {
        let found: Option<String> = self
            .tx()
            .query_row("SELECT kind FROM albums WHERE id = ?1", [album], |r| r.get(0))
            .optional()
            .ctx("read album")?;
        match found {
            None => Err(not_found(album)),
            Some(k) if AlbumKind::parse(&k)? == kind => Ok(()),
            Some(k) => Err(CatalogError::BadValue {
                what: "album",
                value: format!("album {album} is a {k}, not a {}", kind.as_str()),
            }),
        }
    }

    fn require_folder(&self, album: i64) -> Result<()> {
        self.require_kind(album, AlbumKind::Folder)
    }

    fn require_free_name(&self, parent: Option<i64>, name: &str, except: Option<i64>) -> Result<()> {
        let taken: Option<i64> = self
            .tx()
            .query_row(
                "SELECT id FROM albums WHERE coalesce(parent_id, 0) = coalesce(?1, 0) AND name = ?2",
                params![parent, name],
                |r| r.get(0),
            )
            .optional()
            .ctx("read albums")?;
        match taken {
            Some(id) if Some(id) != except => Err(CatalogError::BadValue {
                what: "album name",
                value: format!("{name:?} is taken in that folder"),
            }),
            _ => Ok(()),
        }
    }

    fn album_rows(&self, album: i64) -> Result<Vec<AssetRowId>> {
        album_rows(self.tx(), album)
    }

    /// An album renamed or moved: it and every album below it.
    fn log_album_and_below(&mut self, album: i64) -> Result<()> {
        let below: Vec<i64> = {
            let mut stmt = self
                .tx()
                .prepare_cached(
                    "WITH RECURSIVE sub (id) AS (SELECT ?1 UNION ALL
                         SELECT a.id FROM albums a JOIN sub ON a.parent_id = sub.id)
                     SELECT id FROM sub",
                )
                .ctx("read albums")?;
            let rows = stmt.query_map([album], |r| r.get(0)).ctx("read albums")?;
            rows.collect::<rusqlite::Result<_>>().ctx("read albums")?
        };
        for a in below {
            self.log(event_kind::ALBUM_CHANGED, None, None, None, Some(&album_detail(a)))?;
        }
        Ok(())
    }
}

fn not_found(album: i64) -> CatalogError {
    CatalogError::NotFound {
        what: "album",
        key: album.to_string(),
    }
}

fn album_rows(conn: &rusqlite::Connection, album: i64) -> Result<Vec<AssetRowId>> {
    let mut stmt = conn
        .prepare_cached("SELECT asset_id FROM album_assets WHERE album_id = ?1 ORDER BY position, asset_id")
        .ctx("read album")?;
    let rows = stmt.query_map([album], |r| r.get(0)).ctx("read album")?;
    rows.collect::<rusqlite::Result<_>>().ctx("read album")
}

const ALBUM_SELECT: &str = "
    WITH RECURSIVE paths (id, path) AS (
        SELECT id, name FROM albums WHERE parent_id IS NULL
        UNION ALL
        SELECT a.id, paths.path || '/' || a.name FROM albums a JOIN paths ON a.parent_id = paths.id)
    SELECT a.id, a.parent_id, a.name, p.path, a.kind, a.query,
           (SELECT uuid FROM assets WHERE id = a.cover_id),
           (SELECT count(*) FROM album_assets x WHERE x.album_id = a.id), a.created_at
    FROM albums a JOIN paths p ON p.id = a.id";

fn album_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<(AlbumRecord, String)> {
    let kind: String = r.get(4)?;
    Ok((
        AlbumRecord {
            id: r.get(0)?,
            parent_id: r.get(1)?,
            name: r.get(2)?,
            path: r.get(3)?,
            kind: AlbumKind::Album,
            query: r.get(5)?,
            cover: r.get::<_, Option<String>>(6)?.and_then(|u| u.parse().ok()),
            count: r.get::<_, i64>(7)?.max(0) as u64,
            created_at: r.get(8)?,
        },
        kind,
    ))
}

impl Catalog {
    /// Every album and folder, by path.
    pub fn albums(&self) -> Result<Vec<AlbumRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("{ALBUM_SELECT} ORDER BY p.path"))
            .ctx("list albums")?;
        let rows = stmt.query_map([], album_record).ctx("list albums")?;
        rows.map(|r| {
            let (mut a, kind) = r.ctx("list albums")?;
            a.kind = AlbumKind::parse(&kind)?;
            Ok(a)
        })
        .collect()
    }

    /// An album by its path (`Trips/Iceland 2024`) or id.
    pub fn album(&self, key: &str) -> Result<AlbumRecord> {
        let found = self
            .albums()?
            .into_iter()
            .find(|a| a.path == key || a.id.to_string() == key);
        found.ok_or_else(|| CatalogError::NotFound {
            what: "album",
            key: key.to_owned(),
        })
    }

    /// An album's assets in its hand-made order.
    pub fn album_asset_rows(&self, album: i64) -> Result<Vec<AssetRowId>> {
        album_rows(&self.conn, album)
    }

    /// The paths of the albums an asset is in.
    pub fn albums_of(&self, asset: AssetRowId) -> Result<Vec<String>> {
        // Most assets are in no album: one indexed look first, and the
        // album paths (a walk over every album) only for those that are.
        let any: bool = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM album_assets WHERE asset_id = ?1)")
            .ctx("read albums of asset")?
            .query_row([asset], |r| r.get(0))
            .ctx("read albums of asset")?;
        if !any {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "{ALBUM_SELECT} WHERE a.id IN (SELECT album_id FROM album_assets WHERE asset_id = ?1) ORDER BY p.path"
            ))
            .ctx("read albums of asset")?;
        let rows = stmt
            .query_map([asset], |r| r.get::<_, String>(3))
            .ctx("read albums of asset")?;
        rows.collect::<rusqlite::Result<_>>().ctx("read albums of asset")
    }

    /// The comments on an asset, oldest first.
    pub fn comments(&self, asset: AssetRowId) -> Result<Vec<Comment>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, author, text, created_at FROM comments WHERE asset_id = ?1 ORDER BY id")
            .ctx("read comments")?;
        let rows = stmt
            .query_map([asset], |r| {
                Ok(Comment {
                    id: r.get(0)?,
                    author: r.get(1)?,
                    text: r.get(2)?,
                    at: r.get(3)?,
                })
            })
            .ctx("read comments")?;
        rows.collect::<rusqlite::Result<_>>().ctx("read comments")
    }
}
