//! Read queries.

use std::path::Path;
use std::str::FromStr;

use rusqlite::{OptionalExtension, params};
use trove_types::{AssetId, AssetKind, ContentHash, Metadata};

use crate::db::Catalog;
use crate::error::{CatalogError, Result, SqlContext};
use crate::model::{
    Asset, AssetListing, AssetQuery, CatalogCounts, DayRun, FileRecord, LogEvent, Root, RootId, ScanProblem,
};
use crate::paths;
use crate::rows::{self, ASSET_COLUMN_COUNT, ASSET_COLUMNS, FILE_COLUMNS, MARKS_COLUMNS, MARKS_JOINS, ROOT_COLUMNS};

/// One asset's (`a`) sync state in the active target, as SQL.
const SYNC_SUMMARY: &str = "SELECT CASE WHEN count(*) = 0 THEN NULL
            WHEN sum(s.state = 'failed') > 0 THEN 'failed'
            WHEN sum(s.state = 'pending') > 0 THEN 'pending'
            ELSE 'synced' END
     FROM sync_objects s JOIN targets t ON t.id = s.target_id AND t.active = 1
     WHERE s.asset_id = a.id";
impl Catalog {
    /// Every watched root, in the order they were added (removed ones left out).
    pub fn roots(&self) -> Result<Vec<Root>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {ROOT_COLUMNS} FROM roots WHERE removed_at IS NULL ORDER BY id"
            ))
            .ctx("list roots")?;
        let rows = stmt.query_map([], rows::root).ctx("list roots")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list roots")
    }

    /// Every root ever added, removed ones included: for showing where the
    /// files of an asset were last seen.
    pub fn all_roots(&self) -> Result<Vec<Root>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {ROOT_COLUMNS} FROM roots ORDER BY id"))
            .ctx("list roots")?;
        let rows = stmt.query_map([], rows::root).ctx("list roots")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list roots")
    }

    /// A watched root; a removed one is not found.
    pub fn root(&self, id: RootId) -> Result<Root> {
        self.conn
            .query_row(
                &format!("SELECT {ROOT_COLUMNS} FROM roots WHERE id = ?1 AND removed_at IS NULL"),
                [id],
                rows::root,
            )
            .optional()
            .ctx("read root")?
            .ok_or_else(|| CatalogError::NotFound {
                what: "root",
                key: id.to_string(),
            })
    }

    pub fn root_by_path(&self, path: &Path) -> Result<Option<Root>> {
        self.conn
            .query_row(
                &format!("SELECT {ROOT_COLUMNS} FROM roots WHERE path = ?1"),
                [paths::to_bytes(path)],
                rows::root,
            )
            .optional()
            .ctx("read root")
    }

    /// Every file record of a root, present or missing.
    pub fn files_of_root(&self, root: RootId) -> Result<Vec<FileRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT {FILE_COLUMNS} FROM files WHERE root_id = ?1"))
            .ctx("list files of root")?;
        let rows = stmt.query_map([root], rows::file).ctx("list files of root")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list files of root")
    }

    /// Files of a root whose relative path is `prefix` or lies below it.
    pub fn files_under(&self, root: RootId, prefix: &Path) -> Result<Vec<FileRecord>> {
        let exact = paths::to_bytes(prefix);
        if exact.is_empty() {
            return self.files_of_root(root);
        }
        // Children of `prefix` sort between "prefix/" and "prefix0" ('0' is
        // the byte after '/'), which lets SQLite use the unique index.
        let mut lo = exact.clone();
        lo.push(b'/');
        let mut hi = exact.clone();
        hi.push(b'/' + 1);
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {FILE_COLUMNS} FROM files WHERE root_id = ?1
                   AND (rel_path = ?2 OR (rel_path >= ?3 AND rel_path < ?4))"
            ))
            .ctx("list files under path")?;
        let rows = stmt
            .query_map(params![root, exact, lo, hi], rows::file)
            .ctx("list files under path")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list files under path")
    }

    pub fn file_at(&self, root: RootId, rel_path: &Path) -> Result<Option<FileRecord>> {
        self.conn
            .query_row(
                &format!("SELECT {FILE_COLUMNS} FROM files WHERE root_id = ?1 AND rel_path = ?2"),
                params![root, paths::to_bytes(rel_path)],
                rows::file,
            )
            .optional()
            .ctx("read file")
    }

    pub fn files_of_asset(&self, asset_row: i64) -> Result<Vec<FileRecord>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {FILE_COLUMNS} FROM files WHERE asset_id = ?1 ORDER BY present DESC, id"
            ))
            .ctx("list files of asset")?;
        let rows = stmt.query_map([asset_row], rows::file).ctx("list files of asset")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list files of asset")
    }

    pub fn asset(&self, id: AssetId) -> Result<Asset> {
        self.conn
            .query_row(
                &format!("SELECT {ASSET_COLUMNS} FROM assets a WHERE a.uuid = ?1"),
                [id.to_string()],
                rows::asset,
            )
            .optional()
            .ctx("read asset")?
            .ok_or_else(|| CatalogError::NotFound {
                what: "asset",
                key: id.to_string(),
            })
    }

    pub fn asset_by_row(&self, row_id: i64) -> Result<Asset> {
        // Cached statements: the indexer and listings call these per asset,
        // and parsing the SQL each time was the largest cost of a reindex.
        self.conn
            .prepare_cached(&format!("SELECT {ASSET_COLUMNS} FROM assets a WHERE a.id = ?1"))
            .ctx("read asset")?
            .query_row([row_id], rows::asset)
            .optional()
            .ctx("read asset")?
            .ok_or_else(|| CatalogError::NotFound {
                what: "asset row",
                key: row_id.to_string(),
            })
    }

    pub fn asset_by_hash(&self, hash: &ContentHash) -> Result<Option<Asset>> {
        self.conn
            .query_row(
                &format!("SELECT {ASSET_COLUMNS} FROM assets a WHERE a.blake3 = ?1"),
                [&hash.0[..]],
                rows::asset,
            )
            .optional()
            .ctx("find asset by hash")
    }

    /// The asset that a file path (root + relative path) belongs to.
    pub fn asset_at(&self, root: RootId, rel_path: &Path) -> Result<Option<Asset>> {
        self.conn
            .query_row(
                &format!(
                    "SELECT {ASSET_COLUMNS} FROM assets a JOIN files f ON f.asset_id = a.id
                     WHERE f.root_id = ?1 AND f.rel_path = ?2"
                ),
                params![root, paths::to_bytes(rel_path)],
                rows::asset,
            )
            .optional()
            .ctx("find asset by path")
    }

    /// Assets with their representative file, newest capture first.
    pub fn list_assets(&self, q: &AssetQuery) -> Result<Vec<AssetListing>> {
        // The page's ids come first, from the capture-time index alone; only
        // those rows are then joined with their file and counts. Joining
        // before the OFFSET made SQLite build every skipped row: a page at
        // the end of 100,000 assets took 160 ms instead of 3.
        let (page, args) = listing_page(q, "a.id");
        let sql = format!(
            "SELECT {ASSET_COLUMNS}, f.root_id, f.rel_path,
                    (SELECT count(*) FROM files c WHERE c.asset_id = a.id), a.thumbhash,
                    ({SYNC_SUMMARY}), {MARKS_COLUMNS}
             FROM ({page}) page
             JOIN assets a ON a.id = page.id
             {MARKS_JOINS}
             JOIN files f ON f.id = (SELECT id FROM files x WHERE x.asset_id = a.id
                                     ORDER BY x.present DESC, x.id LIMIT 1)
             ORDER BY {LISTING_ORDER}"
        );
        let mut stmt = self.conn.prepare_cached(&sql).ctx("list assets")?;
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args), |r| {
                let rel: Vec<u8> = r.get(ASSET_COLUMN_COUNT + 1)?;
                Ok(AssetListing {
                    asset: rows::asset(r)?,
                    root_id: r.get(ASSET_COLUMN_COUNT)?,
                    rel_path: paths::from_bytes(&rel),
                    file_count: r.get::<_, i64>(ASSET_COLUMN_COUNT + 2)? as u32,
                    thumbhash: r.get(ASSET_COLUMN_COUNT + 3)?,
                    sync: r.get(ASSET_COLUMN_COUNT + 4)?,
                    marks: rows::marks(r, ASSET_COLUMN_COUNT + 5)?,
                })
            })
            .ctx("list assets")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list assets")
    }

    /// Every folder of a root that holds present files, with how many are
    /// in it or below it, sorted by path: the root's folder tree. The root
    /// itself is not listed.
    pub fn folder_counts(&self, root: RootId) -> Result<Vec<crate::model::FolderCount>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT rel_path FROM files WHERE root_id = ?1 AND present = 1")
            .ctx("list folders")?;
        let mut rows = stmt.query([root]).ctx("list folders")?;
        let mut counts: std::collections::HashMap<Vec<u8>, u64> = std::collections::HashMap::new();
        while let Some(r) = rows.next().ctx("list folders")? {
            let rel: Vec<u8> = r.get(0).ctx("list folders")?;
            // Every ancestor folder of the file counts it.
            for (i, b) in rel.iter().enumerate() {
                if *b == b'/' && i > 0 {
                    *counts.entry(rel[..i].to_vec()).or_default() += 1;
                }
            }
        }
        let mut out: Vec<_> = counts
            .into_iter()
            .map(|(path, files)| crate::model::FolderCount {
                path: paths::from_bytes(&path),
                files,
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }

    /// The ids of [`Catalog::list_assets`]'s page, in its order, without the
    /// rest of each row: what "select all" over a large listing needs.
    pub fn list_asset_ids(&self, q: &AssetQuery) -> Result<Vec<AssetId>> {
        let (sql, args) = listing_page(q, "a.uuid");
        let mut stmt = self.conn.prepare_cached(&sql).ctx("list asset ids")?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args)).ctx("list asset ids")?;
        let mut ids = Vec::new();
        while let Some(r) = rows.next().ctx("list asset ids")? {
            let uuid: String = r.get(0).ctx("list asset ids")?;
            let id = AssetId::from_str(&uuid).map_err(|_| CatalogError::BadValue {
                what: "assets.uuid",
                value: uuid.clone(),
            })?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// The sync state of one asset's objects in the active target
    /// (`synced`, `pending`, `failed`), or `None` when it has none.
    pub fn asset_sync_summary(&self, asset: crate::model::AssetRowId) -> Result<Option<String>> {
        self.conn
            .prepare_cached(&format!("SELECT ({SYNC_SUMMARY}) FROM assets a WHERE a.id = ?1"))
            .ctx("read sync state")?
            .query_row([asset], |r| r.get(0))
            .ctx("read sync state")
    }

    /// How many assets match a query (ignoring its paging).
    pub fn count_assets(&self, q: &AssetQuery) -> Result<u64> {
        let mut sql = String::from("SELECT count(*) FROM assets a WHERE 1 = 1");
        let args = asset_filter(q, &mut sql);
        self.conn
            .prepare_cached(&sql)
            .ctx("count assets")?
            .query_row(rusqlite::params_from_iter(args), |r| r.get::<_, i64>(0))
            .map(|n| n as u64)
            .ctx("count assets")
    }

    /// The listing's assets in its order (newest capture first), cut into
    /// runs of one local capture day each: the timeline's sections. The day is
    /// the capture's wall-clock date (its offset applied when one was
    /// recorded), as days since 1970-01-01; `None` for assets with no capture
    /// time, which sort last. Runs follow the listing order, so a section is
    /// always one contiguous range of [`Catalog::list_assets`] indices even
    /// when offsets differ; `offset` and `limit` are ignored.
    pub fn capture_days(&self, q: &AssetQuery) -> Result<Vec<DayRun>> {
        const DAY_MS: i64 = 86_400_000;
        let mut sql = String::from("SELECT a.capture_ms, a.capture_offset FROM assets a WHERE 1 = 1");
        let args = asset_filter(q, &mut sql);
        sql.push_str(&format!(" ORDER BY {LISTING_ORDER}"));
        let mut stmt = self.conn.prepare_cached(&sql).ctx("list capture days")?;
        let mut rows = stmt.query(rusqlite::params_from_iter(args)).ctx("list capture days")?;
        let mut runs: Vec<DayRun> = Vec::new();
        while let Some(r) = rows.next().ctx("list capture days")? {
            let ms: Option<i64> = r.get(0).ctx("list capture days")?;
            let offset_min: Option<i64> = r.get(1).ctx("list capture days")?;
            let day = ms.map(|ms| trove_types::wall_clock_ms(ms, offset_min).div_euclid(DAY_MS));
            match runs.last_mut() {
                Some(last) if last.day == day => last.count += 1,
                _ => runs.push(DayRun { day, count: 1 }),
            }
        }
        Ok(runs)
    }

    /// Assets that have more than one file, with all their files.
    pub fn duplicates(&self) -> Result<Vec<(Asset, Vec<FileRecord>)>> {
        let ids: Vec<i64> = {
            let mut stmt = self
                .conn
                .prepare(
                    "SELECT asset_id FROM files GROUP BY asset_id HAVING count(*) > 1
                     ORDER BY asset_id",
                )
                .ctx("find duplicates")?;
            let rows = stmt.query_map([], |r| r.get(0)).ctx("find duplicates")?;
            rows.collect::<rusqlite::Result<_>>().ctx("find duplicates")?
        };
        ids.into_iter()
            .map(|id| Ok((self.asset_by_row(id)?, self.files_of_asset(id)?)))
            .collect()
    }

    pub fn metadata(&self, asset_row: i64) -> Result<Option<Metadata>> {
        rows::metadata_in(&self.conn, asset_row)
    }

    pub fn scan_problems(&self, root: Option<RootId>) -> Result<Vec<ScanProblem>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT root_id, rel_path, code, message, first_seen, last_seen
                 FROM scan_problems WHERE (?1 IS NULL OR root_id = ?1) ORDER BY root_id, rel_path",
            )
            .ctx("list scan problems")?;
        let rows = stmt
            .query_map([root], |r| {
                let rel: Vec<u8> = r.get(1)?;
                Ok(ScanProblem {
                    root_id: r.get(0)?,
                    rel_path: paths::from_bytes(&rel),
                    code: r.get(2)?,
                    message: r.get(3)?,
                    first_seen: r.get(4)?,
                    last_seen: r.get(5)?,
                })
            })
            .ctx("list scan problems")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list scan problems")
    }

    pub fn counts(&self) -> Result<CatalogCounts> {
        // One pass over the assets for every count (the desktop asks on
        // each refresh; two passes took 70-100 ms at 100,000 assets).
        let (mut assets, mut present, mut missing, mut offline, mut bytes) = (0i64, 0i64, 0i64, 0i64, 0i64);
        let mut by_kind = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT kind, count(*), sum(status = 'present'), sum(status = 'missing'),
                            sum(status = 'offline'), coalesce(sum(size), 0)
                     FROM assets GROUP BY kind ORDER BY kind",
                )
                .ctx("count assets")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                        r.get::<_, i64>(5)?,
                    ))
                })
                .ctx("count assets")?;
            for row in rows {
                let (kind, n, p, m, o, b) = row.ctx("count assets")?;
                assets += n;
                present += p;
                missing += m;
                offline += o;
                bytes = bytes.saturating_add(b);
                if let Ok(k) = AssetKind::from_str(&kind) {
                    by_kind.push((k, n.max(0) as u64));
                }
            }
        }
        let files: i64 = self
            .conn
            .query_row("SELECT count(*) FROM files", [], |r| r.get(0))
            .ctx("count files")?;
        let scan_problems: i64 = self
            .conn
            .query_row("SELECT count(*) FROM scan_problems", [], |r| r.get(0))
            .ctx("count scan problems")?;
        Ok(CatalogCounts {
            assets: assets as u64,
            present: present as u64,
            missing: missing as u64,
            offline: offline as u64,
            files: files as u64,
            bytes: bytes as u64,
            by_kind,
            scan_problems: scan_problems as u64,
        })
    }

    /// Events with an id greater than `after`, oldest first.
    pub fn events_after(&self, after: i64, limit: u32) -> Result<Vec<LogEvent>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, at, kind, asset_id, root_id, path, detail FROM events
                 WHERE id > ?1 ORDER BY id LIMIT ?2",
            )
            .ctx("read events")?;
        let rows = stmt
            .query_map(params![after, limit], |r| {
                Ok(LogEvent {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    kind: r.get(2)?,
                    asset_row_id: r.get(3)?,
                    root_id: r.get(4)?,
                    path: r.get(5)?,
                    detail: r.get(6)?,
                })
            })
            .ctx("read events")?;
        rows.collect::<rusqlite::Result<_>>().ctx("read events")
    }

    /// The id of the newest event (the catalog's change sequence), or 0.
    pub fn last_event_id(&self) -> Result<i64> {
        self.conn
            .query_row("SELECT coalesce(max(id), 0) FROM events", [], |r| r.get(0))
            .ctx("read the change sequence")
    }

    /// Row ids of assets above `after`, in order, for paging through them all.
    pub fn asset_rows_after(&self, after: i64, limit: u32) -> Result<Vec<i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM assets WHERE id > ?1 ORDER BY id LIMIT ?2")
            .ctx("page through assets")?;
        let rows = stmt
            .query_map(params![after, limit], |r| r.get(0))
            .ctx("page through assets")?;
        rows.collect::<rusqlite::Result<_>>().ctx("page through assets")
    }

    /// (files, missing files, scan problems) of a root.
    pub fn root_stats(&self, root: RootId) -> Result<(u64, u64, u64)> {
        self.conn
            .query_row(
                "SELECT (SELECT count(*) FROM files WHERE root_id = ?1),
                        (SELECT count(*) FROM files WHERE root_id = ?1 AND present = 0),
                        (SELECT count(*) FROM scan_problems WHERE root_id = ?1)",
                [root],
                |r| {
                    Ok((
                        r.get::<_, i64>(0)? as u64,
                        r.get::<_, i64>(1)? as u64,
                        r.get::<_, i64>(2)? as u64,
                    ))
                },
            )
            .ctx("count root files")
    }
}

