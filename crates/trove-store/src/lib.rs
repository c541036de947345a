//! Trove's object stores: where originals and proxies are kept safe.
//!
//! One [`ObjectStore`] trait, two implementations:
//! - [`S3Store`]: an S3-compatible bucket (AWS, MinIO, Garage, SeaweedFS,
//!   Ceph RGW, R2, B2) through aws-sdk-s3;
//! - [`FolderStore`]: a plain folder (external drive, NAS) with the same
//!   layout, atomic writes and fsync.
//!
//! The trait is deliberately small and strict. Every upload carries an MD5
//! the *caller* computed from the bytes it read (sent as `Content-MD5`, so
//! the server refuses damaged bodies), and the caller verifies what was
//! stored by reading it back ([`ObjectStore::head`] or
//! [`ObjectStore::read_hashes`]); nothing trusts a server's defaults. The
//! crate knows nothing of the catalog: keys are plain strings relative to
//! the target's prefix.
//!
//! A conformance suite (`tests/store/`) runs the same checks against both
//! implementations.

mod any;
mod error;
mod folder;
mod s3;
mod target;

use std::collections::BTreeMap;
use std::future::Future;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;

pub use any::AnyStore;
pub use error::{Result, StoreError};
pub use folder::FolderStore;
pub use s3::{CredentialSource, S3Options, S3Store};
pub use target::TargetUrl;

/// The largest expiry SigV4 allows for a presigned URL: 7 days.
pub const MAX_PRESIGN_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);

/// S3's minimum size for every multipart part but the last.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;

/// What a store can do, declared up front so callers choose a path instead
/// of discovering failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Features {
    /// Presigned URLs (for sharing).
    pub presign: bool,
    /// A single-part object's ETag is the hex MD5 of its bytes, so a `head`
    /// verifies it without reading it back.
    pub etag_is_md5: bool,
    /// User metadata (`x-amz-meta-*`) is stored and returned by `head`.
    pub metadata: bool,
    /// Storage classes are honoured.
    pub storage_class: bool,
    /// Requests are signed over the body's SHA-256 (S3's SigV4), so a
    /// SHA-256 the caller computes is no extra work: it is handed to the
    /// signer and sent as a checksum the server verifies.
    pub signs_payload: bool,
}

/// Options of one upload.
#[derive(Clone, Debug, Default)]
pub struct PutOptions {
    pub content_type: Option<String>,
    /// e.g. `STANDARD_IA`, `GLACIER_IR`; ignored by stores without classes.
    pub storage_class: Option<String>,
    /// User metadata; names are lower-case ASCII (`blake3`, `asset`...).
    pub metadata: BTreeMap<String, String>,
}

/// What a store knows about one stored object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectInfo {
    /// Relative to the store's prefix.
    pub key: String,
    pub size: u64,
    /// The ETag without quotes, when the store has one.
    pub etag: Option<String>,
    /// Milliseconds since the Unix epoch.
    pub last_modified_ms: Option<i64>,
    pub storage_class: Option<String>,
    /// User metadata (empty when the store keeps none or `list` returned it).
    pub metadata: BTreeMap<String, String>,
    /// The SHA-256 the store holds for the whole object, when it keeps one
    /// and said so (S3's `x-amz-checksum-sha256`, echoed by an upload that
    /// carried it; `head` does not ask for it, but keeps it if a server
    /// sends it anyway). `None` says nothing either way.
    pub sha256: Option<[u8; 32]>,
}

impl ObjectInfo {
    /// The ETag read as the MD5 of a single-part upload, if it is one
    /// (32 hex digits; multipart ETags end in `-N` and are never an MD5).
    pub fn etag_md5(&self) -> Option<[u8; 16]> {
        let etag = self.etag.as_deref()?;
        let mut out = [0u8; 16];
        hex::decode_to_slice(etag, &mut out).ok()?;
        Some(out)
    }
}

/// One page of a listing.
#[derive(Clone, Debug, Default)]
pub struct ListPage {
    pub objects: Vec<ObjectInfo>,
    /// Pass to the next `list` call; `None` on the last page.
    pub next: Option<String>,
}

/// One uploaded part of a multipart upload.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PartInfo {
    /// 1-based.
    pub number: u32,
    /// The part's ETag without quotes: its hex MD5 on most servers, but not
    /// with SSE-KMS or SSE-C, so it proves nothing alone (the server checks
    /// the Content-MD5 sent with the part).
    pub etag: String,
    pub size: u64,
}

