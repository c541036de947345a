//! The sync run: sends pending objects, many at once, verifies each by
//! reading it back, and records every step in the catalog so a run killed
//! at any point resumes where it stopped.
//!
//! One control thread owns the catalog side (reading the queue, resolving
//! where bytes come from, recording results in batches); uploads run as
//! tasks on a small tokio runtime and report over a channel.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use crossbeam_channel::{Receiver, Sender};
use tokio::io::AsyncReadExt as _;
use tokio::sync::Semaphore;
use trove_catalog::{ObjectRole, ObjectState, SyncObject, SyncPart, SyncPolicy};
use trove_store::{AnyStore, ObjectStore, PartInfo, PutOptions, StoreError, md5_of, multipart_etag};

use super::{CredentialSource, PlanReport, Source, Target, asset_plan, backoff, runtime};
use crate::cancel::Cancel;
use crate::error::{CoreError, Result};
use crate::events::{Event, EventSink, SyncProgress};
use crate::library::Library;

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
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            concurrency: 32,
            part_size: 16 * 1024 * 1024,
            parts_in_flight: 4,
            large_in_flight: 2,
            bandwidth_limit: None,
            max_attempts: 5,
            retries_per_run: 4,
            network_patience: Duration::from_secs(15 * 60),
            threads: 2,
        }
    }
}

/// What a sync run did.
#[derive(Debug, Clone, Default)]
pub struct SyncReport {
    pub target: String,
    pub planned: PlanReport,
    /// Objects sent and verified in this run.
    pub uploaded: u64,
    pub uploaded_bytes: u64,
    /// Parts of interrupted multipart uploads that were already on the
    /// target and were not sent again.
    pub parts_reused: u64,
    /// Unfinished multipart uploads nobody tracks any more, aborted.
    pub stale_uploads_aborted: u64,
    /// Objects that failed in this run, with the reason.
    pub failed: Vec<(String, String)>,
    /// Times the queue paused because the network was down.
    pub network_pauses: u32,
    /// Objects still pending when the run ended.
    pub pending: u64,
    pub seconds: f64,
}

/// Why one object could not be sent.
#[derive(Debug)]
enum SendError {
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

    fn message(&self) -> String {
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

enum Msg {
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
        result: Result<(u64, [u8; 16]), SendError>,
    },
}

/// Shared state of the upload tasks.
struct Ctx {
    store: AnyStore,
    opts: SyncOptions,
    target: Target,
    large: Semaphore,
    limiter: Option<tokio::sync::Mutex<Instant>>,
    tx: Sender<Msg>,
}

impl Ctx {
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