/// The listing's order (newest capture first), which the capture-time
/// index keeps.
pub(crate) const LISTING_ORDER: &str = "a.capture_ms DESC NULLS LAST, a.id DESC";

/// `SELECT <column>` of the assets on one page of the listing `q` describes,
/// in its order, from the capture-time index: the SQL and its arguments.
fn listing_page(q: &AssetQuery, column: &str) -> (String, Vec<rusqlite::types::Value>) {
    let mut sql = format!("SELECT {column} FROM assets a WHERE 1 = 1");
    let mut args = asset_filter(q, &mut sql);
    sql.push_str(&format!(" ORDER BY {LISTING_ORDER} LIMIT ? OFFSET ?"));
    args.push(q.limit.map(|l| l as i64).unwrap_or(-1).into());
    args.push((q.offset as i64).into());
    (sql, args)
}

/// Appends the filter of `q` (on assets aliased `a`) to `sql` and returns
/// its arguments.
fn asset_filter(q: &AssetQuery, sql: &mut String) -> Vec<rusqlite::types::Value> {
    let mut args: Vec<rusqlite::types::Value> = Vec::new();
    if let Some(kind) = q.kind {
        sql.push_str(" AND a.kind = ?");
        args.push(kind.as_str().to_owned().into());
    }
    if let Some(status) = q.status {
        sql.push_str(" AND a.status = ?");
        args.push(status.as_str().to_owned().into());
    }
    match (q.root_id, folder_bounds(q.folder.as_deref())) {
        // A folder's files are one range of the (root_id, rel_path) index:
        // every path that starts with "dir/" lies between "dir/" and "dir0".
        (Some(root), Some((low, high))) => {
            sql.push_str(
                " AND a.id IN (SELECT r.asset_id FROM files r
                               WHERE r.root_id = ? AND r.rel_path > ? AND r.rel_path < ?)",
            );
            args.push(root.into());
            args.push(low.into());
            args.push(high.into());
        }
        (Some(root), None) => {
            sql.push_str(" AND EXISTS (SELECT 1 FROM files r WHERE r.asset_id = a.id AND r.root_id = ?)");
            args.push(root.into());
        }
        (None, _) => {}
    }
    args
}

/// The exclusive byte bounds of the paths below `folder` ("dir/" and
/// "dir0"), or `None` for no folder or the root itself.
fn folder_bounds(folder: Option<&Path>) -> Option<(Vec<u8>, Vec<u8>)> {
    let mut low = paths::to_bytes(folder?);
    while low.last() == Some(&b'/') {
        low.pop();
    }
    if low.is_empty() {
        return None;
    }
    let mut high = low.clone();
    low.push(b'/');
    high.push(b'/' + 1);
    Some((low, high))
}
