//! Curation: what a person sets on an asset (stars, a flag, a colour label,
//! texts, keywords), changed only through edits that record what they
//! replaced, so that every edit can be undone and redone.
//!
//! An edit on 100,000 assets is a handful of set-based statements over a
//! temporary table of the selected rows, not 100,000 round trips.

use std::collections::{BTreeSet, HashMap};

use rusqlite::{OptionalExtension, ToSql, params};
use serde::{Deserialize, Serialize};
use trove_types::{ColorLabel, CurationValueError, Flag, KeywordPath, Metadata};

use crate::albums::Comment;
use crate::batch::{Batch, event_kind, to_json};
use crate::db::Catalog;
use crate::error::{CatalogError, Result, SqlContext};
use crate::keywords::{find_keyword, keywords_in};
use crate::model::{AssetRowId, LogEvent, Marks};
use crate::rows::{MARKS_COLUMNS, MARKS_JOINS, marks};

/// The origin of an edit that took in a value another tool wrote into the
/// asset's sidecar.
const FILE_ORIGIN: &str = "the file's XMP";
/// The origin of an edit that put back a person's value after a sidecar
/// change older than it was taken in ("later wins").
const LATER_ORIGIN: &str = "Trove: edited after the file changed";

/// Edits always kept in the history, however old.
pub const KEEP_EDITS: i64 = 1_000;
/// Edits younger than this many days are kept.
pub const KEEP_EDITS_DAYS: i64 = 90;
/// The most asset entries (an edit of 100,000 assets is 100,000) the
/// history keeps beyond its newest [`KEEP_EDITS_ALWAYS`] edits.
pub const MAX_HISTORY_ASSETS: i64 = 5_000_000;
/// Edits kept whatever their size.
pub const KEEP_EDITS_ALWAYS: i64 = 20;

/// What a person has set on an asset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Curation {
    /// Stars, 0 (none) to 5.
    pub rating: u8,
    pub flag: Option<Flag>,
    pub label: Option<ColorLabel>,
    pub title: Option<String>,
    pub caption: Option<String>,
    pub creator: Option<String>,
    pub rights: Option<String>,
    /// Keyword paths, sorted.
    pub keywords: Vec<KeywordPath>,
    /// Paths of the albums it is in (`Trips/Iceland 2024`).
    #[serde(default)]
    pub albums: Vec<String>,
    /// Comments, oldest first.
    #[serde(default)]
    pub comments: Vec<Comment>,
}

impl Curation {
    /// The curation a file carries in its own XMP (embedded or sidecar), as
    /// another tool left it: Lightroom's rating -1 is a reject, labels are
    /// read by colour name, hierarchical keywords keep their tree and flat
    /// keywords not already in a path become top-level ones.
    pub fn from_file(m: Option<&Metadata>) -> Curation {
        let Some(m) = m else {
            return Curation::default();
        };
        let mut c = Curation {
            rating: m
                .rating
                .and_then(|r| u8::try_from(r).ok())
                .filter(|r| *r <= 5)
                .unwrap_or(0),
            flag: (m.rating == Some(-1)).then_some(Flag::Reject),
            label: m.color_label.as_deref().and_then(|l| l.parse().ok()),
            title: m.title.clone(),
            caption: m.description.clone(),
            creator: m.raw["xmp"]["creator"].as_str().map(str::to_owned),
            rights: m.raw["xmp"]["rights"].as_str().map(str::to_owned),
            ..Curation::default()
        };
        let strings = |key: &str| -> Vec<String> {
            m.raw["xmp"][key]
                .as_array()
                .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
                .unwrap_or_default()
        };
        let mut paths: BTreeSet<KeywordPath> = strings("hierarchical_keywords")
            .iter()
            .filter_map(|h| KeywordPath::from_levels(h.split('|')).ok())
            .collect();
        let named: BTreeSet<String> = paths.iter().flat_map(|p| p.levels().iter().cloned()).collect();
        for flat in strings("keywords") {
            if !named.contains(flat.trim())
                && let Ok(p) = KeywordPath::from_levels([flat])
            {
                paths.insert(p);
            }
        }
        c.keywords = paths.into_iter().collect();
        c
    }
}

/// An asset without curation and what its file's XMP said: row, rating,
/// label, title, description, raw metadata JSON.
type FileXmpRow = (
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// One of the free texts a person writes on an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TextField {
    Title,
    Caption,
    Creator,
    Rights,
}

impl TextField {
    pub fn as_str(self) -> &'static str {
        match self {
            TextField::Title => "title",
            TextField::Caption => "caption",
            TextField::Creator => "creator",
            TextField::Rights => "rights",
        }
    }
}

/// The longest text a field takes, in bytes (a long caption is a few
/// kilobytes; this bounds what a mistaken paste can put in every asset).
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// One change a person makes to a selection of assets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "set")]
pub enum CurationChange {
    /// Stars, 0 (none) to 5.
    Rating {
        rating: u8,
    },
    Flag {
        flag: Option<Flag>,
    },
    Label {
        label: Option<ColorLabel>,
    },
    /// A text; `None` or an empty text clears it.
    Text {
        field: TextField,
        value: Option<String>,
    },
    /// Keywords to add and to remove.
    Keywords {
        #[serde(default)]
        add: Vec<KeywordPath>,
        #[serde(default)]
        remove: Vec<KeywordPath>,
    },
    /// Puts the assets at the end of an album (by id), in selection order.
    AlbumAdd {
        album: i64,
    },
    /// Takes the assets out of an album.
    AlbumRemove {
        album: i64,
    },
    /// A comment on each asset.
    Comment {
        author: String,
        text: String,
    },
    /// Renames or moves a keyword in the tree, on every asset carrying it
    /// (made by `Batch::rename_keyword`, not on a selection).
    KeywordRename {
        from: KeywordPath,
        to: KeywordPath,
    },
    /// Merges a keyword into another, on every asset carrying it (made by
    /// `Batch::merge_keyword`, not on a selection).
    KeywordMerge {
        from: KeywordPath,
        into: KeywordPath,
    },
    /// Deletes an album or an empty album folder (made by
    /// `Batch::delete_album`, not on a selection); its assets stay.
    AlbumDelete {
        album: i64,
        name: String,
    },
}

