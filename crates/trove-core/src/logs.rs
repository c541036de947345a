//! The log: what each stage did and how long it took (scan, hash, proxies,
//! index, upload, verify), so that a slow or failing library can be
//! diagnosed from its log alone.
//!
//! Library crates emit through `tracing`; a front end calls
//! [`start_logging`] once with the filter it chose (from `-v` or
//! `RUST_LOG`: the core reads no environment), and the log goes to a file
//! in the library's `logs/` folder, a new one each day, the last
//! [`KEPT_LOG_FILES`] kept. Messages never carry secrets: keys are never
//! logged, and object URLs are logged as bucket keys, never as (signed)
//! URLs.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use tracing_subscriber::EnvFilter;

use crate::error::{CoreError, Result};

/// Days of logs kept.
pub const KEPT_LOG_FILES: usize = 14;

/// What is logged unless the person asks for more: Trove's own stages at
/// info, everything else (the S3 SDK, HTTP, Tantivy) only when it warns.
pub const DEFAULT_FILTER: &str = "warn,trove_core=info,trove_catalog=info,trove_media=info,trove_search=info,trove_store=info,trove=info,trove_desktop=info";

/// With `-v`: Trove's stages at debug (each object, each job).
pub const VERBOSE_FILTER: &str = "warn,trove_core=debug,trove_catalog=debug,trove_media=debug,trove_search=debug,trove_store=debug,trove=debug,trove_desktop=debug";

/// The folder of a library's logs.
pub fn log_dir(library: &Path) -> PathBuf {
    library.join("logs")
}

/// Starts writing the log of `app` ("trove" for the CLI, "trove-desktop")
/// into the library's `logs/` folder with `filter` (an `EnvFilter`
/// directive such as [`DEFAULT_FILTER`]; a bad one is an error naming it).
/// Each line is written as it is logged (no buffer to lose when the
/// process ends; the log is a few lines a stage, not a firehose). Returns
/// false when this process already has a logger.
pub fn start_logging(library: &Path, app: &str, filter: &str) -> Result<bool> {
    let dir = log_dir(library);
    std::fs::create_dir_all(&dir).map_err(|e| CoreError::io("create the log folder", &dir, e))?;
    let filter = EnvFilter::try_new(filter).map_err(|e| CoreError::BadLogFilter {
        filter: filter.to_owned(),
        detail: e.to_string(),
    })?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix(app)
        .filename_suffix("log")
        .max_log_files(KEPT_LOG_FILES)
        .build(&dir)
        .map_err(|e| CoreError::io("open the log file", &dir, std::io::Error::other(e)))?;
    let started = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(appender)
        .with_ansi(false)
        .with_target(true)
        .with_thread_names(true)
        .try_init()
        .is_ok();
    if started {
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            app,
            pid = std::process::id(),
            "log started"
        );
    }
    Ok(started)
}

/// The newest log file in the library, if there is one.
pub fn newest_log(library: &Path) -> Result<Option<PathBuf>> {
    let dir = log_dir(library);
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(CoreError::io("read the log folder", &dir, e)),
    };
    let mut newest: Option<(std::time::SystemTime, PathBuf)> = None;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().is_none_or(|e| e != "log") {
            continue;
        }
        let Ok(modified) = entry.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        if newest.as_ref().is_none_or(|(t, _)| modified > *t) {
            newest = Some((modified, path));
        }
    }
    Ok(newest.map(|(_, p)| p))
}

/// The last `lines` lines of a log file, reading at most its last 1 MiB.
pub fn tail(path: &Path, lines: usize) -> Result<Vec<String>> {
    const MAX: u64 = 1 << 20;
    let mut file = std::fs::File::open(path).map_err(|e| CoreError::io("open the log", path, e))?;
    let len = file
        .metadata()
        .map_err(|e| CoreError::io("read the log", path, e))?
        .len();
    let start = len.saturating_sub(MAX);
    file.seek(SeekFrom::Start(start))
        .map_err(|e| CoreError::io("read the log", path, e))?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)
        .map_err(|e| CoreError::io("read the log", path, e))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut all: Vec<&str> = text.lines().collect();
    if start > 0 && !all.is_empty() {
        all.remove(0); // a partial first line
    }
    let from = all.len().saturating_sub(lines);
    Ok(all[from..].iter().map(|l| (*l).to_owned()).collect())
}
