//! Tauri commands, grouped by what they touch. Each is a few lines over
//! `trove-core` and returns `ErrorDto { code, message }` on failure.

pub mod assets;
pub mod jobs;
pub mod library;
pub mod roots;
pub mod search;
pub mod sync;

use crate::dto::ErrorDto;

/// Runs blocking core work off the async runtime's threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ErrorDto> + Send + 'static,
) -> Result<T, ErrorDto> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ErrorDto::new("internal", format!("internal error: {e}")))?
}

/// A folder id from the page must name a watched folder.
pub(crate) fn check_root(lib: &trove_core::Library, root_id: i64) -> Result<(), ErrorDto> {
    if lib.roots()?.iter().any(|r| r.id == root_id) {
        return Ok(());
    }
    Err(ErrorDto::new(
        "root_not_found",
        format!("there is no watched folder with id {root_id}; it may have been removed"),
    ))
}
