//! Writing curation into XMP sidecars beside the originals, for Lightroom,
//! darktable and digiKam: off unless the library is set to write them
//! (Trove never writes into a person's folders unasked). Writes are a
//! durable job after each edit, update an existing sidecar in place (see
//! `trove_media::update_sidecar`), go through a temporary file and a
//! rename in the same folder, and never touch an original. A sidecar that
//! cannot be written is reported on its asset and tried again later; the
//! catalog keeps the values.

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use trove_catalog::{Curation, FileRecord, NewJob, SidecarCounts};
use trove_media::SidecarFields;
use trove_types::{ColorLabel, Flag, Metadata};

use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::jobs::kind;
use crate::library::Library;

const MODE_KEY: &str = "sidecars";
const NAMING_KEY: &str = "sidecar_naming";

/// Whether Trove writes sidecars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SidecarMode {
    /// Never (the default).
    #[default]
    Off,
    /// After every edit, for every present file of the asset.
    Write,
}

/// The name of a new sidecar (an existing one is updated under its name).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SidecarNaming {
    /// `photo.jpg.xmp`, as darktable and digiKam write (the default: a RAW
    /// and a JPEG of the same name get a sidecar each).
    #[default]
    Full,
    /// `photo.xmp`, as Lightroom writes for RAW files.
    Base,
}

impl SidecarMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SidecarMode::Off => "off",
            SidecarMode::Write => "write",
        }
    }
}

impl SidecarNaming {
    pub fn as_str(self) -> &'static str {
        match self {
            SidecarNaming::Full => "full",
            SidecarNaming::Base => "base",
        }
    }
}

/// What writing the dirty sidecars did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SidecarReport {
    /// Sidecar files written (or found current).
    pub written: u64,
    /// Assets whose sidecars could not all be written (kept dirty, with the
    /// reason).
    pub failed: u64,
}

/// The sidecar properties of an asset's curation.
pub fn sidecar_fields(c: &Curation) -> SidecarFields {
    let capital = |l: ColorLabel| {
        let s = l.as_str();
        format!("{}{}", s[..1].to_ascii_uppercase(), &s[1..])
    };
    SidecarFields {
        rating: match (c.flag, c.rating) {
            (Some(Flag::Reject), _) => Some(-1),
            (_, 0) => None,
            (_, r) => i8::try_from(r).ok(),
        },
        label: c.label.map(capital),
        title: c.title.clone(),
        description: c.caption.clone(),
        creator: c.creator.clone(),
        rights: c.rights.clone(),
        keywords: c.keywords.iter().map(|k| k.levels().to_vec()).collect(),
    }
}

impl Library {
    /// Whether and how sidecars are written.
    pub fn sidecar_settings(&self) -> Result<(SidecarMode, SidecarNaming)> {
        let cat = self.catalog();
        let mode = match cat.setting(MODE_KEY)?.as_deref() {
            Some("write") => SidecarMode::Write,
            _ => SidecarMode::Off,
        };
        let naming = match cat.setting(NAMING_KEY)?.as_deref() {
            Some("base") => SidecarNaming::Base,
            _ => SidecarNaming::Full,
        };
        Ok((mode, naming))
    }

    /// Turns sidecar writing on or off. Turned on, every curated asset's
    /// sidecars are queued to be written.
    pub fn set_sidecar_settings(&self, mode: SidecarMode, naming: SidecarNaming) -> Result<()> {
        self.require_writer("changing the sidecar setting")?;
        let was = self.sidecar_settings()?.0;
        {
            let mut cat = self.catalog();
            cat.set_setting(MODE_KEY, mode.as_str())?;
            cat.set_setting(NAMING_KEY, naming.as_str())?;
            if mode == SidecarMode::Write && was != SidecarMode::Write {
                let mut b = cat.batch(self.now_ms())?;
                b.mark_all_sidecars()?;
                b.commit()?;
            }
        }
        self.queue_sidecar_writes()
    }

    /// How the sidecar writes stand.
    pub fn sidecar_counts(&self) -> Result<SidecarCounts> {
        Ok(self.catalog().sidecar_counts(20)?)
    }

    /// Queues the job that writes dirty sidecars, when sidecars are on.
    pub(crate) fn queue_sidecar_writes(&self) -> Result<()> {
        if self.sidecar_settings()?.0 != SidecarMode::Write {
            return Ok(());
        }
        self.catalog().enqueue(
            &NewJob {
                kind: kind::WRITE_SIDECARS.to_owned(),
                payload: serde_json::json!({}),
                dedup_key: kind::WRITE_SIDECARS.to_owned(),
                priority: 0,
                max_attempts: 10,
            },
            self.now_ms(),
        )?;
        self.job_signal().notify();
        Ok(())
    }