    fn put_options(&self, obj: &SyncObject, asset_hex: Option<&str>) -> PutOptions {
        let mut opts = PutOptions {
            content_type: Some(content_type(&obj.key).to_owned()),
            storage_class: match obj.role {
                ObjectRole::Original => self.target.storage_class_originals.clone(),
                _ => self.target.storage_class_proxies.clone(),
            },
            ..Default::default()
        };
        if let Some(hex) = asset_hex {
            opts.metadata.insert("trove-blake3".into(), hex.to_owned());
        }
        opts
    }
}

fn content_type(key: &str) -> &'static str {
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

/// Sends one object and verifies it. Returns the stored size and MD5.
async fn send_object(ctx: Arc<Ctx>, obj: SyncObject, source: Source, asset_hex: Option<String>) {
    let id = obj.id;
    let result = match source {
        Source::Bytes(bytes) => send_small(&ctx, &obj, bytes, None, asset_hex.as_deref()).await,
        Source::File { path, expect_md5 } => match tokio::fs::metadata(&path).await {
            Err(e) => Err(SendError::Local(format!("{}: {e}", path.display()))),
            Ok(m) if obj.role == ObjectRole::Original && m.len() != obj.size => Err(SendError::Changed(format!(
                "{} is {} bytes, the catalog says {}; rescan the folder",
                path.display(),
                m.len(),
                obj.size
            ))),
            Ok(m) if m.len() >= ctx.opts.part_size.max(trove_store::MIN_PART_SIZE) => {
                let _permit = ctx.large.acquire().await;
                send_multipart(&ctx, &obj, &path, m.len(), expect_md5, asset_hex.as_deref()).await
            }
            Ok(_) => match tokio::fs::read(&path).await {
                Err(e) => Err(SendError::Local(format!("{}: {e}", path.display()))),
                Ok(bytes) => send_small(&ctx, &obj, Bytes::from(bytes), expect_md5, asset_hex.as_deref()).await,
            },
        },
    };
    let _ = ctx.tx.send(Msg::Done { id, result });
}

async fn send_small(
    ctx: &Ctx,
    obj: &SyncObject,
    bytes: Bytes,
    expect_md5: Option<[u8; 16]>,
    asset_hex: Option<&str>,
) -> Result<(u64, [u8; 16]), SendError> {
    let md5 = md5_of(&bytes);
    if let Some(expected) = expect_md5
        && expected != md5
    {
        return Err(SendError::Changed(format!(
            "the file's content differs from what was catalogued for {}; rescan the folder",
            obj.key
        )));
    }
    let size = bytes.len() as u64;
    ctx.throttle(size).await;
    ctx.store
        .put_bytes(&obj.key, bytes, md5, &ctx.put_options(obj, asset_hex))
        .await?;
    verify_stored(ctx, &obj.key, size, md5, None).await?;
    Ok((size, md5))
}

/// Reads back what the target holds under `key` and compares it with what
/// was sent: size, and the ETag (S3: the MD5 of a single-part upload, or the
/// multipart ETag computed from our part MD5s), or, where the store has no
/// such ETag, the MD5 of the bytes read back. A mismatch deletes the object.
async fn verify_stored(
    ctx: &Ctx,
    key: &str,
    size: u64,
    md5: [u8; 16],
    part_md5s: Option<&[[u8; 16]]>,
) -> Result<(), SendError> {
    let problem = if ctx.store.features().etag_is_md5 {
        let head = ctx.store.head(key).await?;
        let expected_etag = match part_md5s {
            Some(parts) => multipart_etag(parts),
            None => hex::encode(md5),
        };
        if head.size != size {
            Some(format!("{key}: the target holds {} bytes, {size} were sent", head.size))
        } else if head.etag.as_deref() != Some(expected_etag.as_str()) {
            Some(format!(
                "{key}: the target's ETag {:?} is not the expected {expected_etag}",
                head.etag
            ))
        } else {
            None
        }
    } else {
        let fetched = ctx.store.read_hashes(key).await?;
        if fetched.size != size || fetched.md5 != md5 {
            Some(format!("{key}: the bytes read back differ from those sent"))
        } else {
            None
        }
    };
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
    obj: &SyncObject,
    path: &std::path::Path,
    size: u64,
    expect_md5: Option<[u8; 16]>,
    asset_hex: Option<&str>,
) -> Result<(u64, [u8; 16]), SendError> {
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
        .map_err(|e| SendError::Local(format!("{}: {e}", path.display())))?;
    let mut whole = md5::Md5::default();
    let mut part_md5s = Vec::with_capacity(parts as usize);
    let mut done: Vec<PartInfo> = Vec::with_capacity(parts as usize);
    let mut reused = 0u64;
    let in_flight = Arc::new(Semaphore::new(ctx.opts.parts_in_flight.max(1)));
    let mut tasks = tokio::task::JoinSet::new();
    for number in 1..=parts as u32 {
        let len = part_size.min(size - (u64::from(number) - 1) * part_size) as usize;
        let mut buf = vec![0u8; len];
        file.read_exact(&mut buf)
            .await
            .map_err(|e| SendError::Changed(format!("{} could not be read to the end: {e}", path.display())))?;
        let md5 = md5_of(&buf);
        md5::Digest::update(&mut whole, &buf);
        part_md5s.push(md5);
        if let Some(p) = on_server.get(&number)
            && p.size == len as u64
            && p.etag == hex::encode(md5)
        {
            reused += 1;
            done.push(p.clone());
            continue;
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
            let part = ctx2
                .store
                .upload_part(&key, &upload, number, Bytes::from(buf), md5)
                .await?;
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
    let whole: [u8; 16] = md5::Digest::finalize(whole).into();
    if let Some(expected) = expect_md5
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
    obj: SyncObject,
    due: Instant,
    tries: u32,
}

impl Library {
    /// Plans and runs a sync to the library's target until every object is
    /// verified, the queue can make no progress, or `cancel` fires.
    ///
    /// Wrong credentials, a missing bucket, a full bucket or denied access
    /// stop the run with that error; nothing is lost (objects stay pending).
    /// A dead network pauses the queue and resumes it when the target
    /// answers again, for up to `opts.network_patience`.
    pub fn sync(
        &self,
        credentials: &CredentialSource,
        opts: &SyncOptions,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<SyncReport> {
        self.require_writer("syncing")?;
        let started = Instant::now();
        let target = self.target()?;
        let rt = runtime(opts.threads)?;
        let store = rt.block_on(Library::open_store(&target, credentials))?;
        rt.block_on(store.check())?;
        let mut report = SyncReport {
            target: target.url.clone(),
            planned: self.plan_sync()?,
            ..Default::default()
        };
        report.stale_uploads_aborted = rt.block_on(self.abort_stale_uploads(&store, target.id))?;

        let (tx, rx) = crossbeam_channel::unbounded();
        let ctx = Arc::new(Ctx {
            store: store.clone(),
            opts: opts.clone(),
            target: target.clone(),
            large: Semaphore::new(opts.large_in_flight.max(1)),
            limiter: opts.bandwidth_limit.map(|_| tokio::sync::Mutex::new(Instant::now())),
            tx,
        });
        let counts = self.catalog().sync_counts(target.id)?;
        let mut progress = SyncProgress {
            objects_total: counts.pending,
            bytes_total: counts.pending_bytes,
            ..Default::default()
        };
        let result = self.drive(&rt, &ctx, &rx, &mut report, &mut progress, sink, cancel);
        drop(ctx);
        rt.shutdown_timeout(Duration::from_secs(5));
        report.pending = self.catalog().sync_counts(target.id)?.pending;
        report.seconds = started.elapsed().as_secs_f64();
        sink.emit(Event::SyncProgress(progress));
        result.map(|()| report)
    }

    /// Aborts unfinished multipart uploads under our key spaces that the
    /// catalog does not track (left by a crash between starting an upload
    /// and recording it, or by an old catalog).
    async fn abort_stale_uploads(&self, store: &AnyStore, target: i64) -> Result<u64> {
        let tracked: std::collections::HashSet<String> = self.catalog().sync_upload_ids(target)?.into_iter().collect();
        let mut aborted = 0;
        for prefix in ["originals/", "proxies/"] {
            for upload in store.list_uploads(prefix).await? {
                if !tracked.contains(&upload.upload_id) {
                    store.abort_multipart(&upload.key, &upload.upload_id).await?;
                    aborted += 1;
                }
            }
        }
        Ok(aborted)
    }

    /// Resolves where the bytes of `obj` come from now.
    fn source_of(&self, obj: &SyncObject, roots: &[trove_catalog::Root]) -> Result<Option<(Source, Option<String>)>> {
        let Some(row) = obj.asset_row else { return Ok(None) };
        let cat = self.catalog();
        let asset = cat.asset_by_row(row)?;
        let hex = asset.blake3.to_hex();
        let source = match obj.role {
            ObjectRole::Original => {
                let files = cat.files_of_asset(row)?;
                let path = files.iter().filter(|f| f.present).find_map(|f| {
                    let root = roots.iter().find(|r| r.id == f.root_id)?;
                    (root.state == trove_catalog::RootState::Online).then(|| root.path.join(&f.rel_path))
                });
                path.map(|path| Source::File {
                    path,
                    expect_md5: obj.md5.or(asset.md5),
                })
            }
            ObjectRole::Proxy => cat
                .derivatives(row)?
                .into_iter()
                .find(|d| Some(&d.variant) == obj.variant.as_ref())
                .map(|d| Source::File {
                    path: self.dir().join(&d.path),
                    expect_md5: None,
                }),
            ObjectRole::Manifest => {
                let policies: HashMap<i64, SyncPolicy> = cat.root_sync_policies()?.into_iter().collect();
                asset_plan(&cat, row, roots, &policies)?.map(|p| Source::Bytes(Bytes::from(p.manifest)))
            }
        };
        Ok(source.map(|s| (s, Some(hex))))
    }

    #[allow(clippy::too_many_arguments)]
    fn drive(
        &self,
        rt: &tokio::runtime::Runtime,
        ctx: &Arc<Ctx>,
        rx: &Receiver<Msg>,
        report: &mut SyncReport,
        progress: &mut SyncProgress,
        sink: &dyn EventSink,
        cancel: &Cancel,
    ) -> Result<()> {
        let target = ctx.target.id;
        let roots = self.catalog().roots()?;
        let mut queue: VecDeque<SyncObject> = VecDeque::new();
        let mut retries: Vec<Retry> = Vec::new();
        let mut tries: HashMap<i64, u32> = HashMap::new();
        let mut in_run: HashMap<i64, SyncObject> = HashMap::new();
        let mut after = 0i64;
        let mut exhausted = false;
        let mut stop: Option<CoreError> = None;
        let mut network_failures = 0u32;
        let mut paused_since: Option<Instant> = None;
        let mut last_event = Instant::now();
        loop {
            if cancel.is_cancelled() && stop.is_none() {
                stop = Some(CoreError::Cancelled);
            }
            // Start work while there is room, unless stopping or paused.
            while stop.is_none() && paused_since.is_none() && in_run.len() < ctx.opts.concurrency.max(1) {
                let now = Instant::now();
                let next = if let Some(i) = retries.iter().position(|r| r.due <= now) {
                    Some(retries.swap_remove(i).obj)
                } else {
                    if queue.is_empty() && !exhausted {
                        let page = self
                            .catalog()
                            .sync_objects(target, Some(ObjectState::Pending), after, 500)?;
                        match page.last() {
                            Some(last) => after = last.id,
                            None => exhausted = true,
                        }
                        queue.extend(page);
                    }
                    queue.pop_front()
                };
                let Some(obj) = next else { break };
                match self.source_of(&obj, &roots)? {
                    Some((source, hex)) => {
                        in_run.insert(obj.id, obj.clone());
                        rt.spawn(send_object(ctx.clone(), obj, source, hex));
                    }
                    None => {
                        let msg = format!(
                            "no_source: no present copy of {} to send (the asset is missing or its folder is offline)",
                            obj.key
                        );
                        let mut cat = self.catalog();
                        let mut batch = cat.batch(self.now_ms())?;
                        batch.mark_sync_attempt_failed(obj.id, &msg, false, ctx.opts.max_attempts)?;
                        batch.commit()?;
                        report.failed.push((obj.key.clone(), msg));
                        progress.failed += 1;
                    }
                }
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
                            continue;
                        }
                        Err(e) if e.stops_everything() => {
                            stop = Some(e.into());
                            continue;
                        }
                        Err(e) if waited >= ctx.opts.network_patience => {
                            stop = Some(e.into());
                            continue;
                        }
                        Err(_) => {
                            std::thread::sleep(backoff(report.network_pauses + (waited.as_secs() / 10) as u32));
                            continue;
                        }
                    }
                }
                if queue.is_empty() && exhausted && retries.is_empty() {
                    break;
                }
                if !retries.is_empty() {
                    std::thread::sleep(Duration::from_millis(50));
                    continue;
                }
            }
            // Collect results; write them in one transaction.
            let first = match rx.recv_timeout(Duration::from_millis(200)) {
                Ok(m) => Some(m),
                Err(crossbeam_channel::RecvTimeoutError::Timeout) => None,
                Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
            };
            let msgs: Vec<Msg> = first.into_iter().chain(rx.try_iter()).collect();
            if !msgs.is_empty() {
                let mut cat = self.catalog();
                let mut batch = cat.batch(self.now_ms())?;
                for msg in msgs {
                    match msg {
                        Msg::UploadStarted { id, upload_id } => batch.set_sync_upload(id, Some(&upload_id))?,
                        Msg::Part { id, upload_id, part } => batch.record_sync_part(id, &upload_id, &part)?,
                        Msg::Reused { parts } => report.parts_reused += parts,
                        Msg::Done { id, result } => {
                            let Some(obj) = in_run.remove(&id) else { continue };
                            match result {
                                Ok((size, md5)) => {
                                    batch.mark_sync_verified(id, size, md5)?;
                                    report.uploaded += 1;
                                    report.uploaded_bytes += size;
                                    progress.objects_done += 1;
                                    progress.bytes_done += size;
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
                                        });
                                    } else {
                                        let msg = e.message();
                                        batch.mark_sync_attempt_failed(
                                            id,
                                            &msg,
                                            e.permanent(),
                                            ctx.opts.max_attempts,
                                        )?;
                                        sink.emit(Event::SyncObjectFailed {
                                            key: obj.key.clone(),
                                            error: msg.clone(),
                                        });
                                        report.failed.push((obj.key, msg));
                                        progress.failed += 1;
                                    }
                                }
                            }
                        }
                    }
                }
                batch.commit()?;
            }
            // Several network failures in a row: the network is down, not
            // one object. Stop starting work and wait for it to come back.
            if network_failures >= 3 && paused_since.is_none() && stop.is_none() {
                paused_since = Some(Instant::now());
                report.network_pauses += 1;
                // Objects waiting for a retry go back to the front.
                for r in retries.drain(..) {
                    tries.insert(r.obj.id, r.tries.saturating_sub(1));
                    queue.push_front(r.obj);
                }
                sink.emit(Event::SyncPaused {
                    reason: "the target cannot be reached; waiting for the network".into(),
                });
            }
            progress.in_flight = in_run.len() as u64;
            if last_event.elapsed() >= Duration::from_millis(250) {
                sink.emit(Event::SyncProgress(*progress));
                last_event = Instant::now();
            }
        }
        match stop {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}
