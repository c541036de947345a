//! `trove`: the command-line front end. Parses arguments, resolves the
//! library location, renders core events as progress, and maps errors to
//! exit codes. All the work is in `trove-core`.

mod album_cmd;
mod assets_cmd;
mod curate_cmd;
mod hints;
mod jobs_cmd;
mod json;
mod library_cmd;
mod output;
mod progress;
mod share_cmd;
mod sync_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use trove_core::catalog::AssetStatus;
use trove_core::types::AssetKind;
use trove_core::{
    AddRootOptions, AssetFilter, Cancel, CoreError, Library, OpenOptions, SearchQuery, Sort, SortDirection,
    WorkerOptions, job_kind,
};

/// Exit codes.
const EXIT_OK: u8 = 0;
/// Some files (or jobs) failed; each was named on stderr.
const EXIT_SOME_FAILED: u8 = 1;
/// The command line or a value in it was wrong.
const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "trove",
    version,
    about = "Trove: a digital-asset manager for photos, videos, audio and documents"
)]
struct Cli {
    /// The library folder (default: the platform's data folder, e.g. ~/.local/share/trove).
    #[arg(long, global = true, env = "TROVE_LIBRARY", value_name = "PATH")]
    library: Option<PathBuf>,
    /// Threads for reading and hashing files, and workers making thumbnails and previews (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    threads: Option<usize>,
    /// Memory the image decodes in flight may hold together, in MB: large
    /// images (scans, panoramas) decode one after the other within it.
    #[arg(long, global = true, env = "TROVE_DECODE_MEMORY_MB", value_name = "MB",
          default_value_t = trove_core::DEFAULT_DECODE_MEMORY_MB,
          value_parser = clap::value_parser!(u64).range(64..))]
    decode_memory: u64,
    /// Log more (each job and object) to the library's log; RUST_LOG, when
    /// set, decides instead (`trove log` shows the log).
    #[arg(short, long, global = true)]
    verbose: bool,
    /// The log's filter, from RUST_LOG (e.g. `trove_core=debug`).
    #[arg(long, global = true, env = "RUST_LOG", hide = true, value_name = "FILTER")]
    log_filter: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a library.
    Init,
    /// Add folders to watch and import them.
    Add {
        #[arg(required = true, value_name = "FOLDER")]
        folders: Vec<PathBuf>,
        /// Follow symbolic links inside the folders (loops are detected).
        #[arg(long)]
        follow_symlinks: bool,
        /// Which files become assets: media (photos, videos, sound and
        /// PDFs; the default for a new folder), documents, or all.
        #[arg(long, value_name = "KINDS", value_parser = parse_kinds)]
        kinds: Option<trove_core::types::FolderKinds>,
        #[arg(long)]
        json: bool,
    },
    /// Rescan one folder (by id or path) or all of them.
    Scan {
        root: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Watch every folder and run jobs until Ctrl-C.
    Watch {
        /// Poll instead of using change notifications.
        #[arg(long)]
        poll: bool,
        /// Read back each day the share of the target's objects that
        /// verifies every one within this many days (0: never).
        #[arg(long, value_name = "DAYS", default_value_t = 90)]
        fixity_cycle: u32,
        /// Read the fixity cycle's objects back at most this fast, in MB/s
        /// (default: as fast as the network goes).
        #[arg(long, value_name = "MB_PER_S")]
        fixity_bandwidth: Option<f64>,
    },
    /// A watched folder (by id or path) now lives elsewhere: moved, on a new
    /// disk, or restored on a new machine after `trove recover` (`trove
    /// restore FOLDER --to NEW`). Its files keep their assets, tags and sync
    /// state, matched by their paths inside it; a scan checks them.
    Relocate {
        #[arg(value_name = "FOLDER")]
        root: String,
        #[arg(value_name = "NEW_PATH")]
        to: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Stop watching a folder (by id or path). Nothing on disk is touched;
    /// assets found only there are kept, shown as missing, and come back
    /// with their tags and sync state when the folder is added again.
    Remove {
        #[arg(value_name = "FOLDER")]
        root: String,
        #[arg(long)]
        json: bool,
    },
    /// List watched folders.
    Roots {
        #[arg(long)]
        json: bool,
    },
    /// List assets, newest first.
    Ls {
        #[arg(long, value_name = "KIND")]
        kind: Option<AssetKind>,
        /// Only assets whose files are all gone.
        #[arg(long)]
        missing: bool,
        #[arg(long, value_name = "N")]
        limit: Option<u64>,
        #[arg(long)]
        json: bool,
    },
    /// Search the library, e.g. `trove search 'beach taken:2023 rating:>=4'`
    /// (the query language is in crates/trove-search/QUERY.md).
    Search {
        #[arg(value_name = "QUERY")]
        query: String,
        /// relevance, taken, -taken (newest first), name, -name, size, -size.
        #[arg(long, default_value = "relevance", value_parser = parse_sort)]
        sort: Sort,
        #[arg(long, default_value_t = 50, value_name = "N")]
        limit: usize,
        #[arg(long, default_value_t = 0, value_name = "N")]
        offset: usize,
        /// Also count kinds, cameras, lenses, years, months, ratings, tags,
        /// albums and extensions over all matches.
        #[arg(long)]
        facets: bool,
        #[arg(long)]
        json: bool,
    },
    /// Rebuild the search index from the catalog.
    Reindex {
        #[arg(long)]
        json: bool,
    },
    /// Show one asset, by id or by the path of one of its files.
    Info {
        #[arg(value_name = "ID|PATH")]
        asset: String,
        #[arg(long)]
        json: bool,
    },
    /// List assets stored in more than one file.
    Duplicates {
        #[arg(long)]
        json: bool,
    },
    /// Make missing thumbnails and previews, and read video, audio and PDF
    /// metadata (of every asset with --force).
    Thumbs {
        /// Make them again even where they exist.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// Everything `thumbs` makes, then the heavy part: playable copies of
    /// videos and audio the app cannot play as they are, scrub strips and
    /// shot changes.
    Proxies {
        /// Make them again even where they exist.
        #[arg(long)]
        force: bool,
        #[arg(long)]
        json: bool,
    },
    /// List jobs.
    Jobs {
        /// Only jobs that failed for good.
        #[arg(long)]
        failed: bool,
        /// Queue failed jobs again (all, or the one with this id).
        #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "all", value_parser = jobs_cmd::parse_retry)]
        retry: Option<jobs_cmd::Retry>,
        #[arg(long)]
        json: bool,
    },
    /// Paths that could not be catalogued, with the reason.
    Problems {
        #[arg(long)]
        json: bool,
    },
    /// The sync target: `trove target set s3://BUCKET/PREFIX --endpoint URL`
    /// or `trove target set file:///mnt/backup/trove`.
    Target {
        #[command(subcommand)]
        action: sync_cmd::TargetAction,
    },
    /// What a watched folder sends to the target: all (originals and
    /// proxies), proxies, or none.
    Policy {
        #[arg(value_name = "FOLDER")]
        root: String,
        #[arg(value_name = "POLICY", value_parser = sync_cmd::parse_policy)]
        policy: trove_core::SyncPolicy,
    },
    /// Where the library's log is, and its last lines.
    Log {
        /// How many lines to show.
        #[arg(long, short = 'n', default_value_t = 40, value_name = "N")]
        lines: usize,
        /// Print only the log file's path.
        #[arg(long)]
        path: bool,
    },
    /// Which of a folder's files become assets: media (photos, videos,
    /// sound and PDFs, the default), documents (also text, office files,
    /// e-books) or all. The folder is scanned again at once.
    Kinds {
        #[arg(value_name = "FOLDER")]
        root: String,
        #[arg(value_name = "KINDS", value_parser = parse_kinds)]
        kinds: trove_core::types::FolderKinds,
        #[arg(long)]
        json: bool,
    },
    /// Send new and changed originals, proxies and manifests to the target
    /// and verify each one; runs until everything is synced.
    Sync {
        /// Objects in flight at once.
        #[arg(long, default_value_t = 32, value_name = "N")]
        concurrency: usize,
        /// Upload bandwidth limit, e.g. 10M (bytes per second).
        #[arg(long, value_name = "RATE", value_parser = sync_cmd::parse_rate)]
        bwlimit: Option<u64>,
        /// Try objects that failed for good again.
        #[arg(long)]
        retry_failed: bool,
        /// Seconds to wait for an answer (or a stalled transfer) before a
        /// request is cut and retried.
        #[arg(long, default_value_t = 60, value_name = "SECS")]
        timeout: u64,
        /// While it runs, also store a catalog snapshot this often (e.g.
        /// 15m, 1h, 30s; 0 for only the one at the end).
        #[arg(long, default_value = "15m", value_name = "EVERY", value_parser = sync_cmd::parse_every)]
        snapshot_every: sync_cmd::Every,
        #[arg(long)]
        json: bool,
    },
    /// Fixity check: read stored objects back and compare their hashes
    /// with the catalog (all, or a random sample).
    Verify {
        /// Check about this percentage of the objects, chosen at random.
        #[arg(long, value_name = "PCT", value_parser = sync_cmd::parse_percent)]
        sample: Option<f64>,
        /// Check today's share of a fixity cycle of DAYS days (90 when not
        /// given): the objects checked longest ago, so that run daily every
        /// object is read back within the cycle.
        #[arg(long, value_name = "DAYS", num_args = 0..=1, default_missing_value = "90", conflicts_with = "sample")]
        cycle: Option<u32>,
        /// Read back at most this fast, in MB/s (default: as fast as the
        /// network goes).
        #[arg(long, value_name = "MB_PER_S")]
        bandwidth: Option<f64>,
        /// Originals larger than two chunks are read in ranged chunks of
        /// this many KiB (16384 by default; rounded up to a power of two),
        /// and an interrupted check resumes from its last chunk.
        #[arg(long, value_name = "KIB", hide = true)]
        chunk_kib: Option<u64>,
        #[command(flatten)]
        archive: sync_cmd::ArchiveArgs,
        #[arg(long)]
        json: bool,
    },
    /// List the target, compare it with the catalog, and write today's
    /// inventory file into it.
    Reconcile {
        /// Then send again what is missing or drifted, at once (a sync).
        #[arg(long)]
        repair: bool,
        /// Then delete the objects the catalog does not know and abort
        /// unfinished uploads no sync tracks, after asking (they may belong
        /// to another library syncing to the same place).
        #[arg(long)]
        delete_extra: bool,
        /// Do not ask before deleting (scripts).
        #[arg(long, requires = "delete_extra")]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// The audit trail: every upload, repair, fixity check, deletion,
    /// restore and recovery, oldest first.
    Audit {
        /// Only from this time on (2026-12-07T05:24:36Z, or a day).
        #[arg(long, value_name = "TIME", value_parser = sync_cmd::parse_since)]
        since: Option<i64>,
        /// Only about this asset (id or path).
        #[arg(long, value_name = "ASSET")]
        asset: Option<String>,
        #[arg(long, conflicts_with = "premis")]
        json: bool,
        /// PREMIS events as JSON lines (for digital-preservation tools).
        #[arg(long)]
        premis: bool,
    },
    /// Build a library in --library (a new folder) from a target alone:
    /// its newest catalog snapshot, with the grid's thumbnails. Then
    /// `trove restore` brings back the originals.
    Recover(sync_cmd::RecoverArgs),
    /// Download originals back from the target, verified: one asset (id or
    /// path) or every asset of a watched folder.
    Restore {
        #[arg(value_name = "ASSET|FOLDER")]
        what: String,
        /// Restore into this folder instead of the original places.
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        /// Originals in an archive storage class (Glacier, Deep Archive):
        /// ask for their restore and stop, instead of waiting until they
        /// are back (a later `trove restore` finds the request under way).
        #[arg(long)]
        no_wait: bool,
        #[command(flatten)]
        archive: sync_cmd::ArchiveArgs,
        #[arg(long)]
        json: bool,
    },
    /// Bulk upload: send every file under the folders to a bucket or folder
    /// (PREFIX/<path inside the folder>), verified, skipping what is already
    /// there; resumes after an interruption.
    Upload(sync_cmd::UploadArgs),
    /// Share assets with signed links or a page in the bucket; list, renew
    /// and revoke shares; request files from someone.
    Share(share_cmd::ShareArgs),
    /// Rate assets 0 (none) to 5 stars: `trove rate IMG_0001.jpg 4`,
    /// `trove rate --query 'folder:iceland' 3`.
    Rate(curate_cmd::SelValue),
    /// Flag assets: `trove flag IMG_0001.jpg pick` (pick, reject or none).
    Flag(curate_cmd::SelValue),
    /// Give assets a colour label: red, yellow, green, blue, purple (or none).
    Label(curate_cmd::SelValue),
    /// Add and remove keywords: `trove tag IMG_0001.jpg +Places/Iceland -Old`
    /// (levels separated by / or |; a keyword without + or - is added).
    Tag {
        /// Asset ids or paths, and the keywords: +KEYWORD adds, -KEYWORD removes.
        #[arg(
            value_name = "ID|PATH|+KEYWORD|-KEYWORD",
            required = true,
            allow_hyphen_values = true
        )]
        items: Vec<String>,
        /// Every asset this search finds instead of ids or paths.
        #[arg(long, value_name = "QUERY")]
        query: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Set the title: `trove title IMG_0001.jpg 'Harbour at dawn'` (an empty text clears it).
    Title(curate_cmd::SelValue),
    /// Set the caption (an empty text clears it).
    Caption(curate_cmd::SelValue),
    /// Set the creator (an empty text clears it).
    Creator(curate_cmd::SelValue),
    /// Set the copyright notice (an empty text clears it).
    Rights(curate_cmd::SelValue),
    /// Albums: list, create, smart, rename, move, rm, add, remove, show,
    /// cover, order.
    Album {
        #[command(subcommand)]
        action: album_cmd::AlbumAction,
    },
    /// Comment on assets: `trove comment IMG_0001.jpg 'Print this one'`.
    Comment {
        #[command(flatten)]
        args: curate_cmd::SelValue,
        /// Who is commenting (default: the login name).
        #[arg(long, env = "USER", default_value = "me", value_name = "NAME")]
        author: String,
    },
    /// The keyword tree: `trove keywords`, `trove keywords rename OLD NEW`,
    /// `trove keywords merge FROM INTO`.
    Keywords {
        #[command(subcommand)]
        action: Option<curate_cmd::KeywordsAction>,
    },
    /// XMP sidecars for Lightroom, darktable and digiKam: `trove sidecars
    /// write` turns them on, `status`, `off`.
    Sidecars {
        #[command(subcommand)]
        action: curate_cmd::SidecarsAction,
    },
    /// Undo the last rating, flag, label, keyword or text change.
    Undo {
        #[arg(long)]
        json: bool,
    },
    /// Apply again what `trove undo` took back.
    Redo {
        #[arg(long)]
        json: bool,
    },
    /// The newest edits, newest first.
    History {
        #[arg(long, default_value_t = 20, value_name = "N")]
        limit: u32,
        #[arg(long)]
        json: bool,
    },
    /// Library summary.
    Status {
        #[arg(long)]
        json: bool,
    },
}

/// Keeps freed buffers for reuse instead of handing them back to the
/// kernel. Uploads read every file (and every 16 MiB part) into a fresh
/// buffer; with glibc's defaults those pages were unmapped or trimmed after
/// each object and faulted in and zeroed again for the next (a tenth of the
/// CPU of `trove upload` in `perf`). Measured on 3,000 files of ~200 KB:
/// 3.54-3.80 s of CPU instead of 3.93-4.60 s (system time 0.9 s instead of
/// 1.2-1.8 s), at the same speed. A process that ends soon (or `trove
/// watch`) keeps at most 64 MiB of free heap.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt only tunes the allocator; called before any thread.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
    }
}

