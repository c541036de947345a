//! The upload engine shared by `sync` and `upload`: sends objects many at
//! once, verifies each by reading it back, and reports every step (upload
//! started, part confirmed, verified, failed) to a [`Queue`] that makes it
//! durable, so a run killed at any point resumes where it stopped.
//!
//! One control thread owns the bookkeeping (the queue's `next` and
//! `record`, written in batches); uploads run as tasks on a small tokio
//! runtime and report over a channel.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use crossbeam_channel::{Receiver, Sender};
use tokio::sync::Semaphore;
use trove_catalog::SyncPart;
use trove_store::{
    AnyStore, BodySums, ObjectStore, PartInfo, PutOptions, StoreError, md5_of, multipart_etag, sha256_of,
};

use super::{Source, backoff};
use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::events::{Event, EventSink, SyncProgress};

/// One object to send.
#[derive(Debug, Clone)]
pub(crate) struct Sendable {
    /// The queue's id of the object (a catalog row id).
    pub id: i64,
    pub key: String,
    pub size: u64,
    /// An original (its storage class, and its size must match).
    pub original: bool,
    /// A multipart upload started by an earlier run.
    pub upload_id: Option<String>,
    /// The parts of that upload the queue recorded as accepted (each
    /// recorded only once the target had answered its upload, after
    /// checking the part against its Content-MD5).
    pub recorded_parts: Vec<SyncPart>,
    /// The asset's BLAKE3, stored as object metadata.
    pub asset_hex: Option<String>,
    /// Compute the whole object's MD5 even where the upload is verified
    /// without it (a multipart upload, whose parts each have their own MD5;
    /// a single PUT whose SHA-256 the server confirmed). Sync keeps it for
    /// fixity checks and reconcile; the bulk uploader does not need it and
    /// saves a pass over the bytes.
    pub want_md5: bool,
}

/// What the engine tells the queue to remember.
#[derive(Debug)]
pub(crate) enum Record {
    UploadStarted { id: i64, upload_id: String },
    Part { id: i64, upload_id: String, part: SyncPart },
    Verified { id: i64, size: u64, md5: Option<[u8; 16]> },
    Failed { id: i64, error: String, permanent: bool },
}

/// A source of objects to send and the place results are kept.
pub(crate) trait Queue {
    /// The next object and where its bytes come from; `Ok(None)` when the
    /// queue is empty. An object with no source is recorded failed by the
    /// queue itself and skipped.
    fn next(&mut self) -> Result<Option<(Sendable, Source)>>;
    /// Makes records durable, in one transaction.
    fn record(&mut self, records: Vec<Record>) -> Result<()>;
}

/// Counters of one run.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub uploaded: u64,
    pub uploaded_bytes: u64,
    pub parts_reused: u64,
    pub failed: Vec<(String, String)>,
    pub network_pauses: u32,
    pub progress: SyncProgress,
}

/// How a sync runs. The defaults suit a home connection to a cloud bucket.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Objects in flight at once.
    pub concurrency: usize,
    /// Files at least this big go up in parts of this size (at least 5 MiB).
    pub part_size: u64,
    /// Parts of one file in flight at once.
    pub parts_in_flight: usize,
    /// Large files in flight at once (bounds memory: each holds
    /// `parts_in_flight` parts).
    pub large_in_flight: usize,
    /// Bytes per second for all uploads together; `None` for no limit.
    pub bandwidth_limit: Option<u64>,
    /// Attempts per object, across runs, before it is marked failed.
    pub max_attempts: u32,
    /// Retries of one object within a run (with back-off) for network and
    /// server errors.
    pub retries_per_run: u32,
    /// How long a dead network may keep the queue paused before the run
    /// gives up (everything stays pending for the next run).
    pub network_patience: Duration,
    /// Threads of the upload runtime.
    pub threads: usize,
    /// Longest wait for an answer, and for a stalled transfer to move again,
    /// before a request is cut and retried.
    pub request_timeout: Duration,
    /// How a single-part upload to S3 is verified: by a HEAD after the PUT
    /// (size and ETag read back; one more request per object), or by the
    /// ETag in the PUT's own answer, which the server computes from the
    /// bytes it stored (as rclone does). Multipart uploads are always read
    /// back with a HEAD; folder targets always by reading the bytes.
    pub head_after_put: bool,
    /// While a sync runs, a catalog snapshot goes to the target this often
    /// (besides the one at the end), so that a long first sync of a large
    /// library is recoverable before it ends; `None`: only at the end.
    pub snapshot_every: Option<Duration>,
}

