use tauri::State;

use super::blocking;
use crate::AppState;
use crate::codes;
use crate::credentials;
use crate::dto::{ErrorDto, LibraryDto, Operation, RecoveredDto};

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

/// Opens the library's log folder in the system's file manager (the log
/// says what each stage did and how long it took).
#[tauri::command]
pub async fn open_log_folder(state: State<'_, AppState>) -> Result<String, ErrorDto> {
    let lib = state.lib()?;
    let dir = trove_core::logs::log_dir(lib.dir());
    blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| {
            ErrorDto::new(
                codes::OPEN_FAILED,
                format!("could not make the log folder {}: {e}", dir.display()),
            )
        })?;
        open::that_detached(&dir).map_err(|e| {
            ErrorDto::new(
                codes::OPEN_FAILED,
                format!(
                    "could not open {} with the file manager: {e}; the log files are there",
                    dir.display()
                ),
            )
        })?;
        Ok(dir.display().to_string())
    })
    .await
}

/// Where the page asks for video and audio: the loopback media server's
/// base URL (`http://127.0.0.1:PORT/TOKEN`). Append `/<asset id>/<variant>`.
#[tauri::command]
pub fn media_base(state: State<'_, AppState>) -> Result<String, ErrorDto> {
    state.media_base().ok_or_else(|| {
        ErrorDto::new(
            codes::MEDIA_UNAVAILABLE,
            "Trove's media server is not running, so video and audio can't play; restart Trove",
        )
    })
}

/// "Recover a library from a bucket", offered while the library is empty
/// (the first screen): builds the library the bucket holds (its newest
/// catalog snapshot and the manifests after it, thumbnails fetched) beside
/// the open one, with the keys kept in the keychain for its target. It
/// takes the empty library's place when Trove starts again
/// (`trove_core::adopt_recovered`, in `run`): the open library cannot be
/// swapped under the running app. A recovery stopped halfway resumes when
/// asked again.
#[tauri::command]
#[allow(clippy::too_many_arguments)] // the page's form, field by field
pub async fn recover_library(
    state: State<'_, AppState>,
    url: String,
    endpoint: Option<String>,
    region: Option<String>,
    access_key: Option<String>,
    secret_key: Option<String>,
    allow_plain_http: Option<bool>,
) -> Result<RecoveredDto, ErrorDto> {
    let lib = state.lib()?;
    if !lib.is_writer() {
        return Err(ErrorDto::new(
            codes::READ_ONLY,
            "another Trove process owns this library; close it first",
        ));
    }
    let keys = credentials::key_pair(access_key, secret_key)?;
    let clean = |s: Option<String>| s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if trove_core::recovery_waiting(lib.dir()) {
        return Err(ErrorDto::new(
            codes::LIBRARY_NOT_EMPTY,
            "a recovered library already waits to open: restart Trove to open it",
        ));
    }
    let running = state
        .operations()
        .start(Operation::Recover, &[])
        .map_err(|_| ErrorDto::new(codes::RECOVER_RUNNING, "a recovery is already running"))?;
    blocking(move || {
        let _running = running;
        let has_target = match lib.target() {
            Ok(_) => true,
            Err(trove_core::CoreError::NoTarget) => false,
            Err(e) => return Err(e.into()),
        };
        if has_target || !lib.roots()?.is_empty() || lib.status()?.counts.assets > 0 {
            return Err(ErrorDto::new(
                codes::LIBRARY_NOT_EMPTY,
                "this library already has folders, assets or a sync target: a library is recovered only into an empty one",
            ));
        }
        let url = trove_core::TargetUrl::parse(url.trim())
            .map_err(trove_core::CoreError::from)?
            .to_string();
        let settings = trove_core::TargetSettings {
            url: url.clone(),
            endpoint: clean(endpoint),
            region: clean(region),
            ..Default::default()
        };
        credentials::check_plain_http(settings.endpoint.as_deref(), allow_plain_http)?;
        if let Some((a, s)) = &keys {
            credentials::save(&url, settings.endpoint.as_deref(), a, s)?;
        }
        let target = trove_core::Target {
            id: 0,
            settings: settings.clone(),
            created_at: 0,
        };
        let (creds, _) = credentials::load(&target)?;
        // Folders known only from manifests (no snapshot) go in the home
        // folder, by name.
        let folders_in = directories::UserDirs::new()
            .map(|d| d.home_dir().to_owned())
            .unwrap_or_else(|| lib.dir().to_owned());
        let req = trove_core::RecoverRequest {
            target: settings,
            at_ms: None,
            proxies: trove_core::RecoverProxies::Thumbnails,
            request_timeout: std::time::Duration::from_secs(60),
            folders_in,
            manifests_only: false,
        };
        let staging = trove_core::recovery_staging_dir(lib.dir());
        let (recovered, report) =
            trove_core::Library::recover(&staging, &req, &creds, trove_core::OpenOptions::write())?;
        drop(recovered);
        tracing::info!(
            url = %url,
            staged = %staging.display(),
            assets = report.assets,
            "library recovered from the bucket; it opens at the next start"
        );
        Ok(RecoveredDto::from(&report))
    })
    .await
}

/// Quits and starts Trove again (after a recovery: the recovered library
/// then takes the empty one's place).
#[tauri::command]
pub fn restart_app<R: tauri::Runtime>(app: tauri::AppHandle<R>) {
    app.restart();
}