fn main() -> ExitCode {
    keep_freed_memory();
    let cli = Cli::parse();
    let filter = match &cli.log_filter {
        Some(f) if !f.trim().is_empty() => f.clone(),
        _ if cli.verbose => trove_core::logs::VERBOSE_FILTER.to_owned(),
        _ => trove_core::logs::DEFAULT_FILTER.to_owned(),
    };
    let _ = LOG_FILTER.set(filter);
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            output::error(&e);
            ExitCode::from(if e.is_user_error() {
                EXIT_USAGE
            } else {
                EXIT_SOME_FAILED
            })
        }
    }
}

pub(crate) fn default_library() -> PathBuf {
    directories::ProjectDirs::from("", "", "trove")
        .map(|d| d.data_dir().to_owned())
        .unwrap_or_else(|| PathBuf::from("trove-library"))
}

pub(crate) fn cores() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

/// `--decode-memory`, set once at the start.
static DECODE_MEMORY_MB: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

fn open_writer(dir: &std::path::Path, create: bool) -> Result<Library, CoreError> {
    let budget = DECODE_MEMORY_MB
        .get()
        .copied()
        .unwrap_or(trove_core::DEFAULT_DECODE_MEMORY_MB);
    let lib = Library::open(dir, OpenOptions::write().create(create).decode_memory_mb(budget))?;
    start_log(dir)?;
    Ok(lib)
}