/// How often a running sync stores a catalog snapshot by default.
pub const SNAPSHOT_EVERY: Duration = Duration::from_secs(15 * 60);

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            concurrency: 32,
            part_size: 16 * 1024 * 1024,
            parts_in_flight: 4,
            large_in_flight: 4,
            bandwidth_limit: None,
            max_attempts: 5,
            retries_per_run: 4,
            network_patience: Duration::from_secs(15 * 60),
            threads: 2,
            request_timeout: Duration::from_secs(60),
            head_after_put: true,
            snapshot_every: Some(SNAPSHOT_EVERY),
        }
    }
}

/// Why one object could not be sent.
#[derive(Debug)]
pub(crate) enum SendError {
    Store(StoreError),
    /// The local bytes are not the ones catalogued; a rescan will notice.
    Changed(String),
    /// The local file could not be read.
    Local(String),
    /// The target holds something other than what was sent.
    Verify(String),
}

impl SendError {
    fn retry_in_run(&self) -> bool {
        match self {
            SendError::Store(e) => e.is_retryable(),
            SendError::Verify(_) => true,
            _ => false,
        }
    }

    fn permanent(&self) -> bool {
        match self {
            SendError::Store(e) => !e.is_retryable(),
            SendError::Changed(_) => true,
            SendError::Local(_) => false,
            SendError::Verify(_) => false,
        }
    }

    fn is_network(&self) -> bool {
        matches!(self, SendError::Store(StoreError::Network { .. }))
    }

    pub(crate) fn message(&self) -> String {
        match self {
            SendError::Store(e) => format!("{}: {e}", e.code()),
            SendError::Changed(m) => format!("changed_since_scan: {m}"),
            SendError::Local(m) => format!("unreadable: {m}"),
            SendError::Verify(m) => format!("verify_mismatch: {m}"),
        }
    }
}

impl From<StoreError> for SendError {
    fn from(e: StoreError) -> Self {
        SendError::Store(e)
    }
}

pub(crate) enum Msg {
    UploadStarted {
        id: i64,
        upload_id: String,
    },
    Part {
        id: i64,
        upload_id: String,
        part: SyncPart,
    },
    Reused {
        parts: u64,
    },
    Done {
        id: i64,
        result: Result<(u64, Option<[u8; 16]>), SendError>,
    },
}

/// Shared state of the upload tasks.
pub(crate) struct Ctx {
    pub store: AnyStore,
    pub opts: SyncOptions,
    pub class_originals: Option<String>,
    pub class_proxies: Option<String>,
    large: Semaphore,
    limiter: Option<tokio::sync::Mutex<Instant>>,
    tx: Sender<Msg>,
    parts: PartBuffers,
    /// Small files' buffers, reused the same way (a fresh 200 KB buffer per
    /// file cost malloc's consolidation and page faults: 6-7 % of a small-file
    /// upload's CPU in `perf`). Only buffers up to [`SMALL_BUFFER_KEEP`] go
    /// back, so the pool stays under concurrency x 1 MiB.
    small: PartBuffers,
    /// The S3 server answered an upload without confirming its
    /// `x-amz-checksum-sha256` (it ignores or refuses it): from then on every
    /// small upload also carries `Content-MD5`, which all servers check.
    sha256_unconfirmed: AtomicBool,
}

/// The largest small-file buffer kept for reuse.
const SMALL_BUFFER_KEEP: usize = 1024 * 1024;

/// Multipart part buffers, reused from one part to the next.
///
/// A fresh 16 MiB buffer per part meant 4,096 page faults, each zeroing a
/// page, before a byte was read: 29 % of `trove upload`'s CPU on large
/// files in `perf`, more than SHA-256. The pool never holds more buffers
/// than were in use at once (parts in flight times large files in flight),
/// and goes with the run.
#[derive(Default)]
struct PartBuffers {
    free: std::sync::Mutex<Vec<Vec<u8>>>,
}

