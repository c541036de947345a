//! An S3-compatible bucket through aws-sdk-s3.
//!
//! What is sent is what every S3-compatible server accepts: request bodies
//! are in memory, so SigV4 signs their SHA-256 (no `UNSIGNED-PAYLOAD`, no
//! `aws-chunked` streaming with trailing checksums, which Garage and others
//! reject), and every upload carries the caller's own hashes for the server
//! to check: `Content-MD5`, and for single-part uploads
//! `x-amz-checksum-sha256`, whose value is also handed to SigV4 as the
//! payload hash so the body is hashed once for both. A server that ignores
//! that header does not echo it, and the caller falls back to the MD5; one
//! that refuses it (Backblaze B2: 400 "Unsupported header") gets the upload
//! again with `Content-MD5` alone, and no more checksum headers. The
//! SDK's own automatic CRC checksums are switched to "when required" for the
//! same reason. Verification reads back (`head`, `read_hashes`); nothing
//! relies on a server enforcing conditional requests or part-size minimums.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_sdk_s3::config::{
    Credentials, Region, RequestChecksumCalculation, ResponseChecksumValidation, SharedCredentialsProvider,
    StalledStreamProtectionConfig,
};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{
    CompletedMultipartUpload, CompletedPart, GlacierJobParameters, MetadataDirective, RestoreRequest,
    ServerSideEncryption, StorageClass, Tier,
};
use aws_smithy_types::retry::RetryConfig;
use aws_smithy_types::timeout::TimeoutConfig;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use bytes::Bytes;
use tokio::io::AsyncWriteExt as _;

mod classify;
mod options;
mod payload_hash;

use classify::{classify, is_missing_credentials, refuses_a_header};
pub use options::{CredentialSource, S3Options};
use payload_hash::SignedPayloadHash;

use crate::error::{Result, StoreError};
use crate::{
    BodySums, Features, Fetched, ListPage, MAX_PRESIGN_EXPIRY, ObjectInfo, ObjectStore, PartInfo, PendingUpload,
    PostPolicy, PresignGet, PresignedPost, PutOptions, RestoreAsked, RestoreTier, StreamHasher, md5_base64,
    validate_key,
};

/// An S3 bucket (or a prefix of one). Cheap to clone.
#[derive(Clone)]
pub struct S3Store {
    client: aws_sdk_s3::Client,
    inner: Arc<Inner>,
}

struct Inner {
    bucket: String,
    prefix: String,
    sse: Option<ServerSideEncryption>,
    /// The KMS key asked for with `aws:kms`.
    kms_key: Option<String>,
    describe: String,
    credentials: Option<SharedCredentialsProvider>,
    /// The server refused `x-amz-checksum-sha256` once (Backblaze B2 does):
    /// uploads go without it.
    checksum_header_refused: AtomicBool,
}

impl std::fmt::Debug for S3Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Store").field("target", &self.inner.describe).finish()
    }
}

