//! `trove upload`: the bulk batch uploader. Walks folders and sends every
//! file to a bucket or folder under `prefix/<path relative to the folder>`,
//! through the same engine as sync (each file's own checksums checked by
//! the server, multipart with resume, every object verified). A small file
//! is hashed once, with SHA-256: the server checks it and echoes it back;
//! only a server that does not echo it makes the file's MD5 worth computing
//! (checked against the ETag). No library is needed: a per-target state file
//! remembers what went up, so a repeated or interrupted run skips what is
//! done; without it (another machine, a lost file), an object of the same
//! size whose ETag the file's bytes give (its MD5, or for a multipart object
//! the MD5 of its part MD5s) is skipped too. Memory stays flat: the walk
//! streams through a bounded channel.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use trove_catalog::{UploadChange, UploadState};
use trove_store::{AnyStore, FolderStore, ObjectStore, S3Options, S3Store, TargetUrl};

use super::engine::{Ctx, Queue, Record, Sendable, Stats, SyncOptions, drive};
use super::{CredentialSource, Source, runtime};
use crate::cancel::Cancel;
use crate::clock::Clock;
use crate::error::{CoreError, Result};
use crate::events::{Event, EventSink, SyncProgress};

/// Where and how to upload.
#[derive(Debug, Clone)]
pub struct UploadRequest {
    pub folders: Vec<PathBuf>,
    /// `s3://bucket/prefix` or `file:///path`.
    pub target: super::TargetSettings,
    /// The state file (created if missing).
    pub state_path: PathBuf,
    /// The time the state file records.
    pub clock: Arc<dyn Clock>,
}

/// What an upload did.
#[derive(Debug, Clone, Default)]
pub struct UploadReport {
    pub target: String,
    pub files: u64,
    pub bytes: u64,
    pub uploaded: u64,
    pub uploaded_bytes: u64,
    /// Already in the target and verified (by the state file, or by size
    /// and ETag against the target's listing).
    pub skipped: u64,
    pub parts_reused: u64,
    pub failed: Vec<(String, String)>,
    pub seconds: f64,
}

struct Entry {
    path: PathBuf,
    key: String,
    size: u64,
    mtime_ns: i64,
}

struct TreeQueue {
    rx: Receiver<std::result::Result<Entry, (String, String)>>,
    state: UploadState,
    /// Size and ETag of each object the target already has.
    listed: HashMap<String, (u64, Option<ListedEtag>)>,
    /// The part size this uploader cuts large files into.
    part_size: u64,
    skipped: u64,
    failed: Vec<(String, String)>,
    clock: Arc<dyn Clock>,
    /// Keys sent in this run, kept only when several folders are uploaded
    /// (their files could map to the same key).
    seen: Option<std::collections::HashSet<String>>,
}

impl Queue for TreeQueue {
    fn next(&mut self) -> Result<Option<(Sendable, Source)>> {
        for item in self.rx.iter() {
            let e = match item {
                Ok(e) => e,
                Err(fail) => {
                    self.failed.push(fail);
                    continue;
                }
            };
            if let Some(seen) = self.seen.as_mut()
                && !seen.insert(e.key.clone())
            {
                self.failed.push((
                    e.path.display().to_string(),
                    format!(
                        "duplicate_key: another folder has a file at `{}`; upload the folders separately",
                        e.key
                    ),
                ));
                continue;
            }
            if let Some(row) = self.state.get(&e.key)?
                && row.verified
                && row.size == e.size
                && row.mtime_ns == e.mtime_ns
            {
                self.skipped += 1;
                continue;
            }
            // Already in the target (say, uploaded from another machine, or
            // the state file is new): the same size and an ETag the file's
            // bytes give count as done.
            if let Some(&(size, Some(etag))) = self.listed.get(&e.key)
                && size == e.size
            {
                match file_gives(&e.path, e.size, etag, self.part_size) {
                    Ok(true) => {
                        self.state
                            .mark_present(&e.key, e.size, e.mtime_ns, etag.md5(), self.clock.now_ms())?;
                        self.skipped += 1;
                        continue;
                    }
                    Ok(false) => {}
                    Err(err) => {
                        self.failed.push((e.path.display().to_string(), err.to_string()));
                        continue;
                    }
                }
            }
            let row = self.state.begin(&e.key, e.size, e.mtime_ns)?;
            let recorded_parts = match &row.upload_id {
                Some(upload) => self.state.parts(row.id, upload)?,
                None => Vec::new(),
            };
            let item = Sendable {
                id: row.id,
                key: e.key,
                size: e.size,
                original: true,
                upload_id: row.upload_id,
                recorded_parts,
                asset_hex: None,
                want_md5: false,
            };
            return Ok(Some((
                item,
                Source::File {
                    path: e.path,
                    expect_md5: None,
                },
            )));
        }
        Ok(None)
    }