impl PartBuffers {
    /// An empty buffer that holds `len` bytes without growing.
    fn take(&self, len: usize) -> Vec<u8> {
        let reused = self
            .free
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        let mut buf = reused.unwrap_or_default();
        buf.clear();
        buf.reserve_exact(len);
        buf
    }

    /// Takes a sent part's buffer back, if nothing else holds it.
    fn give(&self, body: Bytes) {
        if let Ok(buf) = body.try_into_mut() {
            self.free
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(buf.into());
        }
    }
}

impl Ctx {
    /// The shared state of one run, and the channel its tasks report on.
    pub(crate) fn new(
        store: AnyStore,
        opts: &SyncOptions,
        class_originals: Option<String>,
        class_proxies: Option<String>,
    ) -> (Arc<Ctx>, Receiver<Msg>) {
        let (tx, rx) = crossbeam_channel::unbounded();
        let ctx = Ctx {
            store,
            opts: opts.clone(),
            class_originals,
            class_proxies,
            large: Semaphore::new(opts.large_in_flight.max(1)),
            limiter: opts.bandwidth_limit.map(|_| tokio::sync::Mutex::new(Instant::now())),
            tx,
            parts: PartBuffers::default(),
            small: PartBuffers::default(),
            sha256_unconfirmed: AtomicBool::new(false),
        };
        (Arc::new(ctx), rx)
    }

    /// Waits until `bytes` may be sent under the bandwidth limit.
    async fn throttle(&self, bytes: u64) {
        let (Some(limit), Some(next)) = (self.opts.bandwidth_limit, &self.limiter) else {
            return;
        };
        let wait = {
            let mut next = next.lock().await;
            let now = Instant::now();
            let start = (*next).max(now);
            *next = start + Duration::from_secs_f64(bytes as f64 / limit.max(1) as f64);
            start.saturating_duration_since(now)
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// The hashes a single-part upload of `bytes` carries. The SHA-256
    /// wherever the store signs the payload (S3): it is the signed payload's
    /// hash and the checksum the server verifies, one pass for both. The MD5
    /// only where something needs it: the caller (`want_md5`: the catalog's
    /// check that the file is the one scanned, or the MD5 sync keeps for
    /// fixity checks), a store that verifies by MD5 (a folder's read-back),
    /// or a server that ignores the SHA-256 checksum.
    fn body_sums(&self, bytes: &[u8], want_md5: bool) -> BodySums {
        let features = self.store.features();
        let md5 = want_md5
            || !features.etag_is_md5
            || !features.signs_payload
            || self.sha256_unconfirmed.load(Ordering::Relaxed);
        BodySums {
            md5: md5.then(|| md5_of(bytes)),
            sha256: features.signs_payload.then(|| sha256_of(bytes)),
        }
    }

    fn put_options(&self, obj: &Sendable, asset_hex: Option<&str>) -> PutOptions {
        let mut opts = PutOptions {
            content_type: Some(content_type(&obj.key).to_owned()),
            storage_class: if obj.original {
                self.class_originals.clone()
            } else {
                self.class_proxies.clone()
            },
            ..Default::default()
        };
        if let Some(hex) = asset_hex {
            opts.metadata.insert("trove-blake3".into(), hex.to_owned());
        }
        opts
    }
}

/// The `Content-Type` an object gets, by its key's extension.
pub(crate) fn content_type(key: &str) -> &'static str {
    let ext = key.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "json" => "application/json",
        "jpg" | "jpeg" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "heic" | "heif" => "image/heif",
        "avif" => "image/avif",
        "tif" | "tiff" => "image/tiff",
        "mp4" | "m4v" => "video/mp4",
        "mov" => "video/quicktime",
        "webm" => "video/webm",
        "m4a" => "audio/mp4",
        "mp3" => "audio/mpeg",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        "vtt" => "text/vtt",
        "pdf" => "application/pdf",
        _ => "application/octet-stream",
    }
}