impl S3Store {
    /// Builds a client. Resolving the AWS chain may read files and the
    /// environment; nothing is sent until the first call ([`ObjectStore::check`]).
    pub async fn connect(opts: S3Options) -> Result<S3Store> {
        // Kept for signing POST policies, which the SDK cannot do.
        let provider: Option<SharedCredentialsProvider>;
        let mut builder = match &opts.credentials {
            CredentialSource::Static {
                access_key,
                secret_key,
                session_token,
            } => {
                let creds = Credentials::new(access_key, secret_key, session_token.clone(), None, "trove");
                provider = Some(SharedCredentialsProvider::new(creds.clone()));
                aws_sdk_s3::Config::builder()
                    .behavior_version_latest()
                    .credentials_provider(creds)
                    .region(Region::new(opts.region.clone().unwrap_or_else(|| "us-east-1".into())))
            }
            CredentialSource::AwsChain { profile } => {
                let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
                if let Some(p) = profile {
                    loader = loader.profile_name(p);
                }
                let sdk = loader.load().await;
                provider = sdk.credentials_provider();
                let region = opts
                    .region
                    .clone()
                    .or_else(|| sdk.region().map(|r| r.to_string()))
                    .unwrap_or_else(|| "us-east-1".into());
                aws_sdk_s3::config::Builder::from(&sdk).region(Region::new(region))
            }
        };
        if let Some(endpoint) = &opts.endpoint {
            builder = builder.endpoint_url(endpoint);
        }
        builder = builder
            .force_path_style(opts.path_style || opts.endpoint.is_some())
            .request_checksum_calculation(RequestChecksumCalculation::WhenRequired)
            .response_checksum_validation(ResponseChecksumValidation::WhenRequired)
            .retry_config(RetryConfig::standard().with_max_attempts(opts.max_attempts.max(1)))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(opts.connect_timeout)
                    .read_timeout(opts.read_timeout)
                    .build(),
            )
            .stalled_stream_protection(
                StalledStreamProtectionConfig::enabled()
                    .grace_period(opts.stall_timeout)
                    .build(),
            );
        let sse = match opts.server_side_encryption.as_deref() {
            None | Some("") => None,
            Some(s) => Some(ServerSideEncryption::from(s)),
        };
        let kms_key = opts
            .sse_kms_key_id
            .filter(|k| !k.is_empty() && matches!(sse, Some(ServerSideEncryption::AwsKms)));
        let prefix = opts.prefix.trim_matches('/').to_owned();
        let describe = if prefix.is_empty() {
            format!("s3://{}", opts.bucket)
        } else {
            format!("s3://{}/{prefix}", opts.bucket)
        };
        Ok(S3Store {
            client: aws_sdk_s3::Client::from_conf(builder.build()),
            inner: Arc::new(Inner {
                bucket: opts.bucket,
                prefix,
                sse,
                kms_key,
                describe,
                credentials: provider,
                checksum_header_refused: AtomicBool::new(false),
            }),
        })
    }

    fn full_key(&self, key: &str) -> Result<String> {
        validate_key(key)?;
        Ok(self.join(key))
    }

    fn join(&self, key: &str) -> String {
        if self.inner.prefix.is_empty() {
            key.to_owned()
        } else {
            format!("{}/{key}", self.inner.prefix)
        }
    }

    fn relative(&self, full: &str) -> String {
        if self.inner.prefix.is_empty() {
            full.to_owned()
        } else {
            full.strip_prefix(&self.inner.prefix)
                .and_then(|k| k.strip_prefix('/'))
                .unwrap_or(full)
                .to_owned()
        }
    }

    /// Turns an SDK error into a typed store error.
    fn error<E>(
        &self,
        op: &'static str,
        key: &str,
        err: SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    ) -> StoreError
    where
        E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        let store = self.inner.describe.clone();
        let key = key.to_owned();
        match &err {
            SdkError::ServiceError(service) => {
                let status = service.raw().status().as_u16();
                let code = service.err().code().unwrap_or("").to_owned();
                let detail = service.err().message().unwrap_or("").to_owned();
                classify(store, op, key, status, code, detail)
            }
            SdkError::ConstructionFailure(_) => {
                let detail = DisplayErrorContext(&err).to_string();
                if is_missing_credentials(&detail) {
                    StoreError::NoCredentials { store, detail }
                } else {
                    StoreError::Invalid(format!("{store}: cannot build the {op} request for `{key}`: {detail}"))
                }
            }
            SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
                let detail = DisplayErrorContext(&err).to_string();
                if is_missing_credentials(&detail) {
                    StoreError::NoCredentials { store, detail }
                } else {
                    StoreError::Network { store, op, key, detail }
                }
            }
            _ => StoreError::Network {
                store,
                op,
                key,
                detail: DisplayErrorContext(&err).to_string(),
            },
        }
    }

    /// One PutObject: `Content-MD5` when the MD5 is given; the SHA-256,
    /// when given, as SigV4's payload hash and, with `header`, as
    /// `x-amz-checksum-sha256` too.
    async fn put_request(
        &self,
        full: &str,
        key: &str,
        body: Bytes,
        sums: BodySums,
        header: bool,
        opts: &PutOptions,
    ) -> Result<PutAnswer> {
        let size = body.len();
        let req = self
            .client
            .put_object()
            .bucket(&self.inner.bucket)
            .key(full)
            .set_content_md5(sums.md5.as_ref().map(md5_base64))
            .set_checksum_sha256(sums.sha256.filter(|_| header).map(|h| BASE64.encode(h)))
            .content_length(size as i64)
            .body(ByteStream::from(body))
            .set_content_type(opts.content_type.clone())
            .set_storage_class(opts.storage_class.as_deref().map(StorageClass::from))
            .set_server_side_encryption(self.inner.sse.clone())
            .set_ssekms_key_id(self.inner.kms_key.clone())
            .set_metadata(metadata(opts));
        let out = match sums.sha256 {
            // The SDK need not hash the body a second time.
            Some(h) => {
                req.customize()
                    .interceptor(SignedPayloadHash(hex::encode(h)))
                    .send()
                    .await
            }
            None => req.send().await,
        }
        .map_err(|e| self.error("upload", key, e))?;
        Ok(PutAnswer {
            size: size as i64,
            etag: out.e_tag().map(str::to_owned),
            checksum_sha256: out.checksum_sha256().map(str::to_owned),
        })
    }

    fn info_from(
        &self,
        key: &str,
        size: Option<i64>,
        etag: Option<&str>,
        modified: Option<&aws_smithy_types::DateTime>,
        class: Option<&str>,
        metadata: Option<&std::collections::HashMap<String, String>>,
    ) -> ObjectInfo {
        ObjectInfo {
            key: key.to_owned(),
            size: size.unwrap_or(0).max(0) as u64,
            etag: etag.map(unquote),
            last_modified_ms: modified.and_then(|d| d.to_millis().ok()),
            storage_class: class.map(str::to_owned),
            metadata: metadata
                .map(|m| m.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect())
                .unwrap_or_default(),
            sha256: None,
        }
    }

    async fn read_into(&self, key: &str, sink: Sink<'_>, dest: &Path) -> Result<Fetched> {
        let mut hasher = StreamHasher::default();
        self.read_body(key, None, sink, dest, Some(&mut hasher)).await?;
        Ok(hasher.finish())
    }

    /// Reads the object (or `range`: first byte, length) into `sink`,
    /// hashing it when given a hasher; returns the bytes read. A body that
    /// ends before its Content-Length is an error.
    async fn read_body(
        &self,
        key: &str,
        range: Option<(u64, u64)>,
        mut sink: Sink<'_>,
        dest: &Path,
        mut hasher: Option<&mut StreamHasher>,
    ) -> Result<u64> {
        let full = self.full_key(key)?;
        let out = self
            .client
            .get_object()
            .bucket(&self.inner.bucket)
            .key(&full)
            .set_range(range.map(|(start, len)| format!("bytes={start}-{}", start + len.max(1) - 1)))
            .send()
            .await
            .map_err(|e| self.error("download", key, e))?;
        let expected = out.content_length();
        let mut body = out.body;
        let mut size = 0u64;
        loop {
            let chunk = body.try_next().await.map_err(|e| StoreError::Network {
                store: self.inner.describe.clone(),
                op: "download",
                key: key.to_owned(),
                detail: DisplayErrorContext(&e).to_string(),
            })?;
            let Some(chunk) = chunk else { break };
            size += chunk.len() as u64;
            if let Some(h) = hasher.as_deref_mut() {
                h.update(&chunk);
            }
            match &mut sink {
                Sink::None => {}
                Sink::File(f) => f
                    .write_all(&chunk)
                    .await
                    .map_err(|e| StoreError::io("write", dest, e))?,
                Sink::Memory(buf, limit) => {
                    if (buf.len() + chunk.len()) as u64 > *limit {
                        return Err(StoreError::ChecksumMismatch {
                            store: self.inner.describe.clone(),
                            key: key.to_owned(),
                            detail: format!("larger than the {limit} bytes expected"),
                        });
                    }
                    buf.extend_from_slice(&chunk);
                }
            }
        }
        if let Some(len) = expected
            && len >= 0
            && len as u64 != size
        {
            return Err(StoreError::Network {
                store: self.inner.describe.clone(),
                op: "download",
                key: key.to_owned(),
                detail: format!("the body ended after {size} of {len} bytes"),
            });
        }
        Ok(size)
    }
}

