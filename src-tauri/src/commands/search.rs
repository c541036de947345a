use tauri::State;
use trove_core::{AssetFilter, SearchQuery, Sort, SortDirection};

use super::{blocking, check_folder, check_limit, check_root};
use crate::AppState;
use crate::codes;
use crate::dto::{AssetDto, ErrorDto, FacetsDto, SearchPageDto};

/// The most results one page may hold.
pub const MAX_PAGE: usize = 1000;

fn parse_sort(sort: &str) -> Result<Sort, ErrorDto> {
    Ok(match sort {
        "relevance" => Sort::Relevance,
        "newest" => Sort::Captured(SortDirection::Descending),
        "oldest" => Sort::Captured(SortDirection::Ascending),
        "name" => Sort::Name(SortDirection::Ascending),
        "largest" => Sort::Size(SortDirection::Descending),
        other => {
            return Err(ErrorDto::new(
                codes::BAD_SORT,
                format!("unknown sort {other:?}; use relevance, newest, oldest, name or largest"),
            ));
        }
    })
}

/// Searches the library with Trove's query language; facets on request.
#[tauri::command]
pub async fn search_assets(
    state: State<'_, AppState>,
    query: String,
    sort: String,
    offset: u64,
    limit: u64,
    facets: bool,
) -> Result<SearchPageDto, ErrorDto> {
    check_limit(limit, MAX_PAGE as u64, "results")?;
    let sort = parse_sort(&sort)?;
    let lib = state.lib()?;
    blocking(move || {
        let outcome = lib.search(
            &SearchQuery {
                text: query,
                sort,
                offset: offset as usize,
                limit: limit as usize,
                facets,
            },
            &trove_core::NoEvents,
        )?;
        Ok(SearchPageDto {
            total: outcome.total,
            offset,
            assets: outcome.assets.iter().map(AssetDto::from).collect(),
            facets: outcome.facets.as_ref().map(FacetsDto::from),
            took_ms: outcome.took_us as f64 / 1000.0,
        })
    })
    .await
}

/// The most ids one `asset_ids` call may return.
pub const MAX_IDS: u64 = 1_000_000;

/// The ids, in order, of items `[offset, offset + limit)` of what the grid
/// shows: the search's results for a query, else the listing (one watched
/// folder's when `root_id` is given, one of its sub-folders' with `folder`). Ids only, so "select all" and shift-click
/// ranges reach assets whose pages the grid has not loaded.
#[tauri::command]
pub async fn asset_ids(
    state: State<'_, AppState>,
    query: String,
    sort: String,
    root_id: Option<i64>,
    folder: Option<String>,
    offset: u64,
    limit: u64,
) -> Result<Vec<String>, ErrorDto> {
    check_limit(limit, MAX_IDS, "ids")?;
    let sort = parse_sort(&sort)?;
    let folder = check_folder(root_id, folder)?;
    let lib = state.lib()?;
    blocking(move || {
        let ids = if query.trim().is_empty() {
            if let Some(id) = root_id {
                check_root(&lib, id)?;
            }
            lib.asset_ids(&AssetFilter {
                root_id,
                folder,
                offset,
                limit: Some(limit),
                ..AssetFilter::default()
            })?
        } else {
            let (_, ids) = lib.search_ids(
                &SearchQuery {
                    text: query,
                    sort,
                    offset: offset as usize,
                    limit: limit as usize,
                    facets: false,
                },
                &trove_core::NoEvents,
            )?;
            ids
        };
        Ok(ids.iter().map(ToString::to_string).collect())
    })
    .await
}

/// Moves the thumbnails of these assets (the ones on screen) to the front
/// of the job queue. Unknown ids are refused.
#[tauri::command]
pub async fn prioritize_thumbnails(state: State<'_, AppState>, ids: Vec<String>) -> Result<u64, ErrorDto> {
    if ids.len() > MAX_PAGE {
        return Err(ErrorDto::new(
            codes::TOO_MANY_IDS,
            format!("at most {MAX_PAGE} ids at once"),
        ));
    }
    let mut parsed = Vec::with_capacity(ids.len());
    for id in &ids {
        parsed.push(
            id.parse::<trove_core::types::AssetId>()
                .map_err(|_| ErrorDto::new(codes::BAD_ID, format!("{id:?} is not an asset id")))?,
        );
    }
    let lib = state.lib()?;
    if !lib.is_writer() {
        return Ok(0);
    }
    blocking(move || Ok(lib.prioritize_proxies(&parsed)?)).await
}