/// A multipart upload that was started and neither completed nor aborted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingUpload {
    pub key: String,
    pub upload_id: String,
    pub initiated_ms: Option<i64>,
}

/// What the caller hashed of a body before sending it. The store sends each
/// one present as a checksum the receiving end verifies before it keeps the
/// bytes (S3: `Content-MD5`, and `x-amz-checksum-sha256`, whose value also
/// serves as the signed payload's hash, so the body is hashed once for both).
/// At least one must be given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BodySums {
    pub md5: Option<[u8; 16]>,
    pub sha256: Option<[u8; 32]>,
}

impl BodySums {
    /// Just the MD5.
    pub fn md5(md5: [u8; 16]) -> BodySums {
        BodySums {
            md5: Some(md5),
            sha256: None,
        }
    }

    /// Both hashes of `bytes`.
    pub fn of(bytes: &[u8]) -> BodySums {
        BodySums {
            md5: Some(md5_of(bytes)),
            sha256: Some(sha256_of(bytes)),
        }
    }
}

/// How fast an archived object comes back (S3's restore tiers), slowest
/// and cheapest last.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RestoreTier {
    /// Minutes (Glacier Flexible Retrieval only).
    Expedited,
    /// Hours: 3-5 from Flexible Retrieval, about 12 from Deep Archive.
    #[default]
    Standard,
    /// 5-12 hours from Flexible Retrieval, up to 48 from Deep Archive.
    Bulk,
}

impl RestoreTier {
    /// S3's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            RestoreTier::Expedited => "Expedited",
            RestoreTier::Standard => "Standard",
            RestoreTier::Bulk => "Bulk",
        }
    }

    /// Reads S3's name (any case).
    pub fn parse(s: &str) -> Option<RestoreTier> {
        [RestoreTier::Expedited, RestoreTier::Standard, RestoreTier::Bulk]
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(s))
    }
}

/// What asking for an archived object's restore found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RestoreAsked {
    /// A restore has started now.
    Started,
    /// One asked for earlier is still under way.
    InProgress,
}

/// What reading an object produced: its size and the hashes of its bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub size: u64,
    pub md5: [u8; 16],
    pub blake3: [u8; 32],
}

/// Options of a presigned GET link.
#[derive(Clone, Debug, Default)]
pub struct PresignGet {
    /// `response-content-disposition`, e.g. `attachment; filename="x.jpg"`.
    pub content_disposition: Option<String>,
    /// `response-content-type`.
    pub content_type: Option<String>,
}

/// Limits of a presigned POST (a browser form uploading into the bucket).
#[derive(Clone, Debug)]
pub struct PostPolicy {
    /// Largest accepted file, in bytes (the server refuses larger ones).
    pub max_size: u64,
    /// The `Content-Type` the form must send starts with this (e.g.
    /// `image/`); `None` accepts any type.
    pub content_type_prefix: Option<String>,
}

/// A signed POST policy: a form posted to `url` with these `fields` (then
/// `key`, `Content-Type` and the file last) stores one object whose key
/// starts with `key_prefix`.
#[derive(Clone, Debug)]
pub struct PresignedPost {
    pub url: String,
    /// The full key prefix in the bucket (the store's own prefix included).
    pub key_prefix: String,
    pub fields: BTreeMap<String, String>,
}