/// Where a download's bytes go.
enum Sink<'a> {
    /// Nowhere: only hashed (fixity check).
    None,
    File(&'a mut tokio::fs::File),
    /// Into memory, at most this many bytes.
    Memory(&'a mut Vec<u8>, u64),
}

/// User metadata as the SDK takes it (`None` when there is none).
fn metadata(opts: &PutOptions) -> Option<std::collections::HashMap<String, String>> {
    (!opts.metadata.is_empty()).then(|| opts.metadata.clone().into_iter().collect())
}

/// What a PutObject answered.
struct PutAnswer {
    size: i64,
    etag: Option<String>,
    checksum_sha256: Option<String>,
}

/// A whole-object SHA-256 as S3 returns it (base64). A multipart object's
/// checksum of part checksums (`...-N`) is not one and gives `None`.
fn whole_sha256(value: Option<&str>) -> Option<[u8; 32]> {
    BASE64.decode(value?).ok()?.try_into().ok()
}

fn unquote(etag: &str) -> String {
    etag.trim_matches('"').to_ascii_lowercase()
}

fn check_expiry(store: &str, expires: Duration) -> Result<PresigningConfig> {
    if expires > MAX_PRESIGN_EXPIRY {
        return Err(StoreError::Invalid(format!(
            "{store}: a link cannot last longer than 7 days (SigV4's limit); {} hours were asked",
            expires.as_secs() / 3600
        )));
    }
    if expires.is_zero() {
        return Err(StoreError::Invalid(format!(
            "{store}: a link must last at least one second"
        )));
    }
    PresigningConfig::expires_in(expires).map_err(|e| StoreError::Invalid(format!("{store}: {e}")))
}

impl ObjectStore for S3Store {
    fn features(&self) -> Features {
        Features {
            presign: true,
            etag_is_md5: true,
            metadata: true,
            storage_class: true,
            signs_payload: true,
        }
    }

    fn describe(&self) -> String {
        self.inner.describe.clone()
    }

    async fn check(&self) -> Result<()> {
        let mut req = self.client.list_objects_v2().bucket(&self.inner.bucket).max_keys(1);
        if !self.inner.prefix.is_empty() {
            req = req.prefix(format!("{}/", self.inner.prefix));
        }
        req.send().await.map_err(|e| self.error("check", "(bucket)", e))?;
        Ok(())
    }

    async fn put_bytes(&self, key: &str, body: Bytes, sums: BodySums, opts: &PutOptions) -> Result<ObjectInfo> {
        let full = self.full_key(key)?;
        if sums.md5.is_none() && sums.sha256.is_none() {
            return Err(StoreError::Invalid(format!(
                "{key}: an upload needs an MD5 or a SHA-256"
            )));
        }
        let header = sums.sha256.is_some() && !self.inner.checksum_header_refused.load(Ordering::Relaxed);
        let out = match self.put_request(&full, key, body.clone(), sums, header, opts).await {
            // Backblaze B2 answers 400 InvalidArgument "Unsupported header
            // 'x-amz-checksum-sha256'". Sent again with Content-MD5 alone; if
            // that is taken, the header is left out for the rest of the
            // store's life. (Another refusal returns the second error.)
            Err(e) if header && refuses_a_header(&e) => {
                let md5 = sums.md5.unwrap_or_else(|| crate::md5_of(&body));
                let plain = BodySums {
                    md5: Some(md5),
                    sha256: sums.sha256,
                };
                let out = self.put_request(&full, key, body, plain, false, opts).await?;
                self.inner.checksum_header_refused.store(true, Ordering::Relaxed);
                out
            }
            other => other?,
        };
        let mut info = self.info_from(
            key,
            Some(out.size),
            out.etag.as_deref(),
            None,
            opts.storage_class.as_deref(),
            None,
        );
        // An echo that is not a base64 SHA-256 confirms nothing (`None`:
        // the caller checks the MD5 instead); a different one is a mismatch.
        info.sha256 = whole_sha256(out.checksum_sha256.as_deref());
        if let (Some(sent), Some(echoed)) = (sums.sha256, info.sha256)
            && echoed != sent
        {
            return Err(StoreError::ChecksumMismatch {
                store: self.describe(),
                key: key.to_owned(),
                detail: format!(
                    "the server's SHA-256 {} is not the one sent",
                    out.checksum_sha256.unwrap_or_default()
                ),
            });
        }
        Ok(info)
    }

    async fn create_multipart(&self, key: &str, opts: &PutOptions) -> Result<String> {
        let full = self.full_key(key)?;
        let out = self
            .client
            .create_multipart_upload()
            .bucket(&self.inner.bucket)
            .key(&full)
            .set_content_type(opts.content_type.clone())
            .set_storage_class(opts.storage_class.as_deref().map(StorageClass::from))
            .set_server_side_encryption(self.inner.sse.clone())
            .set_ssekms_key_id(self.inner.kms_key.clone())
            .set_metadata(metadata(opts))
            .send()
            .await
            .map_err(|e| self.error("start upload", key, e))?;
        out.upload_id().map(str::to_owned).ok_or_else(|| StoreError::Refused {
            store: self.describe(),
            op: "start upload",
            key: key.to_owned(),
            status: 200,
            code: String::new(),
            detail: "the server returned no upload id".into(),
        })
    }

    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        body: Bytes,
        md5: [u8; 16],
    ) -> Result<PartInfo> {
        let full = self.full_key(key)?;
        if !(1..=10_000).contains(&number) {
            return Err(StoreError::Invalid(format!(
                "part number {number} is outside 1..=10000"
            )));
        }
        let size = body.len() as u64;
        let out = self
            .client
            .upload_part()
            .bucket(&self.inner.bucket)
            .key(&full)
            .upload_id(upload_id)
            .part_number(number as i32)
            .content_md5(md5_base64(&md5))
            .content_length(size as i64)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| self.error("upload part", key, e))?;
        // Content-MD5 made the server check the part before it kept it (a
        // mismatch is its BadDigest error). Its ETag is not compared: with
        // SSE-KMS or SSE-C, or on servers with their own scheme, it is not
        // the MD5, and the whole object is verified once completed.
        let etag = out.e_tag().map(unquote).unwrap_or_default();
        Ok(PartInfo { number, etag, size })
    }

    async fn list_parts(&self, key: &str, upload_id: &str) -> Result<Vec<PartInfo>> {
        let full = self.full_key(key)?;
        let mut parts = Vec::new();
        let mut marker: Option<String> = None;
        loop {
            let mut req = self
                .client
                .list_parts()
                .bucket(&self.inner.bucket)
                .key(&full)
                .upload_id(upload_id);
            if let Some(m) = &marker {
                req = req.part_number_marker(m);
            }
            let out = req.send().await.map_err(|e| self.error("list parts", key, e))?;
            for p in out.parts() {
                parts.push(PartInfo {
                    number: p.part_number().unwrap_or(0).max(0) as u32,
                    etag: p.e_tag().map(unquote).unwrap_or_default(),
                    size: p.size().unwrap_or(0).max(0) as u64,
                });
            }
            match (out.is_truncated(), out.next_part_number_marker()) {
                (Some(true), Some(m)) if marker.as_deref() != Some(m) => marker = Some(m.to_owned()),
                _ => break,
            }
        }
        parts.sort_by_key(|p| p.number);
        Ok(parts)
    }

    async fn complete_multipart(&self, key: &str, upload_id: &str, parts: &[PartInfo]) -> Result<()> {
        let full = self.full_key(key)?;
        let completed = CompletedMultipartUpload::builder()
            .set_parts(Some(
                parts
                    .iter()
                    .map(|p| {
                        CompletedPart::builder()
                            .part_number(p.number as i32)
                            .e_tag(format!("\"{}\"", p.etag))
                            .build()
                    })
                    .collect(),
            ))
            .build();
        self.client
            .complete_multipart_upload()
            .bucket(&self.inner.bucket)
            .key(&full)
            .upload_id(upload_id)
            .multipart_upload(completed)
            .send()
            .await
            .map_err(|e| self.error("complete upload", key, e))?;
        Ok(())
    }

    async fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<()> {
        let full = self.full_key(key)?;
        match self
            .client
            .abort_multipart_upload()
            .bucket(&self.inner.bucket)
            .key(&full)
            .upload_id(upload_id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match self.error("abort upload", key, e) {
                e if e.is_not_found() => Ok(()),
                e => Err(e),
            },
        }
    }

    async fn list_uploads(&self, prefix: &str) -> Result<Vec<PendingUpload>> {
        let mut out_list = Vec::new();
        let mut key_marker: Option<String> = None;
        let mut id_marker: Option<String> = None;
        loop {
            let mut req = self
                .client
                .list_multipart_uploads()
                .bucket(&self.inner.bucket)
                .prefix(self.join(prefix));
            if let Some(k) = &key_marker {
                req = req.key_marker(k);
            }
            if let Some(i) = &id_marker {
                req = req.upload_id_marker(i);
            }
            let out = req.send().await.map_err(|e| self.error("list uploads", prefix, e))?;
            for u in out.uploads() {
                let (Some(key), Some(id)) = (u.key(), u.upload_id()) else {
                    continue;
                };
                out_list.push(PendingUpload {
                    key: self.relative(key),
                    upload_id: id.to_owned(),
                    initiated_ms: u.initiated().and_then(|d| d.to_millis().ok()),
                });
            }
            let next = (
                out.next_key_marker().map(str::to_owned),
                out.next_upload_id_marker().map(str::to_owned),
            );
            if out.is_truncated() != Some(true) || (next.0 == key_marker && next.1 == id_marker) {
                break;
            }
            (key_marker, id_marker) = next;
        }
        Ok(out_list)
    }

    async fn head(&self, key: &str) -> Result<ObjectInfo> {
        let full = self.full_key(key)?;
        let out = self
            .client
            .head_object()
            .bucket(&self.inner.bucket)
            .key(&full)
            // No `x-amz-checksum-mode`: Backblaze B2 refuses the header
            // (400), and nothing here needs the stored checksum from a HEAD.
            .send()
            .await
            .map_err(|e| self.error("head", key, e))?;
        let mut info = self.info_from(
            key,
            out.content_length(),
            out.e_tag(),
            out.last_modified(),
            out.storage_class().map(|c| c.as_str()),
            out.metadata(),
        );
        // Some servers return it unasked.
        info.sha256 = whole_sha256(out.checksum_sha256());
        Ok(info)
    }

    async fn get_to_file(&self, key: &str, dest: &Path) -> Result<Fetched> {
        let mut file = tokio::fs::File::create(dest)
            .await
            .map_err(|e| StoreError::io("create", dest, e))?;
        let fetched = self.read_into(key, Sink::File(&mut file), dest).await?;
        file.flush().await.map_err(|e| StoreError::io("write", dest, e))?;
        file.sync_all().await.map_err(|e| StoreError::io("sync", dest, e))?;
        Ok(fetched)
    }

    async fn read_hashes(&self, key: &str) -> Result<Fetched> {
        self.read_into(key, Sink::None, Path::new("")).await
    }

    async fn get_range(&self, key: &str, start: u64, len: u64) -> Result<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        let mut bytes = Vec::with_capacity(usize::try_from(len).unwrap_or(0));
        // Not hashed here: the caller hashes the chunk its own way.
        let read = self
            .read_body(
                key,
                Some((start, len)),
                Sink::Memory(&mut bytes, len),
                Path::new(""),
                None,
            )
            .await?;
        if read != len {
            return Err(StoreError::Network {
                store: self.inner.describe.clone(),
                op: "download",
                key: key.to_owned(),
                detail: format!("{read} bytes from {start}, {len} asked"),
            });
        }
        Ok(bytes)
    }

    async fn get_bytes(&self, key: &str, limit: u64) -> Result<(Vec<u8>, Fetched)> {
        let mut buf = Vec::new();
        let fetched = self
            .read_into(key, Sink::Memory(&mut buf, limit), Path::new(""))
            .await?;
        Ok((buf, fetched))
    }

    async fn list(&self, prefix: &str, next: Option<String>) -> Result<ListPage> {
        let mut req = self
            .client
            .list_objects_v2()
            .bucket(&self.inner.bucket)
            .prefix(self.join(prefix))
            .max_keys(1000);
        if let Some(token) = next {
            req = req.continuation_token(token);
        }
        let out = req.send().await.map_err(|e| self.error("list", prefix, e))?;
        let objects = out
            .contents()
            .iter()
            .filter_map(|o| {
                let key = self.relative(o.key()?);
                Some(self.info_from(
                    &key,
                    o.size(),
                    o.e_tag(),
                    o.last_modified(),
                    o.storage_class().map(|c| c.as_str()),
                    None,
                ))
            })
            .collect();
        let next = match out.is_truncated() {
            Some(true) => out.next_continuation_token().map(str::to_owned),
            _ => None,
        };
        Ok(ListPage { objects, next })
    }

    async fn delete(&self, key: &str) -> Result<()> {
        let full = self.full_key(key)?;
        match self
            .client
            .delete_object()
            .bucket(&self.inner.bucket)
            .key(&full)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match self.error("delete", key, e) {
                StoreError::NotFound { .. } => Ok(()),
                e => Err(e),
            },
        }
    }

    async fn request_restore(&self, key: &str, days: u32, tier: RestoreTier) -> Result<RestoreAsked> {
        let full = self.full_key(key)?;
        let job = GlacierJobParameters::builder()
            .tier(Tier::from(tier.as_str()))
            .build()
            .map_err(|e| StoreError::Invalid(format!("{}: restore of `{key}`: {e}", self.inner.describe)))?;
        let request = RestoreRequest::builder()
            .days(i32::try_from(days).unwrap_or(i32::MAX))
            .glacier_job_parameters(job)
            .build();
        match self
            .client
            .restore_object()
            .bucket(&self.inner.bucket)
            .key(&full)
            .restore_request(request)
            .send()
            .await
        {
            Ok(_) => Ok(RestoreAsked::Started),
            Err(e) => {
                // 409: a restore asked for earlier is still running.
                if let SdkError::ServiceError(service) = &e
                    && service.err().code() == Some("RestoreAlreadyInProgress")
                {
                    return Ok(RestoreAsked::InProgress);
                }
                Err(self.error("restore", key, e))
            }
        }
    }

    async fn copy(&self, from: &str, to: &str) -> Result<()> {
        let src = self.full_key(from)?;
        let dst = self.full_key(to)?;
        let source = format!("{}/{}", self.inner.bucket, encode_copy_source(&src));
        let mut req = self
            .client
            .copy_object()
            .bucket(&self.inner.bucket)
            .key(&dst)
            .copy_source(source)
            .metadata_directive(MetadataDirective::Copy);
        if let Some(sse) = &self.inner.sse {
            req = req
                .server_side_encryption(sse.clone())
                .set_ssekms_key_id(self.inner.kms_key.clone());
        }
        req.send().await.map_err(|e| self.error("copy", from, e))?;
        Ok(())
    }

    async fn presign_get(&self, key: &str, expires: Duration, opts: &PresignGet) -> Result<String> {
        let full = self.full_key(key)?;
        let config = check_expiry(&self.inner.describe, expires)?;
        let mut req = self.client.get_object().bucket(&self.inner.bucket).key(&full);
        if let Some(cd) = &opts.content_disposition {
            req = req.response_content_disposition(cd);
        }
        if let Some(ct) = &opts.content_type {
            req = req.response_content_type(ct);
        }
        let signed = req.presigned(config).await.map_err(|e| self.error("sign", key, e))?;
        Ok(signed.uri().to_owned())
    }

    async fn presign_put(&self, key: &str, expires: Duration, content_type: Option<&str>) -> Result<String> {
        let full = self.full_key(key)?;
        let config = check_expiry(&self.inner.describe, expires)?;
        let mut req = self.client.put_object().bucket(&self.inner.bucket).key(&full);
        if let Some(ct) = content_type {
            req = req.content_type(ct);
        }
        let signed = req.presigned(config).await.map_err(|e| self.error("sign", key, e))?;
        Ok(signed.uri().to_owned())
    }

    /// The SDK cannot sign POST policies, so this builds one by the book
    /// (AWS "Browser-based uploads using POST", SigV4), with the SDK's own
    /// credentials and aws-sigv4's key derivation and HMAC.
    async fn presign_post(&self, prefix: &str, expires: Duration, policy: &PostPolicy) -> Result<PresignedPost> {
        use aws_sdk_s3::config::ProvideCredentials as _;
        use base64::Engine as _;
        check_expiry(&self.inner.describe, expires)?;
        // The prefix must be a key prefix ending in `/` (a "folder").
        let probe = format!("{}probe", prefix.trim_end_matches('/').to_owned() + "/");
        let full_probe = self.full_key(&probe)?;
        let key_prefix = full_probe.strip_suffix("probe").unwrap_or_default().to_owned();
        let config = self.client.config();
        let provider = self
            .inner
            .credentials
            .as_ref()
            .ok_or_else(|| StoreError::NoCredentials {
                store: self.inner.describe.clone(),
                detail: "no credentials provider is configured".into(),
            })?;
        let creds = provider
            .provide_credentials()
            .await
            .map_err(|e| StoreError::NoCredentials {
                store: self.inner.describe.clone(),
                detail: DisplayErrorContext(&e).to_string(),
            })?;
        let region = config
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "us-east-1".into());
        // The form's URL is the bucket's: a presigned GET of the probe key
        // without its key and query (works for both addressing styles).
        let probe_url = self
            .presign_get(&probe, Duration::from_secs(60), &PresignGet::default())
            .await?;
        let bare = probe_url.split('?').next().unwrap_or_default();
        let url = bare
            .strip_suffix(full_probe.as_str())
            .ok_or_else(|| {
                StoreError::Invalid(format!("{}: cannot find the bucket URL in {bare}", self.inner.describe))
            })?
            .to_owned();
        let now = std::time::SystemTime::now();
        let stamp = iso_basic(now);
        let date = &stamp[..8];
        let credential = format!("{}/{date}/{region}/s3/aws4_request", creds.access_key_id());
        let expiration = aws_smithy_types::DateTime::from_secs(
            (now + expires)
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_secs() as i64,
        )
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .map_err(|e| StoreError::Invalid(format!("{}: {e}", self.inner.describe)))?;
        let mut conditions = vec![
            serde_json::json!({ "bucket": self.inner.bucket }),
            serde_json::json!(["starts-with", "$key", key_prefix]),
            serde_json::json!(["content-length-range", 1, policy.max_size]),
            serde_json::json!([
                "starts-with",
                "$Content-Type",
                policy.content_type_prefix.clone().unwrap_or_default()
            ]),
            serde_json::json!({ "x-amz-algorithm": "AWS4-HMAC-SHA256" }),
            serde_json::json!({ "x-amz-credential": credential }),
            serde_json::json!({ "x-amz-date": stamp }),
        ];
        if let Some(token) = creds.session_token() {
            conditions.push(serde_json::json!({ "x-amz-security-token": token }));
        }
        let document = serde_json::json!({ "expiration": expiration, "conditions": conditions });
        let encoded = base64::engine::general_purpose::STANDARD.encode(document.to_string());
        let key = aws_sigv4::sign::v4::generate_signing_key(creds.secret_access_key(), now, &region, "s3");
        let signature = aws_sigv4::sign::v4::calculate_signature(key, encoded.as_bytes());
        let mut fields = BTreeMap::new();
        fields.insert("policy".to_owned(), encoded);
        fields.insert("x-amz-algorithm".to_owned(), "AWS4-HMAC-SHA256".to_owned());
        fields.insert("x-amz-credential".to_owned(), credential);
        fields.insert("x-amz-date".to_owned(), stamp);
        fields.insert("x-amz-signature".to_owned(), signature);
        if let Some(token) = creds.session_token() {
            fields.insert("x-amz-security-token".to_owned(), token.to_owned());
        }
        Ok(PresignedPost {
            url,
            key_prefix,
            fields,
        })
    }
}

