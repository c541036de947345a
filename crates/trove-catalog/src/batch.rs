//! Writes. Every change goes through a [`Batch`]: one SQLite transaction that
//! holds many rows, so an import commits thousands of files at a time.

use std::path::Path;

use rusqlite::{OptionalExtension, ToSql, Transaction, TransactionBehavior, params};
use trove_types::{AssetId, FolderKinds, Metadata};

use crate::db::Catalog;
use crate::error::{CatalogError, Result, SqlContext};
use crate::model::{AssetContent, AssetRowId, AssetStatus, FileId, FileStat, RemovedRoot, Root, RootId, RootState};
use crate::paths;
use crate::rows::{self, ROOT_COLUMNS, to_i64};

/// A write transaction. Dropped without [`Batch::commit`], it rolls back.
#[derive(Debug)]
pub struct Batch<'c> {
    tx: Transaction<'c>,
    now: i64,
}

impl Catalog {
    /// Starts a write transaction stamped with `now` (Unix milliseconds).
    pub fn batch(&mut self, now: i64) -> Result<Batch<'_>> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .ctx("begin write")?;
        Ok(Batch { tx, now })
    }
}

/// The kinds of entries in the event log.
pub mod event_kind {
    pub const ROOT_ADDED: &str = "root_added";
    pub const ROOT_OFFLINE: &str = "root_offline";
    pub const ROOT_ONLINE: &str = "root_online";
    pub const ASSET_IMPORTED: &str = "asset_imported";
    pub const FILE_ADDED: &str = "file_added";
    pub const FILE_CHANGED: &str = "file_changed";
    pub const FILE_MOVED: &str = "file_moved";
    pub const FILE_MISSING: &str = "file_missing";
    pub const FILE_RETURNED: &str = "file_returned";
    pub const FILE_FAILED: &str = "file_failed";
    pub const PROXIES_MADE: &str = "proxies_made";
    pub const PROXIES_FAILED: &str = "proxies_failed";
    /// The XMP of an asset changed (its sidecar was edited).
    pub const METADATA_CHANGED: &str = "metadata_changed";
    /// The user removed a watched folder (nothing on disk was touched).
    pub const ROOT_REMOVED: &str = "root_removed";
    /// A watched folder now lives at another path (`path`); its assets
    /// are indexed again (the folder's name is searchable).
    pub const ROOT_MOVED: &str = "root_moved";
    /// A person changed the curation of assets; the detail names the edit
    /// (`{"edit": id}`), whose assets `Catalog::edit_asset_rows` lists.
    pub const ASSETS_EDITED: &str = "assets_edited";
    /// An edit was undone (detail as for `assets_edited`).
    pub const EDIT_UNDONE: &str = "edit_undone";
    /// An undone edit was applied again (detail as for `assets_edited`).
    pub const EDIT_REDONE: &str = "edit_redone";
    /// An album was made, renamed, moved, reordered or given a cover; the
    /// detail names it (`{"album": id}`).
    pub const ALBUM_CHANGED: &str = "album_changed";
    /// A keyword was renamed, moved or merged into (`{"keyword": id}`):
    /// every asset carrying it or one below it changed.
    pub const KEYWORD_CHANGED: &str = "keyword_changed";
}

/// `value` as JSON for a catalog column (`what` names it in the error).
pub(crate) fn to_json<T: serde::Serialize>(what: &'static str, value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| CatalogError::BadValue {
        what,
        value: e.to_string(),
    })
}

impl<'c> Batch<'c> {
    /// What a structural edit (a keyword rename or merge, an album's
    /// deletion) kept in `edits.tree` for its undo; the default when it
    /// kept nothing.
    pub(crate) fn edit_tree<T: serde::de::DeserializeOwned + Default>(&self, edit: i64) -> Result<T> {
        let json: Option<String> = self
            .tx()
            .query_row("SELECT tree FROM edits WHERE id = ?1", [edit], |r| r.get(0))
            .ctx("read edit")?;
        json.as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| CatalogError::BadValue {
                what: "edits.tree",
                value: e.to_string(),
            })
            .map(Option::unwrap_or_default)
    }

    pub(crate) fn tx(&self) -> &Transaction<'c> {
        &self.tx
    }
}

