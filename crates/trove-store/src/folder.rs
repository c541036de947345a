//! A plain folder as an object store: an external drive or a NAS mount.
//!
//! Keys are relative paths under the folder. Every write goes to a temp file
//! in `.trove-tmp/` on the same file system, is fsynced, renamed into place,
//! and the parent directory is fsynced, so a crash or an unplugged drive
//! leaves either the old object or the new one, never half of one. The
//! folder itself is never created: a missing folder is usually an unmounted
//! drive, and writing onto the mount point would fill the system disk.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;

use crate::error::{Result, StoreError};
use crate::{
    BodySums, Features, Fetched, ListPage, ObjectInfo, ObjectStore, PartInfo, PendingUpload, PostPolicy, PresignGet,
    PresignedPost, PutOptions, RestoreAsked, RestoreTier, StreamHasher, md5_of, sha256_of, validate_key,
};

const TMP_DIR: &str = ".trove-tmp";
const MULTIPART_DIR: &str = ".trove-multipart";
const PAGE: usize = 1000;

/// A folder target. Cheap to clone.
#[derive(Clone, Debug)]
pub struct FolderStore {
    root: Arc<PathBuf>,
}

impl FolderStore {
    /// A store over `root` (an absolute path). Nothing is touched until the
    /// first call.
    pub fn new(root: impl Into<PathBuf>) -> FolderStore {
        FolderStore {
            root: Arc::new(root.into()),
        }
    }

    fn path_of(&self, key: &str) -> Result<PathBuf> {
        validate_key(key)?;
        if key.starts_with(".trove-") {
            return Err(StoreError::Invalid(format!("object key `{key}` is reserved")));
        }
        Ok(self.root.join(key))
    }

    fn ensure_root(&self) -> Result<()> {
        match fs::metadata(&*self.root) {
            Ok(m) if m.is_dir() => Ok(()),
            Ok(_) => Err(StoreError::Invalid(format!(
                "folder target {} is not a directory",
                self.root.display()
            ))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Err(StoreError::NoBucket { store: self.describe() }),
            Err(e) => Err(StoreError::io("open", &*self.root, e)),
        }
    }

    fn io_err(&self, op: &'static str, key: &str, path: &Path, e: io::Error) -> StoreError {
        match e.kind() {
            io::ErrorKind::NotFound => StoreError::NotFound {
                store: self.describe(),
                key: key.to_owned(),
            },
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => StoreError::Full {
                store: self.describe(),
                key: key.to_owned(),
                detail: e.to_string(),
            },
            io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => StoreError::AccessDenied {
                store: self.describe(),
                key: key.to_owned(),
                detail: e.to_string(),
            },
            _ => StoreError::io(op, path, e),
        }
    }

    /// Writes `chunks` to a temp file and renames it to `dest` durably.
    fn write_atomic(&self, key: &str, dest: &Path, chunks: &mut dyn FnMut(&mut File) -> io::Result<()>) -> Result<()> {
        self.ensure_root()?;
        let tmp_dir = self.root.join(TMP_DIR);
        fs::create_dir_all(&tmp_dir).map_err(|e| self.io_err("create", key, &tmp_dir, e))?;
        let tmp = tmp_dir.join(uuid::Uuid::new_v4().simple().to_string());
        let result = (|| {
            let mut f = File::create(&tmp)?;
            chunks(&mut f)?;
            f.sync_all()?;
            drop(f);
            let parent = dest.parent().unwrap_or(&self.root);
            fs::create_dir_all(parent)?;
            fs::rename(&tmp, dest)?;
            File::open(parent)?.sync_all()
        })();
        if result.is_err() {
            let _ = fs::remove_file(&tmp);
        }
        result.map_err(|e| self.io_err("write", key, dest, e))
    }

    fn info(&self, key: &str, meta: &fs::Metadata) -> ObjectInfo {
        ObjectInfo {
            key: key.to_owned(),
            size: meta.len(),
            etag: None,
            last_modified_ms: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_millis() as i64),
            storage_class: None,
            metadata: Default::default(),
            sha256: None,
        }
    }