/// An object store: a bucket or a folder, addressed by keys relative to
/// the target's prefix.
///
/// All methods are async (the S3 store needs a Tokio runtime; the folder
/// store runs its file work on Tokio's blocking pool). Implementations are
/// cheap to clone and safe to share between tasks.
pub trait ObjectStore: Send + Sync + 'static {
    /// What this store can do.
    fn features(&self) -> Features;

    /// A short description for messages, e.g. `s3://bucket/prefix`.
    fn describe(&self) -> String;

    /// Checks that the target exists and the credentials work, by listing
    /// at most one key. Run before a sync so a wrong key stops at once.
    fn check(&self) -> impl Future<Output = Result<()>> + Send;

    /// Stores `body` under `key` in one request. `sums` are hashes of
    /// `body` as the caller computed them; the store refuses the upload if
    /// the bytes it received differ from any of them. The returned `sha256`
    /// is set when the store confirmed that checksum (a server that ignores
    /// `x-amz-checksum-sha256` leaves it `None`: check the ETag instead).
    fn put_bytes(
        &self,
        key: &str,
        body: Bytes,
        sums: BodySums,
        opts: &PutOptions,
    ) -> impl Future<Output = Result<ObjectInfo>> + Send;

    /// Starts a multipart upload; returns its upload id.
    fn create_multipart(&self, key: &str, opts: &PutOptions) -> impl Future<Output = Result<String>> + Send;

    /// Uploads part `number` (1-based) with the caller's MD5 of `body`.
    fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        body: Bytes,
        md5: [u8; 16],
    ) -> impl Future<Output = Result<PartInfo>> + Send;

    /// The parts the server holds for an unfinished upload.
    fn list_parts(&self, key: &str, upload_id: &str) -> impl Future<Output = Result<Vec<PartInfo>>> + Send;

    /// Assembles the parts (in `number` order) into the object.
    fn complete_multipart(
        &self,
        key: &str,
        upload_id: &str,
        parts: &[PartInfo],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Discards an unfinished upload and its parts. Idempotent.
    fn abort_multipart(&self, key: &str, upload_id: &str) -> impl Future<Output = Result<()>> + Send;

    /// Unfinished multipart uploads under `prefix`.
    fn list_uploads(&self, prefix: &str) -> impl Future<Output = Result<Vec<PendingUpload>>> + Send;

    /// Size, ETag and metadata of one object, or `NotFound`.
    fn head(&self, key: &str) -> impl Future<Output = Result<ObjectInfo>> + Send;

    /// Downloads `key` into the file `dest` (created or truncated, fsynced),
    /// hashing the bytes as they arrive. The caller compares the hashes and
    /// renames the file into place.
    fn get_to_file(&self, key: &str, dest: &Path) -> impl Future<Output = Result<Fetched>> + Send;

    /// Reads `key` and hashes it without keeping the bytes (fixity check).
    fn read_hashes(&self, key: &str) -> impl Future<Output = Result<Fetched>> + Send;

    /// Reads a small object (a manifest) into memory, hashed. More than
    /// `limit` bytes is an error (`ChecksumMismatch`: not what was listed),
    /// so a hostile or broken server cannot make the caller hold a huge
    /// body.
    fn get_bytes(&self, key: &str, limit: u64) -> impl Future<Output = Result<(Vec<u8>, Fetched)>> + Send;

    /// Reads `len` bytes of `key` from `start` (a ranged GET): a chunk of a
    /// large object's fixity check. Fewer bytes than asked (the object is
    /// shorter, or the body ended early) is an error.
    fn get_range(&self, key: &str, start: u64, len: u64) -> impl Future<Output = Result<Vec<u8>>> + Send;

    /// Asks for a readable copy of an object in an archive storage class
    /// (S3's RestoreObject) that lasts `days`, at `tier`. A read of the
    /// object fails with [`StoreError::Archived`] until the copy is ready;
    /// asking again while it is under way is harmless. Stores without
    /// archive classes answer `Unsupported`.
    fn request_restore(
        &self,
        key: &str,
        days: u32,
        tier: RestoreTier,
    ) -> impl Future<Output = Result<RestoreAsked>> + Send;

    /// Up to about 1,000 objects under `prefix`, from the position `next`
    /// of a previous page. Every key comes exactly once; the order is the
    /// server's (S3 and the folder store: byte order; SeaweedFS lists
    /// folder by folder).
    fn list(&self, prefix: &str, next: Option<String>) -> impl Future<Output = Result<ListPage>> + Send;

    /// Deletes `key`. Deleting a missing key is not an error.
    fn delete(&self, key: &str) -> impl Future<Output = Result<()>> + Send;

    /// Server-side copy of `from` to `to` (metadata kept).
    fn copy(&self, from: &str, to: &str) -> impl Future<Output = Result<()>> + Send;

    /// A presigned GET URL valid for `expires` (at most 7 days).
    fn presign_get(
        &self,
        key: &str,
        expires: Duration,
        opts: &PresignGet,
    ) -> impl Future<Output = Result<String>> + Send;

    /// A presigned PUT URL valid for `expires` (at most 7 days).
    fn presign_put(
        &self,
        key: &str,
        expires: Duration,
        content_type: Option<&str>,
    ) -> impl Future<Output = Result<String>> + Send;

    /// A presigned POST policy valid for `expires` (at most 7 days) that
    /// lets a browser form upload objects under `prefix` within `policy`'s
    /// limits, and nowhere else.
    fn presign_post(
        &self,
        prefix: &str,
        expires: Duration,
        policy: &PostPolicy,
    ) -> impl Future<Output = Result<PresignedPost>> + Send;
}

