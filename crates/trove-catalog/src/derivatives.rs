//! Proxies made from originals: what exists, for which content, made by
//! which generator.

use rusqlite::params;
use trove_types::ContentHash;

use crate::batch::Batch;
use crate::db::Catalog;
use crate::error::{Result, SqlContext};
use crate::model::AssetRowId;
use crate::rows::{from_i64, to_i64};

/// One proxy file of an asset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivative {
    pub variant: String,
    /// Relative to the library folder.
    pub path: String,
    pub size: u64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub format: String,
    pub generator: u32,
    /// The original's content the proxy was made from.
    pub source_blake3: ContentHash,
    pub created_at: i64,
}

impl Batch<'_> {
    /// Records (or replaces) a proxy of an asset.
    pub fn put_derivative(&mut self, asset: AssetRowId, d: &Derivative) -> Result<()> {
        self.tx()
            .prepare_cached(
                "INSERT INTO derivatives (asset_id, variant, path, size, width, height, format, generator,
                                          source_blake3, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
                 ON CONFLICT (asset_id, variant) DO UPDATE SET
                    path = excluded.path, size = excluded.size, width = excluded.width,
                    height = excluded.height, format = excluded.format, generator = excluded.generator,
                    source_blake3 = excluded.source_blake3, created_at = excluded.created_at",
            )
            .ctx("record derivative")?
            .execute(params![
                asset,
                d.variant,
                d.path,
                to_i64(d.size),
                d.width,
                d.height,
                d.format,
                d.generator,
                &d.source_blake3.0[..],
                d.created_at,
            ])
            .ctx("record derivative")?;
        Ok(())
    }

    /// Stores the placeholder hash and clears any earlier proxy error.
    pub fn set_thumbhash(&mut self, asset: AssetRowId, thumbhash: &[u8]) -> Result<()> {
        self.tx()
            .execute(
                "UPDATE assets SET thumbhash = ?2, proxy_error = NULL WHERE id = ?1",
                params![asset, thumbhash],
            )
            .ctx("store thumbhash")?;
        Ok(())
    }

    /// Records that every proxy of an asset has been made by `generator`
    /// from content `source`.
    pub fn mark_proxies_done(&mut self, asset: AssetRowId, generator: u32, source: &ContentHash) -> Result<()> {
        self.tx()
            .execute(
                "UPDATE assets SET proxy_generator = ?2, proxy_source = ?3, proxy_error = NULL WHERE id = ?1",
                params![asset, generator, &source.0[..]],
            )
            .ctx("mark proxies done")?;
        Ok(())
    }

    /// Records why proxies of an asset could not be made (`code: message`).
    pub fn set_proxy_error(&mut self, asset: AssetRowId, error: &str) -> Result<()> {
        self.tx()
            .execute(
                "UPDATE assets SET proxy_error = ?2 WHERE id = ?1",
                params![asset, error],
            )
            .ctx("record proxy error")?;
        Ok(())
    }
}

impl Catalog {
    pub fn derivatives(&self, asset: AssetRowId) -> Result<Vec<Derivative>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT variant, path, size, width, height, format, generator, source_blake3, created_at
                 FROM derivatives WHERE asset_id = ?1 ORDER BY id",
            )
            .ctx("list derivatives")?;
        let rows = stmt
            .query_map([asset], |r| {
                let hash: Vec<u8> = r.get(7)?;
                Ok(Derivative {
                    variant: r.get(0)?,
                    path: r.get(1)?,
                    size: from_i64(r.get(2)?),
                    width: r.get(3)?,
                    height: r.get(4)?,
                    format: r.get(5)?,
                    generator: r.get(6)?,
                    source_blake3: ContentHash::from_slice(&hash).unwrap_or(ContentHash([0; 32])),
                    created_at: r.get(8)?,
                })
            })
            .ctx("list derivatives")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list derivatives")
    }

    /// The placeholder hash and the last proxy error of an asset.
    pub fn proxy_state(&self, asset: AssetRowId) -> Result<(Option<Vec<u8>>, Option<String>)> {
        self.conn
            .query_row(
                "SELECT thumbhash, proxy_error FROM assets WHERE id = ?1",
                [asset],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .ctx("read proxy state")
    }

    /// Row ids and UUIDs of assets of `kinds` whose proxies were not
    /// completed by `generator` from their current content (all of them
    /// with `force`). Those whose last attempt failed are skipped unless
    /// `force`, except when it failed for want of a tool (ffmpeg, poppler),
    /// which may have been installed since.
    pub fn assets_needing_proxies(
        &self,
        kinds: &[&str],
        generator: u32,
        force: bool,
    ) -> Result<Vec<(AssetRowId, String)>> {
        let marks = (0..kinds.len().max(1))
            .map(|i| format!("?{}", i + 3))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT a.id, a.uuid FROM assets a
             WHERE a.kind IN ({marks}) AND a.status = 'present'
               AND (?1 OR a.proxy_error LIKE 'tool_missing:%'
                    OR (a.proxy_error IS NULL
                        AND (a.proxy_generator IS NULL OR a.proxy_generator < ?2
                             OR a.proxy_source IS NOT a.blake3)))
             ORDER BY {}",
            crate::queries::LISTING_ORDER
        );
        let mut args: Vec<rusqlite::types::Value> = vec![force.into(), i64::from(generator).into()];
        args.extend(kinds.iter().map(|k| rusqlite::types::Value::from((*k).to_owned())));
        let mut stmt = self.conn.prepare(&sql).ctx("find assets needing proxies")?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx("find assets needing proxies")?;
        rows.collect::<rusqlite::Result<_>>().ctx("find assets needing proxies")
    }
}