/// Sends one object outside any queue (a share's copy of a file) and
/// verifies it like every other upload. A multipart upload that fails is
/// aborted. Returns the stored size, or why it failed.
pub(crate) async fn send_one(store: AnyStore, obj: Sendable, source: Source) -> std::result::Result<u64, String> {
    let (ctx, rx) = Ctx::new(store.clone(), &SyncOptions::default(), None, None);
    let key = obj.key.clone();
    send_object(ctx, obj, source).await;
    let mut upload = None;
    while let Ok(msg) = rx.try_recv() {
        match msg {
            Msg::UploadStarted { upload_id, .. } => upload = Some(upload_id),
            Msg::Done { result, .. } => {
                return match result {
                    Ok((size, _)) => Ok(size),
                    Err(e) => {
                        if let Some(upload_id) = upload {
                            let _ = store.abort_multipart(&key, &upload_id).await;
                        }
                        Err(e.message())
                    }
                };
            }
            _ => {}
        }
    }
    Err("the upload ended without a result".into())
}

/// Sends one object and verifies it. Returns the stored size and MD5.
pub(crate) async fn send_object(ctx: Arc<Ctx>, obj: Sendable, source: Source) {
    let id = obj.id;
    let asset_hex = obj.asset_hex.clone();
    let result = match source {
        Source::Bytes(bytes) => {
            let sums = ctx.body_sums(&bytes, obj.want_md5);
            send_small(&ctx, &obj, bytes, sums, None, asset_hex.as_deref()).await
        }
        Source::File { path, expect_md5 } => {
            // One trip to the blocking pool looks at the file and, when it
            // is small, reads and hashes it too.
            let ctx2 = ctx.clone();
            let (original, size) = (obj.original, obj.size);
            let want_md5 = expect_md5.is_some() || obj.want_md5;
            let opened = tokio::task::spawn_blocking(move || open_small(&ctx2, path, original, size, want_md5)).await;
            match opened {
                Err(e) => Err(SendError::Local(format!("{}: the read failed: {e}", obj.key))),
                Ok(Err(e)) => Err(e),
                Ok(Ok(Opened::Small(bytes, sums))) => {
                    send_small(&ctx, &obj, bytes, sums, expect_md5, asset_hex.as_deref()).await
                }
                Ok(Ok(Opened::Large(path, len))) => {
                    let _permit = ctx.large.acquire().await;
                    send_multipart(&ctx, &obj, &path, len, expect_md5, asset_hex.as_deref()).await
                }
            }
        }
    };
    let _ = ctx.tx.send(Msg::Done { id, result });
}

/// A file about to be sent: read and hashed when it goes up in one request.
enum Opened {
    Small(Bytes, BodySums),
    Large(std::path::PathBuf, u64),
}

/// Checks the file at `path` is still the one queued and, if it is below
/// the multipart size, reads and hashes it. Blocking.
fn open_small(
    ctx: &Ctx,
    path: std::path::PathBuf,
    original: bool,
    size: u64,
    want_md5: bool,
) -> Result<Opened, SendError> {
    let local = |e: std::io::Error| SendError::Local(format!("{}: {e}", path.display()));
    // `stat` first: a path that became a FIFO or a device must not be
    // opened (opening a FIFO would block the upload forever).
    let meta = std::fs::metadata(&path).map_err(local)?;
    if !meta.is_file() {
        return Err(SendError::Changed(format!(
            "{} is no longer a regular file; rescan the folder",
            path.display()
        )));
    }
    if original && meta.len() != size {
        return Err(SendError::Changed(format!(
            "{} is {} bytes, the catalog says {size}; rescan the folder",
            path.display(),
            meta.len(),
        )));
    }
    if meta.len() >= ctx.opts.part_size.max(trove_store::MIN_PART_SIZE) {
        return Ok(Opened::Large(path, meta.len()));
    }
    let mut buf = ctx.small.take(meta.len() as usize);
    std::fs::File::open(&path)
        .and_then(|mut f| std::io::Read::read_to_end(&mut f, &mut buf))
        .map_err(local)?;
    let sums = ctx.body_sums(&buf, want_md5);
    Ok(Opened::Small(Bytes::from(buf), sums))
}