/// Checks a key before it reaches a store: relative, no `.`/`..` segments,
/// no empty segments, no NUL or backslash, at most 1,024 bytes.
pub fn validate_key(key: &str) -> Result<()> {
    let bad = |why: &str| Err(StoreError::Invalid(format!("object key `{key}` is not valid: {why}")));
    if key.is_empty() {
        return bad("it is empty");
    }
    if key.len() > 1024 {
        return bad("it is longer than 1,024 bytes");
    }
    if key.contains(['\0', '\\']) {
        return bad("it contains a NUL or a backslash");
    }
    if key.split('/').any(|s| s.is_empty() || s == "." || s == "..") {
        return bad("it has an empty, `.` or `..` segment");
    }
    Ok(())
}

/// MD5 of `bytes`.
pub fn md5_of(bytes: &[u8]) -> [u8; 16] {
    use md5::Digest as _;
    md5::Md5::digest(bytes).into()
}

/// SHA-256 of `bytes` (with the CPU's SHA extensions where it has them).
pub fn sha256_of(bytes: &[u8]) -> [u8; 32] {
    use sha2::Digest as _;
    sha2::Sha256::digest(bytes).into()
}

/// Base64 of an MD5, as `Content-MD5` wants it.
pub fn md5_base64(md5: &[u8; 16]) -> String {
    base64::engine::general_purpose::STANDARD.encode(md5)
}

/// The ETag S3 gives a completed multipart upload: the MD5 of the
/// concatenated part MD5s, a dash and the part count. Comparing it with
/// this (never with the file's MD5) verifies every part.
pub fn multipart_etag(part_md5s: &[[u8; 16]]) -> String {
    use md5::Digest as _;
    let mut h = md5::Md5::new();
    for m in part_md5s {
        h.update(m);
    }
    format!("{}-{}", hex::encode(h.finalize()), part_md5s.len())
}

/// Hashes bytes as they stream past (MD5 and BLAKE3).
#[derive(Default)]
pub(crate) struct StreamHasher {
    md5: md5::Md5,
    blake3: blake3::Hasher,
    size: u64,
}

impl std::fmt::Debug for StreamHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamHasher").field("size", &self.size).finish()
    }
}

impl StreamHasher {
    pub(crate) fn update(&mut self, bytes: &[u8]) {
        use md5::Digest as _;
        self.md5.update(bytes);
        self.blake3.update(bytes);
        self.size += bytes.len() as u64;
    }

    pub(crate) fn finish(self) -> Fetched {
        use md5::Digest as _;
        Fetched {
            size: self.size,
            md5: self.md5.finalize().into(),
            blake3: *self.blake3.finalize().as_bytes(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert!(validate_key("originals/ab/abc.jpg").is_ok());
        for bad in ["", "/abs", "a//b", "a/../b", "./a", "a\\b", "a\0b", "a/"] {
            assert!(validate_key(bad).is_err(), "{bad:?} accepted");
        }
        assert!(validate_key(&"k".repeat(1025)).is_err());
    }

    #[test]
    fn multipart_etag_matches_s3s_rule() {
        // Two parts: "a" and "b". md5(md5("a") || md5("b")) + "-2".
        let etag = multipart_etag(&[md5_of(b"a"), md5_of(b"b")]);
        let mut cat = Vec::new();
        cat.extend_from_slice(&md5_of(b"a"));
        cat.extend_from_slice(&md5_of(b"b"));
        assert_eq!(etag, format!("{}-2", hex::encode(md5_of(&cat))));
    }

    #[test]
    fn etag_md5_only_for_single_part() {
        let mut info = ObjectInfo {
            key: "k".into(),
            size: 1,
            etag: Some(hex::encode(md5_of(b"x"))),
            last_modified_ms: None,
            storage_class: None,
            metadata: BTreeMap::new(),
            sha256: None,
        };
        assert_eq!(info.etag_md5(), Some(md5_of(b"x")));
        info.etag = Some(multipart_etag(&[md5_of(b"x")]));
        assert_eq!(info.etag_md5(), None);
    }
}