    fn record(&mut self, records: Vec<Record>) -> Result<()> {
        let changes: Vec<UploadChange> = records
            .into_iter()
            .map(|r| match r {
                Record::UploadStarted { id, upload_id } => UploadChange::Started { id, upload_id },
                Record::Part { id, upload_id, part } => UploadChange::Part { id, upload_id, part },
                Record::Verified { id, md5, .. } => UploadChange::Verified { id, md5 },
                Record::Failed { id, error, .. } => UploadChange::Failed { id, error },
            })
            .collect();
        self.state.apply(&changes, self.clock.now_ms())?;
        Ok(())
    }
}

/// A listed ETag, kept compact (one per object of the target).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListedEtag {
    /// A single-part upload's: the object's MD5.
    Md5([u8; 16]),
    /// A multipart upload's: the MD5 of its parts' MD5s, and how many parts.
    Parts([u8; 16], u64),
}

impl ListedEtag {
    fn of(o: &trove_store::ObjectInfo) -> Option<ListedEtag> {
        if let Some(md5) = o.etag_md5() {
            return Some(ListedEtag::Md5(md5));
        }
        let (hex, parts) = o.etag.as_deref()?.split_once('-')?;
        let mut digest = [0u8; 16];
        hex::decode_to_slice(hex, &mut digest).ok()?;
        Some(ListedEtag::Parts(digest, parts.parse().ok()?))
    }

    /// The object's MD5, where the ETag is one.
    fn md5(self) -> Option<[u8; 16]> {
        match self {
            ListedEtag::Md5(md5) => Some(md5),
            ListedEtag::Parts(..) => None,
        }
    }
}

/// Whether the file's bytes give the listed ETag. A multipart ETag is made
/// by the server from the MD5s of the parts it received (each checked
/// against its `Content-MD5`), so it matches only if the file, cut as this
/// uploader cuts it (`part_size`), gives the same part MD5s; an object sent
/// in other parts (another tool, another part size) does not match and is
/// sent again.
fn file_gives(path: &Path, size: u64, etag: ListedEtag, part_size: u64) -> std::io::Result<bool> {
    use md5::Digest as _;
    use std::io::Read as _;
    let mut file = std::fs::File::open(path)?;
    match etag {
        ListedEtag::Md5(want) => {
            let mut h = md5::Md5::new();
            std::io::copy(&mut file, &mut h)?;
            Ok(<[u8; 16]>::from(h.finalize()) == want)
        }
        ListedEtag::Parts(digest, parts) => {
            if parts != size.div_ceil(part_size.max(1)) {
                return Ok(false);
            }
            let mut part_md5s = Vec::new();
            loop {
                let mut h = md5::Md5::new();
                if std::io::copy(&mut (&mut file).take(part_size), &mut h)? == 0 {
                    break;
                }
                part_md5s.push(h.finalize().into());
            }
            Ok(trove_store::multipart_etag(&part_md5s) == format!("{}-{parts}", hex::encode(digest)))
        }
    }
}

fn is_hidden(e: &walkdir::DirEntry) -> bool {
    e.depth() > 0 && e.file_name().to_str().is_some_and(|n| n.starts_with('.'))
}

