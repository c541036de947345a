//! Curation: the one way a person changes what they set on assets (stars,
//! flags, colour labels, texts, keywords), with undo and redo.
//!
//! Every change is one catalog transaction and one entry in the event log
//! (which the search index and sync manifests follow), and one step of the
//! undo history. The catalog is the truth.

use trove_catalog::{CatalogError, Curation, CurationChange, EditRecord, KeywordNode};
use trove_types::{AssetId, CurationValueError, KeywordPath};

use crate::error::{CoreError, Result};
use crate::events::{Event, EventSink};
use crate::library::Library;
use crate::search::SearchQuery;

/// The most assets one edit may change.
pub const MAX_EDIT_ASSETS: usize = 1_000_000;

/// Which assets an edit changes.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// These assets (ids the catalog does not know are left out).
    Ids(Vec<AssetId>),
    /// Every asset a search finds, in the query language.
    Query(String),
}

impl Selection {
    fn describe(&self) -> String {
        match self {
            Selection::Ids(ids) if ids.len() == 1 => format!("asset {}", ids[0]),
            Selection::Ids(ids) => format!("of {} asset ids", ids.len()),
            Selection::Query(q) => format!("{q:?}"),
        }
    }
}

/// The keyword tree's refusals, as curation errors that name the keyword.
fn keyword_error(keyword: &KeywordPath, e: CatalogError) -> CoreError {
    match e {
        CatalogError::NotFound { what: "keyword", key } => {
            CoreError::CurationInvalid(CurationValueError::new("keyword", &key, "a keyword in the tree"))
        }
        CatalogError::BadValue { what: "keyword", value } => {
            CoreError::CurationInvalid(CurationValueError::new("keyword move", &keyword.to_string(), &value))
        }
        other => other.into(),
    }
}

fn too_many(n: usize) -> CoreError {
    CoreError::CurationInvalid(CurationValueError::new(
        "selection",
        &format!("{n} assets"),
        "at most 1,000,000 assets in one edit; narrow the selection",
    ))
}

impl Library {
    /// Applies `change` to every asset of `selection` as one edit, which
    /// [`Library::undo`] takes back. Tells `sink` what was done.
    pub fn edit(&self, selection: &Selection, change: CurationChange, sink: &dyn EventSink) -> Result<EditRecord> {
        self.require_writer("changing ratings, labels and keywords")?;
        let change = change.normalized()?;
        let ids = match selection {
            Selection::Ids(ids) => {
                if ids.len() > MAX_EDIT_ASSETS {
                    return Err(too_many(ids.len()));
                }
                ids.clone()
            }
            Selection::Query(text) => self.all_matches(text, sink)?,
        };
        let record = {
            let mut cat = self.catalog();
            let rows = cat.asset_rows(&ids)?;
            if rows.is_empty() {
                return Err(CoreError::NothingSelected {
                    selection: selection.describe(),
                });
            }
            let mut b = cat.batch(self.now_ms())?;
            let record = match &change {
                CurationChange::AlbumAdd { album } | CurationChange::AlbumRemove { album } => b
                    .edit(&rows, &change)
                    .map_err(|e| crate::albums::album_error(&album.to_string(), e))?,
                _ => b.edit(&rows, &change)?,
            };
            b.commit()?;
            record
        };
        sink.emit(Event::Edited(record.clone()));
        self.queue_sidecar_writes()?;
        Ok(record)
    }

    /// Undoes the newest edit still done. `None` when there is nothing to
    /// undo.
    pub fn undo(&self, sink: &dyn EventSink) -> Result<Option<EditRecord>> {
        self.history_step("undoing an edit", sink, |b| b.undo_edit())
    }

    /// Applies again the edit undone last. `None` when there is nothing to
    /// redo.
    pub fn redo(&self, sink: &dyn EventSink) -> Result<Option<EditRecord>> {
        self.history_step("redoing an edit", sink, |b| b.redo_edit())
    }