    /// Writes the sidecars of every dirty asset (the job's work; the CLI
    /// calls it directly). Stops early when `cancel` is set.
    ///
    /// In steps of [`STEP`] assets: every sidecar of a step is written to a
    /// temporary file, the file system is flushed once, the temporary files
    /// are renamed over the sidecars, flushed once more, and then one
    /// catalog transaction marks them written. A flush per file (as the
    /// first version did) cost more than everything else together.
    pub fn write_dirty_sidecars(&self, cancel: &Cancel) -> Result<SidecarReport> {
        self.require_writer("writing sidecars")?;
        let (mode, naming) = self.sidecar_settings()?;
        let mut report = SidecarReport::default();
        if mode != SidecarMode::Write {
            return Ok(report);
        }
        let mut after = 0;
        loop {
            if cancel.is_cancelled() {
                return Ok(report);
            }
            let rows = self.catalog().dirty_sidecars(after, STEP)?;
            let Some(&last) = rows.last() else { break };
            self.write_step(&rows, naming, &mut report)?;
            after = last;
        }
        Ok(report)
    }

    /// One step of [`Library::write_dirty_sidecars`].
    fn write_step(&self, rows: &[i64], naming: SidecarNaming, report: &mut SidecarReport) -> Result<()> {
        let roots = self.catalog().all_roots()?;
        // What each asset's sidecars become, or why they cannot.
        let mut planned: Vec<(i64, Result<Vec<Planned>>)> = Vec::with_capacity(rows.len());
        let folders = FolderNames::default();
        for &row in rows {
            let plan = (|| -> Result<Vec<Planned>> {
                let (curation, files, metadata) = {
                    let cat = self.catalog();
                    let metadata = cat.metadata(row)?;
                    (
                        cat.curation_given(row, metadata.as_ref())?,
                        cat.files_of_asset(row)?,
                        metadata,
                    )
                };
                let fields = sidecar_fields(&curation);
                let mut out = Vec::new();
                for f in files.iter().filter(|f| f.present) {
                    let Some(root) = roots.iter().find(|r| r.id == f.root_id) else {
                        continue;
                    };
                    out.push(plan_one(&folders, &root.path, f, naming, &fields, metadata.as_ref())?);
                }
                Ok(out)
            })();
            planned.push((row, plan));
        }
        // Temporary files, one flush, renames, one more flush.
        let mut staged: Vec<(i64, Result<Vec<Planned>>)> = Vec::with_capacity(planned.len());
        for (row, plan) in planned {
            let plan = plan.and_then(|files| {
                for p in files.iter().filter(|p| p.changed) {
                    p.stage()?;
                }
                Ok(files)
            });
            staged.push((row, plan));
        }
        let dirs: std::collections::BTreeSet<PathBuf> = staged
            .iter()
            .filter_map(|(_, p)| p.as_ref().ok())
            .flatten()
            .filter_map(|p| p.path.parent().map(Path::to_owned))
            .collect();
        flush(&dirs, &staged);
        let mut done: Vec<(i64, Written)> = Vec::with_capacity(staged.len());
        for (row, plan) in staged {
            let result = plan.and_then(|files| {
                let mut out = Vec::with_capacity(files.len());
                for p in files {
                    if p.changed {
                        p.commit()?;
                    }
                    let mtime = std::fs::metadata(&p.path)
                        .map(|m| crate::fsmeta::file_stat(&m).mtime_ns)
                        .map_err(|e| CoreError::io("read", &p.path, e))?;
                    out.push((p, mtime));
                }
                Ok(out)
            });
            done.push((row, result));
        }
        flush_dirs(&dirs);
        let mut cat = self.catalog();
        let mut b = cat.batch(self.now_ms())?;
        for (row, result) in done {
            match result {
                Ok(files) => {
                    report.written += files.len() as u64;
                    for (p, mtime) in &files {
                        // What the file now says, so the next scan finds
                        // it unchanged.
                        b.own_sidecar_written(p.file_id, *mtime)?;
                        b.own_xmp_fields(row, &p.metadata)?;
                    }
                    b.sidecar_written(row)?;
                }
                Err(e) => {
                    report.failed += 1;
                    b.sidecar_failed(row, &format!("{}: {e}", e.code()))?;
                }
            }
        }
        b.commit()?;
        Ok(())
    }
}