    fn upload_dir(&self, upload_id: &str) -> Result<PathBuf> {
        if upload_id.len() != 32 || !upload_id.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(format!(
                "`{upload_id}` is not an upload id of this store"
            )));
        }
        Ok(self.root.join(MULTIPART_DIR).join(upload_id))
    }

    fn hash_file(&self, key: &str, path: &Path, mut sink: Option<&mut File>) -> Result<Fetched> {
        let mut f = File::open(path).map_err(|e| self.io_err("read", key, path, e))?;
        let mut hasher = StreamHasher::default();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(self.io_err("read", key, path, e)),
            };
            hasher.update(&buf[..n]);
            if let Some(out) = sink.as_deref_mut() {
                out.write_all(&buf[..n]).map_err(|e| StoreError::io("write", path, e))?;
            }
        }
        Ok(hasher.finish())
    }

    fn list_sync(&self, prefix: &str, after: Option<&str>) -> Result<ListPage> {
        self.ensure_root()?;
        // Start at the deepest directory the prefix names.
        let dir_part = prefix.rfind('/').map(|i| &prefix[..i]).unwrap_or("");
        let start = if dir_part.is_empty() {
            self.root.to_path_buf()
        } else {
            self.path_of(dir_part)?
        };
        if !start.is_dir() {
            return Ok(ListPage::default());
        }
        let root = self.root.clone();
        let key_of = move |p: &Path| -> Option<String> {
            let rel = p.strip_prefix(&*root).ok()?;
            let s = rel.to_str()?;
            Some(s.to_owned())
        };
        // Siblings are sorted as their keys sort: a directory `a` holds keys
        // starting `a/`, so it sorts as `a/`. The walk then yields keys in
        // byte order and a page can resume after the last key it returned,
        // skipping whole directories that lie before it.
        let walker = walkdir::WalkDir::new(&start)
            .follow_links(false)
            .sort_by(|a, b| {
                let name = |e: &walkdir::DirEntry| {
                    let mut n = e.file_name().as_encoded_bytes().to_vec();
                    if e.file_type().is_dir() {
                        n.push(b'/');
                    }
                    n
                };
                name(a).cmp(&name(b))
            })
            .into_iter()
            .filter_entry(|e| {
                if e.depth() == 0 {
                    return true;
                }
                let name = e.file_name().to_string_lossy();
                if name.starts_with(".trove-") {
                    return false;
                }
                let Some(after) = after else { return true };
                if !e.file_type().is_dir() {
                    return true;
                }
                let Some(k) = e.path().strip_prefix(&*self.root).ok().and_then(|r| r.to_str()) else {
                    return true;
                };
                let dir_key = format!("{k}/");
                // Keep the directory unless every key in it sorts before `after`.
                after.starts_with(&dir_key) || dir_key.as_str() > after
            });
        let mut page = ListPage::default();
        for entry in walker {
            let entry = entry.map_err(|e| {
                let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| start.clone());
                StoreError::io("list", path, e.into())
            })?;
            if !entry.file_type().is_file() {
                continue;
            }
            let Some(key) = key_of(entry.path()) else { continue };
            if !key.starts_with(prefix) || after.is_some_and(|a| key.as_str() <= a) {
                continue;
            }
            if page.objects.len() == PAGE {
                page.next = page.objects.last().map(|o| o.key.clone());
                break;
            }
            let meta = entry
                .metadata()
                .map_err(|e| StoreError::io("list", entry.path(), e.into()))?;
            page.objects.push(self.info(&key, &meta));
        }
        Ok(page)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(FolderStore) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let me = self.clone();
        tokio::task::spawn_blocking(move || f(me))
            .await
            .map_err(|e| StoreError::Invalid(format!("folder store task failed: {e}")))?
    }
}

impl ObjectStore for FolderStore {
    fn features(&self) -> Features {
        Features {
            presign: false,
            etag_is_md5: false,
            metadata: false,
            storage_class: false,
            signs_payload: false,
        }
    }

    fn describe(&self) -> String {
        format!("file://{}", self.root.display())
    }

