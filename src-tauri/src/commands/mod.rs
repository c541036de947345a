//! Tauri commands, grouped by what they touch. Each is a few lines over
//! `trove-core` and returns `ErrorDto { code, message }` on failure.

pub mod assets;
pub mod curation;
pub mod jobs;
pub mod library;
pub mod playback;
pub mod roots;
pub mod search;
pub mod share;
pub mod sync;

use crate::codes;
use crate::dto::ErrorDto;

/// Runs blocking core work off the async runtime's threads.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, ErrorDto> + Send + 'static,
) -> Result<T, ErrorDto> {
    tauri::async_runtime::spawn_blocking(f)
        .await
        .map_err(|e| ErrorDto::new(codes::INTERNAL, format!("internal error: {e}")))?
}

/// A folder id from the page must name a watched folder.
pub(crate) fn check_root(lib: &trove_core::Library, root_id: i64) -> Result<(), ErrorDto> {
    if lib.roots()?.iter().any(|r| r.id == root_id) {
        return Ok(());
    }
    Err(ErrorDto::new(
        codes::ROOT_NOT_FOUND,
        format!("there is no watched folder with id {root_id}; it may have been removed"),
    ))
}

/// A sub-folder from the page: a folder's `key` from `folder_tree` (its
/// path relative to the watched folder `root_id`, which it needs,
/// percent-encoded), with no `..`, `.` or absolute parts. `None` or empty:
/// the whole watched folder.
pub(crate) fn check_folder(
    root_id: Option<i64>,
    folder: Option<String>,
) -> Result<Option<std::path::PathBuf>, ErrorDto> {
    let Some(folder) = folder.filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    if root_id.is_none() {
        return Err(ErrorDto::new(
            codes::FOLDER_NEEDS_ROOT,
            format!("the folder {folder:?} needs the watched folder it is in (rootId)"),
        ));
    }
    let path = crate::folder_key::decode(&folder);
    let plain = path
        .as_ref()
        .is_some_and(|p| p.components().all(|c| matches!(c, std::path::Component::Normal(_))));
    if !plain || folder.len() > 4096 {
        return Err(ErrorDto::new(
            codes::BAD_PATH,
            format!("{folder:?} is not a folder inside the watched folder; pick one from its tree"),
        ));
    }
    Ok(path)
}

/// A page size from the page: 1 to `max` of `what` ("assets", "ids"...).
pub(crate) fn check_limit(limit: u64, max: u64, what: &str) -> Result<(), ErrorDto> {
    if limit == 0 || limit > max {
        return Err(ErrorDto::new(
            codes::BAD_LIMIT,
            format!("{limit} {what} is out of range; ask for 1 to {max}"),
        ));
    }
    Ok(())
}

/// An absolute path from the page (a folder the person picked); `hint` says
/// what to do instead.
pub(crate) fn absolute_path(path: &str, hint: &str) -> Result<std::path::PathBuf, ErrorDto> {
    let path = std::path::PathBuf::from(path.trim());
    if path.as_os_str().is_empty() || !path.is_absolute() {
        return Err(ErrorDto::new(
            codes::BAD_PATH,
            format!("{path:?} is not an absolute folder path; {hint}"),
        ));
    }
    Ok(path)
}
