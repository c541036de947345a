//! A library: a folder that holds the catalog and everything derived from
//! the user's originals (later: the search index and proxies).

use std::fs::{File, OpenOptions as FsOpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use trove_catalog::Catalog;

use crate::clock::{Clock, SystemClock};
use crate::error::{CoreError, Result};

pub const CATALOG_FILE: &str = "catalog.db";
pub const LOCK_FILE: &str = "trove.lock";

/// Whether a process may change the library.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Takes the library lock: this process runs the workers and writes.
    /// A second writer gets [`CoreError::Locked`].
    Write,
    /// Reads the catalog while another process may be writing.
    ReadOnly,
}

/// How to open a library.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub access: Access,
    /// Create the library folder and catalog if they do not exist.
    pub create: bool,
    pub clock: Arc<dyn Clock>,
    /// Where ffmpeg, ffprobe and poppler are.
    pub tools: trove_media::Tools,
    /// The page cache of the shared catalog connection, in MB (`None`:
    /// SQLite's setting for the catalog, 32 MB). A front end that mostly
    /// reads through it (the desktop's listing) can keep less.
    pub catalog_cache_mb: Option<u32>,
    /// The memory the image decodes in flight may hold together, in MB
    /// (see `proxies::budget`); a larger image decodes alone.
    pub decode_memory_mb: u64,
}

/// The default decode budget: one 250-megapixel PNG (about 1.5 GB while
/// it decodes) at a time, or many camera files at once.
pub const DEFAULT_DECODE_MEMORY_MB: u64 = 2048;

impl OpenOptions {
    pub fn write() -> Self {
        OpenOptions {
            access: Access::Write,
            create: false,
            clock: Arc::new(SystemClock),
            tools: trove_media::Tools::default(),
            catalog_cache_mb: None,
            decode_memory_mb: DEFAULT_DECODE_MEMORY_MB,
        }
    }

    pub fn read_only() -> Self {
        OpenOptions {
            access: Access::ReadOnly,
            ..Self::write()
        }
    }

    pub fn create(mut self, create: bool) -> Self {
        self.create = create;
        self
    }

    pub fn catalog_cache_mb(mut self, mb: u32) -> Self {
        self.catalog_cache_mb = Some(mb);
        self
    }

    pub fn decode_memory_mb(mut self, mb: u64) -> Self {
        self.decode_memory_mb = mb;
        self
    }

    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn tools(mut self, tools: trove_media::Tools) -> Self {
        self.tools = tools;
        self
    }
}

/// An open library.
#[derive(Debug)]
pub struct Library {
    dir: PathBuf,
    catalog: Mutex<Catalog>,
    clock: Arc<dyn Clock>,
    tools: trove_media::Tools,
    /// Held for the life of a writer; the OS releases it if we die.
    _lock: Option<File>,
    /// Names this process's job leases.
    owner: String,
    job_signal: crate::jobs::signal::JobSignal,
    /// Workers take no new job while set (running ones finish).
    jobs_paused: std::sync::atomic::AtomicBool,
    /// One scan at a time per root (the watcher and a queued scan job may
    /// both want the same root).
    scan_locks: Mutex<std::collections::HashMap<i64, Arc<Mutex<()>>>>,
    /// The search index, opened on first use.
    search: Mutex<Option<Arc<trove_search::Index>>>,
    /// Scans in progress. The indexer waits for them: indexing a bulk
    /// import as it goes competes with it for the cores (measured: a
    /// 100,000-file import took 16 s instead of 4), while indexing it at
    /// the end takes about 4 s.
    scans_running: std::sync::atomic::AtomicUsize,
    /// Held while one full-size render runs (see `Library::full_image`).
    full_render: Mutex<()>,
    /// Held while a catalog snapshot is made and sent: one at a time, so
    /// an unfinished snapshot upload found in the target is never this
    /// process's own (see `send_snapshot`).
    pub(crate) snapshot_lock: tokio::sync::Mutex<()>,
    /// What the image decodes in flight may hold together.
    decode_budget: crate::proxies::budget::DecodeBudget,
}

