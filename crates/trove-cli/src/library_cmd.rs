//! The library and its watched folders: `trove init`, `add`, `scan`,
//! `watch`, `remove`, `roots`, `problems`, `status`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use trove_core::types::FolderKinds;
use trove_core::{AddRootOptions, CoreError, WatchOptions, WorkerOptions};

use crate::progress::Reporter;
use crate::{EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, ctrl_c, json, open_reader, open_writer, output, sync_cmd};

/// `trove init`.
pub fn init(dir: &Path) -> Result<u8, CoreError> {
    let lib = open_writer(dir, true)?;
    output::line(&format!("library ready at {}", lib.dir().display()));
    Ok(EXIT_OK)
}

/// `trove add`.
pub fn add(
    dir: &Path,
    folders: &[PathBuf],
    opts: AddRootOptions,
    json: bool,
    scans_only: &WorkerOptions,
) -> Result<u8, CoreError> {
    let lib = open_writer(dir, true)?;
    let cancel = ctrl_c();
    let mut code = EXIT_OK;
    for folder in folders {
        match lib.add_root(folder, opts) {
            Ok((root, created)) => {
                if !json {
                    let verb = if created { "added" } else { "already watched" };
                    output::note(&format!("{verb}: {} (root {})", root.path.display(), root.id));
                }
                lib.enqueue_scan(root.id)?;
            }
            Err(e) => {
                output::error(&e);
                code = if e.is_user_error() {
                    EXIT_USAGE
                } else {
                    EXIT_SOME_FAILED
                };
            }
        }
    }
    let reporter = Arc::new(Reporter::new(json));
    let summary = lib.run_jobs(scans_only, reporter.as_ref(), &cancel)?;
    reporter.finish();
    if json {
        output::json(&json::run_report(&reporter.reports(), &summary));
    }
    Ok(code.max(reporter.exit_code(&summary)))
}

/// `trove scan`.
pub fn scan(dir: &Path, root: Option<String>, json: bool, scans_only: &WorkerOptions) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    let cancel = ctrl_c();
    let roots = match root {
        Some(q) => vec![lib.find_root(&q)?],
        None => lib.roots()?,
    };
    for r in &roots {
        lib.enqueue_scan(r.id)?;
    }
    let reporter = Arc::new(Reporter::new(json));
    let summary = lib.run_jobs(scans_only, reporter.as_ref(), &cancel)?;
    reporter.finish();
    if json {
        output::json(&json::run_report(&reporter.reports(), &summary));
    }
    Ok(reporter.exit_code(&summary))
}

/// `trove kinds`: which of a folder's files become assets; a scan of the
/// folder follows, so that files it now admits are catalogued.
pub fn kinds(
    dir: &Path,
    root: &str,
    kinds: FolderKinds,
    json: bool,
    scans_only: &WorkerOptions,
) -> Result<u8, CoreError> {
    let info = open_writer(dir, false)?.set_folder_kinds(root, kinds)?;
    if !json {
        output::note(&format!("{} catalogues {}", info.path.display(), describe_kinds(kinds)));
    }
    scan(dir, Some(info.id.to_string()), json, scans_only)
}

/// `trove relocate`: a watched folder now lives elsewhere; its files keep
/// their assets, matched by their paths inside it. A scan of the folder
/// follows.
pub fn relocate(dir: &Path, root: &str, to: &Path, json: bool, scans_only: &WorkerOptions) -> Result<u8, CoreError> {
    let (from, info) = {
        let lib = open_writer(dir, false)?;
        let from = lib.find_root(root)?.path;
        (from, lib.relocate_root(root, to)?)
    };
    if !json {
        output::note(&format!(
            "{} now watched at {} (root {}); its files keep their assets",
            from.display(),
            info.path.display(),
            info.id
        ));
    }
    scan(dir, Some(info.id.to_string()), json, scans_only)
}

fn describe_kinds(kinds: FolderKinds) -> &'static str {
    match kinds {
        FolderKinds::Media => "photos, videos, sound and PDFs",
        FolderKinds::Documents => "photos, videos, sound, PDFs and documents (text, office files, e-books)",
        FolderKinds::All => "every file",
    }
}

/// `trove log`: the newest log file's path, then its last lines.
pub fn log(dir: &Path, lines: usize, path_only: bool) -> Result<u8, CoreError> {
    let Some(path) = trove_core::logs::newest_log(dir)? else {
        output::note(&format!(
            "no log yet in {}; every command that opens the library writes one",
            trove_core::logs::log_dir(dir).display()
        ));
        return Ok(EXIT_OK);
    };
    output::line(&path.display().to_string());
    if !path_only {
        for l in trove_core::logs::tail(&path, lines)? {
            output::line(&l);
        }
    }
    Ok(EXIT_OK)
}

