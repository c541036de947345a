//! A store chosen at run time from the target URL.

use std::path::Path;
use std::time::Duration;

use bytes::Bytes;

use crate::error::Result;
use crate::{
    BodySums, Features, Fetched, FolderStore, ListPage, ObjectInfo, ObjectStore, PartInfo, PendingUpload, PostPolicy,
    PresignGet, PresignedPost, PutOptions, RestoreAsked, RestoreTier, S3Store,
};

/// Either kind of store, for callers that pick one from a target URL.
#[derive(Clone, Debug)]
pub enum AnyStore {
    S3(S3Store),
    Folder(FolderStore),
}

macro_rules! delegate {
    ($self:ident, $s:ident => $call:expr) => {
        match $self {
            AnyStore::S3($s) => $call,
            AnyStore::Folder($s) => $call,
        }
    };
}

impl ObjectStore for AnyStore {
    fn features(&self) -> Features {
        delegate!(self, s => s.features())
    }
    fn describe(&self) -> String {
        delegate!(self, s => s.describe())
    }
    async fn check(&self) -> Result<()> {
        delegate!(self, s => s.check().await)
    }
    async fn put_bytes(&self, key: &str, body: Bytes, sums: BodySums, opts: &PutOptions) -> Result<ObjectInfo> {
        delegate!(self, s => s.put_bytes(key, body, sums, opts).await)
    }
    async fn create_multipart(&self, key: &str, opts: &PutOptions) -> Result<String> {
        delegate!(self, s => s.create_multipart(key, opts).await)
    }
    async fn upload_part(
        &self,
        key: &str,
        upload_id: &str,
        number: u32,
        body: Bytes,
        md5: [u8; 16],
    ) -> Result<PartInfo> {
        delegate!(self, s => s.upload_part(key, upload_id, number, body, md5).await)
    }
    async fn list_parts(&self, key: &str, upload_id: &str) -> Result<Vec<PartInfo>> {
        delegate!(self, s => s.list_parts(key, upload_id).await)
    }
    async fn request_restore(&self, key: &str, days: u32, tier: RestoreTier) -> Result<RestoreAsked> {
        delegate!(self, s => s.request_restore(key, days, tier).await)
    }
    async fn complete_multipart(&self, key: &str, upload_id: &str, parts: &[PartInfo]) -> Result<()> {
        delegate!(self, s => s.complete_multipart(key, upload_id, parts).await)
    }
    async fn abort_multipart(&self, key: &str, upload_id: &str) -> Result<()> {
        delegate!(self, s => s.abort_multipart(key, upload_id).await)
    }
    async fn list_uploads(&self, prefix: &str) -> Result<Vec<PendingUpload>> {
        delegate!(self, s => s.list_uploads(prefix).await)
    }
    async fn head(&self, key: &str) -> Result<ObjectInfo> {
        delegate!(self, s => s.head(key).await)
    }
    async fn get_to_file(&self, key: &str, dest: &Path) -> Result<Fetched> {
        delegate!(self, s => s.get_to_file(key, dest).await)
    }
    async fn read_hashes(&self, key: &str) -> Result<Fetched> {
        delegate!(self, s => s.read_hashes(key).await)
    }
    async fn get_bytes(&self, key: &str, limit: u64) -> Result<(Vec<u8>, Fetched)> {
        delegate!(self, s => s.get_bytes(key, limit).await)
    }
    async fn get_range(&self, key: &str, start: u64, len: u64) -> Result<Vec<u8>> {
        delegate!(self, s => s.get_range(key, start, len).await)
    }
    async fn list(&self, prefix: &str, next: Option<String>) -> Result<ListPage> {
        delegate!(self, s => s.list(prefix, next).await)
    }
    async fn delete(&self, key: &str) -> Result<()> {
        delegate!(self, s => s.delete(key).await)
    }
    async fn copy(&self, from: &str, to: &str) -> Result<()> {
        delegate!(self, s => s.copy(from, to).await)
    }
    async fn presign_get(&self, key: &str, expires: Duration, opts: &PresignGet) -> Result<String> {
        delegate!(self, s => s.presign_get(key, expires, opts).await)
    }
    async fn presign_put(&self, key: &str, expires: Duration, content_type: Option<&str>) -> Result<String> {
        delegate!(self, s => s.presign_put(key, expires, content_type).await)
    }
    async fn presign_post(&self, prefix: &str, expires: Duration, policy: &PostPolicy) -> Result<PresignedPost> {
        delegate!(self, s => s.presign_post(prefix, expires, policy).await)
    }
}
