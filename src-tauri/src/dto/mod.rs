//! The shapes the web page sees. Converted by hand from core types so the
//! core can change without breaking the page; TypeScript types are generated
//! from these (see `tests/bindings.rs`), and a test fails when the committed
//! ones drift.

use serde::Serialize;
use trove_core::CoreError;
use ts_rs::TS;

mod assets;
mod curation;
mod events;
mod jobs;
mod library;
mod playback;
mod search;
mod share;
mod sync;
mod time;

pub use assets::*;
pub use curation::*;
pub use events::*;
pub use jobs::*;
pub use library::*;
pub use playback::*;
pub use search::*;
pub use share::*;
pub use sync::*;
pub use time::*;

/// Every command error: a stable code to branch on and a message to show.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ErrorDto {
    pub code: String,
    pub message: String,
}

/// The core's message, and what to do in this window when there is
/// something to add (`hints.rs`).
impl From<CoreError> for ErrorDto {
    fn from(e: CoreError) -> Self {
        let message = match crate::hints::hint(e.code()) {
            Some(hint) => format!("{e}; {hint}"),
            None => e.to_string(),
        };
        ErrorDto {
            code: e.code().to_owned(),
            message,
        }
    }
}

impl ErrorDto {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        ErrorDto {
            code: code.to_owned(),
            message: message.into(),
        }
    }
}
