//! An asset's record rebuilt from what a sync target holds about it (its
//! manifest), for `trove recover`: on an empty catalog (no snapshot in the
//! bucket) or on top of an older snapshot (the manifest is newer). The
//! caller parses the manifest; this writes it, keeping the asset's UUID so
//! that links, shares and share pages made before still name it.

use std::collections::HashMap;
use std::path::PathBuf;

use rusqlite::{OptionalExtension, params};
use trove_types::{AssetId, ColorLabel, Flag};

use crate::batch::{Batch, event_kind};
use crate::curation::Curation;
use crate::derivatives::Derivative;
use crate::error::{Result, SqlContext};
use crate::model::{AssetContent, AssetRowId, FileStat, RootId};
use crate::paths;

/// One file of a recovered asset.
#[derive(Debug, Clone)]
pub struct RecoveredFile {
    pub root: RootId,
    pub rel_path: PathBuf,
    pub size: u64,
    pub mtime_ns: i64,
    /// Whether the file was there when the manifest was written.
    pub present: bool,
}

/// Everything a manifest says about an asset.
#[derive(Debug, Clone)]
pub struct RecoveredAsset {
    pub id: AssetId,
    pub content: AssetContent,
    pub files: Vec<RecoveredFile>,
    /// What the person set; `None` for a manifest older than curation.
    pub curation: Option<Curation>,
    pub derivatives: Vec<Derivative>,
}

/// What [`Batch::recover_asset`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecoveredAs {
    /// The catalog did not know the content: a new asset.
    New(AssetRowId),
    /// The content was known (an older snapshot): its record now says what
    /// the (newer) manifest says.
    Updated(AssetRowId),
}

impl RecoveredAs {
    pub fn row(self) -> AssetRowId {
        match self {
            RecoveredAs::New(r) | RecoveredAs::Updated(r) => r,
        }
    }
}

