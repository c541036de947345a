//! Curation: one change on the selection (or on every result of a search),
//! undo and redo. Thin over `Library::edit`.

use tauri::State;
use trove_core::catalog::{AlbumKind, CurationChange};
use trove_core::types::AssetId;
use trove_core::{CoreError, MAX_EDIT_ASSETS, Selection, SidecarMode, SidecarNaming};

use super::blocking;
use crate::AppState;
use crate::codes;
use crate::dto::{AlbumDto, AssetDto, ChangeDto, EditDto, ErrorDto, EventDto, KeywordDto, SidecarStatusDto};

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

/// Every album, album folder and smart album, by path.
#[tauri::command]
pub async fn list_albums(state: State<'_, AppState>) -> Result<Vec<AlbumDto>, ErrorDto> {
    let lib = state.lib()?;
    let sink = page_sink(&state);
    blocking(move || Ok(lib.albums(&sink)?.iter().map(AlbumDto::from).collect())).await
}

/// Makes an album (`kind` "album"), an album folder ("folder") or a smart
/// album ("smart", with `query`) in the folder `parent` (a path or id).
#[tauri::command]
pub async fn create_album(
    state: State<'_, AppState>,
    name: String,
    parent: Option<String>,
    kind: String,
    query: Option<String>,
) -> Result<AlbumDto, ErrorDto> {
    let kind = match kind.as_str() {
        "album" => AlbumKind::Album,
        "folder" => AlbumKind::Folder,
        "smart" => AlbumKind::Smart,
        other => {
            return Err(ErrorDto::new(
                codes::BAD_ALBUM_KIND,
                format!("{other:?} is not an album kind; use album, folder or smart"),
            ));
        }
    };
    let lib = state.lib()?;
    let sink = page_sink(&state);
    blocking(move || {
        let a = lib.create_album(&name, parent.as_deref(), kind, query.as_deref(), &sink)?;
        Ok(AlbumDto::from(&a))
    })
    .await
}

/// Renames an album (`name`) and/or moves it: into the folder `parent`, or
/// to the top with `to_top`.
#[tauri::command]
pub async fn rename_album(
    state: State<'_, AppState>,
    album: String,
    name: Option<String>,
    parent: Option<String>,
    to_top: bool,
) -> Result<AlbumDto, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        let parent = match (parent.as_deref(), to_top) {
            (_, true) => Some(None),
            (Some(p), false) => Some(Some(p)),
            (None, false) => None,
        };
        Ok(AlbumDto::from(&lib.rename_album(&album, name.as_deref(), parent)?))
    })
    .await
}

/// Deletes an album (its assets stay in the library) or an empty folder;
/// one step of undo.
#[tauri::command]
pub async fn delete_album(state: State<'_, AppState>, album: String) -> Result<EditDto, ErrorDto> {
    let lib = state.lib()?;
    let sink = page_sink(&state);
    blocking(move || Ok(EditDto::from(&lib.delete_album(&album, &sink)?))).await
}

/// An album's assets in its hand-made order (a smart album's: what it
/// finds now).
#[tauri::command]
pub async fn album_assets(state: State<'_, AppState>, album: String) -> Result<Vec<AssetDto>, ErrorDto> {
    let lib = state.lib()?;
    let sink = page_sink(&state);
    blocking(move || Ok(lib.album_assets(&album, &sink)?.iter().map(AssetDto::from).collect())).await
}

/// Moves an asset in an album's order to just before another (or to the
/// end): a drag in the album view.
#[tauri::command]
pub async fn move_in_album(
    state: State<'_, AppState>,
    album: String,
    id: String,
    before: Option<String>,
) -> Result<(), ErrorDto> {
    let id = asset_id(&id)?;
    let before = before.as_deref().map(asset_id).transpose()?;
    let lib = state.lib()?;
    blocking(move || Ok(lib.move_in_album(&album, id, before)?)).await
}