impl CurationChange {
    /// Checks the values, and trims texts (an all-blank text clears).
    pub fn normalized(self) -> Result<CurationChange, CurationValueError> {
        match self {
            CurationChange::Rating { rating } if rating > 5 => {
                Err(CurationValueError::new("rating", &rating.to_string(), "0 to 5 stars"))
            }
            CurationChange::Text { field, value } => {
                let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
                if let Some(v) = &value {
                    if v.len() > MAX_TEXT_BYTES {
                        let head: String = v.chars().take(40).collect();
                        return Err(CurationValueError::new(
                            field.as_str(),
                            &format!("{head}…"),
                            "a text of at most 64 KiB",
                        ));
                    }
                    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
                        let head: String = v.chars().take(40).collect();
                        return Err(CurationValueError::new(
                            field.as_str(),
                            &head,
                            "a text without control characters",
                        ));
                    }
                }
                Ok(CurationChange::Text { field, value })
            }
            CurationChange::Keywords { add, remove } if add.is_empty() && remove.is_empty() => Err(
                CurationValueError::new("keyword change", "", "at least one keyword to add or remove"),
            ),
            CurationChange::Comment { author, text } => {
                let text = text.trim().to_owned();
                let author = author.trim().to_owned();
                if text.is_empty() || text.len() > MAX_TEXT_BYTES {
                    let head: String = text.chars().take(40).collect();
                    return Err(CurationValueError::new("comment", &head, "a text of 1 byte to 64 KiB"));
                }
                if author.is_empty() || author.chars().any(char::is_control) {
                    return Err(CurationValueError::new(
                        "comment author",
                        &author,
                        "a name without control characters",
                    ));
                }
                Ok(CurationChange::Comment { author, text })
            }
            CurationChange::KeywordRename { from, .. } | CurationChange::KeywordMerge { from, .. } => {
                Err(CurationValueError::new(
                    "change",
                    &format!("a rename or merge of {from}"),
                    "a change to a selection of assets (rename and merge keywords in the keyword tree)",
                ))
            }
            CurationChange::AlbumDelete { name, .. } => Err(CurationValueError::new(
                "change",
                &format!("deleting the album {name}"),
                "a change to a selection of assets (delete albums in the album list)",
            )),
            other => Ok(other),
        }
    }

    /// A short description for the history: `rating 4`, `flag pick`.
    pub fn summary(&self) -> String {
        let or_none = |s: Option<&str>| s.unwrap_or("none").to_owned();
        match self {
            CurationChange::Rating { rating } => format!("rating {rating}"),
            CurationChange::Flag { flag } => format!("flag {}", or_none(flag.map(Flag::as_str))),
            CurationChange::Label { label } => format!("label {}", or_none(label.map(ColorLabel::as_str))),
            CurationChange::Text { field, value } => match value {
                Some(_) => format!("{} set", field.as_str()),
                None => format!("{} cleared", field.as_str()),
            },
            CurationChange::Keywords { add, remove } => {
                let mut parts: Vec<String> = add.iter().map(|k| format!("+{k}")).collect();
                parts.extend(remove.iter().map(|k| format!("-{k}")));
                format!("keywords {}", parts.join(" "))
            }
            CurationChange::AlbumAdd { album } => format!("added to album {album}"),
            CurationChange::AlbumRemove { album } => format!("removed from album {album}"),
            CurationChange::Comment { .. } => "comment added".to_owned(),
            CurationChange::KeywordRename { from, to } => format!("keyword {from} renamed to {to}"),
            CurationChange::KeywordMerge { from, into } => format!("keyword {from} merged into {into}"),
            CurationChange::AlbumDelete { name, .. } => format!("album {name} deleted"),
        }
    }

    /// The `curation` column a field change sets, or `None` for keywords.
    fn column(&self) -> Option<&'static str> {
        Some(match self {
            CurationChange::Rating { .. } => "rating",
            CurationChange::Flag { .. } => "flag",
            CurationChange::Label { .. } => "label",
            CurationChange::Text { field, .. } => field.as_str(),
            CurationChange::Keywords { .. }
            | CurationChange::AlbumAdd { .. }
            | CurationChange::AlbumRemove { .. }
            | CurationChange::Comment { .. }
            | CurationChange::KeywordRename { .. }
            | CurationChange::KeywordMerge { .. }
            | CurationChange::AlbumDelete { .. } => return None,
        })
    }
}

/// Where an edit stands in the undo history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EditState {
    Done,
    /// Undone; the next redo brings it back.
    Undone,
    /// Undone, then a new edit was made: it can no longer be redone.
    Dropped,
}

impl EditState {
    pub fn as_str(self) -> &'static str {
        match self {
            EditState::Done => "done",
            EditState::Undone => "undone",
            EditState::Dropped => "dropped",
        }
    }

    fn parse(s: &str) -> Result<EditState> {
        match s {
            "done" => Ok(EditState::Done),
            "undone" => Ok(EditState::Undone),
            "dropped" => Ok(EditState::Dropped),
            other => Err(CatalogError::BadValue {
                what: "edits.state",
                value: other.to_owned(),
            }),
        }
    }
}

/// One entry of the edit history.
#[derive(Debug, Clone, PartialEq)]
pub struct EditRecord {
    pub id: i64,
    pub at: i64,
    pub change: CurationChange,
    pub summary: String,
    pub asset_count: u64,
    pub state: EditState,
}

