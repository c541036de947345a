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

mod incoming;
mod page;

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use trove_catalog::{ObjectState, ShareItem, ShareKind, ShareRecord};
use trove_store::{AnyStore, BodySums, ObjectStore, PresignGet, PutOptions, TargetUrl};
use trove_types::{AssetId, AssetKind};

use crate::error::{CoreError, Result};
use crate::library::Library;
use crate::model::AssetDetail;
use crate::sync::{CredentialSource, Source, Target, engine, original_key, proxy_key, runtime};

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
    /// Show camera, exposure, capture time and captions on the page.
    pub metadata: bool,
    /// Show GPS coordinates (only with `metadata`).
    pub gps: bool,
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

/// Parses `90m`, `12h`, `3d`, `1w` (or plain seconds) into a duration and
/// refuses anything longer than SigV4's 7 days.
pub fn parse_expiry(text: &str) -> Result<Duration> {
    let t = text.trim();
    let bad = || CoreError::ShareExpiry {
        asked: text.to_owned(),
        why: "write it as 90m, 12h, 3d or 1w",
    };
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num.parse().map_err(|_| bad())?;
    let secs = match unit {
        "" | "s" => n,
        "m" | "min" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        "w" => n.saturating_mul(7 * 86_400),
        _ => return Err(bad()),
    };
    check_expiry(text, Duration::from_secs(secs))
}

fn check_expiry(asked: &str, d: Duration) -> Result<Duration> {
    if d > MAX_SHARE_EXPIRY {
        return Err(CoreError::ShareExpiry {
            asked: asked.to_owned(),
            why: "a signed link lasts at most 7 days (SigV4's limit); renew it before it expires instead",
        });
    }
    if d < Duration::from_secs(1) {
        return Err(CoreError::ShareExpiry {
            asked: asked.to_owned(),
            why: "a link must last at least one second",
        });
    }
    Ok(d)
}

/// 32 hex digits from 128 random bits.
fn new_share_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| {
        CoreError::io(
            "draw random bytes for a share id",
            PathBuf::from("."),
            std::io::Error::other(e.to_string()),
        )
    })?;
    Ok(hex::encode(bytes))
}