async fn send_small(
    ctx: &Ctx,
    obj: &Sendable,
    bytes: Bytes,
    sums: BodySums,
    expect_md5: Option<[u8; 16]>,
    asset_hex: Option<&str>,
) -> Result<(u64, Option<[u8; 16]>), SendError> {
    if let Some(expected) = expect_md5
        && sums.md5 != Some(expected)
    {
        return Err(SendError::Changed(format!(
            "the file's content differs from what was catalogued for {}; rescan the folder",
            obj.key
        )));
    }
    let size = bytes.len() as u64;
    ctx.throttle(size).await;
    let put = ctx
        .store
        .put_bytes(&obj.key, bytes.clone(), sums, &ctx.put_options(obj, asset_hex))
        .await?;
    let etag_is_md5 = ctx.store.features().etag_is_md5;
    // The server checked the bytes against our SHA-256 before keeping them,
    // and said so.
    let confirmed = sums.sha256.is_some() && put.sha256 == sums.sha256;
    if !confirmed && etag_is_md5 {
        ctx.sha256_unconfirmed.store(true, Ordering::Relaxed);
    }
    // Without that confirmation the MD5 verifies: the ETag, or a read-back.
    let md5 = match sums.md5 {
        Some(m) => Some(m),
        None if !confirmed || ctx.opts.head_after_put => Some(md5_of(&bytes)),
        None => None,
    };
    if bytes.len() <= SMALL_BUFFER_KEEP {
        ctx.small.give(bytes);
    }
    // The PUT's own ETag, which the server computed from what it stored.
    let etag_check = !ctx.opts.head_after_put && etag_is_md5 && put.etag.is_some();
    match md5 {
        None => {}
        Some(md5) if etag_check && put.etag_md5() == Some(md5) => {}
        // The server checked our SHA-256 before it kept the bytes: its ETag
        // is simply not an MD5 (SSE-KMS, SSE-C, its own scheme).
        Some(_) if confirmed && !ctx.opts.head_after_put => {}
        // Otherwise what it holds decides (read back where the ETag is not
        // the MD5), never the ETag alone.
        Some(_) => verify_stored(ctx, &obj.key, size, md5, None).await?,
    }
    Ok((size, md5))
}

/// Reads back what the target holds under `key` and compares it with what
/// was sent: its size, and its ETag where that is the MD5 of a single-part
/// upload or the multipart ETag computed from our part MD5s. An ETag that
/// is neither (SSE-KMS or SSE-C encryption, a server with its own scheme)
/// proves nothing either way: the bytes are then read back and their MD5
/// compared, as for a store without ETags. Only bytes that differ delete
/// the object; an ETag alone never does.
async fn verify_stored(
    ctx: &Ctx,
    key: &str,
    size: u64,
    md5: Option<[u8; 16]>,
    part_md5s: Option<&[[u8; 16]]>,
) -> Result<(), SendError> {
    // An object the server just confirmed but cannot find is a mismatch to
    // retry (another writer replaced or removed it meanwhile), not a
    // permanent failure.
    let gone = |e: StoreError| {
        if e.is_not_found() {
            SendError::Verify(format!("{key}: not found right after it was stored"))
        } else {
            SendError::Store(e)
        }
    };
    let mut read_back = !ctx.store.features().etag_is_md5;
    let mut problem = None;
    if !read_back {
        let head = ctx.store.head(key).await.map_err(gone)?;
        let expected_etag = match part_md5s {
            Some(parts) => multipart_etag(parts),
            None => md5.map(hex::encode).unwrap_or_default(),
        };
        if head.size != size {
            problem = Some(format!("{key}: the target holds {} bytes, {size} were sent", head.size));
        } else if head.etag.as_deref() != Some(expected_etag.as_str()) {
            read_back = true;
        }
    }
    if read_back && problem.is_none() {
        let Some(md5) = md5 else {
            // Nothing to compare the bytes with (the bulk uploader's
            // multipart upload, which skips the whole-file MD5): kept, not
            // counted as verified.
            return Err(SendError::Verify(format!(
                "{key}: the target's ETag is not an MD5 and no whole-object MD5 was computed to read it back with; \
                 the object is kept"
            )));
        };
        let fetched = ctx.store.read_hashes(key).await.map_err(gone)?;
        if fetched.size != size || fetched.md5 != md5 {
            problem = Some(format!("{key}: the bytes read back differ from those sent"));
        }
    }
    match problem {
        None => Ok(()),
        Some(p) => {
            let _ = ctx.store.delete(key).await;
            Err(SendError::Verify(p))
        }
    }
}