/// Sets (or with null, clears) an album's cover.
#[tauri::command]
pub async fn set_album_cover(state: State<'_, AppState>, album: String, id: Option<String>) -> Result<(), ErrorDto> {
    let id = id.as_deref().map(asset_id).transpose()?;
    let lib = state.lib()?;
    blocking(move || Ok(lib.set_album_cover(&album, id)?)).await
}

/// The keyword tree, by path.
#[tauri::command]
pub async fn keyword_tree(state: State<'_, AppState>) -> Result<Vec<KeywordDto>, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        Ok(lib
            .keyword_tree()?
            .iter()
            .map(|k| KeywordDto {
                path: k.path.to_string(),
                name: k.path.name().to_owned(),
                depth: (k.path.levels().len() - 1) as u32,
                assets: k.assets,
            })
            .collect())
    })
    .await
}

/// Renames or moves a keyword on every asset that carries it; one step of
/// undo.
#[tauri::command]
pub async fn rename_keyword(state: State<'_, AppState>, from: String, to: String) -> Result<EditDto, ErrorDto> {
    let lib = state.lib()?;
    let sink = page_sink(&state);
    blocking(move || {
        let (from, to) = (
            from.parse().map_err(CoreError::from)?,
            to.parse().map_err(CoreError::from)?,
        );
        Ok(EditDto::from(&lib.rename_keyword(&from, &to, &sink)?))
    })
    .await
}

/// Merges a keyword (and those below it) into another on every asset; one
/// step of undo.
#[tauri::command]
pub async fn merge_keyword(state: State<'_, AppState>, from: String, into: String) -> Result<EditDto, ErrorDto> {
    let lib = state.lib()?;
    let sink = page_sink(&state);
    blocking(move || {
        let (from, into) = (
            from.parse().map_err(CoreError::from)?,
            into.parse().map_err(CoreError::from)?,
        );
        Ok(EditDto::from(&lib.merge_keyword(&from, &into, &sink)?))
    })
    .await
}

fn asset_id(s: &str) -> Result<AssetId, ErrorDto> {
    s.parse::<AssetId>()
        .map_err(|_| ErrorDto::new(codes::BAD_ID, format!("{s:?} is not an asset id")))
}

/// Whether Trove writes XMP sidecars beside the originals, how it names
/// new ones, and what is waiting or failed.
#[tauri::command]
pub async fn sidecar_status(state: State<'_, AppState>) -> Result<SidecarStatusDto, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || sidecar_status_of(&lib)).await
}

/// Turns sidecar writing on (`mode` "write") or off ("off"), with the
/// naming of new sidecars ("full": photo.jpg.xmp, "base": photo.xmp).
/// Turned on, every curated asset's sidecars are queued to be written.
#[tauri::command]
pub async fn set_sidecars(
    state: State<'_, AppState>,
    mode: String,
    naming: String,
) -> Result<SidecarStatusDto, ErrorDto> {
    let mode = match mode.as_str() {
        "write" => SidecarMode::Write,
        "off" => SidecarMode::Off,
        other => {
            return Err(ErrorDto::new(
                codes::BAD_SIDECAR_SETTING,
                format!("{other:?} is not a sidecar mode; use write or off"),
            ));
        }
    };
    let naming = match naming.as_str() {
        "full" => SidecarNaming::Full,
        "base" => SidecarNaming::Base,
        other => {
            return Err(ErrorDto::new(
                codes::BAD_SIDECAR_SETTING,
                format!("{other:?} is not a sidecar naming; use full or base"),
            ));
        }
    };
    let lib = state.lib()?;
    blocking(move || {
        lib.set_sidecar_settings(mode, naming)?;
        sidecar_status_of(&lib)
    })
    .await
}

fn sidecar_status_of(lib: &trove_core::Library) -> Result<SidecarStatusDto, ErrorDto> {
    let (mode, naming) = lib.sidecar_settings()?;
    let counts = lib.sidecar_counts()?;
    Ok(SidecarStatusDto {
        mode: mode.as_str().to_owned(),
        naming: naming.as_str().to_owned(),
        waiting: counts.dirty,
        written: counts.written,
        failures: counts.failures.into_iter().map(|(_, e)| e).collect(),
    })
}
