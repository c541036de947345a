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