/// `20261122T000128Z` (SigV4's basic ISO 8601 form, whole seconds, UTC).
fn iso_basic(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_secs() as i64;
    let iso = aws_smithy_types::DateTime::from_secs(secs)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default();
    iso.chars().filter(|c| *c != '-' && *c != ':').collect()
}

/// `x-amz-copy-source` is URL-encoded except for `/`.
fn encode_copy_source(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_classified() {
        let c = |status, code: &str| classify("s3://b".into(), "upload", "k".into(), status, code.into(), "m".into());
        assert_eq!(c(403, "SignatureDoesNotMatch").code(), "store_bad_credentials");
        assert_eq!(c(403, "InvalidAccessKeyId").code(), "store_bad_credentials");
        assert_eq!(c(403, "AccessDenied").code(), "store_access_denied");
        assert_eq!(c(404, "NoSuchBucket").code(), "store_no_bucket");
        assert_eq!(c(404, "").code(), "store_not_found");
        assert_eq!(c(400, "BadDigest").code(), "store_checksum_mismatch");
        assert_eq!(c(503, "SlowDown").code(), "store_server_busy");
        assert_eq!(c(507, "").code(), "store_full");
        assert_eq!(c(400, "InvalidArgument").code(), "store_refused");
        assert!(c(500, "InternalError").is_retryable());
        assert_eq!(c(501, "NotImplemented").code(), "store_unsupported");
        assert!(!c(501, "NotImplemented").is_retryable());
        assert!(c(403, "SignatureDoesNotMatch").stops_everything());
        // A 500 may be a damaged stored copy; throttling and refusals are not.
        assert!(c(500, "InternalError").may_be_damaged_copy());
        assert!(!c(503, "SlowDown").may_be_damaged_copy());
        assert!(!c(404, "").may_be_damaged_copy());
        assert!(!c(403, "AccessDenied").may_be_damaged_copy());
        // KMS refusing the target's key stops the sync, named.
        let kms = c(400, "KMS.NotFoundException");
        assert!(kms.stops_everything(), "{kms}");
        assert!(kms.to_string().contains("KMS key"), "{kms}");
        assert!(c(400, "KMS.DisabledException").stops_everything());
        // An archived object's 403 is not a denial that stops a sync.
        let archived = c(403, "InvalidObjectState");
        assert_eq!(archived.code(), "store_archived");
        assert!(!archived.stops_everything() && !archived.is_retryable() && !archived.may_be_damaged_copy());
    }

    #[test]
    fn missing_credentials_are_recognised() {
        assert!(is_missing_credentials(
            "dispatch failure: other: the credential provider was not enabled: no providers in chain provided credentials"
        ));
        assert!(!is_missing_credentials("connection refused"));
    }

    #[test]
    fn copy_source_is_encoded() {
        assert_eq!(encode_copy_source("a/b c+d.jpg"), "a/b%20c%2Bd.jpg");
    }

    #[test]
    fn debug_hides_secrets() {
        let c = CredentialSource::Static {
            access_key: "AKIA".into(),
            secret_key: "very-secret".into(),
            session_token: None,
        };
        assert!(!format!("{c:?}").contains("very-secret"));
    }
}
