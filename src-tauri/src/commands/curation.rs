//! Curation: one change on the selection (or on every result of a search),
//! undo and redo. Thin over `Library::edit`.

use tauri::State;
use trove_core::catalog::CurationChange;
use trove_core::types::AssetId;
use trove_core::{MAX_EDIT_ASSETS, Selection};

use super::blocking;
use crate::AppState;
use crate::codes;
use crate::dto::{ChangeDto, EditDto, ErrorDto, EventDto};

/// Core events to the page, from a command's own thread.
fn page_sink(state: &AppState) -> impl Fn(trove_core::Event) + Send + Sync + 'static {
    let emit = state.emitter();
    move |event| {
        if let Some(dto) = EventDto::from_core(&event) {
            emit(dto);
        }
    }
}

/// Applies `change` to the assets `ids`, or, when `query` is given, to
/// every asset that search finds. One step of undo.
#[tauri::command]
pub async fn edit_assets(
    state: State<'_, AppState>,
    ids: Vec<String>,
    query: Option<String>,
    change: ChangeDto,
) -> Result<EditDto, ErrorDto> {
    if ids.len() > MAX_EDIT_ASSETS {
        return Err(ErrorDto::new(
            codes::TOO_MANY_IDS,
            format!("{} ids; one edit changes at most {MAX_EDIT_ASSETS} assets", ids.len()),
        ));
    }
    let selection = match query {
        Some(q) => Selection::Query(q),
        None => Selection::Ids(
            ids.iter()
                .map(|s| {
                    s.parse::<AssetId>()
                        .map_err(|_| ErrorDto::new(codes::BAD_ID, format!("{s:?} is not an asset id")))
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    let change = CurationChange::try_from(change)?;
    let lib = state.lib()?;
    let sink = page_sink(&state);
    blocking(move || Ok(EditDto::from(&lib.edit(&selection, change, &sink)?))).await
}

/// Undoes the newest edit; null when there is nothing to undo.
#[tauri::command]
pub async fn undo_edit(state: State<'_, AppState>) -> Result<Option<EditDto>, ErrorDto> {
    let lib = state.lib()?;
    let sink = page_sink(&state);
    blocking(move || Ok(lib.undo(&sink)?.as_ref().map(EditDto::from))).await
}

/// Applies the last undone edit again; null when there is nothing to redo.
#[tauri::command]
pub async fn redo_edit(state: State<'_, AppState>) -> Result<Option<EditDto>, ErrorDto> {
    let lib = state.lib()?;
    let sink = page_sink(&state);
    blocking(move || Ok(lib.redo(&sink)?.as_ref().map(EditDto::from))).await
}