/// Counts a scan as running for as long as it lives.
#[derive(Debug)]
pub(crate) struct ScanRunning<'a>(&'a std::sync::atomic::AtomicUsize);

impl Drop for ScanRunning<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Library {
    /// Opens the library in `dir`.
    pub fn open(dir: &Path, opts: OpenOptions) -> Result<Library> {
        let catalog_path = dir.join(CATALOG_FILE);
        if !catalog_path.exists() {
            if !opts.create || opts.access == Access::ReadOnly {
                return Err(CoreError::NoLibrary { path: dir.to_owned() });
            }
            std::fs::create_dir_all(dir).map_err(|e| CoreError::io("create library folder", dir, e))?;
        }
        let dir = dir
            .canonicalize()
            .map_err(|e| CoreError::io("open library folder", dir, e))?;
        let owner = format!("pid{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        let (lock, catalog) = match opts.access {
            Access::Write => {
                let lock = take_lock(&dir)?;
                let catalog = Catalog::open(&dir.join(CATALOG_FILE))?;
                // The lock proves no other worker is alive: its leases are stale.
                catalog.release_stale_leases(&owner, opts.clock.now_ms())?;
                (Some(lock), catalog)
            }
            Access::ReadOnly => (None, Catalog::open_read_only(&dir.join(CATALOG_FILE))?),
        };
        if let Some(mb) = opts.catalog_cache_mb {
            catalog.set_cache_kib(mb.saturating_mul(1000))?;
        }
        let lib = Library {
            dir,
            catalog: Mutex::new(catalog),
            clock: opts.clock,
            tools: opts.tools,
            _lock: lock,
            owner,
            job_signal: Default::default(),
            jobs_paused: Default::default(),
            scan_locks: Default::default(),
            search: Mutex::new(None),
            scans_running: Default::default(),
            full_render: Mutex::new(()),
            snapshot_lock: tokio::sync::Mutex::new(()),
            decode_budget: crate::proxies::budget::DecodeBudget::new(opts.decode_memory_mb.saturating_mul(1 << 20)),
        };
        if lib.is_writer() {
            lib.sweep_proxy_temps()?;
            lib.sweep_temps();
        }
        Ok(lib)
    }

    /// Removes what a process killed halfway left in `<library>/tmp`: the
    /// copies of a catalog snapshot it was making or sending, the catalog a
    /// recovery was fetching. The writer's lock proves no one uses them.
    /// Best effort: a file that cannot be removed is logged, and the next
    /// writer tries again.
    fn sweep_temps(&self) {
        let tmp = self.dir.join("tmp");
        let Ok(entries) = std::fs::read_dir(&tmp) else {
            return;
        };
        let (mut files, mut bytes) = (0u64, 0u64);
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if !(name.starts_with("snapshot-") || name.starts_with("recover-")) {
                continue;
            }
            let size = entry.metadata().map(|m| m.len()).unwrap_or(0);
            match std::fs::remove_file(entry.path()) {
                Ok(()) => {
                    files += 1;
                    bytes += size;
                }
                Err(e) => {
                    tracing::warn!(path = %entry.path().display(), error = %e, "cannot remove a leftover temporary file")
                }
            }
        }
        if files > 0 {
            tracing::info!(files, bytes, "removed the temporary files of work stopped halfway");
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn catalog_path(&self) -> PathBuf {
        self.dir.join(CATALOG_FILE)
    }

    pub fn is_writer(&self) -> bool {
        self._lock.is_some()
    }

    pub(crate) fn require_writer(&self, op: &'static str) -> Result<()> {
        if self.is_writer() {
            Ok(())
        } else {
            Err(CoreError::ReadOnly { op })
        }
    }

    /// The external tools proxies are made with.
    pub(crate) fn tools(&self) -> &trove_media::Tools {
        &self.tools
    }

    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }

