use tauri::State;
use trove_core::AddRootOptions;
use trove_core::types::FolderKinds;

use super::{absolute_path, blocking, check_root};
use crate::AppState;
use crate::codes;
use crate::dto::{ErrorDto, RemovedRootDto, RootDto};

/// Adds a folder and queues its import. Progress arrives as events.
#[tauri::command]
pub async fn add_root(state: State<'_, AppState>, path: String) -> Result<RootDto, ErrorDto> {
    let path = absolute_path(&path, "pick the folder with \"Add folder…\"")?;
    let lib = state.lib()?;
    blocking(move || {
        let (root, _) = lib.add_root(&path, AddRootOptions::default())?;
        lib.enqueue_scan(root.id)?;
        Ok(RootDto::from(&root))
    })
    .await
}

/// Queues a rescan of one root, or of all of them.
#[tauri::command]
pub async fn rescan(state: State<'_, AppState>, root_id: Option<i64>) -> Result<(), ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        let ids: Vec<i64> = match root_id {
            Some(id) => {
                check_root(&lib, id)?;
                vec![id]
            }
            None => lib.roots()?.iter().map(|r| r.id).collect(),
        };
        for id in ids {
            lib.enqueue_scan(id)?;
        }
        Ok(())
    })
    .await
}

/// Sets which of a folder's files become assets ("media", "documents" or
/// "all") and rescans it, so that files it now admits are catalogued.
/// Assets already catalogued stay when the setting narrows.
#[tauri::command]
pub async fn set_root_kinds(state: State<'_, AppState>, root_id: i64, kinds: String) -> Result<RootDto, ErrorDto> {
    let parsed = FolderKinds::parse(&kinds).map_err(|e| ErrorDto::new(codes::BAD_KINDS, e.to_string()))?;
    let lib = state.lib()?;
    blocking(move || {
        check_root(&lib, root_id)?;
        let root = lib.set_folder_kinds(&root_id.to_string(), parsed)?;
        lib.enqueue_scan(root.id)?;
        Ok(RootDto::from(&root))
    })
    .await
}

/// Stops watching a folder. Nothing on disk is touched; its assets stay in
/// the catalog (missing when found nowhere else) and come back when the
/// folder is added again.
#[tauri::command]
pub async fn remove_root(state: State<'_, AppState>, root_id: i64) -> Result<RemovedRootDto, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        check_root(&lib, root_id)?;
        let (root, removed) = lib.remove_root(&root_id.to_string())?;
        Ok(RemovedRootDto {
            path: root.path.display().to_string(),
            files: removed.files,
            now_missing: removed.now_missing,
        })
    })
    .await
}

/// A watched folder now lives at `path` (moved, renamed, a new disk, or
/// restored on a new machine): its files keep their assets, matched by
/// their paths inside it; a scan checks them.
#[tauri::command]
pub async fn relocate_root(state: State<'_, AppState>, root_id: i64, path: String) -> Result<RootDto, ErrorDto> {
    let lib = state.lib()?;
    let path = absolute_path(&path, "pick the folder's new place")?;
    blocking(move || {
        check_root(&lib, root_id)?;
        let root = lib.relocate_root(&root_id.to_string(), &path)?;
        Ok(RootDto::from(&root))
    })
    .await
}