    /// One step back or forth in the history, in its own transaction, told
    /// to `sink` and followed by the sidecars.
    fn history_step(
        &self,
        op: &'static str,
        sink: &dyn EventSink,
        step: impl FnOnce(&mut trove_catalog::Batch<'_>) -> trove_catalog::Result<Option<EditRecord>>,
    ) -> Result<Option<EditRecord>> {
        self.require_writer(op)?;
        let record = {
            let mut cat = self.catalog();
            let mut b = cat.batch(self.now_ms())?;
            let record = step(&mut b).map_err(|e| match e {
                CatalogError::BadValue { what: "keyword", value } => {
                    CoreError::CurationInvalid(CurationValueError::new("keyword tree", "now", &value))
                }
                other => other.into(),
            })?;
            b.commit()?;
            record
        };
        if let Some(r) = &record {
            sink.emit(Event::Edited(r.clone()));
            self.queue_sidecar_writes()?;
        }
        Ok(record)
    }

    /// What a person has set on an asset (for one never edited, what its
    /// file's XMP says).
    pub fn curation(&self, id: AssetId) -> Result<Curation> {
        let cat = self.catalog();
        let Some(&row) = cat.asset_rows(&[id])?.first() else {
            return Err(CoreError::AssetNotFound { query: id.to_string() });
        };
        Ok(cat.curation(row)?)
    }

    /// The newest edits, newest first, done or undone.
    pub fn edit_history(&self, limit: u32) -> Result<Vec<EditRecord>> {
        Ok(self.catalog().edit_history(limit)?)
    }

    /// The keyword tree, by path, with how many assets carry each keyword.
    pub fn keyword_tree(&self) -> Result<Vec<KeywordNode>> {
        Ok(self.catalog().keyword_tree()?)
    }

    /// Renames or moves a keyword on every asset that carries it, as one
    /// edit that [`Library::undo`] takes back.
    pub fn rename_keyword(&self, from: &KeywordPath, to: &KeywordPath, sink: &dyn EventSink) -> Result<EditRecord> {
        self.keyword_tree_edit("renaming a keyword", from, sink, |b| b.rename_keyword(from, to))
    }

    /// Merges a keyword (and those below it) into another on every asset,
    /// as one edit that [`Library::undo`] takes back.
    pub fn merge_keyword(&self, from: &KeywordPath, into: &KeywordPath, sink: &dyn EventSink) -> Result<EditRecord> {
        self.keyword_tree_edit("merging keywords", from, sink, |b| b.merge_keyword(from, into))
    }

    fn keyword_tree_edit(
        &self,
        op: &'static str,
        keyword: &KeywordPath,
        sink: &dyn EventSink,
        change: impl FnOnce(&mut trove_catalog::Batch<'_>) -> trove_catalog::Result<EditRecord>,
    ) -> Result<EditRecord> {
        self.require_writer(op)?;
        let record = {
            let mut cat = self.catalog();
            let mut b = cat.batch(self.now_ms())?;
            let record = change(&mut b).map_err(|e| keyword_error(keyword, e))?;
            b.commit()?;
            record
        };
        sink.emit(Event::Edited(record.clone()));
        self.queue_sidecar_writes()?;
        Ok(record)
    }

    /// Every asset a search finds, up to [`MAX_EDIT_ASSETS`].
    fn all_matches(&self, text: &str, sink: &dyn EventSink) -> Result<Vec<AssetId>> {
        let mut query = SearchQuery {
            text: text.to_owned(),
            limit: 1,
            ..SearchQuery::default()
        };
        let (total, _) = self.search_ids(&query, sink)?;
        if total as usize > MAX_EDIT_ASSETS {
            return Err(too_many(total as usize));
        }
        query.limit = (total as usize).max(1);
        Ok(self.search_ids(&query, sink)?.1)
    }
}