async fn send_multipart(
    ctx: &Arc<Ctx>,
    obj: &Sendable,
    path: &std::path::Path,
    size: u64,
    expect_md5: Option<[u8; 16]>,
    asset_hex: Option<&str>,
) -> Result<(u64, Option<[u8; 16]>), SendError> {
    let part_size = ctx.opts.part_size.max(trove_store::MIN_PART_SIZE);
    let parts = size.div_ceil(part_size);
    if parts > 10_000 {
        return Err(SendError::Local(format!(
            "{} needs {parts} parts of {part_size} bytes; S3 allows 10,000 (raise the part size)",
            path.display()
        )));
    }
    // Resume an upload the catalog remembers, with the parts the target
    // confirms it holds.
    let mut upload_id = obj.upload_id.clone();
    let mut on_server: HashMap<u32, PartInfo> = HashMap::new();
    if let Some(id) = &upload_id {
        match ctx.store.list_parts(&obj.key, id).await {
            Ok(list) => on_server = list.into_iter().map(|p| (p.number, p)).collect(),
            Err(e) if e.is_not_found() => upload_id = None,
            Err(e) => return Err(e.into()),
        }
    }
    let upload_id = match upload_id {
        Some(id) => id,
        None => {
            let id = ctx
                .store
                .create_multipart(&obj.key, &ctx.put_options(obj, asset_hex))
                .await?;
            let _ = ctx.tx.send(Msg::UploadStarted {
                id: obj.id,
                upload_id: id.clone(),
            });
            id
        }
    };
    let mut file = tokio::fs::File::open(path)
        .await
        .map_err(|e| SendError::Local(format!("{}: {e}", path.display())))?
        .into_std()
        .await;
    // The whole file's MD5 costs a second pass of MD5 over every byte:
    // only when the catalog has one to compare, the caller keeps it, or the
    // store can only be verified by reading the bytes back.
    let need_whole = obj.want_md5 || expect_md5.is_some() || !ctx.store.features().etag_is_md5;
    let mut whole = need_whole.then(md5::Md5::default);
    let mut part_md5s = Vec::with_capacity(parts as usize);
    let mut done: Vec<PartInfo> = Vec::with_capacity(parts as usize);
    let mut reused = 0u64;
    let in_flight = Arc::new(Semaphore::new(ctx.opts.parts_in_flight.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for number in 1..=parts as u32 {
        let len = part_size.min(size - (u64::from(number) - 1) * part_size) as usize;
        // Read straight into a reused buffer on a blocking thread (tokio's
        // file reads go through a 2 MiB bounce buffer).
        let buf = ctx.parts.take(len);
        let (back, buf, read) = tokio::task::spawn_blocking(move || {
            let mut buf = buf;
            let read = std::io::Read::read_to_end(&mut std::io::Read::take(&mut file, len as u64), &mut buf);
            (file, buf, read)
        })
        .await
        .map_err(|e| SendError::Local(format!("reading {} failed: {e}", path.display())))?;
        file = back;
        let read = read.map_err(|e| SendError::Local(format!("{}: {e}", path.display())))?;
        if read != len {
            return Err(SendError::Changed(format!(
                "{} ended early (it is being changed?); rescan the folder",
                path.display()
            )));
        }
        let md5 = md5_of(&buf);
        if let Some(w) = whole.as_mut() {
            md5::Digest::update(w, &buf);
        }
        part_md5s.push(md5);
        if let Some(p) = on_server.get(&number)
            && p.size == len as u64
        {
            let etag = hex::encode(md5);
            let confirmed = if p.etag.is_empty() {
                // The target lists parts without their ETags (s3s-fs): our
                // own record of the part, made when the target accepted
                // it, vouches for what the listing shows.
                obj.recorded_parts
                    .iter()
                    .any(|r| r.number == number && r.size == len as u64 && r.md5 == md5)
            } else {
                p.etag == etag
            };
            if confirmed {
                reused += 1;
                done.push(PartInfo {
                    number,
                    etag,
                    size: p.size,
                });
                continue;
            }
        }
        let permit = in_flight
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| SendError::Local(e.to_string()))?;
        let ctx2 = ctx.clone();
        let (key, upload) = (obj.key.clone(), upload_id.clone());
        let object_id = obj.id;
        tasks.spawn(async move {
            let _permit = permit;
            ctx2.throttle(len as u64).await;
            let body = Bytes::from(buf);
            let part = ctx2.store.upload_part(&key, &upload, number, body.clone(), md5).await?;
            ctx2.parts.give(body);
            let _ = ctx2.tx.send(Msg::Part {
                id: object_id,
                upload_id: upload.clone(),
                part: SyncPart {
                    number,
                    size: part.size,
                    md5,
                },
            });
            Ok::<PartInfo, StoreError>(part)
        });
        // Collect finished parts as we go so errors stop the read early.
        while let Some(r) = tasks.try_join_next() {
            done.push(join_part(r)?);
        }
    }
    while let Some(r) = tasks.join_next().await {
        done.push(join_part(r)?);
    }
    if reused > 0 {
        let _ = ctx.tx.send(Msg::Reused { parts: reused });
    }
    let whole: Option<[u8; 16]> = whole.map(|w| md5::Digest::finalize(w).into());
    if let (Some(expected), Some(whole)) = (expect_md5, whole)
        && expected != whole
    {
        let _ = ctx.store.abort_multipart(&obj.key, &upload_id).await;
        return Err(SendError::Changed(format!(
            "the content of {} differs from what was catalogued; rescan the folder",
            path.display()
        )));
    }
    done.sort_by_key(|p| p.number);
    match ctx.store.complete_multipart(&obj.key, &upload_id, &done).await {
        Ok(()) => {}
        // Completed by an earlier attempt whose answer was lost: the
        // verification below decides.
        Err(e) if e.is_not_found() => {}
        Err(e) => return Err(e.into()),
    }
    verify_stored(ctx, &obj.key, size, whole, Some(&part_md5s)).await?;
    Ok((size, whole))
}

fn join_part(
    r: std::result::Result<Result<PartInfo, StoreError>, tokio::task::JoinError>,
) -> Result<PartInfo, SendError> {
    match r {
        Ok(Ok(p)) => Ok(p),
        Ok(Err(e)) => Err(e.into()),
        Err(e) => Err(SendError::Local(format!("upload task failed: {e}"))),
    }
}

/// An object waiting in this run's retry list.
struct Retry {
    obj: Sendable,
    source: Source,
    due: Instant,
    tries: u32,
}

/// How long a cancelled run waits for the uploads in flight to finish.
const CANCEL_GRACE: Duration = Duration::from_secs(2);

/// Sends everything `queue` yields until it is empty, `cancel` fires or an
/// error stops the run (wrong credentials, missing or full bucket, denied
/// access, or a network that stays down longer than the patience).
pub(crate) fn drive(
    rt: &tokio::runtime::Runtime,
    ctx: &Arc<Ctx>,
    rx: &Receiver<Msg>,
    queue: &mut dyn Queue,
    stats: &mut Stats,
    sink: &dyn EventSink,
    cancel: &Cancel,
) -> Result<()> {
    let mut retries: Vec<Retry> = Vec::new();
    let mut tries: HashMap<i64, u32> = HashMap::new();
    let mut in_run: HashMap<i64, (Sendable, Source)> = HashMap::new();
    let mut front: VecDeque<(Sendable, Source)> = VecDeque::new();
    let mut exhausted = false;
    let mut stop: Option<CoreError> = None;
    let mut network_failures = 0u32;
    let mut paused_since: Option<Instant> = None;
    let mut last_event = Instant::now();
    let mut cancelled_at: Option<Instant> = None;
    loop {
        if cancel.is_cancelled() && stop.is_none() {
            stop = Some(CoreError::Cancelled);
            cancelled_at = Some(Instant::now());
        }
        // Start work while there is room, unless stopping or paused.
        while stop.is_none() && paused_since.is_none() && in_run.len() < ctx.opts.concurrency.max(1) {
            let now = Instant::now();
            let next = if let Some(i) = retries.iter().position(|r| r.due <= now) {
                let r = retries.swap_remove(i);
                Some((r.obj, r.source))
            } else if let Some(item) = front.pop_front() {
                Some(item)
            } else if !exhausted {
                let n = queue.next()?;
                exhausted = n.is_none();
                n
            } else {
                None
            };
            let Some((obj, source)) = next else { break };
            in_run.insert(obj.id, (obj.clone(), source.clone()));
            rt.spawn(send_object(ctx.clone(), obj, source));
        }
        if in_run.is_empty() {
            if stop.is_some() {
                break;
            }
            if let Some(since) = paused_since {
                // Paused: ask the target whether it is back.
                let waited = since.elapsed();
                match rt.block_on(ctx.store.check()) {
                    Ok(()) => {
                        paused_since = None;
                        network_failures = 0;
                        sink.emit(Event::SyncResumed);
                    }
                    Err(e) if e.stops_everything() || waited >= ctx.opts.network_patience => {
                        stop = Some(e.into());
                    }
                    Err(_) => std::thread::sleep(backoff(2 + (waited.as_secs() / 10) as u32)),
                }
                continue;
            }
            if front.is_empty() && exhausted && retries.is_empty() {
                break;
            }
            if !retries.is_empty() {
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        }
        // Collect results; record them in one transaction.
        let first = match rx.recv_timeout(Duration::from_millis(200)) {
            Ok(m) => Some(m),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => None,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        };
        let msgs: Vec<Msg> = first.into_iter().chain(rx.try_iter()).collect();
        if !msgs.is_empty() {
            let mut records = Vec::with_capacity(msgs.len());
            for msg in msgs {
                match msg {
                    Msg::UploadStarted { id, upload_id } => records.push(Record::UploadStarted { id, upload_id }),
                    Msg::Part { id, upload_id, part } => records.push(Record::Part { id, upload_id, part }),
                    Msg::Reused { parts } => stats.parts_reused += parts,
                    Msg::Done { id, result } => {
                        let Some((obj, source)) = in_run.remove(&id) else {
                            continue;
                        };
                        match result {
                            Ok((size, md5)) => {
                                tracing::debug!(key = %obj.key, bytes = size, "object sent and verified");
                                records.push(Record::Verified { id, size, md5 });
                                stats.uploaded += 1;
                                stats.uploaded_bytes += size;
                                stats.progress.objects_done += 1;
                                stats.progress.bytes_done += size;
                                network_failures = 0;
                            }
                            Err(SendError::Store(e)) if e.stops_everything() => {
                                if stop.is_none() {
                                    stop = Some(e.into());
                                }
                            }
                            Err(e) => {
                                let n = tries.entry(id).or_default();
                                *n += 1;
                                if e.is_network() {
                                    network_failures += 1;
                                }
                                if e.retry_in_run() && *n <= ctx.opts.retries_per_run && stop.is_none() {
                                    retries.push(Retry {
                                        due: Instant::now() + backoff(*n),
                                        tries: *n,
                                        obj,
                                        source,
                                    });
                                } else {
                                    let msg = e.message();
                                    records.push(Record::Failed {
                                        id,
                                        error: msg.clone(),
                                        permanent: e.permanent(),
                                    });
                                    sink.emit(Event::SyncObjectFailed {
                                        key: obj.key.clone(),
                                        error: msg.clone(),
                                    });
                                    stats.failed.push((obj.key, msg));
                                    stats.progress.failed += 1;
                                }
                            }
                        }
                    }
                }
            }
            queue.record(records)?;
        }
        // Several network failures in a row: the network is down, not one
        // object. Stop starting work and wait for it to come back.
        if network_failures >= 3 && paused_since.is_none() && stop.is_none() {
            paused_since = Some(Instant::now());
            stats.network_pauses += 1;
            for r in retries.drain(..) {
                tries.insert(r.obj.id, r.tries.saturating_sub(1));
                front.push_front((r.obj, r.source));
            }
            sink.emit(Event::SyncPaused {
                reason: "the target cannot be reached; waiting for the network".into(),
            });
        }
        // Cancelled: what finishes within the grace is recorded; uploads
        // still running then are dropped with the runtime (a multipart
        // upload resumes from its recorded parts next time).
        if cancelled_at.is_some_and(|t| t.elapsed() >= CANCEL_GRACE) {
            break;
        }
        stats.progress.in_flight = in_run.len() as u64;
        if last_event.elapsed() >= Duration::from_millis(250) {
            sink.emit(Event::SyncProgress(stats.progress));
            last_event = Instant::now();
        }
    }
    match stop {
        Some(e) => Err(e),
        None => Ok(()),
    }
}