impl Batch<'_> {
    /// Writes one asset as its manifest describes it. A known content
    /// keeps its row; its files, metadata, curation and proxies become the
    /// manifest's (files the manifest no longer names are marked missing,
    /// never dropped). A new one keeps the manifest's UUID unless another
    /// asset holds it already.
    pub fn recover_asset(&mut self, a: &RecoveredAsset) -> Result<RecoveredAs> {
        let outcome = match self.asset_by_hash(&a.content.blake3)? {
            Some((row, _)) => {
                self.update_asset_content(row, &a.content)?;
                RecoveredAs::Updated(row)
            }
            None => {
                let taken: bool = self
                    .tx()
                    .prepare_cached("SELECT EXISTS (SELECT 1 FROM assets WHERE uuid = ?1)")
                    .ctx("read asset")?
                    .query_row([a.id.to_string()], |r| r.get(0))
                    .ctx("read asset")?;
                let id = if taken { AssetId::new_random() } else { a.id };
                RecoveredAs::New(self.insert_asset_with_id(id, &a.content)?)
            }
        };
        let row = outcome.row();
        self.recover_files(row, &a.files)?;
        for d in &a.derivatives {
            // One the catalog has already (a snapshot) keeps its record:
            // its time is part of what sync compares.
            let same: bool = self
                .tx()
                .prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM derivatives WHERE asset_id = ?1 AND variant = ?2 AND format = ?3
                                                       AND size = ?4 AND generator = ?5)",
                )
                .ctx("read proxies")?
                .query_row(params![row, d.variant, d.format, d.size as i64, d.generator], |r| {
                    r.get(0)
                })
                .ctx("read proxies")?;
            if !same {
                self.put_derivative(row, d)?;
            }
        }
        if let Some(g) = a.derivatives.iter().map(|d| d.generator).max() {
            self.mark_proxies_done(row, g, &a.content.blake3)?;
        }
        if let Some(c) = &a.curation {
            self.recover_curation(row, c)?;
        }
        self.refresh_asset_status(row)?;
        let first = a.files.first();
        let kind = match outcome {
            RecoveredAs::New(_) => event_kind::ASSET_IMPORTED,
            RecoveredAs::Updated(_) => event_kind::METADATA_CHANGED,
        };
        self.log(
            kind,
            Some(row),
            first.map(|f| f.root),
            first.map(|f| f.rel_path.as_path()),
            Some("recovered"),
        )?;
        Ok(outcome)
    }

    /// The asset's files become the manifest's: known paths are updated,
    /// a file the manifest names at a new path takes over a record at a
    /// path it no longer names (a move, as a scan would have seen it),
    /// other new paths are added, and records it does not name at all are
    /// marked missing, never dropped.
    fn recover_files(&mut self, row: AssetRowId, files: &[RecoveredFile]) -> Result<()> {
        let known: Vec<(i64, RootId, Vec<u8>)> = {
            let mut stmt = self
                .tx()
                .prepare_cached("SELECT id, root_id, rel_path FROM files WHERE asset_id = ?1 ORDER BY id")
                .ctx("read files")?;
            let rows = stmt
                .query_map([row], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .ctx("read files")?;
            rows.collect::<rusqlite::Result<_>>().ctx("read files")?
        };
        let stat = |f: &RecoveredFile| FileStat {
            size: f.size,
            mtime_ns: f.mtime_ns,
            inode: 0,
            device: 0,
            sidecar_mtime_ns: None,
        };
        let mut used: Vec<i64> = Vec::new();
        let mut placed: Vec<Option<i64>> = Vec::with_capacity(files.len());
        for f in files {
            let bytes = paths::to_bytes(&f.rel_path);
            let here = known.iter().find(|(_, root, p)| *root == f.root && *p == bytes);
            if let Some((id, ..)) = here {
                self.update_file_stat(*id, &stat(f))?;
                used.push(*id);
            }
            placed.push(here.map(|(id, ..)| *id));
        }
        let mut spare = known.iter().map(|(id, ..)| *id).filter(|id| !used.contains(id));
        for (f, at) in files.iter().zip(placed) {
            let id = match at {
                Some(id) => id,
                None => match spare.next() {
                    Some(old) => {
                        self.move_file(old, f.root, &f.rel_path, &stat(f))?;
                        old
                    }
                    None => {
                        // Another asset's stale record may sit at this path
                        // (its file was replaced by this content later).
                        let bytes = paths::to_bytes(&f.rel_path);
                        let other: Option<i64> = self
                            .tx()
                            .prepare_cached("SELECT id FROM files WHERE root_id = ?1 AND rel_path = ?2")
                            .ctx("read files")?
                            .query_row(params![f.root, bytes], |r| r.get(0))
                            .optional()
                            .ctx("read files")?;
                        match other {
                            Some(other) => {
                                self.reassign_file(other, row)?;
                                self.update_file_stat(other, &stat(f))?;
                                other
                            }
                            None => self.insert_file(row, f.root, &f.rel_path, &stat(f))?,
                        }
                    }
                },
            };
            if !f.present {
                self.mark_file_missing(id)?;
            }
        }
        for id in spare {
            self.mark_file_missing(id)?;
        }
        Ok(())
    }

    /// The asset's curation becomes `c`: fields, keywords, albums (made as
    /// needed from their paths) and comments (those not there yet).
    fn recover_curation(&mut self, row: AssetRowId, c: &Curation) -> Result<()> {
        let now = self.now();
        self.tx()
            .prepare_cached(
                "INSERT OR REPLACE INTO curation (asset_id, rating, flag, label, title, caption, creator, rights,
                                                  updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )
            .ctx("recover curation")?
            .execute(params![
                row,
                c.rating.min(5),
                c.flag.map(Flag::as_str),
                c.label.map(ColorLabel::as_str),
                c.title,
                c.caption,
                c.creator,
                c.rights,
                now
            ])
            .ctx("recover curation")?;
        self.tx()
            .execute("DELETE FROM asset_keywords WHERE asset_id = ?1", [row])
            .ctx("recover keywords")?;
        self.add_asset_keywords(row, &c.keywords, &mut HashMap::new())?;
        for path in &c.albums {
            if let Some(album) = self.album_at_path(path)? {
                self.append_to_album(album, row)?;
            }
        }
        for comment in &c.comments {
            self.tx()
                .prepare_cached(
                    "INSERT INTO comments (asset_id, author, text, created_at)
                     SELECT ?1, ?2, ?3, ?4 WHERE NOT EXISTS
                        (SELECT 1 FROM comments WHERE asset_id = ?1 AND author = ?2 AND text = ?3
                                                  AND created_at = ?4)",
                )
                .ctx("recover comments")?
                .execute(params![row, comment.author, comment.text, comment.at])
                .ctx("recover comments")?;
        }
        Ok(())
    }

    /// The album at `Trips/Iceland 2024` (album folders above it), made as
    /// needed; `None` when a level of the path is a smart album or a plain
    /// album where a folder is needed (the membership cannot be recorded).
    fn album_at_path(&mut self, path: &str) -> Result<Option<i64>> {
        let names: Vec<&str> = path.split('/').filter(|n| !n.is_empty()).collect();
        let mut parent: Option<i64> = None;
        for (i, name) in names.iter().enumerate() {
            let last = i + 1 == names.len();
            let found: Option<(i64, String)> = self
                .tx()
                .prepare_cached(
                    "SELECT id, kind FROM albums WHERE coalesce(parent_id, 0) = coalesce(?1, 0) AND name = ?2",
                )
                .ctx("read albums")?
                .query_row(params![parent, name], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
                .ctx("read albums")?;
            let want = if last {
                crate::albums::AlbumKind::Album
            } else {
                crate::albums::AlbumKind::Folder
            };
            parent = Some(match found {
                Some((id, kind)) if kind == want.as_str() => id,
                Some(_) => return Ok(None),
                None => self.create_album(name, parent, want, None)?,
            });
        }
        Ok(parent)
    }
}

impl Batch<'_> {
    /// A recovered object found in the target (listed with the size the
    /// manifest or catalog names): verified, with no upload in the audit
    /// trail (the recovery is recorded once by the caller) and never
    /// fixity-checked by this library yet, so the scrub reads it first.
    pub fn mark_sync_found(&mut self, id: i64, size: u64, md5: Option<[u8; 16]>) -> Result<()> {
        let now = self.now();
        self.tx()
            .prepare_cached(
                "UPDATE sync_objects SET state = 'verified', size = ?2, md5 = coalesce(?3, md5), upload_id = NULL,
                    last_error = NULL, verified_at = ?4, checked_at = NULL, updated_at = ?4
                 WHERE id = ?1",
            )
            .ctx("mark found")?
            .execute(params![id, size as i64, md5.as_ref().map(|m| &m[..]), now])
            .ctx("mark found")?;
        Ok(())
    }
}

impl Batch<'_> {
    /// The id of the target's object at `key` and whether it is verified,
    /// if the catalog has one.
    pub fn sync_object_state(&self, target: i64, key: &str) -> Result<Option<(i64, bool)>> {
        self.tx()
            .prepare_cached("SELECT id, state = 'verified' FROM sync_objects WHERE target_id = ?1 AND key = ?2")
            .ctx("read sync object")?
            .query_row(params![target, key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .ctx("read sync object")
    }
}

impl Batch<'_> {
    /// Writes a library setting inside the transaction (a recovery's
    /// record of the folders it made commits with them).
    pub fn set_setting(&mut self, key: &str, value: &str) -> Result<()> {
        self.tx()
            .prepare_cached(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .ctx("write setting")?
            .execute([key, value])
            .ctx("write setting")?;
        Ok(())
    }
}
