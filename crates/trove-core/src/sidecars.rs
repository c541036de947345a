//! Writing curation into XMP sidecars beside the originals, for Lightroom,
//! darktable and digiKam: off unless the library is set to write them
//! (Trove never writes into a person's folders unasked). Writes are a
//! durable job after each edit, update an existing sidecar in place (see
//! `trove_media::update_sidecar`), go through a temporary file and a
//! rename in the same folder, and never touch an original. A sidecar that
//! cannot be written is reported on its asset and tried again later; the
//! catalog keeps the values.

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
    pub fn write_dirty_sidecars(&self, cancel: &Cancel) -> Result<SidecarReport> {
        self.require_writer("writing sidecars")?;
        let (mode, naming) = self.sidecar_settings()?;
        let mut report = SidecarReport::default();
        if mode != SidecarMode::Write {
            return Ok(report);
        }
        let mut after = 0;
        loop {
            let rows = self.catalog().dirty_sidecars(after, 200)?;
            let Some(&last) = rows.last() else { break };
            for row in rows {
                if cancel.is_cancelled() {
                    return Ok(report);
                }
                match self.write_asset_sidecars(row, naming) {
                    Ok(n) => {
                        report.written += n;
                        let mut cat = self.catalog();
                        let mut b = cat.batch(self.now_ms())?;
                        b.sidecar_written(row)?;
                        b.commit()?;
                    }
                    Err(e) => {
                        report.failed += 1;
                        let mut cat = self.catalog();
                        let mut b = cat.batch(self.now_ms())?;
                        b.sidecar_failed(row, &format!("{}: {e}", e.code()))?;
                        b.commit()?;
                    }
                }
            }
            after = last;
        }
        Ok(report)
    }

    /// Writes (or updates) the sidecar beside every present file of one
    /// asset. Returns how many.
    fn write_asset_sidecars(&self, row: i64, naming: SidecarNaming) -> Result<u64> {
        let (curation, files, roots, metadata) = {
            let cat = self.catalog();
            (
                cat.curation(row)?,
                cat.files_of_asset(row)?,
                cat.all_roots()?,
                cat.metadata(row)?,
            )
        };
        let fields = sidecar_fields(&curation);
        let mut written = 0;
        for f in files.iter().filter(|f| f.present) {
            let Some(root) = roots.iter().find(|r| r.id == f.root_id) else {
                continue;
            };
            let (path, bytes) = write_one(&root.path, f, naming, &fields)?;
            written += 1;
            // What the file now says, so the next scan finds it unchanged.
            let mtime = std::fs::metadata(&path)
                .map(|m| crate::fsmeta::file_stat(&m).mtime_ns)
                .map_err(|e| CoreError::io("read", &path, e))?;
            let mut m = metadata.clone().unwrap_or_else(Metadata::empty);
            trove_media::parse_xmp(&bytes).unwrap_or_default().apply_to(&mut m);
            let mut cat = self.catalog();
            let mut b = cat.batch(self.now_ms())?;
            b.own_sidecar_written(f.id, mtime)?;
            b.own_xmp_fields(row, &m)?;
            b.commit()?;
        }
        Ok(written)
    }
}

/// Writes the sidecar of one file: the existing one updated, or a new one
/// named by `naming`. Returns its path and what it now holds.
fn write_one(root: &Path, f: &FileRecord, naming: SidecarNaming, fields: &SidecarFields) -> Result<(PathBuf, Vec<u8>)> {
    let existing = crate::scan::sidecar::candidates(&f.rel_path)
        .into_iter()
        .map(|rel| root.join(rel))
        .find(|p| p.is_file());
    let path = match (&existing, naming) {
        (Some(p), _) => p.clone(),
        (None, SidecarNaming::Full) => {
            let mut name = f.rel_path.as_os_str().to_owned();
            name.push(".xmp");
            root.join(PathBuf::from(name))
        }
        (None, SidecarNaming::Base) => root.join(f.rel_path.with_extension("xmp")),
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
    let new = trove_media::update_sidecar(old.as_deref(), fields).map_err(|e| CoreError::Sidecar {
        path: path.clone(),
        detail: format!("{e}; left as it is"),
    })?;
    if old.as_deref() == Some(new.as_slice()) {
        return Ok((path, new));
    }
    replace_atomically(&path, &new)?;
    Ok((path, new))
}

/// Writes `bytes` to a temporary file beside `path` and renames it over
/// `path`: a crash leaves the old sidecar or the new one, never half.
fn replace_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.trove-{}.tmp", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        CoreError::io("write the sidecar", path, e)
    })
}
