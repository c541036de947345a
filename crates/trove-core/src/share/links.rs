//! A share's presigned links, signed again on demand with its expiry.

use std::time::Duration;

use trove_catalog::{ShareItem, ShareKind, ShareRecord};
use trove_store::{AnyStore, ObjectStore, PresignGet};
use trove_types::AssetId;

use super::ShareLink;
use super::plan::disposition;
use crate::error::Result;
use crate::sync::engine;

pub(super) async fn presign(
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
pub(super) async fn mint_links(
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
