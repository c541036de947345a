//! Curation as the page asks for it and hears about it.

use serde::{Deserialize, Serialize};
use trove_core::CoreError;
use trove_core::catalog::{CurationChange, EditRecord, EditState, TextField};
use trove_core::types::{ColorLabel, CurationValueError, Flag, KeywordPath};
use ts_rs::TS;

/// One change the page asks for (the keys 0-5, 6-9, P/X/U, the panel).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "set", rename_all = "snake_case")]
pub enum ChangeDto {
    /// 0 (none) to 5 stars.
    Rating { rating: u8 },
    /// "pick", "reject", or null to unflag.
    Flag { flag: Option<String> },
    /// "red", "yellow", "green", "blue", "purple", or null.
    Label { label: Option<String> },
    /// field: "title", "caption", "creator" or "rights"; null or empty clears.
    Text { field: String, value: Option<String> },
    /// Keyword paths (`Places|Iceland` or `Places/Iceland`).
    Keywords { add: Vec<String>, remove: Vec<String> },
    /// Puts the assets at the end of an album (by id).
    AlbumAdd {
        #[ts(type = "number")]
        album: i64,
    },
    /// Takes the assets out of an album.
    AlbumRemove {
        #[ts(type = "number")]
        album: i64,
    },
    /// A comment on each asset, signed with the login name.
    Comment { text: String },
}

impl TryFrom<ChangeDto> for CurationChange {
    type Error = CoreError;
    fn try_from(c: ChangeDto) -> Result<Self, CoreError> {
        let paths = |list: Vec<String>| -> Result<Vec<KeywordPath>, CoreError> {
            list.iter().map(|k| k.parse().map_err(CoreError::from)).collect()
        };
        Ok(match c {
            ChangeDto::Rating { rating } => CurationChange::Rating { rating },
            ChangeDto::Flag { flag } => CurationChange::Flag {
                flag: flag.map(|f| f.parse::<Flag>()).transpose()?,
            },
            ChangeDto::Label { label } => CurationChange::Label {
                label: label.map(|l| l.parse::<ColorLabel>()).transpose()?,
            },
            ChangeDto::Text { field, value } => CurationChange::Text {
                field: match field.as_str() {
                    "title" => TextField::Title,
                    "caption" => TextField::Caption,
                    "creator" => TextField::Creator,
                    "rights" => TextField::Rights,
                    other => {
                        return Err(
                            CurationValueError::new("text field", other, "title, caption, creator or rights").into(),
                        );
                    }
                },
                value,
            },
            ChangeDto::Keywords { add, remove } => CurationChange::Keywords {
                add: paths(add)?,
                remove: paths(remove)?,
            },
            ChangeDto::AlbumAdd { album } => CurationChange::AlbumAdd { album },
            ChangeDto::AlbumRemove { album } => CurationChange::AlbumRemove { album },
            ChangeDto::Comment { text } => CurationChange::Comment {
                author: crate::login_name(),
                text,
            },
        })
    }
}

/// One step of the undo history.
#[derive(Debug, Clone, Serialize, TS)]
pub struct EditDto {
    #[ts(type = "number")]
    pub id: i64,
    /// What it did: `rating 4`, `flag pick`, `keywords +Places|Iceland`.
    pub summary: String,
    #[ts(type = "number")]
    pub asset_count: u64,
    /// "done", "undone" or "dropped".
    pub state: String,
}

impl From<&EditRecord> for EditDto {
    fn from(e: &EditRecord) -> Self {
        EditDto {
            id: e.id,
            summary: e.summary.clone(),
            asset_count: e.asset_count,
            state: match e.state {
                EditState::Done => "done",
                EditState::Undone => "undone",
                EditState::Dropped => "dropped",
            }
            .to_owned(),
        }
    }
}

/// What the person set on an asset, for the editable panel.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CurationDto {
    pub rating: u8,
    pub flag: Option<String>,
    pub label: Option<String>,
    pub title: Option<String>,
    pub caption: Option<String>,
    pub creator: Option<String>,
    pub rights: Option<String>,
    /// Keyword paths, levels separated by `|`.
    pub keywords: Vec<String>,
    /// Album paths (`Trips/Iceland 2024`).
    pub albums: Vec<String>,
    pub comments: Vec<CommentDto>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct CommentDto {
    pub author: String,
    pub text: String,
    /// When, as Unix milliseconds.
    #[ts(type = "number")]
    pub at: i64,
}

impl From<&trove_core::catalog::Curation> for CurationDto {
    fn from(c: &trove_core::catalog::Curation) -> Self {
        CurationDto {
            rating: c.rating,
            flag: c.flag.map(|f| f.as_str().to_owned()),
            label: c.label.map(|l| l.as_str().to_owned()),
            title: c.title.clone(),
            caption: c.caption.clone(),
            creator: c.creator.clone(),
            rights: c.rights.clone(),
            keywords: c.keywords.iter().map(ToString::to_string).collect(),
            albums: c.albums.clone(),
            comments: c
                .comments
                .iter()
                .map(|x| CommentDto {
                    author: x.author.clone(),
                    text: x.text.clone(),
                    at: x.at,
                })
                .collect(),
        }
    }
}

/// An album, album folder or smart album.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AlbumDto {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number | null")]
    pub parent_id: Option<i64>,
    pub name: String,
    /// Its folders' names and its own: `Trips/Iceland 2024`.
    pub path: String,
    /// "album", "folder" or "smart".
    pub kind: String,
    /// A smart album's search.
    pub query: Option<String>,
    /// The id of the asset shown for it.
    pub cover: Option<String>,
    /// Assets in it (a smart album: what its search finds now).
    #[ts(type = "number")]
    pub count: u64,
}

impl From<&trove_core::catalog::AlbumRecord> for AlbumDto {
    fn from(a: &trove_core::catalog::AlbumRecord) -> Self {
        AlbumDto {
            id: a.id,
            parent_id: a.parent_id,
            name: a.name.clone(),
            path: a.path.clone(),
            kind: a.kind.as_str().to_owned(),
            query: a.query.clone(),
            cover: a.cover.map(|c| c.to_string()),
            count: a.count,
        }
    }
}

/// A keyword in the tree.
#[derive(Debug, Clone, Serialize, TS)]
pub struct KeywordDto {
    /// Its path, levels separated by `|`.
    pub path: String,
    /// Its own name (the last level).
    pub name: String,
    /// 0 for a top-level keyword.
    pub depth: u32,
    /// Assets that carry it (not counting those below it).
    #[ts(type = "number")]
    pub assets: u64,
}

/// Whether sidecars are written, and how they stand.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SidecarStatusDto {
    /// "write" or "off".
    pub mode: String,
    /// New sidecars: "full" (photo.jpg.xmp) or "base" (photo.xmp).
    pub naming: String,
    /// Assets whose sidecars wait to be written (failed ones included).
    #[ts(type = "number")]
    pub waiting: u64,
    /// Assets whose sidecars are written and current.
    #[ts(type = "number")]
    pub written: u64,
    /// Why some could not be written (code: message), newest few.
    pub failures: Vec<String>,
}