impl Batch<'_> {
    pub fn now(&self) -> i64 {
        self.now
    }

    pub fn commit(self) -> Result<()> {
        self.tx.commit().ctx("commit")
    }

    /// Which of the root's files become assets.
    pub fn set_root_kinds(&mut self, root: RootId, kinds: FolderKinds) -> Result<()> {
        let n = self
            .tx()
            .execute(
                "UPDATE roots SET kinds = ?2 WHERE id = ?1",
                params![root, kinds.as_str()],
            )
            .ctx("set folder kinds")?;
        if n == 0 {
            return Err(CatalogError::NotFound {
                what: "root",
                key: root.to_string(),
            });
        }
        Ok(())
    }

    /// Adds a root, or returns the existing one for the same path. A root
    /// that was removed comes back (with its file records, which the next
    /// scan finds again) and counts as added.
    /// Points root `id` at `path` (the folder moved, a new disk or a new
    /// machine): its files keep their assets and relative paths. `false`
    /// when another root (a removed one too) has that path.
    pub fn relocate_root(&mut self, id: RootId, path: &Path, device: Option<u64>) -> Result<bool> {
        let bytes = paths::to_bytes(path);
        let taken: Option<i64> = self
            .tx
            .query_row(
                "SELECT id FROM roots WHERE path = ?1 AND id != ?2",
                params![&bytes, id],
                |r| r.get(0),
            )
            .optional()
            .ctx("read root")?;
        if taken.is_some() {
            return Ok(false);
        }
        let changed = self
            .tx
            .execute(
                "UPDATE roots SET path = ?2, display = ?3, device = ?4 WHERE id = ?1 AND removed_at IS NULL",
                params![id, bytes, paths::display(path), device.map(to_i64)],
            )
            .ctx("move root")?;
        if changed == 0 {
            return Err(CatalogError::NotFound {
                what: "root",
                key: id.to_string(),
            });
        }
        self.log(event_kind::ROOT_MOVED, None, Some(id), Some(path), None)?;
        Ok(true)
    }

    pub fn add_root(&mut self, path: &Path, device: Option<u64>, follow_symlinks: bool) -> Result<(Root, bool)> {
        let bytes = paths::to_bytes(path);
        let found: Option<(Root, Option<i64>)> = self
            .tx
            .query_row(
                &format!("SELECT {ROOT_COLUMNS}, removed_at FROM roots WHERE path = ?1"),
                [&bytes],
                |r| Ok((rows::root(r)?, r.get(rows::ROOT_COLUMN_COUNT)?)),
            )
            .optional()
            .ctx("read root")?;
        if let Some((existing, removed_at)) = found {
            if removed_at.is_none() {
                return Ok((existing, false));
            }
            self.tx
                .execute(
                    "UPDATE roots SET removed_at = NULL, follow_symlinks = ?2, device = coalesce(?3, device)
                     WHERE id = ?1",
                    params![existing.id, follow_symlinks, device.map(to_i64)],
                )
                .ctx("add root again")?;
            self.log(event_kind::ROOT_ADDED, None, Some(existing.id), Some(path), None)?;
            let root = self
                .tx
                .query_row(
                    &format!("SELECT {ROOT_COLUMNS} FROM roots WHERE id = ?1"),
                    [existing.id],
                    rows::root,
                )
                .ctx("read root")?;
            return Ok((root, true));
        }
        self.tx
            .execute(
                "INSERT INTO roots (path, display, device, follow_symlinks, added_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    bytes,
                    paths::display(path),
                    device.map(to_i64),
                    follow_symlinks,
                    self.now
                ],
            )
            .ctx("add root")?;
        let id = self.tx.last_insert_rowid();
        self.log(event_kind::ROOT_ADDED, None, Some(id), Some(path), None)?;
        let root = self
            .tx
            .query_row(
                &format!("SELECT {ROOT_COLUMNS} FROM roots WHERE id = ?1"),
                [id],
                rows::root,
            )
            .ctx("read root")?;
        Ok((root, true))
    }

    /// Records whether a root is reachable. Logs a change of state.
    pub fn set_root_state(&mut self, root: RootId, state: RootState, device: Option<u64>) -> Result<()> {
        let old: String = self
            .tx
            .query_row("SELECT state FROM roots WHERE id = ?1", [root], |r| r.get(0))
            .ctx("read root state")?;
        self.tx
            .execute(
                "UPDATE roots SET state = ?2, device = coalesce(?3, device) WHERE id = ?1",
                params![root, state.as_str(), device.map(to_i64)],
            )
            .ctx("set root state")?;
        if old != state.as_str() {
            let kind = match state {
                RootState::Online => event_kind::ROOT_ONLINE,
                RootState::Offline => event_kind::ROOT_OFFLINE,
            };
            self.log(kind, None, Some(root), None, None)?;
            // Every asset with a file on this root may change status.
            self.tx
                .execute(
                    &format!(
                        "UPDATE assets SET status = ({STATUS_EXPR}), updated_at = ?2
                         WHERE id IN (SELECT asset_id FROM files WHERE root_id = ?1)"
                    ),
                    params![root, self.now],
                )
                .ctx("refresh asset status")?;
        }
        Ok(())
    }

    pub fn set_root_scanned(&mut self, root: RootId) -> Result<()> {
        self.tx
            .execute(
                "UPDATE roots SET last_scan_at = ?2 WHERE id = ?1",
                params![root, self.now],
            )
            .ctx("mark root scanned")?;
        Ok(())
    }

    /// Creates an asset for new content and returns its row id.
    pub fn insert_asset(&mut self, content: &AssetContent) -> Result<(AssetRowId, AssetId)> {
        let id = AssetId::new_random();
        Ok((self.insert_asset_with_id(id, content)?, id))
    }

    /// [`Batch::insert_asset`] under a UUID the caller chose (a recovered
    /// asset keeps its own).
    pub(crate) fn insert_asset_with_id(&mut self, id: AssetId, content: &AssetContent) -> Result<AssetRowId> {
        self.tx
            .prepare_cached(
                "INSERT INTO assets (uuid, blake3, md5, size, kind, mime, capture_ms, capture_offset,
                                     capture_source, width, height, duration_ms, status, created_at,
                                     updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'present', ?13, ?13)",
            )
            .ctx("insert asset")?
            .execute(rusqlite::params_from_iter(content_params(
                &id.to_string(),
                content,
                self.now,
            )))
            .ctx("insert asset")?;
        let row = self.tx.last_insert_rowid();
        if let Some(meta) = &content.metadata {
            self.put_metadata(row, meta)?;
        }
        Ok(row)
    }

    /// Replaces an asset's content facts after its file was edited. The
    /// asset keeps its UUID and everything attached to it.
    pub fn update_asset_content(&mut self, asset: AssetRowId, content: &AssetContent) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE assets SET blake3 = ?2, md5 = ?3, size = ?4, kind = ?5, mime = ?6,
                        capture_ms = ?7, capture_offset = ?8, capture_source = ?9, width = ?10,
                        height = ?11, duration_ms = ?12, updated_at = ?13
                 WHERE id = ?1",
            )
            .ctx("update asset")?
            .execute(rusqlite::params_from_iter(content_params(&asset, content, self.now)))
            .ctx("update asset")?;
        match &content.metadata {
            Some(meta) => self.put_metadata(asset, meta)?,
            None => {
                self.tx
                    .execute("DELETE FROM metadata WHERE asset_id = ?1", [asset])
                    .ctx("clear metadata")?;
            }
        }
        Ok(())
    }

    pub fn put_metadata(&mut self, asset: AssetRowId, m: &Metadata) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT OR REPLACE INTO metadata (asset_id, camera_make, camera_model, lens,
                    focal_length_mm, aperture, exposure_s, iso, flash, orientation, gps_lat,
                    gps_lon, gps_alt, title, description, rating, color_label, raw,
                    container, video_codec, audio_codec, frame_rate, bit_rate, rotation,
                    artist, album, genre, author, page_count, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,
                         ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30)",
            )
            .ctx("write metadata")?
            .execute(params![
                asset,
                m.camera_make,
                m.camera_model,
                m.lens,
                m.focal_length_mm,
                m.aperture,
                m.exposure_s,
                m.iso,
                m.flash,
                m.orientation,
                m.gps.map(|g| g.lat),
                m.gps.map(|g| g.lon),
                m.gps.and_then(|g| g.alt),
                m.title,
                m.description,
                m.rating,
                m.color_label,
                m.raw.to_string(),
                m.container,
                m.video_codec,
                m.audio_codec,
                m.frame_rate,
                m.bit_rate.map(to_i64),
                m.rotation,
                m.artist,
                m.album,
                m.genre,
                m.author,
                m.page_count,
                m.text,
            ])
            .ctx("write metadata")?;
        Ok(())
    }

    /// Replaces only the XMP-derived fields of an asset's metadata (rating,
    /// label, title, description, and `raw.xmp`), keeping what EXIF and
    /// the proxy jobs (ffprobe, PDF info) found. `file_changed_ms` is when
    /// the sidecar was changed (its modification time), which decides
    /// between it and the person's edits in Trove (the later wins).
    pub fn update_xmp_fields(&mut self, asset: AssetRowId, m: &Metadata, file_changed_ms: i64) -> Result<()> {
        let before = rows::metadata_in(&self.tx, asset)?;
        self.update_xmp_columns(asset, m)?;
        self.follow_file_curation(asset, before.as_ref(), m, file_changed_ms)
    }

    /// Stores the XMP fields of a sidecar Trove itself wrote: what the file
    /// now says, without taking it for another tool's edit.
    pub fn own_xmp_fields(&mut self, asset: AssetRowId, m: &Metadata) -> Result<()> {
        self.update_xmp_columns(asset, m)
    }

    fn update_xmp_columns(&mut self, asset: AssetRowId, m: &Metadata) -> Result<()> {
        self.tx
            .execute(
                "INSERT OR IGNORE INTO metadata (asset_id, raw) VALUES (?1, '{}')",
                [asset],
            )
            .ctx("update XMP fields")?;
        let xmp = m.raw.get("xmp").cloned().unwrap_or(serde_json::Value::Null);
        self.tx
            .execute(
                "UPDATE metadata SET rating = ?2, color_label = ?3, title = ?4, description = ?5,
                        raw = CASE WHEN ?6 = 'null' THEN json_remove(raw, '$.xmp')
                                   ELSE json_set(raw, '$.xmp', json(?6)) END
                 WHERE asset_id = ?1",
                params![asset, m.rating, m.color_label, m.title, m.description, xmp.to_string()],
            )
            .ctx("update XMP fields")?;
        Ok(())
    }

    /// Stores what probing the content itself (ffprobe, a PDF's info)
    /// found: pixel size, duration, and a capture time, which replaces the
    /// file's mtime but never a time the scan read from the file.
    pub fn set_probed_facts(
        &mut self,
        asset: AssetRowId,
        width: Option<u32>,
        height: Option<u32>,
        duration_ms: Option<u64>,
        capture: Option<&trove_types::CaptureTime>,
    ) -> Result<()> {
        self.tx
            .execute(
                "UPDATE assets SET width = coalesce(?2, width), height = coalesce(?3, height),
                        duration_ms = coalesce(?4, duration_ms), updated_at = ?5
                 WHERE id = ?1",
                params![asset, width, height, duration_ms.map(to_i64), self.now],
            )
            .ctx("store probed facts")?;
        if let Some(c) = capture {
            self.tx
                .execute(
                    "UPDATE assets SET capture_ms = ?2, capture_offset = ?3, capture_source = ?4
                     WHERE id = ?1 AND (capture_source IS NULL OR capture_source = ?5)",
                    params![
                        asset,
                        c.unix_ms,
                        c.offset_minutes,
                        c.source.as_str(),
                        trove_types::CaptureSource::FileMtime.as_str()
                    ],
                )
                .ctx("store probed capture time")?;
        }
        Ok(())
    }

    /// Adds a file of an asset at a path.
    pub fn insert_file(&mut self, asset: AssetRowId, root: RootId, rel_path: &Path, stat: &FileStat) -> Result<FileId> {
        self.tx
            .prepare_cached(
                "INSERT INTO files (asset_id, root_id, rel_path, name, size, mtime_ns, inode, device, hashed_at,
                                    sidecar_mtime_ns)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )
            .ctx("insert file")?
            .execute(params![
                asset,
                root,
                paths::to_bytes(rel_path),
                file_name(rel_path),
                to_i64(stat.size),
                stat.mtime_ns,
                to_i64(stat.inode),
                to_i64(stat.device),
                self.now,
                stat.sidecar_mtime_ns,
            ])
            .ctx("insert file")?;
        let id = self.tx.last_insert_rowid();
        self.clear_problem(root, rel_path)?;
        Ok(id)
    }

    /// Updates what the directory entry says of a file (after a touch, a
    /// return from missing, or a content change), and marks it present.
    pub fn update_file_stat(&mut self, file: FileId, stat: &FileStat) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE files SET size = ?2, mtime_ns = ?3, inode = ?4, device = ?5, present = 1,
                                  missing_since = NULL, sidecar_mtime_ns = ?6
                 WHERE id = ?1",
            )
            .ctx("update file")?
            .execute(params![
                file,
                to_i64(stat.size),
                stat.mtime_ns,
                to_i64(stat.inode),
                to_i64(stat.device),
                stat.sidecar_mtime_ns,
            ])
            .ctx("update file")?;
        Ok(())
    }

    /// Moves a file record to a new path (a rename or move on disk). The file
    /// keeps its id and its asset.
    pub fn move_file(&mut self, file: FileId, root: RootId, rel_path: &Path, stat: &FileStat) -> Result<()> {
        // A stale record may sit at the destination (a file that was there
        // before and went missing). The moved file replaces it.
        if let Some(stale) = self
            .tx
            .query_row(
                "SELECT id FROM files WHERE root_id = ?1 AND rel_path = ?2 AND id <> ?3",
                params![root, paths::to_bytes(rel_path), file],
                |r| r.get::<_, i64>(0),
            )
            .optional()
            .ctx("move file")?
        {
            self.delete_file(stale)?;
        }
        self.tx
            .prepare_cached(
                "UPDATE files SET root_id = ?2, rel_path = ?3, name = ?4, size = ?5, mtime_ns = ?6,
                                  inode = ?7, device = ?8, present = 1, missing_since = NULL,
                                  sidecar_mtime_ns = ?9
                 WHERE id = ?1",
            )
            .ctx("move file")?
            .execute(params![
                file,
                root,
                paths::to_bytes(rel_path),
                file_name(rel_path),
                to_i64(stat.size),
                stat.mtime_ns,
                to_i64(stat.inode),
                to_i64(stat.device),
                stat.sidecar_mtime_ns,
            ])
            .ctx("move file")?;
        self.clear_problem(root, rel_path)?;
        Ok(())
    }

    /// Records that a file's content was just read and hashed.
    pub fn mark_hashed(&mut self, file: FileId) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE files SET hashed_at = ?2 WHERE id = ?1")
            .ctx("mark file hashed")?
            .execute(params![file, self.now])
            .ctx("mark file hashed")?;
        Ok(())
    }

    /// Points a file at another asset (its content now equals that asset's).
    pub fn reassign_file(&mut self, file: FileId, asset: AssetRowId) -> Result<()> {
        self.tx
            .execute("UPDATE files SET asset_id = ?2 WHERE id = ?1", params![file, asset])
            .ctx("reassign file")?;
        Ok(())
    }

    /// Deletes a file record. Only for records another record supersedes;
    /// vanished files are marked missing instead.
    fn delete_file(&mut self, file: FileId) -> Result<()> {
        let asset: i64 = self
            .tx
            .query_row("SELECT asset_id FROM files WHERE id = ?1", [file], |r| r.get(0))
            .ctx("delete file")?;
        self.tx
            .execute("DELETE FROM files WHERE id = ?1", [file])
            .ctx("delete file")?;
        self.refresh_asset_status(asset)?;
        Ok(())
    }

    pub fn mark_file_missing(&mut self, file: FileId) -> Result<()> {
        self.tx
            .prepare_cached(
                "UPDATE files SET present = 0, missing_since = coalesce(missing_since, ?2)
                 WHERE id = ?1",
            )
            .ctx("mark file missing")?
            .execute(params![file, self.now])
            .ctx("mark file missing")?;
        Ok(())
    }

    /// Removes a watched folder: it is no longer listed, watched or scanned.
    /// Its file records stay, marked missing, so its assets keep their
    /// identity, user data, sync state and last known paths; an asset with no
    /// file present elsewhere becomes missing. Adding the same folder again
    /// revives the root and its files. Queued scans and scan problems of the
    /// folder go. Nothing on disk is touched.
    pub fn remove_root(&mut self, root: RootId) -> Result<RemovedRoot> {
        let removed = self
            .tx
            .execute(
                "UPDATE roots SET removed_at = ?2 WHERE id = ?1 AND removed_at IS NULL",
                params![root, self.now],
            )
            .ctx("remove root")?;
        if removed == 0 {
            return Err(CatalogError::NotFound {
                what: "root",
                key: root.to_string(),
            });
        }
        let files: Vec<(FileId, AssetRowId, Vec<u8>, bool)> = {
            let mut stmt = self
                .tx
                .prepare("SELECT id, asset_id, rel_path, present FROM files WHERE root_id = ?1 ORDER BY asset_id")
                .ctx("list files of root")?;
            stmt.query_map([root], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .ctx("list files of root")?
                .collect::<rusqlite::Result<_>>()
                .ctx("list files of root")?
        };
        self.log(event_kind::ROOT_REMOVED, None, Some(root), None, None)?;
        for (file, asset, rel, present) in &files {
            if *present {
                self.mark_file_missing(*file)?;
                self.log(
                    event_kind::FILE_MISSING,
                    Some(*asset),
                    Some(root),
                    Some(&paths::from_bytes(rel)),
                    Some("folder removed"),
                )?;
            }
        }
        self.tx
            .execute("DELETE FROM scan_problems WHERE root_id = ?1", [root])
            .ctx("forget scan problems of root")?;
        self.tx
            .execute(
                "DELETE FROM jobs WHERE kind = 'scan_root' AND state <> 'running'
                   AND json_extract(payload, '$.root_id') = ?1",
                [root],
            )
            .ctx("drop scans of root")?;
        let mut assets: Vec<AssetRowId> = files.iter().map(|f| f.1).collect();
        assets.dedup();
        let mut now_missing = 0;
        for &asset in &assets {
            self.refresh_asset_status(asset)?;
            let status: String = self
                .tx
                .prepare_cached("SELECT status FROM assets WHERE id = ?1")
                .ctx("read asset status")?
                .query_row([asset], |r| r.get(0))
                .ctx("read asset status")?;
            if status == AssetStatus::Missing.as_str() {
                now_missing += 1;
            }
        }
        Ok(RemovedRoot {
            files: files.len() as u64,
            assets: assets.len() as u64,
            now_missing,
        })
    }

    /// Recomputes an asset's status from its files and their roots.
    pub fn refresh_asset_status(&mut self, asset: AssetRowId) -> Result<()> {
        self.tx
            .prepare_cached(&format!(
                "UPDATE assets SET status = ({STATUS_EXPR}), updated_at = ?2
                 WHERE id = ?1 AND status <> ({STATUS_EXPR})"
            ))
            .ctx("refresh asset status")?
            .execute(params![asset, self.now])
            .ctx("refresh asset status")?;
        Ok(())
    }

    /// Records (or refreshes) a problem with a path.
    pub fn record_problem(&mut self, root: RootId, rel_path: &Path, code: &str, message: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO scan_problems (root_id, rel_path, display, code, message, first_seen, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)
                 ON CONFLICT (root_id, rel_path) DO UPDATE SET
                    code = excluded.code, message = excluded.message, last_seen = excluded.last_seen",
            )
            .ctx("record scan problem")?
            .execute(params![
                root,
                paths::to_bytes(rel_path),
                paths::display(rel_path),
                code,
                message,
                self.now
            ])
            .ctx("record scan problem")?;
        Ok(())
    }

    pub fn clear_problem(&mut self, root: RootId, rel_path: &Path) -> Result<()> {
        self.tx
            .prepare_cached("DELETE FROM scan_problems WHERE root_id = ?1 AND rel_path = ?2")
            .ctx("clear scan problem")?
            .execute(params![root, paths::to_bytes(rel_path)])
            .ctx("clear scan problem")?;
        Ok(())
    }

    /// Drops recorded problems of a root whose paths were not seen by a full
    /// scan stamped `scan_started` (the paths no longer exist).
    pub fn clear_stale_problems(&mut self, root: RootId, scan_started: i64) -> Result<()> {
        self.tx
            .execute(
                "DELETE FROM scan_problems WHERE root_id = ?1 AND last_seen < ?2",
                params![root, scan_started],
            )
            .ctx("clear stale scan problems")?;
        Ok(())
    }

    /// Appends to the event log.
    pub fn log(
        &mut self,
        kind: &str,
        asset: Option<AssetRowId>,
        root: Option<RootId>,
        path: Option<&Path>,
        detail: Option<&str>,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO events (at, kind, asset_id, root_id, path, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .ctx("append event")?
            .execute(params![self.now, kind, asset, root, path.map(paths::display), detail])
            .ctx("append event")?;
        Ok(())
    }

    /// Lets the caller read inside the transaction.
    pub fn asset_by_hash(&self, hash: &trove_types::ContentHash) -> Result<Option<(AssetRowId, AssetId)>> {
        self.tx
            .prepare_cached("SELECT id, uuid FROM assets WHERE blake3 = ?1")
            .ctx("find asset by hash")?
            .query_row([&hash.0[..]], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
            .optional()
            .ctx("find asset by hash")?
            .map(|(row, uuid)| {
                uuid.parse().map(|id| (row, id)).map_err(|_| CatalogError::BadValue {
                    what: "assets.uuid",
                    value: uuid,
                })
            })
            .transpose()
    }

    /// The UUID of an asset.
    pub fn asset_id(&self, asset: AssetRowId) -> Result<AssetId> {
        let uuid: String = self
            .tx
            .prepare_cached("SELECT uuid FROM assets WHERE id = ?1")
            .ctx("read asset id")?
            .query_row([asset], |r| r.get(0))
            .ctx("read asset id")?;
        uuid.parse().map_err(|_| CatalogError::BadValue {
            what: "assets.uuid",
            value: uuid,
        })
    }

    /// The content hash of an asset.
    pub fn asset_hash(&self, asset: AssetRowId) -> Result<trove_types::ContentHash> {
        let bytes: Vec<u8> = self
            .tx
            .prepare_cached("SELECT blake3 FROM assets WHERE id = ?1")
            .ctx("read asset hash")?
            .query_row([asset], |r| r.get(0))
            .ctx("read asset hash")?;
        trove_types::ContentHash::from_slice(&bytes).ok_or(CatalogError::BadValue {
            what: "assets.blake3",
            value: format!("{} bytes", bytes.len()),
        })
    }

    /// A missing file of an asset (the longest missing first), to reuse
    /// when the content turns up at a new path.
    pub fn missing_file_of(&self, asset: AssetRowId) -> Result<Option<FileId>> {
        self.tx
            .prepare_cached(
                "SELECT id FROM files WHERE asset_id = ?1 AND present = 0
                 ORDER BY missing_since, id LIMIT 1",
            )
            .ctx("find missing file")?
            .query_row([asset], |r| r.get(0))
            .optional()
            .ctx("find missing file")
    }

    /// How many present files an asset has, other than `except`.
    pub fn other_present_files(&self, asset: AssetRowId, except: FileId) -> Result<u64> {
        self.tx
            .prepare_cached("SELECT count(*) FROM files WHERE asset_id = ?1 AND id <> ?2 AND present = 1")
            .ctx("count files")?
            .query_row(params![asset, except], |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .ctx("count files")
    }
}

/// An asset is present if a file of it is present on an online root,
/// offline if its present files are all on offline roots, else missing.
/// `?1` is the asset's row id.
const STATUS_EXPR: &str = "SELECT CASE
        WHEN EXISTS (SELECT 1 FROM files f JOIN roots r ON r.id = f.root_id
                     WHERE f.asset_id = assets.id AND f.present = 1 AND r.state = 'online')
            THEN 'present'
        WHEN EXISTS (SELECT 1 FROM files f JOIN roots r ON r.id = f.root_id
                     WHERE f.asset_id = assets.id AND f.present = 1)
            THEN 'offline'
        ELSE 'missing' END";

/// The 13 parameters shared by inserting and updating an asset's content:
/// `?1` is the key (UUID or row id), `?2`..`?12` the content, `?13` the time.
fn content_params<'a>(key: &'a dyn ToSql, c: &'a AssetContent, now: i64) -> Vec<Box<dyn ToSql + 'a>> {
    vec![
        Box::new(key),
        Box::new(&c.blake3.0[..]),
        Box::new(c.md5.as_ref().map(|m| &m[..])),
        Box::new(to_i64(c.size)),
        Box::new(c.kind.as_str()),
        Box::new(c.mime.as_deref()),
        Box::new(c.capture.map(|t| t.unix_ms)),
        Box::new(c.capture.and_then(|t| t.offset_minutes)),
        Box::new(c.capture.map(|t| t.source.as_str())),
        Box::new(c.width),
        Box::new(c.height),
        Box::new(c.duration_ms),
        Box::new(now),
    ]
}

fn file_name(rel: &Path) -> String {
    rel.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
