//! What the web view's player lacks on this machine (see `playback.rs`).

use serde::Serialize;
use ts_rs::TS;

/// What the web view's player lacks on this machine (see `playback.rs`).
#[derive(Debug, Clone, Serialize, TS)]
pub struct PlaybackDto {
    /// False when GStreamer's registry could not be read: nothing is known
    /// to be missing, and `note` says why.
    pub checked: bool,
    pub missing: Vec<MissingElementDto>,
    pub note: Option<String>,
}

/// A GStreamer element the player needs and this machine lacks.
#[derive(Debug, Clone, Serialize, TS)]
pub struct MissingElementDto {
    /// The element looked for ("webvttenc"; alternatives joined by " or ").
    pub element: String,
    /// The Debian and Ubuntu package that holds it.
    pub package: String,
    /// What stops without it: every video and sound, a video's picture,
    /// sound, or videos with a subtitle stream.
    #[ts(type = "\"all\" | \"video\" | \"audio\" | \"text\"")]
    pub affects: String,
    /// What the element does, and what fails without it.
    pub purpose: String,
}

impl From<&crate::playback::Support> for PlaybackDto {
    fn from(s: &crate::playback::Support) -> Self {
        use crate::playback::Support;
        match s {
            Support::Checked { missing } => PlaybackDto {
                checked: true,
                missing: missing
                    .iter()
                    .map(|r| MissingElementDto {
                        element: r.elements.join(" or "),
                        package: r.package.to_owned(),
                        affects: r.affects.as_str().to_owned(),
                        purpose: r.purpose.to_owned(),
                    })
                    .collect(),
                note: None,
            },
            Support::Unknown { reason } => PlaybackDto {
                checked: false,
                missing: Vec::new(),
                note: Some(reason.clone()),
            },
        }
    }
}
