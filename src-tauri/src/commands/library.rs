use tauri::State;

use super::blocking;
use crate::AppState;
use crate::codes;
use crate::dto::{ErrorDto, LibraryDto};

/// The library's location, counts and roots.
#[tauri::command]
pub async fn library_info(state: State<'_, AppState>) -> Result<LibraryDto, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        let status = lib.status()?;
        Ok(LibraryDto::new(&status, lib.is_writer()))
    })
    .await
}

/// Opens the library's log folder in the system's file manager (the log
/// says what each stage did and how long it took).
#[tauri::command]
pub async fn open_log_folder(state: State<'_, AppState>) -> Result<String, ErrorDto> {
    let lib = state.lib()?;
    let dir = trove_core::logs::log_dir(lib.dir());
    blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| {
            ErrorDto::new(
                codes::OPEN_FAILED,
                format!("could not make the log folder {}: {e}", dir.display()),
            )
        })?;
        open::that_detached(&dir).map_err(|e| {
            ErrorDto::new(
                codes::OPEN_FAILED,
                format!(
                    "could not open {} with the file manager: {e}; the log files are there",
                    dir.display()
                ),
            )
        })?;
        Ok(dir.display().to_string())
    })
    .await
}

/// Where the page asks for video and audio: the loopback media server's
/// base URL (`http://127.0.0.1:PORT/TOKEN`). Append `/<asset id>/<variant>`.
#[tauri::command]
pub fn media_base(state: State<'_, AppState>) -> Result<String, ErrorDto> {
    state.media_base().ok_or_else(|| {
        ErrorDto::new(
            codes::MEDIA_UNAVAILABLE,
            "Trove's media server is not running, so video and audio can't play; restart Trove",
        )
    })
}