    async fn check(&self) -> Result<()> {
        self.blocking(|s| {
            s.ensure_root()?;
            // Prove we can write: create and remove a temp file.
            let tmp_dir = s.root.join(TMP_DIR);
            fs::create_dir_all(&tmp_dir).map_err(|e| s.io_err("create", TMP_DIR, &tmp_dir, e))?;
            let probe = tmp_dir.join(format!("probe-{}", uuid::Uuid::new_v4().simple()));
            File::create(&probe).map_err(|e| s.io_err("write", TMP_DIR, &probe, e))?;
            fs::remove_file(&probe).map_err(|e| s.io_err("remove", TMP_DIR, &probe, e))
        })
        .await
    }

    async fn put_bytes(&self, key: &str, body: Bytes, sums: BodySums, _opts: &PutOptions) -> Result<ObjectInfo> {
        let key = key.to_owned();
        self.blocking(move |s| {
            let dest = s.path_of(&key)?;
            let mismatch = |what: &str| StoreError::ChecksumMismatch {
                store: s.describe(),
                key: key.clone(),
                detail: format!("the body does not match the {what} sent with it"),
            };
            if sums.md5.is_none() && sums.sha256.is_none() {
                return Err(StoreError::Invalid(format!(
                    "{key}: an upload needs an MD5 or a SHA-256"
                )));
            }
            if sums.md5.is_some_and(|m| md5_of(&body) != m) {
                return Err(mismatch("MD5"));
            }
            if sums.sha256.is_some_and(|h| sha256_of(&body) != h) {
                return Err(mismatch("SHA-256"));
            }
            s.write_atomic(&key, &dest, &mut |f| f.write_all(&body))?;
            let meta = fs::metadata(&dest).map_err(|e| s.io_err("stat", &key, &dest, e))?;
            let mut info = s.info(&key, &meta);
            info.sha256 = sums.sha256;
            Ok(info)
        })
        .await
    }