/// Walks the folders: (count, bytes) of regular files, without reading.
fn count(folders: &[PathBuf]) -> (u64, u64) {
    let mut n = 0;
    let mut bytes = 0;
    for dir in folders {
        for e in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_entry(|e| !is_hidden(e))
            .flatten()
        {
            if e.file_type().is_file() {
                n += 1;
                bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
            }
        }
    }
    (n, bytes)
}

/// Streams the files of `folders` as (path, key) entries; problems are
/// sent as failures naming the path.
fn walk(folders: Vec<PathBuf>, tx: crossbeam_channel::Sender<std::result::Result<Entry, (String, String)>>) {
    for dir in folders {
        for e in walkdir::WalkDir::new(&dir).into_iter().filter_entry(|e| !is_hidden(e)) {
            let item = match e {
                Err(err) => {
                    let path = err.path().map(|p| p.display().to_string()).unwrap_or_default();
                    Err((path, format!("unreadable: {err}")))
                }
                Ok(e) if !e.file_type().is_file() => continue,
                Ok(e) => {
                    let rel = e.path().strip_prefix(&dir).unwrap_or(e.path());
                    match (rel.to_str(), e.metadata()) {
                        (None, _) => Err((
                            e.path().display().to_string(),
                            "bad_name: the name is not UTF-8, which object keys must be; rename it".into(),
                        )),
                        (_, Err(err)) => Err((e.path().display().to_string(), format!("unreadable: {err}"))),
                        (Some(key), Ok(meta)) => match trove_store::validate_key(key) {
                            Err(err) => Err((e.path().display().to_string(), format!("bad_name: {err}"))),
                            Ok(()) => Ok(Entry {
                                path: e.path().to_owned(),
                                key: key.to_owned(),
                                size: meta.len(),
                                mtime_ns: crate::fsmeta::file_stat(&meta).mtime_ns,
                            }),
                        },
                    }
                }
            };
            if tx.send(item).is_err() {
                return;
            }
        }
    }
}