const EDIT_COLUMNS: &str = "id, at, change, summary, asset_count, state";

fn edit_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, i64, String, String, i64, String)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
}

fn edit_record((id, at, change, summary, count, state): (i64, i64, String, String, i64, String)) -> Result<EditRecord> {
    Ok(EditRecord {
        id,
        at,
        change: serde_json::from_str(&change).map_err(|e| CatalogError::BadValue {
            what: "edits.change",
            value: format!("{change} ({e})"),
        })?,
        summary,
        asset_count: count.max(0) as u64,
        state: EditState::parse(&state)?,
    })
}

/// The event detail that names an edit.
pub(crate) fn edit_detail(edit: i64) -> String {
    serde_json::json!({ "edit": edit }).to_string()
}

impl LogEvent {
    /// The edit an `assets_edited`, `edit_undone` or `edit_redone` event
    /// names.
    pub fn edit_id(&self) -> Option<i64> {
        if !matches!(
            self.kind.as_str(),
            event_kind::ASSETS_EDITED | event_kind::EDIT_UNDONE | event_kind::EDIT_REDONE
        ) {
            return None;
        }
        let detail: serde_json::Value = serde_json::from_str(self.detail.as_deref()?).ok()?;
        detail["edit"].as_i64()
    }
}

impl LogEvent {
    /// The album an `album_changed` event names.
    pub fn album_id(&self) -> Option<i64> {
        if self.kind != event_kind::ALBUM_CHANGED {
            return None;
        }
        let detail: serde_json::Value = serde_json::from_str(self.detail.as_deref()?).ok()?;
        detail["album"].as_i64()
    }
}

