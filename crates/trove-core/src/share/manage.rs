//! Shares after they are made: listing, their links again, renewing,
//! revoking and cleaning the expired.

use std::time::Duration;

use trove_catalog::{ShareItem, ShareKind, ShareRecord};
use trove_types::AssetId;

use super::expiry::check_expiry;
use super::links::mint_links;
use super::{RevokeReport, ShareCredentials, ShareInfo, ShareOutcome, ShareState, delete_prefix};
use crate::error::{CoreError, Result};
use crate::library::Library;
use crate::sync::runtime;

impl Library {
    /// Every share, newest first.
    pub fn shares(&self) -> Result<Vec<ShareInfo>> {
        let records = self.catalog().shares()?;
        records.iter().map(|r| self.share_info(r)).collect()
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
        let mut report = self.clean_share(creds, &record)?;
        // A revoked upload request: what strangers sent goes too (an
        // expired one keeps it until imported or revoked).
        if record.kind == ShareKind::Request {
            let target = self.target_of(&record)?;
            let rt = runtime(2)?;
            let store = rt.block_on(Library::open_store(&target, &creds.main, Duration::from_secs(60)))?;
            report.deleted += rt.block_on(delete_prefix(&store, &format!("incoming/{id}/")))?;
        }
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