/// `attachment; filename="..."; filename*=UTF-8''...` for a download name.
fn disposition(name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // RFC 5987: everything but the unreserved characters is escaped.
    const ESCAPED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let encoded = percent_encoding::utf8_percent_encode(name, ESCAPED).to_string();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

/// One object to place under a share's prefix.
struct Planned {
    item: ShareItem,
    /// Where it is synced (copied server-side when verified there).
    synced_key: Option<String>,
    /// Its local file (uploaded when not synced).
    local: Option<PathBuf>,
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

    /// Resolves what the user named: an asset (id or path), else a search
    /// query (which also covers `album:` and `tag:`).
    fn share_selection(&self, what: &[String]) -> Result<Vec<AssetDetail>> {
        let mut out: Vec<AssetDetail> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for query in what {
            let found = match self.asset_detail(query) {
                Ok(d) => vec![d],
                Err(CoreError::AssetNotFound { .. }) => {
                    let outcome = self.search(
                        &crate::SearchQuery {
                            text: query.clone(),
                            sort: crate::Sort::default(),
                            offset: 0,
                            limit: MAX_SHARE_ASSETS + 1,
                            facets: false,
                        },
                        &crate::NoEvents,
                    )?;
                    if outcome.total > MAX_SHARE_ASSETS as u64 {
                        return Err(CoreError::ShareTooBig {
                            query: query.clone(),
                            found: outcome.total,
                        });
                    }
                    let mut details = Vec::new();
                    for a in outcome.assets {
                        details.push(self.asset_detail(&a.id.to_string())?);
                    }
                    details
                }
                Err(e) => return Err(e),
            };
            if found.is_empty() {
                return Err(CoreError::AssetNotFound { query: query.clone() });
            }
            for d in found {
                if seen.insert(d.asset.id) {
                    out.push(d);
                }
            }
        }
        if out.len() > MAX_SHARE_ASSETS {
            return Err(CoreError::ShareTooBig {
                query: what.join(" "),
                found: out.len() as u64,
            });
        }
        Ok(out)
    }

    /// What goes under the share's prefix for one asset (position `pos`).
    fn plan_share_asset(&self, id: &str, pos: usize, d: &AssetDetail, opts: &ShareOptions) -> Result<Vec<Planned>> {
        let hex = d.asset.blake3.to_hex();
        let file = d.files.iter().find(|f| f.record.present).or(d.files.first());
        let name = file
            .and_then(|f| f.path.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| d.asset.id.to_string());
        let stem = std::path::Path::new(&name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.clone());
        let ext = file
            .map(|f| crate::sync::clean_ext(&f.record.rel_path))
            .unwrap_or_default();
        let verified: std::collections::HashSet<String> = self
            .asset_sync_state(d.asset.row_id)?
            .into_iter()
            .filter(|o| o.state == ObjectState::Verified)
            .map(|o| o.key)
            .collect();
        let prefix = format!("share/{id}/{pos}");
        let mut out = Vec::new();
        let mut push = |role: &str, key_name: String, synced: String, local: Option<PathBuf>, size: u64, dl: String| {
            out.push(Planned {
                item: ShareItem {
                    key: format!("{prefix}/{key_name}"),
                    position: pos as i64,
                    asset_row: Some(d.asset.row_id),
                    role: role.to_owned(),
                    name: Some(dl),
                    size,
                },
                synced_key: verified.contains(&synced).then_some(synced),
                local,
            });
        };
        let proxy = |variant: &str| d.derivatives.iter().find(|x| x.variant == variant);
        let thumb = proxy("thumb@2x").or_else(|| proxy("thumb"));
        let preview = proxy("preview");
        let media = proxy("video").or_else(|| proxy("audio"));
        let original_local = d.files.iter().find(|f| f.record.present).map(|f| f.path.clone());
        let original_name = if ext.is_empty() {
            "original".to_owned()
        } else {
            format!("original.{ext}")
        };
        let playable_original = matches!(d.asset.kind, AssetKind::Video | AssetKind::Audio) && media.is_none();
        let mut add_proxy = |role: &str, x: &trove_catalog::Derivative| {
            let key_name = format!("{role}.{}", x.format);
            push(
                role,
                key_name,
                proxy_key(&hex, &x.variant, &x.format),
                Some(self.dir().join(&x.path)),
                x.size,
                format!("{stem}.{}", x.format),
            );
        };
        if opts.page {
            if let Some(x) = thumb {
                add_proxy("thumb", x);
            }
            if let Some(x) = preview {
                add_proxy("preview", x);
            }
            if let Some(x) = media {
                add_proxy("media", x);
            }
        } else if !opts.originals {
            // One link per asset: what a browser shows best.
            match (d.asset.kind, media, preview) {
                (AssetKind::Video | AssetKind::Audio, Some(x), _) => add_proxy("media", x),
                (AssetKind::Video | AssetKind::Audio, None, _) if playable_original => {}
                (_, _, Some(x)) => add_proxy("preview", x),
                _ => {
                    return Err(CoreError::NothingToShare {
                        name,
                        why: "it has no preview yet, and the share holds previews, not originals",
                    });
                }
            }
        }
        // The original: as a download when allowed; else, for a video or
        // a song the browser plays as it is, for playback only.
        let role = if opts.originals {
            Some("original")
        } else if playable_original {
            Some("media")
        } else {
            None
        };
        if let Some(role) = role {
            let synced = original_key(&hex, &ext);
            if original_local.is_none() && !verified.contains(&synced) {
                return Err(CoreError::NothingToShare {
                    name,
                    why: "its file is missing and it is not in the bucket",
                });
            }
            push(role, original_name, synced, original_local, d.asset.size, name.clone());
        }
        Ok(out)
    }

    /// Shares assets: one link per asset, or (with `opts.page`) a page for
    /// the whole selection. `what` names assets (id or path) or is a search
    /// query. Nothing is sent before every choice was checked.
    pub fn share(&self, creds: &ShareCredentials, what: &[String], opts: &ShareOptions) -> Result<ShareOutcome> {
        self.require_writer("sharing")?;
        let expires = check_expiry(&format!("{} s", opts.expires.as_secs()), opts.expires)?;
        let target = self.share_target()?;
        let selection = self.share_selection(what)?;
        let id = new_share_id()?;
        let mut planned = Vec::new();
        for (i, d) in selection.iter().enumerate() {
            planned.extend(self.plan_share_asset(&id, i + 1, d, opts)?);
        }
        let now = self.now_ms();
        let record = ShareRecord {
            id: id.clone(),
            target_id: target.id,
            kind: if opts.page { ShareKind::Page } else { ShareKind::Link },
            title: opts.title.clone().filter(|t| !t.trim().is_empty()),
            message: opts.message.clone().filter(|t| !t.trim().is_empty()),
            options: serde_json::json!({
                "originals": opts.originals,
                "metadata": opts.metadata,
                "gps": opts.gps && opts.metadata,
            })
            .to_string(),
            share_key: false,
            created_at: now,
            expires_at: now + expires.as_millis() as i64,
            revoked_at: None,
            cleaned_at: None,
        };
        let rt = runtime(2)?;
        let stores = rt.block_on(Library::share_stores(&target, creds, None))?;
        rt.block_on(stores.main.check())?;
        let record = ShareRecord {
            share_key: stores.share_key,
            ..record
        };
        // The share is recorded before anything is copied, so a run that
        // dies halfway leaves a share that can be revoked (and is cleaned
        // up once it expires). A copy that fails removes what was placed.
        let mut items: Vec<ShareItem> = planned.iter().map(|p| p.item.clone()).collect();
        {
            let mut cat = self.catalog();
            let mut batch = cat.batch(now)?;
            batch.insert_share(&record, &[])?;
            batch.commit()?;
        }
        let placed = (|| -> Result<()> {
            for p in &planned {
                rt.block_on(place_object(&stores.main, p))?;
                let mut cat = self.catalog();
                let mut batch = cat.batch(self.now_ms())?;
                batch.add_share_item(&id, &p.item)?;
                batch.commit()?;
            }
            if opts.page {
                let page_items = rt.block_on(self.write_page(&stores, &record, &selection, &items, expires))?;
                let mut cat = self.catalog();
                let mut batch = cat.batch(self.now_ms())?;
                for item in &page_items {
                    batch.add_share_item(&id, item)?;
                }
                batch.commit()?;
                items.extend(page_items);
            }
            Ok(())
        })();
        if let Err(e) = placed {
            // Best effort: the share is marked revoked either way, and the
            // clean-up deletes what is left if this delete fails.
            if rt
                .block_on(delete_prefix(&stores.main, &format!("share/{id}/")))
                .is_ok()
            {
                let mut cat = self.catalog();
                let mut batch = cat.batch(self.now_ms())?;
                batch.mark_share_revoked(&id)?;
                batch.mark_share_cleaned(&id)?;
                batch.commit()?;
            } else {
                let mut cat = self.catalog();
                let mut batch = cat.batch(self.now_ms())?;
                batch.mark_share_revoked(&id)?;
                batch.commit()?;
            }
            return Err(e);
        }
        let links = rt.block_on(mint_links(
            &stores.signer,
            &record,
            &items,
            &selection_ids(&selection),
            expires,
        ))?;
        Ok(ShareOutcome {
            share: self.share_info(&record)?,
            links,
        })
    }

    /// Writes (or rewrites) a share page and its data file; returns their
    /// items.
    async fn write_page(
        &self,
        stores: &Stores,
        record: &ShareRecord,
        selection: &[AssetDetail],
        items: &[ShareItem],
        expires: Duration,
    ) -> Result<Vec<ShareItem>> {
        let options: serde_json::Value = serde_json::from_str(&record.options).unwrap_or_default();
        let page_key = format!("share/{}/index.html", record.id);
        let data_key = format!("share/{}/data.json", record.id);
        let page_url = presign(
            &stores.signer,
            &page_key,
            expires,
            None,
            Some("text/html; charset=utf-8"),
        )
        .await?;
        let mut entries = Vec::new();
        for (i, d) in selection.iter().enumerate() {
            let pos = (i + 1) as i64;
            let mut urls = std::collections::BTreeMap::new();
            for item in items.iter().filter(|it| it.position == pos) {
                let dl = (item.role == "original").then(|| disposition(item.name.as_deref().unwrap_or("file")));
                let url = presign(
                    &stores.signer,
                    &item.key,
                    expires,
                    dl.as_deref(),
                    Some(engine::content_type(&item.key)),
                )
                .await?;
                urls.insert(item.role.clone(), (url, item.size));
            }
            entries.push(page::PageItem::new(
                pos,
                d,
                urls,
                options["metadata"].as_bool().unwrap_or(true),
                options["gps"].as_bool().unwrap_or(false),
            ));
        }
        let html = page::render_share_page(record, &entries, &page_url)?;
        let data = page::share_data(record, &entries).to_string().into_bytes();
        let mut placed = Vec::new();
        for (key, body, ct, role) in [
            (&page_key, html.into_bytes(), "text/html; charset=utf-8", "page"),
            (&data_key, data, "application/json", "data"),
        ] {
            let size = body.len() as u64;
            let body = Bytes::from(body);
            let opts = PutOptions {
                content_type: Some(ct.to_owned()),
                ..Default::default()
            };
            stores
                .main
                .put_bytes(key, body.clone(), BodySums::of(&body), &opts)
                .await?;
            placed.push(ShareItem {
                key: key.clone(),
                position: 0,
                asset_row: None,
                role: role.to_owned(),
                name: None,
                size,
            });
        }
        Ok(placed)
    }

    /// Every share, newest first.
    pub fn shares(&self) -> Result<Vec<ShareInfo>> {
        let records = self.catalog().shares()?;
        records.iter().map(|r| self.share_info(r)).collect()
    }

    fn share_info(&self, r: &ShareRecord) -> Result<ShareInfo> {
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

    fn live_share(&self, id: &str) -> Result<ShareRecord> {
        let record = self
            .catalog()
            .share(id)?
            .ok_or_else(|| CoreError::ShareNotFound { id: id.to_owned() })?;
        let info = self.share_info(&record)?;
        if info.state != ShareState::Live || info.cleaned {
            return Err(CoreError::ShareNotLive {
                id: id.to_owned(),
                state: info.state.as_str(),
            });
        }
        Ok(record)
    }

    /// The links of a live share again (signed now, expiring when the share
    /// does).
    pub fn share_links(&self, creds: &ShareCredentials, id: &str) -> Result<ShareOutcome> {
        let record = self.live_share(id)?;
        let target = self.target_of(&record)?;
        let items = self.catalog().share_items(id)?;
        let left = Duration::from_millis((record.expires_at - self.now_ms()).max(1000) as u64);
        let rt = runtime(2)?;
        let stores = rt.block_on(Library::share_stores(&target, creds, Some(record.share_key)))?;
        let rows = self.share_asset_ids(&items)?;
        let links = rt.block_on(mint_links(&stores.signer, &record, &items, &rows, left))?;
        Ok(ShareOutcome {
            share: self.share_info(&record)?,
            links,
        })
    }

    fn share_asset_ids(&self, items: &[ShareItem]) -> Result<Vec<(i64, AssetId)>> {
        let cat = self.catalog();
        let mut out = Vec::new();
        for item in items {
            if let Some(row) = item.asset_row
                && !out.iter().any(|(r, _)| *r == row)
            {
                out.push((row, cat.asset_by_row(row)?.id));
            }
        }
        Ok(out)
    }

    /// A live share's links get a new expiry (counted from now): the page
    /// is written again with links minted now.
    pub fn renew_share(&self, creds: &ShareCredentials, id: &str, expires: Duration) -> Result<ShareOutcome> {
        self.require_writer("renewing a share")?;
        let expires = check_expiry(&format!("{} s", expires.as_secs()), expires)?;
        let record = self
            .catalog()
            .share(id)?
            .ok_or_else(|| CoreError::ShareNotFound { id: id.to_owned() })?;
        if record.revoked_at.is_some() || record.cleaned_at.is_some() {
            return Err(CoreError::ShareNotLive {
                id: id.to_owned(),
                state: if record.revoked_at.is_some() {
                    "revoked"
                } else {
                    "expired and cleaned up"
                },
            });
        }
        if record.kind == ShareKind::Request {
            return Err(CoreError::ShareRequestRenew { id: id.to_owned() });
        }
        let target = self.target_of(&record)?;
        let record = ShareRecord {
            expires_at: self.now_ms() + expires.as_millis() as i64,
            ..record
        };
        let items: Vec<ShareItem> = self
            .catalog()
            .share_items(id)?
            .into_iter()
            .filter(|i| i.asset_row.is_some())
            .collect();
        let rows = self.share_asset_ids(&items)?;
        let rt = runtime(2)?;
        let stores = rt.block_on(Library::share_stores(&target, creds, Some(record.share_key)))?;
        if record.kind == ShareKind::Page {
            let mut selection = Vec::new();
            for (_, asset) in &rows {
                selection.push(self.asset_detail(&asset.to_string())?);
            }
            rt.block_on(self.write_page(&stores, &record, &selection, &items, expires))?;
        }
        {
            let mut cat = self.catalog();
            let mut batch = cat.batch(self.now_ms())?;
            batch.set_share_expiry(id, record.expires_at)?;
            batch.commit()?;
        }
        let all = self.catalog().share_items(id)?;
        let links = rt.block_on(mint_links(&stores.signer, &record, &all, &rows, expires))?;
        Ok(ShareOutcome {
            share: self.share_info(&record)?,
            links,
        })
    }

    /// Revokes a share: every object under its prefix is deleted (so every
    /// link stops working at once), then checked gone.
    pub fn revoke_share(&self, creds: &ShareCredentials, id: &str) -> Result<RevokeReport> {
        self.require_writer("revoking a share")?;
        let record = self
            .catalog()
            .share(id)?
            .ok_or_else(|| CoreError::ShareNotFound { id: id.to_owned() })?;
        {
            let mut cat = self.catalog();
            let mut batch = cat.batch(self.now_ms())?;
            batch.mark_share_revoked(id)?;
            batch.commit()?;
        }
        let report = self.clean_share(creds, &record)?;
        Ok(report)
    }

    /// Deletes the objects of shares that expired or were revoked and are
    /// still in the bucket (the clean-up job). Returns how many shares.
    pub fn clean_expired_shares(&self, creds: &ShareCredentials) -> Result<u64> {
        self.require_writer("cleaning up shares")?;
        let due = self.catalog().shares_to_clean(self.now_ms())?;
        let mut n = 0;
        for record in due {
            self.clean_share(creds, &record)?;
            n += 1;
        }
        Ok(n)
    }

    fn clean_share(&self, creds: &ShareCredentials, record: &ShareRecord) -> Result<RevokeReport> {
        let target = self.target_of(record)?;
        let rt = runtime(2)?;
        let store = rt.block_on(Library::open_store(&target, &creds.main, Duration::from_secs(60)))?;
        let prefix = format!("share/{}/", record.id);
        let deleted = rt.block_on(delete_prefix(&store, &prefix))?;
        let mut cat = self.catalog();
        let mut batch = cat.batch(self.now_ms())?;
        batch.mark_share_cleaned(&record.id)?;
        batch.commit()?;
        Ok(RevokeReport { deleted })
    }
}

fn selection_ids(selection: &[AssetDetail]) -> Vec<(i64, AssetId)> {
    selection.iter().map(|d| (d.asset.row_id, d.asset.id)).collect()
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

async fn presign(
    store: &AnyStore,
    key: &str,
    expires: Duration,
    disposition: Option<&str>,
    content_type: Option<&str>,
) -> Result<String> {
    let opts = PresignGet {
        content_disposition: disposition.map(str::to_owned),
        content_type: content_type.map(str::to_owned),
    };
    Ok(store.presign_get(key, expires, &opts).await?)
}

/// The links of a share: its page, or one per asset.
async fn mint_links(
    signer: &AnyStore,
    record: &ShareRecord,
    items: &[ShareItem],
    assets: &[(i64, AssetId)],
    expires: Duration,
) -> Result<Vec<ShareLink>> {
    let mut links = Vec::new();
    match record.kind {
        ShareKind::Page | ShareKind::Request => {
            let key = format!("share/{}/index.html", record.id);
            links.push(ShareLink {
                label: "page".into(),
                asset: None,
                url: presign(signer, &key, expires, None, Some("text/html; charset=utf-8")).await?,
            });
        }
        ShareKind::Link => {
            for (row, asset) in assets {
                // The original when shared, else the proxy a browser shows.
                let pick = ["original", "media", "preview"]
                    .iter()
                    .find_map(|role| items.iter().find(|i| i.asset_row == Some(*row) && i.role == *role));
                if let Some(item) = pick {
                    let name = item.name.clone().unwrap_or_else(|| "file".into());
                    let url = presign(
                        signer,
                        &item.key,
                        expires,
                        Some(&disposition(&name)),
                        Some(engine::content_type(&item.key)),
                    )
                    .await?;
                    links.push(ShareLink {
                        label: name,
                        asset: Some(*asset),
                        url,
                    });
                }
            }
        }
    }
    Ok(links)
}

/// Puts one object under the share's prefix: a server-side copy of the
/// synced object when there is one, else an upload of the local file.
/// Either way the stored size is checked.
async fn place_object(store: &AnyStore, p: &Planned) -> Result<()> {
    if let Some(from) = &p.synced_key {
        match store.copy(from, &p.item.key).await {
            Ok(()) => {
                let info = store.head(&p.item.key).await?;
                if info.size == p.item.size {
                    return Ok(());
                }
                store.delete(&p.item.key).await?;
            }
            // Too big for one copy, or gone: fall back to the local file.
            Err(e) if p.local.is_some() && !e.stops_everything() => {}
            Err(e) => return Err(e.into()),
        }
    }
    let Some(path) = &p.local else {
        return Err(CoreError::NothingToShare {
            name: p.item.name.clone().unwrap_or_default(),
            why: "its file is missing and it is not in the bucket",
        });
    };
    let obj = engine::Sendable {
        id: 0,
        key: p.item.key.clone(),
        size: p.item.size,
        original: p.item.role == "original",
        upload_id: None,
        recorded_parts: Vec::new(),
        asset_hex: None,
        want_md5: false,
    };
    let source = Source::File {
        path: path.clone(),
        expect_md5: None,
    };
    engine::send_one(store.clone(), obj, source)
        .await
        .map_err(|detail| CoreError::ShareCopy {
            key: p.item.key.clone(),
            detail,
        })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn disposition_names_the_file_safely() {
        assert_eq!(
            super::disposition("IMG 1.jpg"),
            "attachment; filename=\"IMG 1.jpg\"; filename*=UTF-8''IMG%201.jpg"
        );
        assert_eq!(
            super::disposition("été\"x\".jpg"),
            "attachment; filename=\"_t__x_.jpg\"; filename*=UTF-8''%C3%A9t%C3%A9%22x%22.jpg"
        );
    }
}