    pub(crate) fn job_signal(&self) -> &crate::jobs::signal::JobSignal {
        &self.job_signal
    }

    /// Pauses (or resumes) this process's background work: job workers take
    /// no new job (jobs already running finish) and the watcher's scans
    /// wait. Nothing is lost: the queue is in the catalog, and changes the
    /// watcher sees meanwhile are scanned on resume.
    pub fn set_jobs_paused(&self, paused: bool) {
        self.jobs_paused.store(paused, std::sync::atomic::Ordering::SeqCst);
        self.job_signal.notify();
    }

    /// Whether the job workers are paused.
    pub fn jobs_paused(&self) -> bool {
        self.jobs_paused.load(std::sync::atomic::Ordering::SeqCst)
    }

    pub(crate) fn decode_budget(&self) -> &crate::proxies::budget::DecodeBudget {
        &self.decode_budget
    }

    /// The lock that serializes scans of one root.
    pub(crate) fn scan_lock(&self, root: i64) -> Arc<Mutex<()>> {
        let mut locks = self.scan_locks.lock().unwrap_or_else(|p| p.into_inner());
        locks.entry(root).or_default().clone()
    }

    pub(crate) fn scan_running(&self) -> ScanRunning<'_> {
        self.scans_running.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        ScanRunning(&self.scans_running)
    }

    pub(crate) fn scans_running(&self) -> usize {
        self.scans_running.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// One full-size render at a time (see `Library::full_image`).
    pub(crate) fn full_render(&self) -> MutexGuard<'_, ()> {
        self.full_render.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn search_slot(&self) -> MutexGuard<'_, Option<Arc<trove_search::Index>>> {
        self.search.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn owner(&self) -> &str {
        &self.owner
    }

    /// The library's shared catalog connection.
    pub(crate) fn catalog(&self) -> MutexGuard<'_, Catalog> {
        // A panic while holding the lock leaves SQLite consistent (the
        // transaction rolls back), so a poisoned lock is safe to reuse.
        self.catalog.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new connection for a worker or scan thread.
    pub(crate) fn connect(&self) -> Result<Catalog> {
        Ok(if self.is_writer() {
            Catalog::open(&self.catalog_path())?
        } else {
            Catalog::open_read_only(&self.catalog_path())?
        })
    }

    /// Runs SQLite's integrity and foreign-key checks.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        Ok(self.catalog().integrity_check()?)
    }
}

pub(crate) fn take_lock(dir: &Path) -> Result<File> {
    let path = dir.join(LOCK_FILE);
    let mut file = FsOpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| CoreError::io("open lock file", &path, e))?;
    // `File::try_lock` is flock(2): a child process forked by another
    // thread of this process (to run ffmpeg, say) shares the descriptor of a
    // lock we just released until it calls exec. When the lock file names
    // this very process, such a child is the holder; wait briefly for it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    let mut result = file.try_lock();
    while matches!(result, Err(TryLockError::WouldBlock)) && std::time::Instant::now() < deadline {
        let mut holder = String::new();
        let _ = file.rewind().and_then(|_| file.read_to_string(&mut holder));
        if holder.trim() != std::process::id().to_string() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
        result = file.try_lock();
    }
    let _ = file.rewind();
    match result {
        Ok(()) => {
            let pid = std::process::id().to_string();
            file.set_len(0)
                .and_then(|_| file.rewind())
                .and_then(|_| file.write_all(pid.as_bytes()))
                .map_err(|e| CoreError::io("write lock file", &path, e))?;
            Ok(file)
        }
        Err(TryLockError::WouldBlock) => {
            let mut pid = String::new();
            let _ = file.read_to_string(&mut pid);
            Err(CoreError::Locked {
                path: dir.to_owned(),
                pid: if pid.trim().is_empty() {
                    "unknown".into()
                } else {
                    pid.trim().to_owned()
                },
            })
        }
        Err(TryLockError::Error(e)) => Err(CoreError::io("lock library", &path, e)),
    }
}