/// Uploads the files of `req.folders` to `req.target`, skipping what the
/// state file (or the target's listing) shows is there and verified.
pub fn upload(
    req: &UploadRequest,
    credentials: &CredentialSource,
    opts: &SyncOptions,
    sink: &dyn EventSink,
    cancel: &Cancel,
) -> Result<UploadReport> {
    let started = Instant::now();
    for dir in &req.folders {
        if !dir.is_dir() {
            return Err(CoreError::NotAFolder { path: dir.clone() });
        }
    }
    let url = TargetUrl::parse(&req.target.url)?;
    // The bucket would refuse every object for these: said once, first.
    super::check_storage_class(req.target.storage_class_originals.as_deref())?;
    super::check_proxy_storage_class(req.target.storage_class_proxies.as_deref())?;
    let sse = super::check_sse(req.target.sse.as_deref())?;
    super::check_kms_key(req.target.sse_kms_key_id.as_deref(), sse.as_deref())?;
    let rt = runtime(opts.threads)?;
    let store = match &url {
        TargetUrl::Folder { path } => AnyStore::Folder(FolderStore::new(path.clone())),
        TargetUrl::S3 { bucket, prefix } => {
            let mut o = S3Options::new(bucket.clone(), credentials.clone());
            o.prefix = prefix.clone();
            o.endpoint = req.target.endpoint.clone();
            o.region = req.target.region.clone();
            o.path_style = req.target.path_style;
            o.server_side_encryption = req.target.sse.clone();
            o.sse_kms_key_id = req.target.sse_kms_key_id.clone();
            o.read_timeout = opts.request_timeout;
            o.stall_timeout = opts.request_timeout.min(Duration::from_secs(20));
            AnyStore::S3(rt.block_on(S3Store::connect(o))?)
        }
    };
    rt.block_on(store.check())?;
    if let Some(parent) = req.state_path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| CoreError::io("create folder", parent, e))?;
    }
    let state = UploadState::open(&req.state_path)?;
    // One listing of the target (a request per 1,000 keys) tells which keys
    // exist, so a first run to a fresh prefix asks nothing per file.
    let mut listed = HashMap::new();
    let mut next = None;
    loop {
        let page = rt.block_on(store.list("", next))?;
        for o in page.objects {
            let etag = ListedEtag::of(&o);
            listed.insert(o.key, (o.size, etag));
        }
        next = page.next;
        if next.is_none() {
            break;
        }
    }
    // Unfinished multipart uploads the state file does not know are stale.
    let tracked: std::collections::HashSet<String> = state.upload_ids()?.into_iter().collect();
    for u in rt.block_on(super::listed_uploads(&store, ""))? {
        if !tracked.contains(&u.upload_id) {
            rt.block_on(store.abort_multipart(&u.key, &u.upload_id))?;
        }
    }
    let (files, bytes) = count(&req.folders);
    let (tx, rx) = crossbeam_channel::bounded(1024);
    let folders = req.folders.clone();
    let walker = std::thread::spawn(move || walk(folders, tx));
    let mut queue = TreeQueue {
        rx,
        state,
        listed,
        part_size: opts.part_size.max(trove_store::MIN_PART_SIZE),
        skipped: 0,
        failed: Vec::new(),
        clock: req.clock.clone(),
        seen: (req.folders.len() > 1).then(Default::default),
    };
    let (ctx, results) = Ctx::new(
        store,
        opts,
        req.target.storage_class_originals.clone(),
        req.target.storage_class_proxies.clone(),
    );
    let mut stats = Stats {
        progress: SyncProgress {
            objects_total: files,
            bytes_total: bytes,
            ..Default::default()
        },
        ..Default::default()
    };
    let result = drive(&rt, &ctx, &results, &mut queue, &mut stats, sink, cancel);
    drop(ctx);
    rt.shutdown_timeout(Duration::from_secs(5));
    drop(queue.rx);
    let _ = walker.join();
    sink.emit(Event::SyncProgress(stats.progress));
    result?;
    let mut failed = queue.failed;
    failed.extend(stats.failed);
    Ok(UploadReport {
        target: url.to_string(),
        files,
        bytes,
        uploaded: stats.uploaded,
        uploaded_bytes: stats.uploaded_bytes,
        skipped: queue.skipped,
        parts_reused: stats.parts_reused,
        failed,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::{ListedEtag, file_gives};
    use trove_store::{ObjectInfo, md5_of, multipart_etag};

    fn listed(etag: &str) -> Option<ListedEtag> {
        ListedEtag::of(&ObjectInfo {
            key: "k".into(),
            size: 0,
            etag: Some(etag.into()),
            last_modified_ms: None,
            storage_class: None,
            metadata: Default::default(),
            sha256: None,
        })
    }

    #[test]
    fn etags_are_matched_against_the_file_as_it_was_cut() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.bin");
        let bytes: Vec<u8> = (0..2500u32).map(|i| (i * 7 % 251) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let size = bytes.len() as u64;
        let gives = |etag: &str, part_size| file_gives(&path, size, listed(etag).unwrap(), part_size).unwrap();
        let single = hex::encode(md5_of(&bytes));
        assert_eq!(listed(&single).unwrap().md5(), Some(md5_of(&bytes)));
        assert!(gives(&single, 1000));
        assert!(gives(&single.to_uppercase(), 1000));
        let parts = multipart_etag(&[
            md5_of(&bytes[..1000]),
            md5_of(&bytes[1000..2000]),
            md5_of(&bytes[2000..]),
        ]);
        assert_eq!(listed(&parts).unwrap().md5(), None);
        assert!(gives(&parts, 1000));
        // Cut in other parts (another tool): sent again.
        assert!(!gives(&parts, 1250));
        let halves = multipart_etag(&[md5_of(&bytes[..1250]), md5_of(&bytes[1250..])]);
        assert!(!gives(&halves, 1000));
        // Another file's MD5; and ETags that are no MD5 at all are not kept.
        assert!(!gives(&hex::encode(md5_of(b"other")), 1000));
        assert_eq!(listed("not-an-etag"), None);
        assert_eq!(listed("abc"), None);
    }
}
