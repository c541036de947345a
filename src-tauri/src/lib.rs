//! Trove's desktop shell. Commands are thin adapters over `trove-core`;
//! the core's events are forwarded to the page on `trove://event`.

pub mod codes;
pub mod commands;
pub mod credentials;
pub mod dto;
pub mod fetcher;
pub mod folder_key;
pub mod hints;
pub mod media;
pub mod playback;
mod state;
pub mod thumbs;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{Emitter, Manager, Runtime};
use trove_core::{Cancel, CoreError, Event, EventSink, Library, OpenOptions, WatchOptions, WorkerOptions};

pub use state::{AppState, Emitter as PageEmitter};

/// The event channel the page listens on.
pub const EVENT_CHANNEL: &str = "trove://event";

/// Where the library lives: `TROVE_LIBRARY` if set, else the platform's data
/// folder (e.g. `~/.local/share/trove`). Only front ends read the
/// environment.
#[allow(clippy::disallowed_methods)] // front end: where the library is (main.rs reads the process tuning)
pub fn library_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TROVE_LIBRARY").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    directories::ProjectDirs::from("", "", "trove")
        .map(|d| d.data_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from("trove-library"))
}

/// The log's filter: `RUST_LOG` when set, else each stage at info.
#[allow(clippy::disallowed_methods)] // front end: the person's choice of log detail
pub fn log_filter() -> String {
    std::env::var("RUST_LOG")
        .ok()
        .filter(|f| !f.trim().is_empty())
        .unwrap_or_else(|| trove_core::logs::DEFAULT_FILTER.to_owned())
}

/// Who signs comments made in the app: the login name (`USER`, or
/// `USERNAME` on Windows), else "me".
#[allow(clippy::disallowed_methods)] // front end: the person's name for comments
pub fn login_name() -> String {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|n| !n.trim().is_empty()))
        .unwrap_or_else(|| "me".to_owned())
}

/// Opens the library as its writer, or read-only when another Trove
/// process owns it.
pub fn open_library(dir: &std::path::Path) -> Result<Library, CoreError> {
    match Library::open(
        dir,
        OpenOptions::write().create(true).catalog_cache_mb(CATALOG_CACHE_MB),
    ) {
        Err(CoreError::Locked { .. }) => {
            Library::open(dir, OpenOptions::read_only().catalog_cache_mb(CATALOG_CACHE_MB))
        }
        other => other,
    }
}

/// The page cache of the app's shared catalog connection, in MB. It serves
/// the grid's pages and the viewer, reads the OS file cache answers as
/// fast; the import and job threads keep their own, larger caches.
const CATALOG_CACHE_MB: u32 = 4;

/// Registers state and commands on a builder. Shared by the real app and
/// the mock-runtime tests.
pub fn setup<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder
        .manage(state)
        .register_asynchronous_uri_scheme_protocol(thumbs::SCHEME, |ctx, request, responder| {
            let app = ctx.app_handle().clone();
            let path = request.uri().path().to_owned();
            let head = request.method() == tauri::http::Method::HEAD;
            let range = request
                .headers()
                .get(tauri::http::header::RANGE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            // File reads stay off the web view's thread.
            tauri::async_runtime::spawn_blocking(move || {
                let state = app.state::<AppState>();
                let lib = state.lib().ok();
                let response = thumbs::respond_to(lib.as_deref(), &path, range.as_deref(), head);
                // A proxy a recovered library has not fetched yet: asked
                // for now, the page hears when it is here.
                if response.status() == tauri::http::StatusCode::NOT_FOUND
                    && let (Some(lib), Some((id, variant)), Some(fetcher)) =
                        (lib.as_deref(), thumbs::parse(&path), state.fetcher())
                {
                    fetcher.want(lib, id, &variant);
                }
                responder.respond(response);
            });
        })
        .invoke_handler(tauri::generate_handler![
            commands::library::library_info,
            commands::library::media_base,
            commands::library::open_log_folder,
            commands::library::recover_library,
            commands::library::restart_app,
            commands::playback::playback_support,
            commands::playback::open_original,
            commands::assets::list_assets,
            commands::assets::asset_detail,
            commands::assets::text_tracks,
            commands::assets::timeline,
            commands::assets::folder_tree,
            commands::search::search_assets,
            commands::search::asset_ids,
            commands::search::prioritize_thumbnails,
            commands::jobs::job_status,
            commands::sync::sync_settings,
            commands::sync::set_sync_target,
            commands::sync::sync_now,
            commands::share::share_asset,
            commands::share::share_page,
            commands::share::list_shares,
            commands::share::revoke_share,
            commands::share::renew_share,
            commands::share::request_files,
            commands::share::import_incoming,
            commands::sync::set_root_policy,
            commands::sync::verify_now,
            commands::sync::audit_history,
            commands::sync::export_audit,
            commands::sync::restore_originals,
            commands::sync::cancel_operation,
            commands::jobs::set_jobs_paused,
            commands::jobs::retry_jobs,
            commands::roots::add_root,
            commands::roots::rescan,
            commands::roots::remove_root,
            commands::roots::relocate_root,
            commands::roots::set_root_kinds,
            commands::curation::edit_assets,
            commands::curation::undo_edit,
            commands::curation::redo_edit,
            commands::curation::list_albums,
            commands::curation::create_album,
            commands::curation::rename_album,
            commands::curation::delete_album,
            commands::curation::album_assets,
            commands::curation::move_in_album,
            commands::curation::set_album_cover,
            commands::curation::keyword_tree,
            commands::curation::rename_keyword,
            commands::curation::merge_keyword,
            commands::curation::sidecar_status,
            commands::curation::set_sidecars,
        ])
}

