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