/// Readers do not take the lock, so they work while `trove watch` runs.
fn open_reader(dir: &std::path::Path) -> Result<Library, CoreError> {
    let lib = match Library::open(dir, OpenOptions::read_only()) {
        Err(e) if e.code() == "catalog_needs_upgrade" => open_writer(dir, false),
        other => other,
    }?;
    start_log(dir)?;
    Ok(lib)
}

/// The log filter: RUST_LOG when set, else `-v`'s or the default.
static LOG_FILTER: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Starts the library's log once a library is open (so a mistyped
/// --library never creates a folder for its log). A bad filter is the
/// person's mistake and stops the command; a log that cannot be written (a
/// library on a read-only disk) is said once and the command goes on.
fn start_log(dir: &std::path::Path) -> Result<(), CoreError> {
    let filter = LOG_FILTER
        .get()
        .map_or(trove_core::logs::DEFAULT_FILTER, String::as_str);
    match trove_core::logs::start_logging(dir, "trove", filter) {
        Ok(_) => Ok(()),
        Err(e @ CoreError::BadLogFilter { .. }) => Err(e),
        Err(e) => {
            output::note(&format!("warning: no log this time: {e}"));
            Ok(())
        }
    }
}

fn parse_kinds(s: &str) -> Result<trove_core::types::FolderKinds, String> {
    trove_core::types::FolderKinds::parse(s).map_err(|e| e.to_string())
}