/// `trove watch`.
pub fn watch(
    dir: &Path,
    poll: bool,
    mut workers: WorkerOptions,
    threads: usize,
    fixity_cycle: u32,
    fixity: &trove_core::FixityOptions,
) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    let cancel = ctrl_c();
    let reporter = Reporter::new(false).lines_only();
    workers.stop_when_idle = false;
    let opts = WatchOptions {
        force_poll: poll,
        read_threads: threads,
        ..WatchOptions::default()
    };
    output::note(&format!("watching {} folder(s); Ctrl-C to stop", lib.roots()?.len()));
    std::thread::scope(|s| -> Result<(), CoreError> {
        let job_thread = s.spawn(|| lib.run_jobs(&workers, &reporter, &cancel));
        // The fixity cycle: today's share, once a day, checked every minute.
        s.spawn(|| {
            while !cancel.is_cancelled() {
                let credentials = match lib.target() {
                    Ok(t) => Some(trove_core::CredentialSource::AwsChain {
                        profile: t.settings.profile.clone(),
                    }),
                    Err(_) => None,
                };
                if let Some(c) = credentials {
                    match lib.fixity_cycle_if_due(&c, fixity_cycle, fixity, &cancel) {
                        Ok(Some(r)) => output::note(&format!(
                            "fixity cycle: {} object(s) read back, {} damaged, {} missing",
                            r.checked,
                            r.damaged.len(),
                            r.missing.len()
                        )),
                        Ok(None) => {}
                        Err(e) => output::note(&format!("warning: the fixity cycle did not run: {e}")),
                    }
                }
                for _ in 0..60 {
                    if cancel.is_cancelled() {
                        break;
                    }
                    std::thread::sleep(std::time::Duration::from_secs(1));
                }
            }
        });
        let watched = lib.watch(&opts, &reporter, &cancel);
        cancel.cancel();
        let jobs = job_thread.join().unwrap_or(Ok(Default::default()));
        watched?;
        jobs?;
        Ok(())
    })?;
    output::note("stopped");
    Ok(EXIT_OK)
}

/// `trove remove`.
pub fn remove(dir: &Path, root: &str, json: bool) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    let (info, removed) = lib.remove_root(root)?;
    if json {
        output::json(&serde_json::json!({
            "root": json::root(&info),
            "files": removed.files,
            "assets": removed.assets,
            "now_missing": removed.now_missing,
        }));
    } else {
        output::note(&format!(
            "stopped watching {}: its {} file(s) are no longer tracked; {} asset(s) found nowhere else show as missing until the folder is added again (nothing on disk was touched)",
            info.path.display(),
            removed.files,
            removed.now_missing
        ));
    }
    Ok(EXIT_OK)
}

/// `trove roots`.
pub fn roots(dir: &Path, json: bool) -> Result<u8, CoreError> {
    let lib = open_reader(dir)?;
    let roots = lib.roots()?;
    if json {
        output::json(&roots.iter().map(json::root).collect::<Vec<_>>());
    } else {
        output::roots(&roots);
    }
    Ok(EXIT_OK)
}

/// `trove problems`.
pub fn problems(dir: &Path, json: bool) -> Result<u8, CoreError> {
    let lib = open_reader(dir)?;
    let problems = lib.problems()?;
    if json {
        output::json(&problems.iter().map(json::problem).collect::<Vec<_>>());
    } else {
        output::problems(&problems);
    }
    Ok(EXIT_OK)
}

/// `trove status`.
pub fn status(dir: &Path, json: bool) -> Result<u8, CoreError> {
    let lib = open_reader(dir)?;
    let status = lib.status()?;
    let sync = match lib.sync_status() {
        Ok(s) => Some(s),
        Err(CoreError::NoTarget) => None,
        Err(e) => return Err(e),
    };
    if json {
        let mut v = serde_json::to_value(json::status(&status)).unwrap_or_default();
        if let (Some(s), Some(obj)) = (&sync, v.as_object_mut()) {
            obj.insert(
                "sync".into(),
                serde_json::json!({
                    "target": s.target.settings.url,
                    "verified": s.counts.verified,
                    "verified_bytes": s.counts.verified_bytes,
                    "pending": s.counts.pending,
                    "pending_bytes": s.counts.pending_bytes,
                    "failed": s.counts.failed,
                    "archive_waits": s.archive_waits,
                    "next_archive_look_ms": s.next_archive_look,
                }),
            );
        }
        output::json(&v);
    } else {
        output::status(&status);
        if let Some(s) = &sync {
            for l in sync_cmd::status_lines(s) {
                output::line(&l);
            }
        }
    }
    Ok(EXIT_OK)
}