impl Batch<'_> {
    /// Applies `change` to `assets` (rows that are not assets are ignored)
    /// as one edit: the values it replaces are kept for undo, the redo
    /// history is dropped, and one `assets_edited` event names the edit.
    pub fn edit(&mut self, assets: &[AssetRowId], change: &CurationChange) -> Result<EditRecord> {
        if let CurationChange::KeywordRename { .. }
        | CurationChange::KeywordMerge { .. }
        | CurationChange::AlbumDelete { .. } = change
        {
            return Err(CatalogError::BadValue {
                what: "edit change",
                value: format!(
                    "{} (a keyword tree change, made with rename_keyword or merge_keyword)",
                    change.summary()
                ),
            });
        }
        self.edit_from(assets, change, None)
    }

    /// Another tool changed an asset's XMP (its sidecar was edited at
    /// `file_changed_ms`): each field that changed in the file since it was
    /// last read is taken in as an edit of its own ("... (from the file's
    /// XMP)") in the history. Fields the file did not change keep the
    /// person's values. An asset never curated reads its file anyway:
    /// nothing to do.
    ///
    /// When both sides changed a field, the later change wins: if the
    /// person edited the field in Trove after the file was changed, the
    /// file's value is still recorded (so undo brings it back) and then
    /// the person's value is put back by a second edit, which the sidecar
    /// writer then writes to the file. Neither value is silently dropped.
    pub(crate) fn follow_file_curation(
        &mut self,
        asset: AssetRowId,
        before: Option<&Metadata>,
        after: &Metadata,
        file_changed_ms: i64,
    ) -> Result<()> {
        let curated: bool = self
            .tx()
            .query_row("SELECT count(*) FROM curation WHERE asset_id = ?1", [asset], |r| {
                r.get::<_, i64>(0)
            })
            .ctx("read curation")?
            > 0;
        if !curated {
            return Ok(());
        }
        let old = Curation::from_file(before);
        let new = Curation::from_file(Some(after));
        let mut changes = Vec::new();
        if old.rating != new.rating {
            changes.push(CurationChange::Rating { rating: new.rating });
        }
        if old.flag != new.flag {
            changes.push(CurationChange::Flag { flag: new.flag });
        }
        if old.label != new.label {
            changes.push(CurationChange::Label { label: new.label });
        }
        for (field, was, is) in [
            (TextField::Title, &old.title, &new.title),
            (TextField::Caption, &old.caption, &new.caption),
            (TextField::Creator, &old.creator, &new.creator),
            (TextField::Rights, &old.rights, &new.rights),
        ] {
            if was != is {
                changes.push(CurationChange::Text {
                    field,
                    value: is.clone(),
                });
            }
        }
        let add: Vec<KeywordPath> = new
            .keywords
            .iter()
            .filter(|k| !old.keywords.contains(k))
            .cloned()
            .collect();
        let remove: Vec<KeywordPath> = old
            .keywords
            .iter()
            .filter(|k| !new.keywords.contains(k))
            .cloned()
            .collect();
        if !add.is_empty() || !remove.is_empty() {
            changes.push(CurationChange::Keywords { add, remove });
        }
        for change in changes {
            let restore = match self.edited_since(asset, &change, file_changed_ms)? {
                Some(conflict) => self.restoring(asset, &conflict)?,
                None => None,
            };
            self.edit_from(&[asset], &change, Some(FILE_ORIGIN))?;
            if let Some(restore) = restore {
                self.edit_from(&[asset], &restore, Some(LATER_ORIGIN))?;
            }
        }
        Ok(())
    }

    /// The part of `change` (a field, or for keywords the keywords) that a
    /// person edited on `asset` in Trove after `since_ms`, with an edit
    /// still in effect and not one that took in the file's value. Keywords
    /// are a set: the file adding one and the person adding another is no
    /// conflict.
    fn edited_since(
        &self,
        asset: AssetRowId,
        change: &CurationChange,
        since_ms: i64,
    ) -> Result<Option<CurationChange>> {
        let (set, field) = match change {
            CurationChange::Rating { .. } => ("rating", None),
            CurationChange::Flag { .. } => ("flag", None),
            CurationChange::Label { .. } => ("label", None),
            CurationChange::Text { field, .. } => ("text", Some(field.as_str())),
            CurationChange::Keywords { .. } => ("keywords", None),
            _ => return Ok(None),
        };
        let touched: Vec<Option<String>> = {
            let mut stmt = self
                .tx()
                .prepare_cached(
                    "SELECT e.keyword_ids FROM edit_assets ea JOIN edits e ON e.id = ea.edit_id
                     WHERE ea.asset_id = ?1 AND e.state = 'done' AND e.origin IS NULL AND e.at > ?2
                       AND json_extract(e.change, '$.set') = ?3
                       AND (?4 IS NULL OR json_extract(e.change, '$.field') = ?4)",
                )
                .ctx("read edit times")?;
            let rows = stmt
                .query_map(params![asset, since_ms, set, field], |r| r.get(0))
                .ctx("read edit times")?;
            rows.collect::<rusqlite::Result<_>>().ctx("read edit times")?
        };
        if touched.is_empty() {
            return Ok(None);
        }
        let CurationChange::Keywords { add, remove } = change else {
            return Ok(Some(change.clone()));
        };
        let ids: BTreeSet<i64> = touched
            .iter()
            .flatten()
            .flat_map(|json| serde_json::from_str::<Vec<i64>>(json).unwrap_or_default())
            .collect();
        let person_touched =
            |k: &KeywordPath| -> Result<bool> { Ok(find_keyword(self.tx(), k)?.is_some_and(|id| ids.contains(&id))) };
        let mut conflict_add = Vec::new();
        for k in add {
            if person_touched(k)? {
                conflict_add.push(k.clone());
            }
        }
        let mut conflict_remove = Vec::new();
        for k in remove {
            if person_touched(k)? {
                conflict_remove.push(k.clone());
            }
        }
        Ok(
            (!conflict_add.is_empty() || !conflict_remove.is_empty()).then_some(CurationChange::Keywords {
                add: conflict_add,
                remove: conflict_remove,
            }),
        )
    }

    /// The change that puts back what `asset` has now for the field
    /// `change` sets (`None` when applying `change` would not alter it).
    fn restoring(&self, asset: AssetRowId, change: &CurationChange) -> Result<Option<CurationChange>> {
        let column = |col: &str| -> Result<Option<String>> {
            self.tx()
                .query_row(
                    &format!("SELECT {col} FROM curation WHERE asset_id = ?1"),
                    [asset],
                    |r| r.get::<_, Option<rusqlite::types::Value>>(0),
                )
                .optional()
                .ctx("read curation")
                .map(|v| match v.flatten() {
                    Some(rusqlite::types::Value::Text(t)) => Some(t),
                    Some(rusqlite::types::Value::Integer(i)) => Some(i.to_string()),
                    _ => None,
                })
        };
        let bad = |what: &'static str, value: String| CatalogError::BadValue { what, value };
        Ok(Some(match change {
            CurationChange::Rating { .. } => {
                let v = column("rating")?.unwrap_or_default();
                CurationChange::Rating {
                    rating: v.parse().unwrap_or(0),
                }
            }
            CurationChange::Flag { .. } => CurationChange::Flag {
                flag: column("flag")?
                    .map(|f| f.parse().map_err(|_| bad("curation.flag", f)))
                    .transpose()?,
            },
            CurationChange::Label { .. } => CurationChange::Label {
                label: column("label")?
                    .map(|l| l.parse().map_err(|_| bad("curation.label", l)))
                    .transpose()?,
            },
            CurationChange::Text { field, .. } => CurationChange::Text {
                field: *field,
                value: column(field.as_str())?,
            },
            CurationChange::Keywords { add, remove } => {
                let has = keywords_in(self.tx(), asset)?;
                let add_back: Vec<KeywordPath> = remove.iter().filter(|k| has.contains(k)).cloned().collect();
                let take_out: Vec<KeywordPath> = add.iter().filter(|k| !has.contains(k)).cloned().collect();
                if add_back.is_empty() && take_out.is_empty() {
                    return Ok(None);
                }
                CurationChange::Keywords {
                    add: add_back,
                    remove: take_out,
                }
            }
            _ => return Ok(None),
        }))
    }

    fn edit_from(
        &mut self,
        assets: &[AssetRowId],
        change: &CurationChange,
        origin: Option<&str>,
    ) -> Result<EditRecord> {
        self.tx()
            .execute("UPDATE edits SET state = 'dropped' WHERE state = 'undone'", [])
            .ctx("drop redo history")?;
        self.select_assets(assets)?;
        let count: i64 = self
            .tx()
            .query_row("SELECT count(*) FROM temp.edit_sel", [], |r| r.get(0))
            .ctx("count selection")?;
        self.seed_curation()?;
        let keyword_ids = self.resolve_keywords(change)?;
        let change_json = to_json("edits.change", change)?;
        let touched = keyword_ids.as_ref().map(|(a, r)| {
            let all: BTreeSet<i64> = a.iter().chain(r).copied().collect();
            serde_json::to_string(&all).unwrap_or_else(|_| "[]".into())
        });
        let base = match change {
            CurationChange::AlbumAdd { album } | CurationChange::AlbumRemove { album } => {
                let name: Option<String> = self
                    .tx()
                    .query_row("SELECT name FROM albums WHERE id = ?1", [album], |r| r.get(0))
                    .optional()
                    .ctx("read album")?;
                match (change, name) {
                    (CurationChange::AlbumAdd { .. }, Some(n)) => format!("added to {n}"),
                    (_, Some(n)) => format!("removed from {n}"),
                    _ => change.summary(),
                }
            }
            _ => change.summary(),
        };
        let summary = match origin {
            Some(o) => format!("{base} (from {o})"),
            None => base,
        };
        self.tx()
            .execute(
                "INSERT INTO edits (at, change, summary, asset_count, keyword_ids, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    self.now(),
                    change_json,
                    summary,
                    count,
                    touched,
                    (origin == Some(FILE_ORIGIN)).then_some("file")
                ],
            )
            .ctx("record edit")?;
        let id = self.tx().last_insert_rowid();
        self.apply(id, change, keyword_ids.as_ref())?;
        self.finish_edit(id, change.clone(), summary, count.max(0) as u64)
    }

    /// The end of every new edit once it is applied: its assets' sidecars
    /// are marked, one event names it, the history is pruned.
    fn finish_edit(&mut self, id: i64, change: CurationChange, summary: String, count: u64) -> Result<EditRecord> {
        self.mark_edit_sidecars(id)?;
        self.log(event_kind::ASSETS_EDITED, None, None, None, Some(&edit_detail(id)))?;
        self.prune_edit_history()?;
        Ok(EditRecord {
            id,
            at: self.now(),
            change,
            summary,
            asset_count: count,
            state: EditState::Done,
        })
    }

    /// Renames or moves a keyword (`Places|Iceland` to `Travel|Iceland`):
    /// every asset that carries it, or one below it, carries the new path.
    /// Refused when the new path exists (merge it instead) or lies below
    /// the keyword itself. One edit in the undo history.
    pub fn rename_keyword(&mut self, from: &KeywordPath, to: &KeywordPath) -> Result<EditRecord> {
        self.tree_edit(CurationChange::KeywordRename {
            from: from.clone(),
            to: to.clone(),
        })
    }

    /// Merges `from` (and the keywords below it) into `into`: every asset
    /// that carried `from` carries `into`; `from`'s children move under
    /// `into`, merging with children of the same name; `from` is gone. One
    /// edit in the undo history.
    pub fn merge_keyword(&mut self, from: &KeywordPath, into: &KeywordPath) -> Result<EditRecord> {
        self.tree_edit(CurationChange::KeywordMerge {
            from: from.clone(),
            into: into.clone(),
        })
    }

    /// A structural change (a keyword rename or merge, an album's
    /// deletion) as a new edit: the redo history is dropped, the change is
    /// made and recorded, its assets' sidecars are marked.
    fn tree_edit(&mut self, change: CurationChange) -> Result<EditRecord> {
        // Refused before anything is written.
        match &change {
            CurationChange::KeywordRename { from, to } => {
                self.check_rename(from, to)?;
            }
            CurationChange::KeywordMerge { from, into } => {
                self.check_merge(from, into)?;
            }
            _ => {}
        }
        self.tx()
            .execute("UPDATE edits SET state = 'dropped' WHERE state = 'undone'", [])
            .ctx("drop redo history")?;
        let change_json = to_json("edits.change", &change)?;
        let summary = change.summary();
        self.tx()
            .execute(
                "INSERT INTO edits (at, change, summary, asset_count) VALUES (?1, ?2, ?3, 0)",
                params![self.now(), change_json, summary],
            )
            .ctx("record edit")?;
        let id = self.tx().last_insert_rowid();
        let count = self.apply_tree_change(id, &change)?;
        self.finish_edit(id, change, summary, count)
    }

    /// Deletes an album or an empty album folder (its assets stay) as one
    /// edit in the undo history.
    pub fn delete_album(&mut self, album: i64) -> Result<EditRecord> {
        let name = self.check_album_deletable(album)?;
        self.tree_edit(CurationChange::AlbumDelete { album, name })
    }

    /// Makes a rename or merge under edit `edit` (new, or redone).
    fn apply_tree_change(&mut self, edit: i64, change: &CurationChange) -> Result<u64> {
        match change {
            CurationChange::KeywordRename { from, to } => self.run_rename(edit, from, to),
            CurationChange::KeywordMerge { from, into } => self.run_merge(edit, from, into),
            CurationChange::AlbumDelete { album, .. } => self.apply_album_delete(edit, *album),
            other => Err(CatalogError::BadValue {
                what: "keyword tree change",
                value: other.summary(),
            }),
        }
    }

    /// Keeps the history bounded: edits beyond the newest
    /// [`KEEP_EDITS`] that are older than [`KEEP_EDITS_DAYS`] days go, and
    /// so do the oldest edits (beyond the newest [`KEEP_EDITS_ALWAYS`])
    /// while the history holds more than [`MAX_HISTORY_ASSETS`] asset
    /// entries, so that a year of culling does not grow the catalog
    /// without end. What the edits did stays; only undo of them goes.
    pub(crate) fn prune_edit_history(&mut self) -> Result<()> {
        let cutoff = self.now() - KEEP_EDITS_DAYS * 24 * 3600 * 1000;
        self.tx()
            .execute(
                "DELETE FROM edits WHERE at < ?1 AND id < (SELECT min(id) FROM (SELECT id FROM edits ORDER BY id DESC LIMIT ?2))",
                params![cutoff, KEEP_EDITS],
            )
            .ctx("prune edit history")?;
        self.tx()
            .execute(
                "DELETE FROM edits WHERE id IN (
                     SELECT id FROM (SELECT id, row_number() OVER newest AS n,
                                            sum(asset_count) OVER newest AS entries
                                     FROM edits WINDOW newest AS (ORDER BY id DESC))
                     WHERE n > ?1 AND entries > ?2)",
                params![KEEP_EDITS_ALWAYS, MAX_HISTORY_ASSETS],
            )
            .ctx("prune edit history")?;
        Ok(())
    }

    /// Undoes the newest edit that is done: every asset it touched gets
    /// back the value the edit replaced. `None` when there is nothing to
    /// undo.
    pub fn undo_edit(&mut self) -> Result<Option<EditRecord>> {
        let Some((mut record, keyword_ids)) = self.edit_where("state = 'done' ORDER BY id DESC")? else {
            return Ok(None);
        };
        let id = record.id;
        match record.change.column() {
            Some(col) => {
                self.tx()
                    .execute(
                        &format!(
                            "UPDATE curation SET {col} = (SELECT json_extract(ea.before, '$.{col}') FROM edit_assets ea
                                                       WHERE ea.edit_id = ?1 AND ea.asset_id = curation.asset_id),
                                                updated_at = ?2
                             WHERE asset_id IN (SELECT asset_id FROM edit_assets WHERE edit_id = ?1)"
                        ),
                        params![id, self.now()],
                    )
                    .ctx("undo edit")?;
            }
            None if matches!(
                record.change,
                CurationChange::AlbumAdd { .. } | CurationChange::AlbumRemove { .. }
            ) =>
            {
                let (CurationChange::AlbumAdd { album } | CurationChange::AlbumRemove { album }) = record.change else {
                    unreachable!("matched above")
                };
                self.undo_album_membership(id, album)?;
            }
            None if matches!(record.change, CurationChange::Comment { .. }) => self.undo_comment(id)?,
            None if matches!(
                record.change,
                CurationChange::KeywordRename { .. } | CurationChange::KeywordMerge { .. }
            ) =>
            {
                self.undo_tree_change(id, &record.change.summary())?;
            }
            None if matches!(record.change, CurationChange::AlbumDelete { .. }) => self.undo_album_delete(id)?,
            None => {
                let touched = keyword_ids.unwrap_or_else(|| "[]".into());
                self.tx()
                    .execute(
                        "DELETE FROM asset_keywords
                         WHERE keyword_id IN (SELECT value FROM json_each(?2))
                           AND asset_id IN (SELECT asset_id FROM edit_assets WHERE edit_id = ?1)",
                        params![id, touched],
                    )
                    .ctx("undo keywords")?;
                self.tx()
                    .execute(
                        "INSERT OR IGNORE INTO asset_keywords (asset_id, keyword_id)
                         SELECT ea.asset_id, j.value FROM edit_assets ea, json_each(ea.before, '$.keywords') j
                         WHERE ea.edit_id = ?1 AND j.value IN (SELECT id FROM keywords)",
                        [id],
                    )
                    .ctx("undo keywords")?;
                self.tx()
                    .execute(
                        "UPDATE curation SET updated_at = ?2
                         WHERE asset_id IN (SELECT asset_id FROM edit_assets WHERE edit_id = ?1)",
                        params![id, self.now()],
                    )
                    .ctx("undo keywords")?;
            }
        }
        self.tx()
            .execute("UPDATE edits SET state = 'undone' WHERE id = ?1", [id])
            .ctx("undo edit")?;
        self.mark_edit_sidecars(id)?;
        self.log(event_kind::EDIT_UNDONE, None, None, None, Some(&edit_detail(id)))?;
        record.state = EditState::Undone;
        Ok(Some(record))
    }

    /// Applies again the edit undone most recently. `None` when there is
    /// nothing to redo.
    pub fn redo_edit(&mut self) -> Result<Option<EditRecord>> {
        let Some((mut record, _)) = self.edit_where("state = 'undone' ORDER BY id ASC")? else {
            return Ok(None);
        };
        let id = record.id;
        self.ensure_selection_table()?;
        self.tx()
            .execute(
                "INSERT INTO temp.edit_sel (asset_id) SELECT asset_id FROM edit_assets WHERE edit_id = ?1",
                [id],
            )
            .ctx("redo edit")?;
        self.tx()
            .execute("DELETE FROM edit_assets WHERE edit_id = ?1", [id])
            .ctx("redo edit")?;
        let change = record.change.clone();
        let ids = self.resolve_keywords(&change)?;
        self.apply(id, &change, ids.as_ref())?;
        self.tx()
            .execute("UPDATE edits SET state = 'done' WHERE id = ?1", [id])
            .ctx("redo edit")?;
        self.mark_edit_sidecars(id)?;
        self.log(event_kind::EDIT_REDONE, None, None, None, Some(&edit_detail(id)))?;
        record.state = EditState::Done;
        Ok(Some(record))
    }

    /// For a keyword change, the ids of the keywords it adds (created as
    /// needed) and of those it removes that exist.
    fn resolve_keywords(&mut self, change: &CurationChange) -> Result<Option<(Vec<i64>, Vec<i64>)>> {
        let CurationChange::Keywords { add, remove } = change else {
            return Ok(None);
        };
        let mut cache = HashMap::new();
        let mut added = Vec::new();
        for k in add {
            added.push(self.keyword_id(k, &mut cache)?);
        }
        let mut removed = Vec::new();
        for k in remove {
            removed.extend(self.find_keyword(k)?);
        }
        Ok(Some((added, removed)))
    }

    fn edit_where(&self, clause: &str) -> Result<Option<(EditRecord, Option<String>)>> {
        let row = self
            .tx()
            .query_row(
                &format!("SELECT {EDIT_COLUMNS}, keyword_ids FROM edits WHERE {clause} LIMIT 1"),
                [],
                |r| Ok((edit_row(r)?, r.get::<_, Option<String>>(6)?)),
            )
            .optional()
            .ctx("read edit history")?;
        row.map(|(r, ids)| Ok((edit_record(r)?, ids))).transpose()
    }

    /// Writes the change for the rows in `temp.edit_sel`, recording under
    /// edit `id` what each of them had.
    fn apply(&mut self, id: i64, change: &CurationChange, keywords: Option<&(Vec<i64>, Vec<i64>)>) -> Result<()> {
        let now = self.now();
        if let Some(col) = change.column() {
            self.tx()
                .execute(
                    &format!(
                        "INSERT INTO edit_assets (edit_id, asset_id, before)
                         SELECT ?1, c.asset_id, json_object('{col}', c.{col})
                         FROM curation c JOIN temp.edit_sel s ON s.asset_id = c.asset_id"
                    ),
                    [id],
                )
                .ctx("record edit")?;
            let value: Box<dyn ToSql> = match change {
                CurationChange::Rating { rating } => Box::new(*rating),
                CurationChange::Flag { flag } => Box::new(flag.map(Flag::as_str)),
                CurationChange::Label { label } => Box::new(label.map(ColorLabel::as_str)),
                CurationChange::Text { value, .. } => Box::new(value.clone()),
                CurationChange::Keywords { .. }
                | CurationChange::AlbumAdd { .. }
                | CurationChange::AlbumRemove { .. }
                | CurationChange::Comment { .. }
                | CurationChange::KeywordRename { .. }
                | CurationChange::KeywordMerge { .. }
                | CurationChange::AlbumDelete { .. } => unreachable!("only field changes have a column"),
            };
            self.tx()
                .execute(
                    &format!(
                        "UPDATE curation SET {col} = ?1, updated_at = ?2
                         WHERE asset_id IN (SELECT asset_id FROM temp.edit_sel)"
                    ),
                    params![value, now],
                )
                .ctx("apply edit")?;
            return Ok(());
        }
        match change {
            CurationChange::AlbumAdd { album } => return self.apply_album_add(id, *album),
            CurationChange::AlbumRemove { album } => return self.apply_album_remove(id, *album),
            CurationChange::Comment { author, text } => return self.apply_comment(id, author, text),
            CurationChange::KeywordRename { .. } | CurationChange::KeywordMerge { .. } => {
                return self.apply_tree_change(id, change).map(drop);
            }
            CurationChange::AlbumDelete { album, .. } => return self.apply_album_delete(id, *album).map(drop),
            _ => {}
        }
        let (add, remove) = keywords.cloned().unwrap_or_default();
        let touched: BTreeSet<i64> = add.iter().chain(&remove).copied().collect();
        let json = |ids: &dyn Fn() -> Vec<i64>| serde_json::to_string(&ids()).unwrap_or_else(|_| "[]".into());
        let touched = json(&|| touched.iter().copied().collect());
        let add = json(&|| add.clone());
        let remove = json(&|| remove.clone());
        self.tx()
            .execute(
                "INSERT INTO edit_assets (edit_id, asset_id, before)
                 SELECT ?1, s.asset_id, json_object('keywords', json(
                     (SELECT json_group_array(ak.keyword_id) FROM asset_keywords ak
                      WHERE ak.asset_id = s.asset_id AND ak.keyword_id IN (SELECT value FROM json_each(?2)))))
                 FROM temp.edit_sel s",
                params![id, touched],
            )
            .ctx("record edit")?;
        self.tx()
            .execute(
                "DELETE FROM asset_keywords
                 WHERE keyword_id IN (SELECT value FROM json_each(?1))
                   AND asset_id IN (SELECT asset_id FROM temp.edit_sel)",
                [remove],
            )
            .ctx("remove keywords")?;
        self.tx()
            .execute(
                "INSERT OR IGNORE INTO asset_keywords (asset_id, keyword_id)
                 SELECT s.asset_id, j.value FROM temp.edit_sel s, json_each(?1) j",
                [add],
            )
            .ctx("add keywords")?;
        self.tx()
            .execute(
                "UPDATE curation SET updated_at = ?1 WHERE asset_id IN (SELECT asset_id FROM temp.edit_sel)",
                [now],
            )
            .ctx("apply edit")?;
        Ok(())
    }

    fn ensure_selection_table(&self) -> Result<()> {
        self.tx()
            .execute_batch(
                "CREATE TEMP TABLE IF NOT EXISTS edit_sel (asset_id INTEGER PRIMARY KEY, ord INTEGER NOT NULL DEFAULT 0);
                 DELETE FROM temp.edit_sel;",
            )
            .ctx("prepare selection")
    }

    /// Puts the asset rows of a selection into `temp.edit_sel`.
    fn select_assets(&mut self, assets: &[AssetRowId]) -> Result<()> {
        self.ensure_selection_table()?;
        let mut insert = self
            .tx()
            .prepare_cached(
                "INSERT OR IGNORE INTO temp.edit_sel (asset_id, ord) SELECT id, ?2 FROM assets WHERE id = ?1",
            )
            .ctx("fill selection")?;
        for (ord, row) in assets.iter().enumerate() {
            insert.execute(params![row, ord as i64]).ctx("fill selection")?;
        }
        Ok(())
    }

    /// Gives every selected asset without a curation row one, seeded from
    /// what its file says.
    fn seed_curation(&mut self) -> Result<()> {
        let rows: Vec<FileXmpRow> = {
            let mut stmt = self
                .tx()
                .prepare_cached(
                    "SELECT s.asset_id, m.rating, m.color_label, m.title, m.description, m.raw
                     FROM temp.edit_sel s
                     LEFT JOIN curation c ON c.asset_id = s.asset_id
                     LEFT JOIN metadata m ON m.asset_id = s.asset_id
                     WHERE c.asset_id IS NULL",
                )
                .ctx("read file curation")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
                })
                .ctx("read file curation")?;
            rows.collect::<rusqlite::Result<_>>().ctx("read file curation")?
        };
        let mut cache = HashMap::new();
        for (asset, rating, label, title, description, raw) in rows {
            let m = Metadata {
                rating: rating.and_then(|r| i8::try_from(r).ok()),
                color_label: label,
                title,
                description,
                raw: raw
                    .filter(|r| r.contains("\"xmp\""))
                    .and_then(|r| serde_json::from_str(&r).ok())
                    .unwrap_or_default(),
                ..Metadata::default()
            };
            let c = Curation::from_file(Some(&m));
            self.tx()
                .prepare_cached(
                    "INSERT INTO curation (asset_id, rating, flag, label, title, caption, creator, rights, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .ctx("seed curation")?
                .execute(params![
                    asset,
                    c.rating,
                    c.flag.map(Flag::as_str),
                    c.label.map(ColorLabel::as_str),
                    c.title,
                    c.caption,
                    c.creator,
                    c.rights,
                    self.now()
                ])
                .ctx("seed curation")?;
            self.add_asset_keywords(asset, &c.keywords, &mut cache)?;
        }
        Ok(())
    }
}