fn parse_sort(s: &str) -> Result<Sort, String> {
    let (dir, key) = match s.strip_prefix('-') {
        Some(k) => (SortDirection::Descending, k),
        None => (SortDirection::Ascending, s),
    };
    Ok(match key {
        "relevance" => Sort::Relevance,
        "taken" | "date" => Sort::Captured(dir),
        "name" => Sort::Name(dir),
        "size" => Sort::Size(dir),
        _ => {
            return Err(format!(
                "unknown sort {s:?}; use relevance, taken, -taken, name, -name, size or -size"
            ));
        }
    })
}

fn ctrl_c() -> Cancel {
    let cancel = Cancel::new();
    let c = cancel.clone();
    let mut hits = 0;
    let _ = ctrlc::set_handler(move || {
        hits += 1;
        if hits > 1 {
            std::process::exit(130);
        }
        #[allow(clippy::print_stderr)]
        {
            eprintln!("stopping (press Ctrl-C again to quit at once)...");
        }
        c.cancel();
    });
    cancel
}

/// Fault injection for the crash tests (tests/cli/crash.rs): with
/// `TROVE_FAULT_ABORT_JOB=TEXT`, the process aborts when it claims a job
/// whose key contains TEXT, as a decoder crashing on one file would.
#[allow(clippy::disallowed_methods)] // front end: a test's fault switch
fn fault_abort_job() -> Option<&'static str> {
    let text = std::env::var("TROVE_FAULT_ABORT_JOB").ok().filter(|t| !t.is_empty())?;
    // Lives as long as the process, as the worker options do.
    Some(Box::leak(text.into_boxed_str()))
}

