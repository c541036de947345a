//! The library's read and write API for front ends: roots, assets, files,
//! duplicates and status.

use std::path::{Path, PathBuf};

use trove_catalog::{
    Asset, AssetQuery, AssetStatus, CatalogCounts, FileRecord, JobCounts, Metadata, RemovedRoot, Root, RootState,
    ScanProblem,
};
use trove_types::{AssetId, AssetKind, CaptureTime};

use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::events::EventSink;
use crate::fsmeta::device_of;
use crate::library::Library;
use crate::scan::{ScanParams, ScanReport, ScanScope};

/// A watched folder with its counts.
#[derive(Debug, Clone)]
pub struct RootInfo {
    pub id: i64,
    pub path: PathBuf,
    pub state: RootState,
    pub follow_symlinks: bool,
    pub added_at: i64,
    pub last_scan_at: Option<i64>,
    pub files: u64,
    pub missing_files: u64,
    pub problems: u64,
}

/// An asset as listings show it.
#[derive(Debug, Clone)]
pub struct AssetSummary {
    pub id: AssetId,
    pub kind: AssetKind,
    pub mime: Option<String>,
    pub size: u64,
    pub status: AssetStatus,
    pub capture: Option<CaptureTime>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// File name of the representative file.
    pub name: String,
    /// Absolute path of the representative file.
    pub path: PathBuf,
    pub file_count: u32,
    /// The ThumbHash placeholder, once proxies were made.
    pub thumbhash: Option<Vec<u8>>,
    /// Its objects in the sync target: `synced`, `pending`, `failed`, or
    /// `None` when it has none (no target, or not planned yet).
    pub sync: Option<String>,
}

/// A file of an asset, with its absolute path.
#[derive(Debug, Clone)]
pub struct FileInfo {
    pub root_id: i64,
    pub path: PathBuf,
    pub record: FileRecord,
}

/// Everything the catalog knows of one asset.
#[derive(Debug, Clone)]
pub struct AssetDetail {
    pub asset: Asset,
    pub files: Vec<FileInfo>,
    pub metadata: Option<Metadata>,
    /// Proxies made from the asset (paths relative to the library).
    pub derivatives: Vec<trove_catalog::Derivative>,
    pub thumbhash: Option<Vec<u8>>,
    /// Why proxies could not be made (`code: message`).
    pub proxy_error: Option<String>,
}

/// An asset with more than one file.
#[derive(Debug, Clone)]
pub struct DuplicateSet {
    pub asset: Asset,
    pub files: Vec<FileInfo>,
}

/// The state of the whole library.
#[derive(Debug, Clone)]
pub struct LibraryStatus {
    pub library: PathBuf,
    pub counts: CatalogCounts,
    pub jobs: JobCounts,
    pub roots: Vec<RootInfo>,
}

/// A path that could not be catalogued, with its absolute path.
#[derive(Debug, Clone)]
pub struct ProblemInfo {
    pub path: PathBuf,
    pub problem: ScanProblem,
}

/// Filter and paging for [`Library::assets`].
#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    pub kind: Option<AssetKind>,
    pub status: Option<AssetStatus>,
    pub root_id: Option<i64>,
    /// With `root_id`: only assets with a file in this folder of the root or
    /// below it (relative to the root).
    pub folder: Option<PathBuf>,
    pub offset: u64,
    pub limit: Option<u64>,
}

impl AssetFilter {
    /// The catalog's query for this filter; without paging unless `paged`.
    fn query(&self, paged: bool) -> AssetQuery {
        AssetQuery {
            kind: self.kind,
            status: self.status,
            root_id: self.root_id,
            folder: self.folder.clone(),
            offset: if paged { self.offset } else { 0 },
            limit: if paged { self.limit } else { None },
        }
    }
}

/// One folder of a watched folder's tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FolderInfo {
    /// Relative to the watched folder.
    pub path: PathBuf,
    /// Files present in it or below it.
    pub files: u64,
}

