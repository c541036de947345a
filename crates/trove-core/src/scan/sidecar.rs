//! XMP sidecars: `IMG_1.xmp` (Lightroom, Capture One) or `IMG_1.CR2.xmp`
//! (darktable, digiKam) beside an original. A sidecar is part of its
//! original, not an asset: its ratings, labels, titles and keywords are
//! read with the original and win over what the original embeds (editors
//! write the sidecar, never the RAW), and its modification time is kept
//! with the original's record so an edit to the sidecar alone is noticed.
//!
//! A `.xmp` file with no original beside it is catalogued like any file.

use std::collections::{HashMap, HashSet};
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::discover::Found;

/// Whether a path names an XMP file.
pub(crate) fn is_xmp(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("xmp"))
}

/// Where the sidecar of `rel` could be, most specific first.
pub(crate) fn candidates(rel: &Path) -> Vec<PathBuf> {
    let mut out = Vec::with_capacity(4);
    for ext in ["xmp", "XMP"] {
        let mut full: OsString = rel.as_os_str().to_owned();
        full.push(".");
        full.push(ext);
        out.push(PathBuf::from(full));
    }
    if rel.extension().is_some() {
        out.push(rel.with_extension("xmp"));
        out.push(rel.with_extension("XMP"));
    }
    out
}

/// Pairs sidecars found by the walk with their originals. Sidecars that
/// belong to a file leave `files`; their originals get the sidecar's path
/// and modification time. Files in `listed` (named one by one, not found by
/// walking their folder) look for their sidecar on disk under `root`.
pub(crate) fn attach(root: &Path, files: &mut Vec<Found>, listed: &HashSet<PathBuf>) {
    let xmps: HashMap<PathBuf, i64> = files
        .iter()
        .filter(|f| is_xmp(&f.rel))
        .map(|f| (f.rel.clone(), f.stat.mtime_ns))
        .collect();
    if xmps.is_empty() && listed.is_empty() {
        return;
    }
    let mut used: HashSet<PathBuf> = HashSet::new();
    for f in files.iter_mut().filter(|f| !is_xmp(&f.rel)) {
        let found = candidates(&f.rel).into_iter().find_map(|c| {
            if let Some(mtime) = xmps.get(&c) {
                return Some((c, *mtime));
            }
            if listed.contains(&f.rel) {
                let m = std::fs::metadata(root.join(&c)).ok().filter(|m| m.is_file())?;
                return Some((c, crate::fsmeta::file_stat(&m).mtime_ns));
            }
            None
        });
        if let Some((rel, mtime)) = found {
            f.stat.sidecar_mtime_ns = Some(mtime);
            f.sidecar = Some(rel.clone());
            used.insert(rel);
        }
    }
    files.retain(|f| !used.contains(&f.rel));
}

/// For a changed sidecar named by the watcher, the originals it may belong
/// to: the files in its folder whose names it extends.
pub(crate) fn originals_of(root: &Path, sidecar: &Path) -> Vec<PathBuf> {
    let parent = sidecar.parent().unwrap_or(Path::new(""));
    let Ok(entries) = std::fs::read_dir(root.join(parent)) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok())
        .map(|e| parent.join(e.file_name()))
        .filter(|p| !is_xmp(p) && candidates(p).iter().any(|c| c == sidecar))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_naming_styles_are_candidates() {
        let c = candidates(Path::new("a/IMG_1.CR2"));
        assert_eq!(
            c,
            ["a/IMG_1.CR2.xmp", "a/IMG_1.CR2.XMP", "a/IMG_1.xmp", "a/IMG_1.XMP"]
                .map(PathBuf::from)
                .to_vec()
        );
    }
}
