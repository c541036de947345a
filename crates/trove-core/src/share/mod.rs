//! Sharing: signed (presigned SigV4) links to assets, static share pages
//! and upload requests, all served by the user's own bucket.
//!
//! Everything a share exposes is a copy under its own random prefix
//! `share/<id>/` (128 random bits), so one share never reveals any other
//! object, and deleting that prefix revokes every link of the share at
//! once. Upload requests receive into `incoming/<id>/`. Links are signed
//! with the narrower sharing key when the front end gives one (a key that
//! may read only `share/`), else with the main key.
//!
//! The catalog keeps each share (id, what, options, expiry, state) but no
//! links: they are signed again on demand with the same expiry.

mod expiry;
mod incoming;
mod links;
mod make;
mod manage;
mod page;
mod plan;

use std::time::Duration;

use trove_catalog::{ShareKind, ShareRecord};
use trove_store::{AnyStore, ObjectStore, TargetUrl};
use trove_types::AssetId;

use crate::error::{CoreError, Result};
use crate::library::Library;
use crate::sync::{CredentialSource, Target};

pub use expiry::parse_expiry;
pub use incoming::{IncomingReport, RequestOptions};

/// The longest a link may last: SigV4's limit.
pub const MAX_SHARE_EXPIRY: Duration = Duration::from_secs(7 * 24 * 3600);
/// A link lasts this long unless the user says otherwise.
pub const DEFAULT_SHARE_EXPIRY: Duration = Duration::from_secs(24 * 3600);
/// The most assets one share holds.
pub const MAX_SHARE_ASSETS: usize = 1000;

/// Keys that sign and place shares. `main` copies objects into the share's
/// prefix and signs upload policies; `share` (a key that may read only
/// `share/`) signs the links when given.
#[derive(Debug, Clone)]
pub struct ShareCredentials {
    pub main: CredentialSource,
    pub share: Option<CredentialSource>,
}

/// What the user chose for a share.
#[derive(Debug, Clone)]
pub struct ShareOptions {
    pub expires: Duration,
    /// Let the recipient download the originals (else proxies only).
    pub originals: bool,
    /// A page for the whole selection (else one link per asset).
    pub page: bool,
    /// Show camera, exposure, size and duration on the page.
    pub metadata: bool,
    /// Show GPS coordinates (only with `metadata`).
    pub gps: bool,
    /// Show the files' names on the page and in download names (off by
    /// default: a name often says more than the person meant to share;
    /// items are then "Photo 1", "Video 2"...).
    pub names: bool,
    /// Show captions and titles on the page.
    pub captions: bool,
    /// Show capture times on the page.
    pub times: bool,
    pub title: Option<String>,
    pub message: Option<String>,
}

impl Default for ShareOptions {
    fn default() -> Self {
        ShareOptions {
            expires: DEFAULT_SHARE_EXPIRY,
            originals: false,
            page: false,
            metadata: true,
            gps: false,
            names: false,
            captions: true,
            times: true,
            title: None,
            message: None,
        }
    }
}

/// Whether a share's links still work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShareState {
    Live,
    Expired,
    Revoked,
}

impl ShareState {
    pub fn as_str(self) -> &'static str {
        match self {
            ShareState::Live => "live",
            ShareState::Expired => "expired",
            ShareState::Revoked => "revoked",
        }
    }
}

/// A share as front ends list it.
#[derive(Debug, Clone)]
pub struct ShareInfo {
    pub id: String,
    pub kind: ShareKind,
    pub title: Option<String>,
    pub message: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub state: ShareState,
    /// Its objects were deleted from the bucket.
    pub cleaned: bool,
    /// Assets shared (or, for a request, files imported so far).
    pub assets: u64,
    pub objects: u64,
    pub bytes: u64,
    /// Signed with the narrower sharing key.
    pub share_key: bool,
    /// The options as JSON.
    pub options: serde_json::Value,
}