/// One section of the timeline: consecutive assets captured on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimelineDay {
    /// The capture's wall-clock date; `None` for assets without a capture time.
    pub date: Option<time::Date>,
    pub count: u64,
}

/// Options for adding a root.
#[derive(Debug, Clone, Copy, Default)]
pub struct AddRootOptions {
    /// Follow symbolic links inside the root (loops are detected).
    pub follow_symlinks: bool,
}

impl Library {
    /// Adds a folder to watch. It is not scanned yet: call
    /// [`Library::enqueue_scan`] or [`Library::scan_root`]. Adding the same
    /// folder again returns the existing root.
    pub fn add_root(&self, path: &Path, opts: AddRootOptions) -> Result<(RootInfo, bool)> {
        self.require_writer("adding a folder")?;
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => CoreError::NotAFolder { path: path.to_owned() },
            _ => CoreError::io("read folder", path, e),
        })?;
        if !meta.is_dir() {
            return Err(CoreError::NotAFolder { path: path.to_owned() });
        }
        let path = path
            .canonicalize()
            .map_err(|e| CoreError::io("resolve folder", path, e))?;
        if path.starts_with(self.dir()) {
            return Err(CoreError::RootInsideLibrary {
                path,
                library: self.dir().to_owned(),
            });
        }
        // A library inside the folder is fine when scans skip it anyway
        // (e.g. adding the home folder, with the library in ~/.local/share).
        if let Ok(inner) = self.dir().strip_prefix(&path)
            && !inner
                .components()
                .any(|c| crate::fsmeta::is_ignored_name(c.as_os_str()))
        {
            return Err(CoreError::LibraryInsideRoot {
                path,
                library: self.dir().to_owned(),
            });
        }
        let mut cat = self.catalog();
        for other in cat.roots()? {
            if other.path != path && (other.path.starts_with(&path) || path.starts_with(&other.path)) {
                return Err(CoreError::RootOverlaps {
                    path,
                    other: other.path,
                });
            }
        }
        let mut b = cat.batch(self.now_ms())?;
        let (root, created) = b.add_root(&path, device_of(&meta), opts.follow_symlinks)?;
        b.commit()?;
        drop(cat);
        Ok((self.root_info(root)?, created))
    }

    /// Stops watching a folder (by id or path): it is no longer listed or
    /// scanned, and its files are marked missing. Nothing on disk is
    /// touched. Assets keep their identity, user data and sync state; those
    /// with no file left elsewhere show as missing until the folder (or a
    /// copy) is added again. A scan of the folder in progress finishes
    /// first, so it cannot mark files present after the removal.
    pub fn remove_root(&self, query: &str) -> Result<(RootInfo, RemovedRoot)> {
        self.require_writer("removing a folder")?;
        let info = self.find_root(query)?;
        let lock = self.scan_lock(info.id);
        let _no_scan = lock.lock().unwrap_or_else(|p| p.into_inner());
        let mut cat = self.catalog();
        let mut b = cat.batch(self.now_ms())?;
        let removed = b.remove_root(info.id)?;
        b.commit()?;
        Ok((info, removed))
    }

    fn root_info(&self, root: Root) -> Result<RootInfo> {
        let (files, missing_files, problems) = self.catalog().root_stats(root.id)?;
        Ok(RootInfo {
            id: root.id,
            path: root.path,
            state: root.state,
            follow_symlinks: root.follow_symlinks,
            added_at: root.added_at,
            last_scan_at: root.last_scan_at,
            files,
            missing_files,
            problems,
        })
    }

    pub fn roots(&self) -> Result<Vec<RootInfo>> {
        let roots = self.catalog().roots()?;
        roots.into_iter().map(|r| self.root_info(r)).collect()
    }

    /// Finds a root by id (as `trove roots` prints) or by path.
    pub fn find_root(&self, query: &str) -> Result<RootInfo> {
        let roots = self.catalog().roots()?;
        let by_id = query
            .parse::<i64>()
            .ok()
            .and_then(|id| roots.iter().find(|r| r.id == id));
        let by_path = || {
            let p = Path::new(query);
            let canon = p.canonicalize().unwrap_or_else(|_| p.to_owned());
            roots.iter().find(|r| r.path == canon)
        };
        match by_id.or_else(by_path) {
            Some(r) => self.root_info(r.clone()),
            None => Err(CoreError::RootNotFound {
                query: query.to_owned(),
            }),
        }
    }

    /// Scans a root now, on this thread, reading with `read_threads`.
    pub fn scan_root(
        &self,
        root_id: i64,
        scope: ScanScope,
        read_threads: usize,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<ScanReport> {
        self.require_writer("scanning")?;
        let root = self.catalog().root(root_id)?;
        crate::scan::scan(self, &root, scope, ScanParams { threads: read_threads }, sink, cancel)
    }

    pub fn assets(&self, filter: &AssetFilter) -> Result<Vec<AssetSummary>> {
        let cat = self.catalog();
        let roots = cat.all_roots()?;
        let listing = cat.list_assets(&filter.query(true))?;
        Ok(listing
            .into_iter()
            .map(|l| {
                let root = roots.iter().find(|r| r.id == l.root_id);
                let path = root
                    .map(|r| r.path.join(&l.rel_path))
                    .unwrap_or_else(|| l.rel_path.clone());
                AssetSummary {
                    id: l.asset.id,
                    kind: l.asset.kind,
                    mime: l.asset.mime.clone(),
                    size: l.asset.size,
                    status: l.asset.status,
                    capture: l.asset.capture,
                    width: l.asset.width,
                    height: l.asset.height,
                    name: l
                        .rel_path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    path,
                    file_count: l.file_count,
                    thumbhash: l.thumbhash,
                    sync: l.sync,
                }
            })
            .collect())
    }

    /// How many assets match a filter (ignoring its paging).
    pub fn count_assets(&self, filter: &AssetFilter) -> Result<u64> {
        Ok(self.catalog().count_assets(&filter.query(false))?)
    }

    /// The ids of the page [`Library::assets`] gives for this filter, in its
    /// order, and nothing else: "select all" and shift-click ranges over
    /// a listing far larger than what the grid has loaded.
    pub fn asset_ids(&self, filter: &AssetFilter) -> Result<Vec<AssetId>> {
        Ok(self.catalog().list_asset_ids(&filter.query(true))?)
    }

    /// The folder tree of a watched folder: every folder below it that holds
    /// present files, with their count, in tree order (a folder before what
    /// is in it). For browsing by folder with [`AssetFilter::folder`].
    pub fn folder_tree(&self, root_id: i64) -> Result<Vec<FolderInfo>> {
        Ok(self
            .catalog()
            .folder_counts(root_id)?
            .into_iter()
            .map(|f| FolderInfo {
                path: f.path,
                files: f.files,
            })
            .collect())
    }

    /// The timeline's sections: the listing [`Library::assets`] gives (same
    /// filter, same order), cut into runs of one local capture day each.
    /// Section `n` holds the assets at the indices after the counts of the
    /// sections before it.
    pub fn timeline(&self, filter: &AssetFilter) -> Result<Vec<TimelineDay>> {
        let runs = self.catalog().capture_days(&filter.query(false))?;
        Ok(runs
            .into_iter()
            .map(|r| TimelineDay {
                date: r.day.and_then(|d| {
                    // Days since 1970-01-01 to a calendar date; out-of-range
                    // capture times (corrupt EXIF) count as undated.
                    let jd = i32::try_from(d.checked_add(2_440_588)?).ok()?;
                    time::Date::from_julian_day(jd).ok()
                }),
                count: r.count,
            })
            .collect())
    }

    /// Looks an asset up by its id or by the path of one of its files.
    pub fn asset_detail(&self, query: &str) -> Result<AssetDetail> {
        let cat = self.catalog();
        let asset = if let Ok(id) = query.parse::<AssetId>() {
            match cat.asset(id) {
                Ok(a) => a,
                Err(e) if e.is_not_found() => {
                    return Err(CoreError::AssetNotFound {
                        query: query.to_owned(),
                    });
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            let p = Path::new(query);
            let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
            let abs = abs.canonicalize().unwrap_or(abs);
            let mut found = None;
            for root in cat.roots()? {
                if let Ok(rel) = abs.strip_prefix(&root.path)
                    && let Some(a) = cat.asset_at(root.id, rel)?
                {
                    found = Some(a);
                    break;
                }
            }
            found.ok_or_else(|| CoreError::AssetNotFound {
                query: query.to_owned(),
            })?
        };
        let files = self.file_infos(&cat, asset.row_id)?;
        let metadata = cat.metadata(asset.row_id)?;
        let derivatives = cat.derivatives(asset.row_id)?;
        let (thumbhash, proxy_error) = cat.proxy_state(asset.row_id)?;
        Ok(AssetDetail {
            asset,
            files,
            metadata,
            derivatives,
            thumbhash,
            proxy_error,
        })
    }

    fn file_infos(&self, cat: &trove_catalog::Catalog, asset_row: i64) -> Result<Vec<FileInfo>> {
        let roots = cat.all_roots()?;
        Ok(cat
            .files_of_asset(asset_row)?
            .into_iter()
            .map(|f| FileInfo {
                root_id: f.root_id,
                path: roots
                    .iter()
                    .find(|r| r.id == f.root_id)
                    .map(|r| r.path.join(&f.rel_path))
                    .unwrap_or_else(|| f.rel_path.clone()),
                record: f,
            })
            .collect())
    }

    /// Assets that have more than one file.
    pub fn duplicates(&self) -> Result<Vec<DuplicateSet>> {
        let cat = self.catalog();
        let sets = cat.duplicates()?;
        sets.into_iter()
            .map(|(asset, _)| {
                let files = self.file_infos(&cat, asset.row_id)?;
                Ok(DuplicateSet { asset, files })
            })
            .collect()
    }

    pub fn status(&self) -> Result<LibraryStatus> {
        let (counts, jobs) = {
            let cat = self.catalog();
            (cat.counts()?, cat.job_counts()?)
        };
        Ok(LibraryStatus {
            library: self.dir().to_owned(),
            counts,
            jobs,
            roots: self.roots()?,
        })
    }

    /// Paths that could not be catalogued.
    pub fn problems(&self) -> Result<Vec<ProblemInfo>> {
        let cat = self.catalog();
        let roots = cat.roots()?;
        Ok(cat
            .scan_problems(None)?
            .into_iter()
            .map(|p| ProblemInfo {
                path: roots
                    .iter()
                    .find(|r| r.id == p.root_id)
                    .map(|r| r.path.join(&p.rel_path))
                    .unwrap_or_else(|| p.rel_path.clone()),
                problem: p,
            })
            .collect())
    }

    /// Jobs, newest first; only failed ones with `failed_only`.
    pub fn jobs(&self, failed_only: bool, limit: u32) -> Result<Vec<trove_catalog::Job>> {
        let state = failed_only.then_some(trove_catalog::JobState::Failed);
        Ok(self.catalog().jobs(state, limit)?)
    }

    /// Queued, running and failed jobs of each kind that has any.
    pub fn active_jobs(&self) -> Result<Vec<(String, JobCounts)>> {
        Ok(self.catalog().active_job_counts()?)
    }

    /// Queues failed jobs (one, or all) again.
    pub fn retry_failed_jobs(&self, id: Option<i64>) -> Result<u64> {
        self.require_writer("retrying jobs")?;
        let n = self.catalog().retry_failed_jobs(id, self.now_ms())?;
        self.job_signal().notify();
        Ok(n)
    }
}
