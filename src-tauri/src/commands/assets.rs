use tauri::State;
use trove_core::AssetFilter;

use super::{blocking, check_root};
use crate::AppState;
use crate::dto::{AssetDetailDto, AssetDto, AssetPageDto, ErrorDto, TimelineDayDto};

/// The most assets one page may hold.
pub const MAX_PAGE: u64 = 1000;

/// A page of assets, newest capture first; only those with a file in one
/// watched folder when `root_id` is given.
#[tauri::command]
pub async fn list_assets(
    state: State<'_, AppState>,
    offset: u64,
    limit: u64,
    root_id: Option<i64>,
) -> Result<AssetPageDto, ErrorDto> {
    if limit == 0 || limit > MAX_PAGE {
        return Err(ErrorDto::new(
            "bad_request",
            format!("page size {limit} is out of range; ask for 1 to {MAX_PAGE} assets"),
        ));
    }
    let lib = state.lib()?;
    blocking(move || {
        if let Some(id) = root_id {
            check_root(&lib, id)?;
        }
        let filter = AssetFilter {
            offset,
            limit: Some(limit),
            root_id,
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

/// The timeline's sections for the same listing as `list_assets` (same
/// folder filter, same order): one per run of assets captured on one day.
#[tauri::command]
pub async fn timeline(state: State<'_, AppState>, root_id: Option<i64>) -> Result<Vec<TimelineDayDto>, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        if let Some(id) = root_id {
            check_root(&lib, id)?;
        }
        let days = lib.timeline(&AssetFilter {
            root_id,
            ..AssetFilter::default()
        })?;
        Ok(days.iter().map(TimelineDayDto::from).collect())
    })
    .await
}

/// Everything the viewer shows about one asset, by id.
#[tauri::command]
pub async fn asset_detail(state: State<'_, AppState>, id: String) -> Result<AssetDetailDto, ErrorDto> {
    let id: trove_core::types::AssetId = id
        .parse()
        .map_err(|_| ErrorDto::new("bad_id", format!("{id:?} is not an asset id")))?;
    let lib = state.lib()?;
    blocking(move || {
        let detail = lib.asset_detail(&id.to_string())?;
        let sync = lib.asset_sync_state(detail.asset.row_id)?;
        Ok(AssetDetailDto::new(&detail, &sync))
    })
    .await
}
