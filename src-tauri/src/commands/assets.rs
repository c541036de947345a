use tauri::State;
use trove_core::AssetFilter;

use super::{blocking, check_folder, check_limit, check_root};
use crate::AppState;
use crate::codes;
use crate::dto::{AssetDetailDto, AssetDto, AssetPageDto, ErrorDto, FolderDto, TextTrackDto, TimelineDayDto};

/// The most assets one page may hold.
pub const MAX_PAGE: u64 = 1000;

/// A page of assets, newest capture first; only those with a file in one
/// watched folder when `root_id` is given, and in its sub-folder `folder`
/// (a `key` from `folder_tree`) or below it when that is given too.
#[tauri::command]
pub async fn list_assets(
    state: State<'_, AppState>,
    offset: u64,
    limit: u64,
    root_id: Option<i64>,
    folder: Option<String>,
) -> Result<AssetPageDto, ErrorDto> {
    check_limit(limit, MAX_PAGE, "assets")?;
    let folder = check_folder(root_id, folder)?;
    let lib = state.lib()?;
    let first_page = state.first_page().clone();
    blocking(move || {
        if let Some(id) = root_id {
            check_root(&lib, id)?;
        }
        // Whatever the outcome, the page has asked: background work may go.
        let _served = Served(&first_page);
        let filter = AssetFilter {
            offset,
            limit: Some(limit),
            root_id,
            folder,
            ..AssetFilter::default()
        };
        let total = lib.count_assets(&filter)?;
        let assets = lib.assets(&filter)?;
        Ok(AssetPageDto {
            total,
            offset,
            assets: assets.iter().map(AssetDto::from).collect(),
        })
    })
    .await
}

/// Tells background work that the first page is out when dropped.
struct Served<'a>(&'a crate::state::FirstPage);

impl Drop for Served<'_> {
    fn drop(&mut self) {
        self.0.served();
    }
}

/// The timeline's sections for the same listing as `list_assets` (same
/// folder filter, same order): one per run of assets captured on one day.
#[tauri::command]
pub async fn timeline(
    state: State<'_, AppState>,
    root_id: Option<i64>,
    folder: Option<String>,
) -> Result<Vec<TimelineDayDto>, ErrorDto> {
    let folder = check_folder(root_id, folder)?;
    let lib = state.lib()?;
    blocking(move || {
        if let Some(id) = root_id {
            check_root(&lib, id)?;
        }
        let days = lib.timeline(&AssetFilter {
            root_id,
            folder,
            ..AssetFilter::default()
        })?;
        Ok(days.iter().map(TimelineDayDto::from).collect())
    })
    .await
}

/// The folder tree of a watched folder: its sub-folders holding files, in
/// tree order, each with its path relative to the watched folder (to show,
/// and as a `key` to ask by) and how many files are in it or below it.
#[tauri::command]
pub async fn folder_tree(state: State<'_, AppState>, root_id: i64) -> Result<Vec<FolderDto>, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        check_root(&lib, root_id)?;
        Ok(lib.folder_tree(root_id)?.iter().map(FolderDto::from).collect())
    })
    .await
}

/// Everything the viewer shows about one asset, by id.
#[tauri::command]
pub async fn asset_detail(state: State<'_, AppState>, id: String) -> Result<AssetDetailDto, ErrorDto> {
    let id: trove_core::types::AssetId = id
        .parse()
        .map_err(|_| ErrorDto::new(codes::BAD_ID, format!("{id:?} is not an asset id")))?;
    let lib = state.lib()?;
    blocking(move || {
        let detail = lib.asset_detail(&id.to_string())?;
        let sync = lib.asset_sync_state(detail.asset.row_id)?;
        Ok(AssetDetailDto::new(&detail, &sync))
    })
    .await
}

/// A video's captions and subtitles as WebVTT text, for the viewer's
/// `<track>` elements (made into same-origin blob URLs by the page).
#[tauri::command]
pub async fn text_tracks(state: State<'_, AppState>, id: String) -> Result<Vec<TextTrackDto>, ErrorDto> {
    let id: trove_core::types::AssetId = id
        .parse()
        .map_err(|_| ErrorDto::new(codes::BAD_ID, format!("{id:?} is not an asset id")))?;
    let lib = state.lib()?;
    blocking(move || {
        Ok(lib
            .text_tracks(id)?
            .into_iter()
            .map(|(variant, vtt)| TextTrackDto::new(variant, vtt))
            .collect())
    })
    .await
}