/// One link of a share.
#[derive(Debug, Clone)]
pub struct ShareLink {
    /// The asset's file name, or `page` for a share page.
    pub label: String,
    pub asset: Option<AssetId>,
    pub url: String,
}

/// A share and its links.
#[derive(Debug, Clone)]
pub struct ShareOutcome {
    pub share: ShareInfo,
    pub links: Vec<ShareLink>,
}

/// What revoking or cleaning deleted.
#[derive(Debug, Clone, Default)]
pub struct RevokeReport {
    pub deleted: u64,
}

/// The stores of one share operation: `main` writes, `signer` signs.
struct Stores {
    main: AnyStore,
    signer: AnyStore,
    share_key: bool,
}

impl Library {
    fn share_target(&self) -> Result<Target> {
        let target = self.target()?;
        if let TargetUrl::Folder { .. } = TargetUrl::parse(&target.settings.url)? {
            return Err(CoreError::ShareNeedsBucket {
                target: target.settings.url,
            });
        }
        Ok(target)
    }

    /// The target a share was made in (links, renewals and revocations go
    /// there even after the library's target changed).
    pub(crate) fn target_of(&self, record: &ShareRecord) -> Result<Target> {
        self.catalog()
            .target_by_id(record.target_id)?
            .ok_or(CoreError::NoTarget)
    }

    async fn share_stores(target: &Target, creds: &ShareCredentials, want_share_key: Option<bool>) -> Result<Stores> {
        let timeout = Duration::from_secs(60);
        let main = Library::open_store(target, &creds.main, timeout).await?;
        let (signer, share_key) = match (&creds.share, want_share_key) {
            (Some(share), None | Some(true)) => (Library::open_store(target, share, timeout).await?, true),
            (None, Some(true)) => return Err(CoreError::ShareKeyNeeded),
            _ => (main.clone(), false),
        };
        Ok(Stores {
            main,
            signer,
            share_key,
        })
    }

    pub(super) fn share_info(&self, r: &ShareRecord) -> Result<ShareInfo> {
        let items = self.catalog().share_items(&r.id)?;
        let assets: std::collections::HashSet<i64> = items.iter().filter_map(|i| i.asset_row).collect();
        let state = if r.revoked_at.is_some() {
            ShareState::Revoked
        } else if r.expires_at <= self.now_ms() {
            ShareState::Expired
        } else {
            ShareState::Live
        };
        Ok(ShareInfo {
            id: r.id.clone(),
            kind: r.kind,
            title: r.title.clone(),
            message: r.message.clone(),
            created_at: r.created_at,
            expires_at: r.expires_at,
            state,
            cleaned: r.cleaned_at.is_some(),
            assets: assets.len() as u64,
            objects: items.len() as u64,
            bytes: items.iter().map(|i| i.size).sum(),
            share_key: r.share_key,
            options: serde_json::from_str(&r.options).unwrap_or_default(),
        })
    }
}

/// Deletes every object under `prefix`, then lists again until none is
/// left. Returns how many were deleted.
async fn delete_prefix(store: &AnyStore, prefix: &str) -> Result<u64> {
    let mut deleted = 0;
    for _round in 0..3 {
        let mut keys = Vec::new();
        let mut next = None;
        loop {
            let page = store.list(prefix, next).await?;
            // Never trust a listing to keep to the prefix: only keys under
            // it are deleted.
            keys.extend(
                page.objects
                    .into_iter()
                    .map(|o| o.key)
                    .filter(|k| k.starts_with(prefix)),
            );
            next = page.next;
            if next.is_none() {
                break;
            }
        }
        if keys.is_empty() {
            return Ok(deleted);
        }
        for key in keys {
            store.delete(&key).await?;
            deleted += 1;
        }
    }
    let left = store.list(prefix, None).await?;
    if left.objects.is_empty() {
        Ok(deleted)
    } else {
        Err(CoreError::Damaged {
            key: prefix.to_owned(),
            detail: format!(
                "{} objects are still there after deleting; try again",
                left.objects.len()
            ),
        })
    }
}
