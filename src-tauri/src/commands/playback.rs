//! The viewer's way out when the web view cannot play something: what its
//! player lacks on this machine, and the original opened in the system's
//! own player.

use tauri::State;
use trove_core::types::AssetKind;

use super::blocking;
use crate::AppState;
use crate::codes;
use crate::dto::{ErrorDto, PlaybackDto};
use crate::playback;

/// The GStreamer elements the web view's player needs and this machine
/// lacks, with the package to install for each. Checked once per launch
/// (the first answer may wait a second or two for GStreamer's registry).
#[tauri::command]
pub async fn playback_support() -> Result<PlaybackDto, ErrorDto> {
    blocking(|| Ok(PlaybackDto::from(playback::support()))).await
}

/// Opens an asset's original with the application the desktop associates
/// with its type (a video in the system's video player). The page names the
/// asset; the path comes from the catalog, never from the page.
#[tauri::command]
pub async fn open_original(state: State<'_, AppState>, id: String) -> Result<(), ErrorDto> {
    let id: trove_core::types::AssetId = id
        .parse()
        .map_err(|_| ErrorDto::new(codes::BAD_ID, format!("{id:?} is not an asset id")))?;
    let lib = state.lib()?;
    blocking(move || {
        // Only what a player plays: opening other files with their default
        // application (a script, a .desktop file) is not this button's job.
        let kind = lib.asset_detail(&id.to_string())?.asset.kind;
        if !matches!(kind, AssetKind::Video | AssetKind::Audio) {
            return Err(ErrorDto::new(
                codes::NOT_PLAYABLE,
                format!("asset {id} is {}, not a video or a sound; only those open in the system player", kind.as_str()),
            ));
        }
        let Some(path) = lib.original_path(id)? else {
            return Err(ErrorDto::new(
                codes::ORIGINAL_UNREACHABLE,
                format!("no copy of asset {id} can be reached: its folder may be offline or the file missing"),
            ));
        };
        open::that_detached(&path).map_err(|e| {
            ErrorDto::new(
                codes::OPEN_FAILED,
                format!(
                    "could not open {} with the system's application for it: {e}; install one (xdg-open must be able to open it)",
                    path.display()
                ),
            )
        })
    })
    .await
}