/// Forwards core events to the page.
struct PageSink<R: Runtime>(tauri::AppHandle<R>);

impl<R: Runtime> EventSink for PageSink<R> {
    fn emit(&self, event: Event) {
        if let Some(dto) = dto::EventDto::from_core(&event) {
            // A closed window simply does not hear it.
            let _ = self.0.emit(EVENT_CHANNEL, dto);
        }
    }
}

/// How long the job workers and the watcher wait for the grid's first page
/// before they start anyway (a page that never asks, a slow machine).
const BACKGROUND_WAITS_AT_MOST: std::time::Duration = std::time::Duration::from_secs(3);

/// Starts the job workers and the watcher on background threads, once the
/// grid's first page is out: a profile of the launch on two cores (100,000
/// assets) showed both cores busy from 0.7 s to 1.8 s with the watcher's
/// set-up, the start-up scan's walk, WebKit and the first commands, each
/// slowing the others.
pub fn start_background<R: Runtime>(app: tauri::AppHandle<R>, lib: Arc<Library>, cancel: Cancel) {
    if !lib.is_writer() {
        return;
    }
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
    let first_page = app.state::<AppState>().first_page().clone();
    let sink: Arc<PageSink<R>> = Arc::new(PageSink(app));
    {
        let (lib, sink, cancel, first_page) = (lib.clone(), sink.clone(), cancel.clone(), first_page.clone());
        let _ = std::thread::Builder::new().name("trove-jobs".into()).spawn(move || {
            first_page.wait(BACKGROUND_WAITS_AT_MOST);
            let opts = WorkerOptions {
                stop_when_idle: false,
                ..WorkerOptions::for_cores(cores)
            };
            if let Err(e) = lib.run_jobs(&opts, sink.as_ref(), &cancel) {
                sink.emit(Event::Warning {
                    message: format!("background jobs stopped: {e}"),
                });
            }
        });
    }
    {
        let (lib, sink, cancel) = (lib.clone(), sink.clone(), cancel.clone());
        let _ = std::thread::Builder::new()
            .name("trove-fixity".into())
            .spawn(move || daily_fixity(&lib, sink.as_ref(), &cancel));
    }
    let _ = std::thread::Builder::new().name("trove-watch".into()).spawn(move || {
        first_page.wait(BACKGROUND_WAITS_AT_MOST);
        let opts = WatchOptions {
            read_threads: cores,
            ..WatchOptions::default()
        };
        if let Err(e) = lib.watch(&opts, sink.as_ref(), &cancel) {
            sink.emit(Event::Warning {
                message: format!("watching folders stopped: {e}"),
            });
        }
    });
}

