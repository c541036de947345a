use tauri::State;

use super::blocking;
use crate::AppState;
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