fn run(cli: Cli) -> Result<u8, CoreError> {
    let dir = cli.library.clone().unwrap_or_else(default_library);
    let threads = cli.threads.unwrap_or_else(cores).max(1);
    let _ = DECODE_MEMORY_MB.set(cli.decode_memory);
    let workers = WorkerOptions {
        abort_on_job: fault_abort_job(),
        ..WorkerOptions::for_cores(threads)
    };
    // One-shot imports catalog; thumbnails are made by `trove thumbs`,
    // `trove watch` or the desktop app.
    let scans_only = WorkerOptions::for_cores(threads).only(&[job_kind::SCAN_ROOT]);
    match cli.command {
        Command::Init => library_cmd::init(&dir),
        Command::Add {
            folders,
            follow_symlinks,
            kinds,
            json,
        } => library_cmd::add(
            &dir,
            &folders,
            AddRootOptions { follow_symlinks, kinds },
            json,
            &scans_only,
        ),
        Command::Scan { root, json } => library_cmd::scan(&dir, root, json, &scans_only),
        Command::Thumbs { force, json } => {
            jobs_cmd::make_proxies(&dir, &workers, force, json, &[job_kind::MAKE_PROXIES])
        }
        Command::Proxies { force, json } => jobs_cmd::make_proxies(
            &dir,
            &workers,
            force,
            json,
            &[job_kind::MAKE_PROXIES, job_kind::MAKE_PLAYABLE],
        ),
        Command::Watch {
            poll,
            fixity_cycle,
            fixity_bandwidth,
        } => library_cmd::watch(
            &dir,
            poll,
            workers,
            threads,
            fixity_cycle,
            &sync_cmd::fixity_options(fixity_bandwidth, None),
        ),
        Command::Remove { root, json } => library_cmd::remove(&dir, &root, json),
        Command::Relocate { root, to, json } => library_cmd::relocate(&dir, &root, &to, json, &scans_only),
        Command::Roots { json } => library_cmd::roots(&dir, json),
        Command::Search {
            query,
            sort,
            limit,
            offset,
            facets,
            json,
        } => assets_cmd::search(
            &dir,
            SearchQuery {
                text: query,
                sort,
                offset,
                limit,
                facets,
            },
            json,
        ),
        Command::Reindex { json } => assets_cmd::reindex(&dir, json),
        Command::Ls {
            kind,
            missing,
            limit,
            json,
        } => assets_cmd::ls(
            &dir,
            &AssetFilter {
                kind,
                status: missing.then_some(AssetStatus::Missing),
                limit,
                ..AssetFilter::default()
            },
            json,
        ),
        Command::Info { asset, json } => assets_cmd::info(&dir, &asset, json),
        Command::Duplicates { json } => assets_cmd::duplicates(&dir, json),
        Command::Jobs { failed, retry, json } => jobs_cmd::jobs(&dir, failed, retry, json),
        Command::Problems { json } => library_cmd::problems(&dir, json),
        Command::Status { json } => library_cmd::status(&dir, json),
        Command::Target { action } => sync_cmd::target(&dir, action),
        Command::Upload(args) => sync_cmd::upload(&dir, args),
        Command::Share(args) => share_cmd::share(&dir, args),
        Command::Policy { root, policy } => sync_cmd::policy(&dir, &root, policy),
        Command::Log { lines, path } => library_cmd::log(&dir, lines, path),
        Command::Kinds { root, kinds, json } => library_cmd::kinds(&dir, &root, kinds, json, &scans_only),
        Command::Sync {
            concurrency,
            bwlimit,
            retry_failed,
            timeout,
            snapshot_every,
            json,
        } => sync_cmd::sync(
            &dir,
            sync_cmd::SyncArgs {
                concurrency,
                bwlimit,
                retry_failed,
                timeout,
                snapshot_every: snapshot_every.0,
            },
            json,
        ),
        Command::Verify {
            sample,
            cycle,
            bandwidth,
            chunk_kib,
            archive,
            json,
        } => sync_cmd::verify(
            &dir,
            sample,
            cycle,
            &sync_cmd::fixity_options(bandwidth, chunk_kib),
            &archive,
            json,
        ),
        Command::Reconcile {
            repair,
            delete_extra,
            yes,
            json,
        } => sync_cmd::reconcile(&dir, repair, delete_extra, yes, json),
        Command::Restore {
            what,
            to,
            no_wait,
            archive,
            json,
        } => sync_cmd::restore(&dir, &what, to, !no_wait, &archive, json),
        Command::Recover(args) => sync_cmd::recover(&dir, args),
        Command::Audit {
            since,
            asset,
            json,
            premis,
        } => sync_cmd::audit(&dir, since, asset.as_deref(), json, premis),
        Command::Rate(args) => curate_cmd::run(&dir, "rate", args),
        Command::Flag(args) => curate_cmd::run(&dir, "flag", args),
        Command::Label(args) => curate_cmd::run(&dir, "label", args),
        Command::Title(args) => curate_cmd::run(&dir, "title", args),
        Command::Caption(args) => curate_cmd::run(&dir, "caption", args),
        Command::Creator(args) => curate_cmd::run(&dir, "creator", args),
        Command::Rights(args) => curate_cmd::run(&dir, "rights", args),
        Command::Tag { items, query, json } => {
            let (sel, change) = curate_cmd::tag_args(items, query, json)?;
            curate_cmd::edit(&dir, sel, change)
        }
        Command::Album { action } => album_cmd::album(&dir, action),
        Command::Comment { args, author } => album_cmd::comment(&dir, args, author),
        Command::Keywords { action } => curate_cmd::keywords(&dir, action),
        Command::Sidecars { action } => curate_cmd::sidecars(&dir, action),
        Command::Undo { json } => curate_cmd::undo(&dir, false, json),
        Command::Redo { json } => curate_cmd::undo(&dir, true, json),
        Command::History { limit, json } => curate_cmd::history(&dir, limit, json),
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// Clap checks the whole command line's definition (positionals,
    /// conflicts) only when asked or at run time: ask here.
    #[test]
    fn the_command_line_is_well_formed() {
        super::Cli::command().debug_assert();
    }
}
