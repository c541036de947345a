//! Albums: made, renamed, moved, deleted and ordered by hand, with a cover;
//! smart albums are a saved search. Putting assets in an album and taking
//! them out are edits (`Library::edit` with `CurationChange::AlbumAdd` and
//! `AlbumRemove`), undone like any other.

use trove_catalog::{AlbumKind, AlbumRecord, CatalogError, EditRecord};
use trove_types::AssetId;

use crate::error::{CoreError, Result};
use crate::events::{Event, EventSink};
use crate::library::Library;
use crate::model::AssetSummary;
use crate::search::SearchQuery;

/// An album's name: what the album tree allows.
fn check_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 256 || name.contains('/') || name.chars().any(char::is_control) {
        return Err(CoreError::AlbumRefused {
            album: name.to_owned(),
            why: "a name of 1 to 256 characters, without / or control characters".into(),
        });
    }
    Ok(name.to_owned())
}

/// The catalog's refusals, said as album errors.
pub(crate) fn album_error(album: &str, e: CatalogError) -> CoreError {
    match e {
        CatalogError::NotFound { what: "album", .. } => CoreError::AlbumNotFound { key: album.to_owned() },
        CatalogError::BadValue {
            what: "album" | "album name" | "album folder",
            value,
        } => CoreError::AlbumRefused {
            album: album.to_owned(),
            why: value,
        },
        other => other.into(),
    }
}

impl Library {
    /// Every album and album folder, by path; a smart album's count is
    /// what its search finds now.
    pub fn albums(&self, sink: &dyn EventSink) -> Result<Vec<AlbumRecord>> {
        let mut albums = self.catalog().albums()?;
        for a in albums.iter_mut().filter(|a| a.kind == AlbumKind::Smart) {
            if let Some(q) = &a.query {
                // A smart album whose search no longer parses counts none.
                a.count = self.smart_total(q, sink).unwrap_or(0);
            }
        }
        Ok(albums)
    }

    /// One album by its path (`Trips/Iceland 2024`) or id.
    pub fn album(&self, key: &str) -> Result<AlbumRecord> {
        self.catalog().album(key).map_err(|e| album_error(key, e))
    }

    /// Makes an album, an album folder, or (with `query`) a smart album,
    /// in the folder `parent` (a path or id) or at the top.
    pub fn create_album(
        &self,
        name: &str,
        parent: Option<&str>,
        kind: AlbumKind,
        query: Option<&str>,
        sink: &dyn EventSink,
    ) -> Result<AlbumRecord> {
        self.require_writer("making an album")?;
        let name = check_name(name)?;
        if kind == AlbumKind::Smart {
            let q = query.unwrap_or_default();
            // Refused now rather than an album that never finds anything.
            self.smart_total(q, sink)?;
        }
        let parent_id = parent.map(|p| self.album(p).map(|a| a.id)).transpose()?;
        let id = {
            let mut cat = self.catalog();
            let mut b = cat.batch(self.now_ms())?;
            let id = b
                .create_album(&name, parent_id, kind, query.filter(|_| kind == AlbumKind::Smart))
                .map_err(|e| album_error(&name, e))?;
            b.commit()?;
            id
        };
        self.album(&id.to_string())
    }

    /// Renames an album and/or moves it into another folder (`Some(None)`:
    /// to the top).
    pub fn rename_album(
        &self,
        key: &str,
        new_name: Option<&str>,
        new_parent: Option<Option<&str>>,
    ) -> Result<AlbumRecord> {
        self.require_writer("renaming an album")?;
        let album = self.album(key)?;
        let name = match new_name {
            Some(n) => check_name(n)?,
            None => album.name.clone(),
        };
        let parent = match new_parent {
            Some(Some(p)) => Some(self.album(p)?.id),
            Some(None) => None,
            None => album.parent_id,
        };
        {
            let mut cat = self.catalog();
            let mut b = cat.batch(self.now_ms())?;
            b.rename_album(album.id, &name, parent)
                .map_err(|e| album_error(key, e))?;
            b.commit()?;
        }
        self.album(&album.id.to_string())
    }

    /// Deletes an album (its assets stay in the library) or an empty
    /// folder, as one edit that [`Library::undo`] takes back.
    pub fn delete_album(&self, key: &str, sink: &dyn EventSink) -> Result<EditRecord> {
        self.require_writer("deleting an album")?;
        let album = self.album(key)?;
        let record = {
            let mut cat = self.catalog();
            let mut b = cat.batch(self.now_ms())?;
            let record = b.delete_album(album.id).map_err(|e| album_error(key, e))?;
            b.commit()?;
            record
        };
        sink.emit(Event::Edited(record.clone()));
        Ok(record)
    }

    /// Sets or clears an album's cover.
    pub fn set_album_cover(&self, key: &str, cover: Option<AssetId>) -> Result<()> {
        self.require_writer("setting an album's cover")?;
        let album = self.album(key)?;
        let mut cat = self.catalog();
        let row = match cover {
            Some(id) => Some(
                *cat.asset_rows(&[id])?
                    .first()
                    .ok_or_else(|| CoreError::AssetNotFound { query: id.to_string() })?,
            ),
            None => None,
        };
        let mut b = cat.batch(self.now_ms())?;
        b.set_album_cover(album.id, row).map_err(|e| album_error(key, e))?;
        b.commit()?;
        Ok(())
    }

    /// Moves an asset in an album's hand-made order to just before
    /// another (or to the end).
    pub fn move_in_album(&self, key: &str, asset: AssetId, before: Option<AssetId>) -> Result<()> {
        self.require_writer("ordering an album")?;
        let album = self.album(key)?;
        let mut cat = self.catalog();
        let row = |id: AssetId| -> Result<i64> {
            cat.asset_rows(&[id])?
                .first()
                .copied()
                .ok_or_else(|| CoreError::AssetNotFound { query: id.to_string() })
        };
        let (asset, before) = (row(asset)?, before.map(row).transpose()?);
        let mut b = cat.batch(self.now_ms())?;
        b.move_in_album(album.id, asset, before).map_err(|e| match e {
            CatalogError::NotFound { key: k, .. } => CoreError::AlbumRefused {
                album: key.to_owned(),
                why: format!("asset {k} is not in it"),
            },
            other => album_error(key, other),
        })?;
        b.commit()?;
        Ok(())
    }

    /// An album's assets in its hand-made order; a smart album's are what
    /// its search finds now, newest first.
    pub fn album_assets(&self, key: &str, sink: &dyn EventSink) -> Result<Vec<AssetSummary>> {
        let album = self.album(key)?;
        match (album.kind, &album.query) {
            (AlbumKind::Smart, Some(q)) => {
                let total = self.smart_total(q, sink)?;
                let found = self.search(
                    &SearchQuery {
                        text: q.clone(),
                        sort: trove_search::Sort::Captured(trove_search::Direction::Descending),
                        limit: (total as usize).max(1),
                        ..SearchQuery::default()
                    },
                    sink,
                )?;
                Ok(found.assets)
            }
            _ => {
                let rows = self.catalog().album_asset_rows(album.id)?;
                self.summaries(&rows)
            }
        }
    }

    fn smart_total(&self, query: &str, sink: &dyn EventSink) -> Result<u64> {
        let (total, _) = self.search_ids(
            &SearchQuery {
                text: query.to_owned(),
                limit: 1,
                ..SearchQuery::default()
            },
            sink,
        )?;
        Ok(total)
    }
}
