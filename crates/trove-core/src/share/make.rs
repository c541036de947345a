//! Making a share: its objects, its page, and its presigned links.

use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;

use trove_catalog::{ShareItem, ShareKind, ShareRecord};
use trove_store::{BodySums, ObjectStore, PutOptions};

use super::delete_prefix;
use super::expiry::check_expiry;
use super::links::{mint_links, presign};
use super::plan::{disposition, place_object, selection_ids};
use super::{ShareCredentials, ShareOptions, ShareOutcome, Stores, page};
use crate::error::{CoreError, Result};
use crate::library::Library;
use crate::model::AssetDetail;
use crate::sync::{engine, runtime};

/// 32 hex digits from 128 random bits.
pub(super) fn new_share_id() -> Result<String> {
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

impl Library {
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
                "names": opts.names,
                "captions": opts.captions,
                "times": opts.times,
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
                let result = rt.block_on(place_object(&stores.main, p));
                if p.temporary
                    && let Some(copy) = &p.local
                {
                    let _ = std::fs::remove_file(copy);
                }
                result?;
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
    pub(super) async fn write_page(
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
                &page::PageChoices::from_options(&options),
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
}