/// An asset's sidecars as renamed into place, each with its new
/// modification time; or why they could not be.
type Written = Result<Vec<(Planned, i64)>>;

/// The assets written per step (and per catalog transaction).
const STEP: u32 = 256;

/// One sidecar to write: where, what, and the asset's metadata as it will
/// read then.
struct Planned {
    file_id: i64,
    path: PathBuf,
    bytes: Vec<u8>,
    /// False when the sidecar already says this (nothing to write).
    changed: bool,
    metadata: Metadata,
}

impl Planned {
    fn tmp(&self) -> PathBuf {
        let name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        self.path
            .with_file_name(format!(".{name}.trove-{}.tmp", std::process::id()))
    }

    /// Writes the temporary file beside the sidecar (hidden: scans skip it).
    fn stage(&self) -> Result<()> {
        let tmp = self.tmp();
        let write = || -> std::io::Result<()> {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)?;
            f.write_all(&self.bytes)
        };
        write().map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            CoreError::io("write the sidecar", &self.path, e)
        })
    }

    /// Renames the flushed temporary file over the sidecar: a crash leaves
    /// the old sidecar or the new one, never half of one.
    fn commit(&self) -> Result<()> {
        let tmp = self.tmp();
        std::fs::rename(&tmp, &self.path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            CoreError::io("write the sidecar", &self.path, e)
        })
    }
}

/// Makes the staged temporary files durable before they are renamed.
#[cfg(target_os = "linux")]
fn flush(dirs: &std::collections::BTreeSet<PathBuf>, _staged: &[(i64, Result<Vec<Planned>>)]) {
    // One syncfs on a folder the step wrote to flushes every staged file
    // of that file system at once (usually all of them: one call).
    let mut devices: Vec<u64> = Vec::new();
    for d in dirs {
        let device = std::fs::metadata(d).ok().and_then(|m| crate::fsmeta::device_of(&m));
        if device.is_some_and(|dev| devices.contains(&dev)) {
            continue;
        }
        devices.extend(device);
        if let Ok(f) = std::fs::File::open(d) {
            use std::os::fd::AsRawFd;
            // SAFETY: syncfs only reads the descriptor, which `f` keeps open.
            #[allow(unsafe_code)]
            unsafe {
                libc::syncfs(f.as_raw_fd());
            }
        }
    }
}

/// Makes the staged temporary files durable before they are renamed.
#[cfg(not(target_os = "linux"))]
fn flush(_dirs: &std::collections::BTreeSet<PathBuf>, staged: &[(i64, Result<Vec<Planned>>)]) {
    for p in staged
        .iter()
        .filter_map(|(_, p)| p.as_ref().ok())
        .flatten()
        .filter(|p| p.changed)
    {
        if let Ok(f) = std::fs::File::open(p.tmp()) {
            let _ = f.sync_all();
        }
    }
}

/// Makes the renames durable before the catalog says they are done.
fn flush_dirs(dirs: &std::collections::BTreeSet<PathBuf>) {
    for d in dirs {
        if let Ok(f) = std::fs::File::open(d) {
            let _ = f.sync_all();
        }
    }
}

/// RAW files by extension: Lightroom's `photo.xmp` is theirs.
fn is_raw(rel: &Path) -> bool {
    const RAW: &[&str] = &[
        "3fr", "arw", "cr2", "cr3", "crw", "dcr", "dng", "erf", "iiq", "kdc", "mef", "mos", "mrw", "nef", "nrw", "orf",
        "pef", "raf", "raw", "rw2", "rwl", "sr2", "srf", "srw", "x3f",
    ];
    rel.extension()
        .is_some_and(|e| RAW.iter().any(|r| e.eq_ignore_ascii_case(r)))
}

/// The file names of folders, each read once per write step: deciding who
/// owns `photo.xmp` looks at a file's namesakes, and a folder of 10,000
/// photos read once per photo would make writing their sidecars quadratic.
#[derive(Default)]
struct FolderNames(std::cell::RefCell<HashMap<PathBuf, std::rc::Rc<[std::ffi::OsString]>>>);

impl FolderNames {
    /// The names in `dir` (none when it cannot be read).
    fn of(&self, dir: &Path) -> std::rc::Rc<[std::ffi::OsString]> {
        self.0
            .borrow_mut()
            .entry(dir.to_owned())
            .or_insert_with(|| {
                std::fs::read_dir(dir)
                    .map(|entries| entries.flatten().map(|e| e.file_name()).collect())
                    .unwrap_or_default()
            })
            .clone()
    }