impl Catalog {
    /// What a person has set on an asset; for an asset never edited, what
    /// its file says.
    pub fn curation(&self, asset: AssetRowId) -> Result<Curation> {
        match self.curation_row(asset)? {
            Some(c) => Ok(c),
            None => self.file_curation(asset, self.metadata(asset)?.as_ref()),
        }
    }

    /// [`Catalog::curation`] for a caller that has read the asset's
    /// metadata already (the indexer, sync, sidecars): it is not read twice.
    pub fn curation_given(&self, asset: AssetRowId, metadata: Option<&Metadata>) -> Result<Curation> {
        match self.curation_row(asset)? {
            Some(c) => Ok(c),
            None => self.file_curation(asset, metadata),
        }
    }

    /// An asset never edited: what its file says, with its albums and
    /// comments.
    fn file_curation(&self, asset: AssetRowId, metadata: Option<&Metadata>) -> Result<Curation> {
        let mut c = Curation::from_file(metadata);
        c.albums = self.albums_of(asset)?;
        c.comments = self.comments(asset)?;
        Ok(c)
    }

    /// The asset's `curation` row with its keywords, albums and comments,
    /// if it has one.
    fn curation_row(&self, asset: AssetRowId) -> Result<Option<Curation>> {
        let row = self
            .conn
            .prepare_cached(
                "SELECT rating, flag, label, title, caption, creator, rights FROM curation WHERE asset_id = ?1",
            )
            .ctx("read curation")?
            .query_row([asset], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })
            .optional()
            .ctx("read curation")?;
        let Some((rating, flag, label, title, caption, creator, rights)) = row else {
            return Ok(None);
        };
        let bad = |what: &'static str, value: String| CatalogError::BadValue { what, value };
        Ok(Some(Curation {
            rating: u8::try_from(rating).map_err(|_| bad("curation.rating", rating.to_string()))?,
            flag: flag
                .map(|f| f.parse().map_err(|_| bad("curation.flag", f)))
                .transpose()?,
            label: label
                .map(|l| l.parse().map_err(|_| bad("curation.label", l)))
                .transpose()?,
            title,
            caption,
            creator,
            rights,
            keywords: self.keywords_of(asset)?,
            albums: self.albums_of(asset)?,
            comments: self.comments(asset)?,
        }))
    }

    /// The newest entries of the edit history, newest first.
    pub fn edit_history(&self, limit: u32) -> Result<Vec<EditRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {EDIT_COLUMNS} FROM edits ORDER BY id DESC LIMIT ?1"))
            .ctx("read edit history")?;
        let rows = stmt.query_map([limit], edit_row).ctx("read edit history")?;
        rows.map(|r| edit_record(r.ctx("read edit history")?)).collect()
    }

    /// What a grid cell shows of an asset's curation.
    pub fn marks(&self, asset: AssetRowId) -> Result<Marks> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {MARKS_COLUMNS} FROM assets a {MARKS_JOINS} WHERE a.id = ?1"
            ))
            .ctx("read marks")?
            .query_row([asset], |r| marks(r, 0))
            .optional()
            .ctx("read marks")
            .map(Option::unwrap_or_default)
    }

    /// The asset rows an edit touched.
    pub fn edit_asset_rows(&self, edit: i64) -> Result<Vec<AssetRowId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT asset_id FROM edit_assets WHERE edit_id = ?1 ORDER BY asset_id")
            .ctx("read edit")?;
        let rows = stmt.query_map([edit], |r| r.get(0)).ctx("read edit")?;
        rows.collect::<rusqlite::Result<_>>().ctx("read edit")
    }

    /// Every asset a run of events changed: the asset each names, and the
    /// assets of each edit they name.
    pub fn touched_assets(&self, events: &[LogEvent]) -> Result<BTreeSet<AssetRowId>> {
        let mut touched: BTreeSet<AssetRowId> = events.iter().filter_map(|e| e.asset_row_id).collect();
        let edits: BTreeSet<i64> = events.iter().filter_map(LogEvent::edit_id).collect();
        for edit in edits {
            touched.extend(self.edit_asset_rows(edit)?);
        }
        for e in events.iter().filter(|e| e.kind == event_kind::KEYWORD_CHANGED) {
            let keyword = e
                .detail
                .as_deref()
                .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok())
                .and_then(|d| d["keyword"].as_i64());
            if let Some(k) = keyword {
                touched.extend(self.keyword_asset_rows(k)?);
            }
        }
        let albums: BTreeSet<i64> = events.iter().filter_map(LogEvent::album_id).collect();
        for album in albums {
            touched.extend(self.album_asset_rows(album)?);
        }
        for root in events
            .iter()
            .filter(|e| e.kind == event_kind::ROOT_MOVED)
            .filter_map(|e| e.root_id)
        {
            touched.extend(self.files_of_root(root)?.into_iter().map(|f| f.asset_row_id));
        }
        Ok(touched)
    }

    /// The rows of these assets, in the same order; ids the catalog does
    /// not know are left out.
    pub fn asset_rows(&self, ids: &[trove_types::AssetId]) -> Result<Vec<AssetRowId>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM assets WHERE uuid = ?1")
            .ctx("find assets")?;
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = stmt
                .query_row([id.to_string()], |r| r.get(0))
                .optional()
                .ctx("find assets")?
            {
                rows.push(row);
            }
        }
        Ok(rows)
    }
}
