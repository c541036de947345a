//! Walking a root: which files are there and what their directory entries
//! say, without reading any file.

use std::path::{Path, PathBuf};

use trove_catalog::FileStat;
use walkdir::WalkDir;

use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::fsmeta::{file_stat, is_ignored_name, problem_of};

/// A regular file found under a root.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub rel: PathBuf,
    pub stat: FileStat,
    /// The file's XMP sidecar (relative to the root), if it has one.
    pub sidecar: Option<PathBuf>,
}

/// A path found under a root that cannot be catalogued.
#[derive(Debug, Clone)]
pub(crate) struct Problem {
    pub rel: PathBuf,
    pub code: &'static str,
    pub message: String,
}

#[derive(Debug, Default)]
pub(crate) struct Discovery {
    pub files: Vec<Found>,
    pub problems: Vec<Problem>,
    pub symlinks_skipped: u64,
    /// Directories that exist and were walked completely, relative to the
    /// root. A catalogued file under an unreadable directory is not "gone".
    pub unreadable_dirs: Vec<PathBuf>,
}

/// Walks `start` (a path under `root`, or the root itself) and reports every
/// regular file. Symlinks are skipped unless `follow_symlinks`; walkdir then
/// detects loops, which become problems. `progress` is called now and then
/// with the number of files found so far.
pub(crate) fn walk(
    root: &Path,
    start: &Path,
    follow_symlinks: bool,
    cancel: &Cancel,
    out: &mut Discovery,
    progress: &mut dyn FnMut(u64),
) -> Result<()> {
    let walker = WalkDir::new(start)
        .follow_links(follow_symlinks)
        .follow_root_links(true)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !is_ignored_name(e.file_name()));
    for (i, entry) in walker.enumerate() {
        if i % 1024 == 0 {
            if cancel.is_cancelled() {
                return Err(CoreError::Cancelled);
            }
            progress(out.files.len() as u64);
        }
        let entry = match entry {
            Ok(e) => e,
            Err(err) => {
                let path = err.path().map(Path::to_owned).unwrap_or_else(|| start.to_owned());
                let rel = relative(root, &path);
                if err.loop_ancestor().is_some() {
                    out.problems.push(Problem {
                        rel,
                        code: "symlink_loop",
                        message: "a symbolic link here points back to a folder above it; Trove skipped it to avoid an endless loop".into(),
                    });
                } else if let Some(io) = err.io_error() {
                    if io.kind() == std::io::ErrorKind::NotFound {
                        continue; // vanished while we walked: nothing to catalog
                    }
                    let (code, message) = problem_of(io);
                    if path.is_dir() || err.depth() > 0 {
                        out.unreadable_dirs.push(rel.clone());
                    }
                    out.problems.push(Problem { rel, code, message });
                }
                continue;
            }
        };
        let ft = entry.file_type();
        if ft.is_dir() {
            continue;
        }
        if ft.is_symlink() {
            // Only reached when not following links (or for a dangling link).
            out.symlinks_skipped += 1;
            continue;
        }
        let rel = relative(root, entry.path());
        if !ft.is_file() {
            out.problems.push(Problem {
                rel,
                code: "not_regular",
                message: "not a regular file (a pipe, socket or device); Trove catalogs only files".into(),
            });
            continue;
        }
        match entry.metadata() {
            Ok(m) => out.files.push(Found {
                rel,
                stat: file_stat(&m),
                sidecar: None,
            }),
            Err(err) => {
                if let Some(io) = err.io_error() {
                    if io.kind() == std::io::ErrorKind::NotFound {
                        continue;
                    }
                    let (code, message) = problem_of(io);
                    out.problems.push(Problem { rel, code, message });
                }
            }
        }
    }
    progress(out.files.len() as u64);
    Ok(())
}

/// The path of `path` relative to `root` (empty for the root itself).
pub(crate) fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root)
        .map(Path::to_owned)
        .unwrap_or_else(|_| path.to_owned())
}