    async fn create_multipart(&self, key: &str, _opts: &PutOptions) -> Result<String> {
        let key = key.to_owned();
        self.blocking(move |s| {
            s.path_of(&key)?;
            s.ensure_root()?;
            let id = uuid::Uuid::new_v4().simple().to_string();
            let dir = s.upload_dir(&id)?;
            fs::create_dir_all(&dir).map_err(|e| s.io_err("create", &key, &dir, e))?;
            fs::write(dir.join("key"), key.as_bytes()).map_err(|e| s.io_err("write", &key, &dir, e))?;
            Ok(id)
        })
        .await
    }

    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        body: Bytes,
        md5: [u8; 16],
    ) -> Result<PartInfo> {
        let (key, upload_id) = (key.to_owned(), upload_id.to_owned());
        self.blocking(move |s| {
            let dir = s.upload_dir(&upload_id)?;
            if !dir.join("key").is_file() {
                return Err(StoreError::UploadGone {
                    store: s.describe(),
                    key,
                });
            }
            if !(1..=10_000).contains(&number) {
                return Err(StoreError::Invalid(format!(
                    "part number {number} is outside 1..=10000"
                )));
            }
            if md5_of(&body) != md5 {
                return Err(StoreError::ChecksumMismatch {
                    store: s.describe(),
                    key,
                    detail: format!("part {number} does not match the MD5 sent with it"),
                });
            }
            let part = dir.join(format!("{number:05}.part"));
            let tmp = dir.join(format!("{number:05}.tmp"));
            let write = || -> io::Result<()> {
                let mut f = File::create(&tmp)?;
                f.write_all(&body)?;
                f.sync_all()?;
                fs::rename(&tmp, &part)
            };
            write().map_err(|e| s.io_err("write", &key, &part, e))?;
            Ok(PartInfo {
                number,
                etag: hex::encode(md5),
                size: body.len() as u64,
            })
        })
        .await
    }

    async fn list_parts(&self, key: &str, upload_id: &str) -> Result<Vec<PartInfo>> {
        let (key, upload_id) = (key.to_owned(), upload_id.to_owned());
        self.blocking(move |s| {
            let dir = s.upload_dir(&upload_id)?;
            let entries = fs::read_dir(&dir).map_err(|e| match e.kind() {
                io::ErrorKind::NotFound => StoreError::UploadGone {
                    store: s.describe(),
                    key: key.clone(),
                },
                _ => s.io_err("list", &key, &dir, e),
            })?;
            let mut parts = Vec::new();
            for entry in entries {
                let entry = entry.map_err(|e| s.io_err("list", &key, &dir, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let Some(n) = name.strip_suffix(".part").and_then(|n| n.parse::<u32>().ok()) else {
                    continue;
                };
                let fetched = s.hash_file(&key, &entry.path(), None)?;
                parts.push(PartInfo {
                    number: n,
                    etag: hex::encode(fetched.md5),
                    size: fetched.size,
                });
            }
            parts.sort_by_key(|p| p.number);
            Ok(parts)
        })
        .await
    }

    async fn complete_multipart(&self, key: &str, upload_id: &str, parts: &[PartInfo]) -> Result<()> {
        let (key, upload_id, parts) = (key.to_owned(), upload_id.to_owned(), parts.to_vec());
        self.blocking(move |s| {
            let dest = s.path_of(&key)?;
            let dir = s.upload_dir(&upload_id)?;
            if !dir.join("key").is_file() {
                return Err(StoreError::UploadGone {
                    store: s.describe(),
                    key,
                });
            }
            for w in parts.windows(2) {
                if w[0].number >= w[1].number {
                    return Err(StoreError::Invalid("parts must be in ascending order".into()));
                }
            }
            s.write_atomic(&key, &dest, &mut |out| {
                for p in &parts {
                    let path = dir.join(format!("{:05}.part", p.number));
                    let mut f = File::open(&path)?;
                    let mut buf = Vec::with_capacity(p.size as usize);
                    f.read_to_end(&mut buf)?;
                    if hex::encode(md5_of(&buf)) != p.etag {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!("part {} does not match its ETag", p.number),
                        ));
                    }
                    out.write_all(&buf)?;
                }
                Ok(())
            })?;
            let _ = fs::remove_dir_all(&dir);
            Ok(())
        })
        .await
    }

    async fn abort_multipart(&self, _key: &str, upload_id: &str) -> Result<()> {
        let upload_id = upload_id.to_owned();
        self.blocking(move |s| {
            let dir = s.upload_dir(&upload_id)?;
            match fs::remove_dir_all(&dir) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(StoreError::io("remove", dir, e)),
            }
        })
        .await
    }

    async fn list_uploads(&self, prefix: &str) -> Result<Vec<PendingUpload>> {
        let prefix = prefix.to_owned();
        self.blocking(move |s| {
            s.ensure_root()?;
            let dir = s.root.join(MULTIPART_DIR);
            let entries = match fs::read_dir(&dir) {
                Ok(e) => e,
                Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
                Err(e) => return Err(StoreError::io("list", dir, e)),
            };
            let mut out = Vec::new();
            for entry in entries.flatten() {
                let Ok(key) = fs::read_to_string(entry.path().join("key")) else {
                    continue;
                };
                if !key.starts_with(&prefix) {
                    continue;
                }
                let initiated_ms = entry
                    .metadata()
                    .ok()
                    .and_then(|m| m.modified().ok())
                    .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                    .map(|d| d.as_millis() as i64);
                out.push(PendingUpload {
                    key,
                    upload_id: entry.file_name().to_string_lossy().into_owned(),
                    initiated_ms,
                });
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
        .await
    }

    async fn head(&self, key: &str) -> Result<ObjectInfo> {
        let key = key.to_owned();
        self.blocking(move |s| {
            let path = s.path_of(&key)?;
            s.ensure_root()?;
            let meta = fs::metadata(&path).map_err(|e| s.io_err("stat", &key, &path, e))?;
            if !meta.is_file() {
                return Err(StoreError::NotFound {
                    store: s.describe(),
                    key,
                });
            }
            Ok(s.info(&key, &meta))
        })
        .await
    }

    async fn get_to_file(&self, key: &str, dest: &Path) -> Result<Fetched> {
        let (key, dest) = (key.to_owned(), dest.to_owned());
        self.blocking(move |s| {
            let path = s.path_of(&key)?;
            s.ensure_root()?;
            let mut out = File::create(&dest).map_err(|e| StoreError::io("create", &dest, e))?;
            let fetched = s.hash_file(&key, &path, Some(&mut out))?;
            out.sync_all().map_err(|e| StoreError::io("sync", &dest, e))?;
            Ok(fetched)
        })
        .await
    }

    async fn read_hashes(&self, key: &str) -> Result<Fetched> {
        let key = key.to_owned();
        self.blocking(move |s| {
            let path = s.path_of(&key)?;
            s.ensure_root()?;
            s.hash_file(&key, &path, None)
        })
        .await
    }

    async fn get_bytes(&self, key: &str, limit: u64) -> Result<(Vec<u8>, Fetched)> {
        let key = key.to_owned();
        self.blocking(move |s| {
            let path = s.path_of(&key)?;
            s.ensure_root()?;
            let mut bytes = Vec::new();
            File::open(&path)
                .and_then(|f| f.take(limit + 1).read_to_end(&mut bytes))
                .map_err(|e| s.io_err("read", &key, &path, e))?;
            if bytes.len() as u64 > limit {
                return Err(StoreError::ChecksumMismatch {
                    store: s.describe(),
                    key,
                    detail: format!("larger than the {limit} bytes expected"),
                });
            }
            let mut hasher = StreamHasher::default();
            hasher.update(&bytes);
            Ok((bytes, hasher.finish()))
        })
        .await
    }

    async fn get_range(&self, key: &str, start: u64, len: u64) -> Result<Vec<u8>> {
        let key = key.to_owned();
        self.blocking(move |s| {
            use std::io::Seek as _;
            let path = s.path_of(&key)?;
            s.ensure_root()?;
            let mut f = File::open(&path).map_err(|e| s.io_err("read", &key, &path, e))?;
            f.seek(io::SeekFrom::Start(start))
                .map_err(|e| s.io_err("read", &key, &path, e))?;
            let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
            f.take(len)
                .read_to_end(&mut bytes)
                .map_err(|e| s.io_err("read", &key, &path, e))?;
            if (bytes.len() as u64) < len {
                return Err(StoreError::ChecksumMismatch {
                    store: s.describe(),
                    key,
                    detail: format!("{} bytes from {start}, {len} expected", bytes.len()),
                });
            }
            Ok(bytes)
        })
        .await
    }

    async fn list(&self, prefix: &str, next: Option<String>) -> Result<ListPage> {
        let prefix = prefix.to_owned();
        self.blocking(move |s| s.list_sync(&prefix, next.as_deref())).await
    }

    async fn delete(&self, key: &str) -> Result<()> {
        let key = key.to_owned();
        self.blocking(move |s| {
            let path = s.path_of(&key)?;
            match fs::remove_file(&path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(s.io_err("delete", &key, &path, e)),
            }
        })
        .await
    }

    async fn request_restore(&self, _key: &str, _days: u32, _tier: RestoreTier) -> Result<RestoreAsked> {
        Err(StoreError::Unsupported {
            store: self.describe(),
            what: "restoring from an archive storage class (a folder has none)",
        })
    }

    async fn copy(&self, from: &str, to: &str) -> Result<()> {
        let (from, to) = (from.to_owned(), to.to_owned());
        self.blocking(move |s| {
            let src = s.path_of(&from)?;
            let dest = s.path_of(&to)?;
            let mut input = File::open(&src).map_err(|e| s.io_err("read", &from, &src, e))?;
            s.write_atomic(&to, &dest, &mut |out| io::copy(&mut input, out).map(drop))
        })
        .await
    }

    async fn presign_get(&self, _key: &str, _expires: Duration, _opts: &PresignGet) -> Result<String> {
        Err(StoreError::Unsupported {
            store: self.describe(),
            what: "making links (presigned URLs); share from an S3 target instead",
        })
    }

    async fn presign_put(&self, _key: &str, _expires: Duration, _content_type: Option<&str>) -> Result<String> {
        Err(StoreError::Unsupported {
            store: self.describe(),
            what: "making upload links (presigned URLs); use an S3 target instead",
        })
    }

    async fn presign_post(&self, _prefix: &str, _expires: Duration, _policy: &PostPolicy) -> Result<PresignedPost> {
        Err(StoreError::Unsupported {
            store: self.describe(),
            what: "making upload links (presigned POST); use an S3 target instead",
        })
    }
}