/// The fixity cycle, as `trove watch` runs it: each minute (the first a
/// minute after start), if today's share of the target's objects has not
/// been read back yet, it is now (a cycle of [`FIXITY_CYCLE_DAYS`]). What
/// it finds damaged or missing is said, and queued to be sent again.
fn daily_fixity(lib: &Library, sink: &dyn EventSink, cancel: &Cancel) {
    // After a failure (no network, keys refused) the next try is an hour
    // on, so the warning is not repeated every minute.
    let mut pause = 60;
    loop {
        for _ in 0..pause {
            if cancel.is_cancelled() {
                return;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
        }
        let Ok(target) = lib.target() else { continue };
        let Ok((creds, _)) = credentials::load(&target) else {
            continue;
        };
        pause = 60;
        match lib.fixity_cycle_if_due(
            &creds,
            FIXITY_CYCLE_DAYS,
            &trove_core::FixityOptions::default(),
            cancel,
        ) {
            Ok(Some(r)) if !r.damaged.is_empty() || !r.missing.is_empty() => sink.emit(Event::Warning {
                message: format!(
                    "the daily fixity check read {} object(s) back: {} damaged, {} missing in {}; they will be sent again at the next sync",
                    r.checked,
                    r.damaged.len(),
                    r.missing.len(),
                    r.target
                ),
            }),
            Ok(_) | Err(CoreError::Cancelled) => {}
            Err(e) => {
                pause = 3600;
                sink.emit(Event::Warning {
                    message: format!("the daily fixity check did not run (trying again in an hour): {e}"),
                });
            }
        }
    }
}

/// Every stored object is read back within this many days.
const FIXITY_CYCLE_DAYS: u32 = 90;

/// Threads for blocking work (catalog reads, thumbnail files): bounded, so
/// scrolling through thousands of thumbnails does not grow hundreds of
/// threads, each with its own malloc arena holding memory.
const BLOCKING_THREADS: usize = 8;

/// Keeps the web view's caches small: thumbnails scrolled away are read
/// again from the `thumb:` scheme (local files) instead of staying decoded
/// in WebKit's memory cache, which on a 100,000-asset grid grew the web
/// process by hundreds of MB.
fn small_webview_caches<R: Runtime>(app: &tauri::App<R>) {
    #[cfg(target_os = "linux")]
    match app.get_webview_window("main") {
        Some(window) => {
            let _ = window.with_webview(|w| {
                use webkit2gtk::{WebContextExt as _, WebViewExt as _};
                if let Some(ctx) = w.inner().context() {
                    ctx.set_cache_model(webkit2gtk::CacheModel::DocumentViewer);
                }
            });
        }
        None => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("trove: no main window at setup; the web view keeps WebKit's default caches");
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = app;
}

/// Runs the desktop app.
pub fn run() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(BLOCKING_THREADS)
        .thread_name("trove-async")
        .enable_all()
        .build();
    let _runtime = match runtime {
        Ok(rt) => {
            tauri::async_runtime::set(rt.handle().clone());
            Some(rt)
        }
        // Tauri's own default runtime then.
        Err(_) => None,
    };
    let cancel = Cancel::new();
    let app = setup(
        tauri::Builder::default().plugin(tauri_plugin_dialog::init()),
        AppState::empty(),
    )
    .setup({
        let cancel = cancel.clone();
        move |app| {
            small_webview_caches(app);
            let dir = library_dir();
            // A library recovered from a bucket in the last run takes the
            // empty one's place now (see `recover_library`).
            match trove_core::adopt_recovered(&dir) {
                Ok(trove_core::Adopted::Nothing) => {}
                Ok(done) => {
                    #[allow(clippy::print_stderr)]
                    {
                        eprintln!("trove: recovered library: {done:?}");
                    }
                }
                Err(e) => {
                    #[allow(clippy::print_stderr)]
                    {
                        eprintln!("trove: the recovered library could not take its place: {e}");
                    }
                }
            }
            let lib = match open_library(&dir) {
                Ok(lib) => Arc::new(lib),
                // The window still opens and says what is wrong (a catalog
                // from a newer Trove, a damaged one, no permission); the
                // catalog is left as it is.
                Err(e) => {
                    #[allow(clippy::print_stderr)]
                    {
                        eprintln!("trove: cannot open the library {}: {e}", dir.display());
                    }
                    app.state::<AppState>()
                        .set_open_error(dto::ErrorDto::new(codes::LIBRARY_UNAVAILABLE, e.to_string()));
                    return Ok(());
                }
            };
            app.state::<AppState>().set(lib.clone());
            // The log (the sidebar's "Open log folder" shows it).
            if let Err(e) = trove_core::logs::start_logging(&dir, "trove-desktop", &log_filter()) {
                #[allow(clippy::print_stderr)]
                {
                    eprintln!("trove: no log file: {e}");
                }
            }
            match media::MediaServer::start(lib.clone()) {
                Ok(server) => app.state::<AppState>().set_media_base(server.base),
                // Without it images still show; the viewer says video can't play.
                Err(e) => {
                    #[allow(clippy::print_stderr)]
                    {
                        eprintln!("trove: the media server did not start: {e}");
                    }
                }
            }
            // GStreamer's registry is read once, off the window's thread,
            // before the viewer first asks (see playback.rs).
            let _ = std::thread::Builder::new()
                .name("trove-playback-check".into())
                .spawn(|| {
                    if let playback::Support::Checked { missing } = playback::support() {
                        for r in missing {
                            #[allow(clippy::print_stderr)]
                            {
                                eprintln!(
                                    "trove: the web view cannot play some media: GStreamer's {} is missing ({}); install {}",
                                    r.elements.join(" or "),
                                    r.purpose,
                                    r.package
                                );
                            }
                        }
                    }
                });
            let handle = app.handle().clone();
            app.state::<AppState>().set_emitter(Arc::new(move |dto| {
                // A closed window simply does not hear it.
                let _ = handle.emit(EVENT_CHANNEL, dto);
            }));
            let state = app.state::<AppState>();
            state.set_fetcher(fetcher::ProxyFetcher::start(lib.clone(), state.emitter()));
            start_background(app.handle().clone(), lib, cancel);
            Ok(())
        }
    })
    .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(e) => {
            #[allow(clippy::print_stderr)]
            {
                eprintln!("trove: could not start the desktop app: {e}");
            }
            std::process::exit(1);
        }
    };
    app.run(move |_, event| {
        if let tauri::RunEvent::Exit = event {
            cancel.cancel();
        }
    });
}