    /// The other files (not sidecars) that share `path`'s name in its
    /// folder.
    fn namesakes(&self, path: &Path) -> Vec<std::ffi::OsString> {
        let (Some(dir), Some(stem), Some(name)) = (path.parent(), path.file_stem(), path.file_name()) else {
            return Vec::new();
        };
        self.of(dir)
            .iter()
            .filter(|n| {
                let p = Path::new(n);
                n.as_os_str() != name
                    && p.file_stem() == Some(stem)
                    && !p.extension().is_some_and(|x| x.eq_ignore_ascii_case("xmp"))
            })
            .cloned()
            .collect()
    }

    /// Whether Lightroom's `photo.xmp` is `path`'s: it has no namesake, or
    /// it is a RAW and no other RAW of its name sorts before it
    /// (`IMG_1.CR2` before `IMG_1.NEF`), so two files never share one.
    fn owns_base(&self, path: &Path) -> bool {
        let namesakes = self.namesakes(path);
        namesakes.is_empty()
            || (is_raw(path)
                && path
                    .file_name()
                    .is_some_and(|me| !namesakes.iter().any(|n| is_raw(Path::new(n)) && n.as_os_str() < me)))
    }
}

/// Whether `p` is the `photo.jpg.xmp` form (any case of `.xmp`) of `f`.
fn is_full_form(p: &Path, f: &FileRecord) -> bool {
    let (Some(name), Some(file)) = (p.file_name(), f.rel_path.file_name()) else {
        return false;
    };
    let (name, file) = (name.to_string_lossy(), file.to_string_lossy());
    name.len() == file.len() + 4 && name.starts_with(file.as_ref()) && name[file.len()..].eq_ignore_ascii_case(".xmp")
}

/// Plans the sidecar of one file: the existing one updated, or a new one
/// named by `naming`. Nothing is written yet.
fn plan_one(
    folders: &FolderNames,
    root: &Path,
    f: &FileRecord,
    naming: SidecarNaming,
    fields: &SidecarFields,
    metadata: Option<&Metadata>,
) -> Result<Planned> {
    let mut full = f.rel_path.as_os_str().to_owned();
    full.push(".xmp");
    let full = root.join(PathBuf::from(full));
    let base = root.join(f.rel_path.with_extension("xmp"));
    // `photo.jpg.xmp` is always this file's own. `photo.xmp` is too,
    // unless another file of that name sits beside it (a RAW and a JPEG of
    // one shot): then, as Lightroom has it, it belongs to the RAW (the
    // first by name of several RAWs), and the others get `photo.jpg.xmp`,
    // even while `photo.xmp` does not exist yet.
    let abs = root.join(&f.rel_path);
    let owns_base = || folders.owns_base(&abs);
    let mine = |p: &Path| is_full_form(p, f) || owns_base();
    let existing = crate::scan::sidecar::candidates(&f.rel_path)
        .into_iter()
        .map(|rel| root.join(rel))
        .find(|p| p.is_file() && mine(p));
    let path = match (&existing, naming) {
        (Some(p), _) => p.clone(),
        (None, SidecarNaming::Base) if !base.exists() && owns_base() => base,
        // Base naming with `photo.xmp` taken by another file: the full name.
        (None, _) => full,
    };
    let old = match &existing {
        Some(p) => {
            let len = std::fs::metadata(p).map_err(|e| CoreError::io("read", p, e))?.len();
            if len > trove_media::MAX_SIDECAR_BYTES as u64 {
                return Err(CoreError::Sidecar {
                    path: p.clone(),
                    detail: format!("{len} bytes, larger than Trove updates; left as it is"),
                });
            }
            Some(std::fs::read(p).map_err(|e| CoreError::io("read", p, e))?)
        }
        None => None,
    };
    let bytes = trove_media::update_sidecar(old.as_deref(), fields).map_err(|e| CoreError::Sidecar {
        path: path.clone(),
        detail: format!("{e}; left as it is"),
    })?;
    let mut m = metadata.cloned().unwrap_or_else(Metadata::empty);
    trove_media::parse_xmp(&bytes).unwrap_or_default().apply_to(&mut m);
    Ok(Planned {
        file_id: f.id,
        changed: old.as_deref() != Some(bytes.as_slice()),
        path,
        bytes,
        metadata: m,
    })
}
