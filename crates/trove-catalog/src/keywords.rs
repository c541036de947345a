//! The keyword tree: `Places|Iceland|Reykjavik` is three rows, each naming
//! its parent. Assets link to keywords by id, so renaming, moving or
//! merging a keyword changes it on every asset that carries it at once.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, params};
use trove_types::KeywordPath;

use crate::batch::{Batch, event_kind};
use crate::db::Catalog;
use crate::error::{CatalogError, Result, SqlContext};
use crate::model::AssetRowId;

/// A keyword in the tree, with how many assets carry it (itself, not
/// counting those below it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordNode {
    pub id: i64,
    pub path: KeywordPath,
    pub assets: u64,
}

/// The event detail that names a keyword.
fn keyword_detail(keyword: i64) -> String {
    serde_json::json!({ "keyword": keyword }).to_string()
}

impl Batch<'_> {
    /// The id of a keyword, creating it and its parents as needed.
    pub(crate) fn keyword_id(&mut self, path: &KeywordPath, cache: &mut HashMap<KeywordPath, i64>) -> Result<i64> {
        if let Some(id) = cache.get(path) {
            return Ok(*id);
        }
        let mut parent: Option<i64> = None;
        for name in path.levels() {
            parent = Some(match child(self.tx(), parent, name)? {
                Some(id) => id,
                None => {
                    self.tx()
                        .prepare_cached("INSERT INTO keywords (parent_id, name, created_at) VALUES (?1, ?2, ?3)")
                        .ctx("add keyword")?
                        .execute(params![parent, name, self.now()])
                        .ctx("add keyword")?;
                    self.tx().last_insert_rowid()
                }
            });
        }
        let id = parent.ok_or_else(|| CatalogError::BadValue {
            what: "keyword",
            value: path.to_string(),
        })?;
        cache.insert(path.clone(), id);
        Ok(id)
    }

    pub(crate) fn find_keyword(&self, path: &KeywordPath) -> Result<Option<i64>> {
        find_keyword(self.tx(), path)
    }

    /// Renames or moves a keyword (`Places|Iceland` to `Travel|Iceland`):
    /// every asset that carries it, or one below it, carries the new path.
    /// Refused when the new path exists (merge it instead) or lies below
    /// the keyword itself.
    pub fn rename_keyword(&mut self, from: &KeywordPath, to: &KeywordPath) -> Result<i64> {
        let id = self.find_keyword(from)?.ok_or_else(|| keyword_not_found(from))?;
        if self.find_keyword(to)?.is_some() {
            return Err(CatalogError::BadValue {
                what: "keyword",
                value: format!("a new path ({to} exists: merge {from} into it instead)"),
            });
        }
        if to.starts_with(from) {
            return Err(CatalogError::BadValue {
                what: "keyword",
                value: format!("a path outside {from}"),
            });
        }
        let parent = match to.levels().split_last() {
            Some((_, [])) | None => None,
            Some((_, parents)) => {
                let parent = KeywordPath::from_levels(parents.to_vec()).map_err(|e| CatalogError::BadValue {
                    what: "keyword",
                    value: e.to_string(),
                })?;
                Some(self.keyword_id(&parent, &mut HashMap::new())?)
            }
        };
        self.tx()
            .execute(
                "UPDATE keywords SET parent_id = ?2, name = ?3 WHERE id = ?1",
                params![id, parent, to.name()],
            )
            .ctx("rename keyword")?;
        self.log(event_kind::KEYWORD_CHANGED, None, None, None, Some(&keyword_detail(id)))?;
        Ok(id)
    }

    /// Merges `from` (and the keywords below it) into `into`: every asset
    /// that carried `from` carries `into`; `from`'s children move under
    /// `into`, merging with children of the same name; `from` is gone.
    pub fn merge_keyword(&mut self, from: &KeywordPath, into: &KeywordPath) -> Result<i64> {
        let from_id = self.find_keyword(from)?.ok_or_else(|| keyword_not_found(from))?;
        let into_id = self.find_keyword(into)?.ok_or_else(|| keyword_not_found(into))?;
        if into.starts_with(from) || from_id == into_id {
            return Err(CatalogError::BadValue {
                what: "keyword",
                value: format!("another keyword, outside {from}"),
            });
        }
        self.merge_ids(from_id, into_id)?;
        self.log(
            event_kind::KEYWORD_CHANGED,
            None,
            None,
            None,
            Some(&keyword_detail(into_id)),
        )?;
        Ok(into_id)
    }

    fn merge_ids(&mut self, from: i64, into: i64) -> Result<()> {
        self.tx()
            .execute(
                "INSERT OR IGNORE INTO asset_keywords (asset_id, keyword_id)
                 SELECT asset_id, ?2 FROM asset_keywords WHERE keyword_id = ?1",
                [from, into],
            )
            .ctx("merge keyword")?;
        self.tx()
            .execute("DELETE FROM asset_keywords WHERE keyword_id = ?1", [from])
            .ctx("merge keyword")?;
        let children: Vec<(i64, String)> = {
            let mut stmt = self
                .tx()
                .prepare_cached("SELECT id, name FROM keywords WHERE parent_id = ?1")
                .ctx("merge keyword")?;
            let rows = stmt
                .query_map([from], |r| Ok((r.get(0)?, r.get(1)?)))
                .ctx("merge keyword")?;
            rows.collect::<rusqlite::Result<_>>().ctx("merge keyword")?
        };
        for (kid, name) in children {
            match child(self.tx(), Some(into), &name)? {
                Some(twin) => self.merge_ids(kid, twin)?,
                None => {
                    self.tx()
                        .execute("UPDATE keywords SET parent_id = ?2 WHERE id = ?1", [kid, into])
                        .ctx("merge keyword")?;
                }
            }
        }
        self.tx()
            .execute("DELETE FROM keywords WHERE id = ?1", [from])
            .ctx("merge keyword")?;
        Ok(())
    }
}

fn keyword_not_found(path: &KeywordPath) -> CatalogError {
    CatalogError::NotFound {
        what: "keyword",
        key: path.to_string(),
    }
}

/// The keyword named `name` under `parent` (`None`: the top level).
fn child(conn: &Connection, parent: Option<i64>, name: &str) -> Result<Option<i64>> {
    conn.prepare_cached("SELECT id FROM keywords WHERE coalesce(parent_id, 0) = coalesce(?1, 0) AND name = ?2")
        .ctx("find keyword")?
        .query_row(params![parent, name], |r| r.get(0))
        .optional()
        .ctx("find keyword")
}

pub(crate) fn find_keyword(conn: &Connection, path: &KeywordPath) -> Result<Option<i64>> {
    let mut parent: Option<i64> = None;
    for name in path.levels() {
        match child(conn, parent, name)? {
            Some(id) => parent = Some(id),
            None => return Ok(None),
        }
    }
    Ok(parent)
}

/// The keyword paths an asset carries, sorted (in a transaction or not).
pub(crate) fn keywords_in(conn: &Connection, asset: AssetRowId) -> Result<Vec<KeywordPath>> {
    let mut stmt = conn
        .prepare_cached(
            "WITH RECURSIVE up (leaf, id, parent_id, name, depth) AS (
                 SELECT k.id, k.id, k.parent_id, k.name, 0
                 FROM asset_keywords ak JOIN keywords k ON k.id = ak.keyword_id
                 WHERE ak.asset_id = ?1
                 UNION ALL
                 SELECT up.leaf, k.id, k.parent_id, k.name, up.depth + 1
                 FROM up JOIN keywords k ON k.id = up.parent_id
                 WHERE up.depth < 64)
             SELECT leaf, name FROM up ORDER BY leaf, depth DESC",
        )
        .ctx("read keywords")?;
    let rows = stmt
        .query_map([asset], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .ctx("read keywords")?;
    let mut levels: Vec<(i64, Vec<String>)> = Vec::new();
    for row in rows {
        let (leaf, name) = row.ctx("read keywords")?;
        match levels.last_mut() {
            Some((l, names)) if *l == leaf => names.push(name),
            _ => levels.push((leaf, vec![name])),
        }
    }
    let mut paths: Vec<KeywordPath> = levels
        .into_iter()
        .map(|(_, names)| {
            KeywordPath::from_levels(names.clone()).map_err(|_| CatalogError::BadValue {
                what: "keywords.name",
                value: names.join("|"),
            })
        })
        .collect::<Result<_>>()?;
    paths.sort();
    Ok(paths)
}

impl Catalog {
    /// The keyword paths an asset carries, sorted.
    pub(crate) fn keywords_of(&self, asset: AssetRowId) -> Result<Vec<KeywordPath>> {
        keywords_in(&self.conn, asset)
    }

    /// The id of a keyword, if it exists.
    pub fn keyword(&self, path: &KeywordPath) -> Result<Option<i64>> {
        find_keyword(&self.conn, path)
    }

    /// The whole keyword tree, by path.
    pub fn keyword_tree(&self) -> Result<Vec<KeywordNode>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "WITH RECURSIVE tree (id, path, depth) AS (
                     SELECT id, name, 0 FROM keywords WHERE parent_id IS NULL
                     UNION ALL
                     SELECT k.id, tree.path || char(31) || k.name, tree.depth + 1
                     FROM keywords k JOIN tree ON k.parent_id = tree.id WHERE tree.depth < 64)
                 SELECT t.id, t.path, (SELECT count(*) FROM asset_keywords ak WHERE ak.keyword_id = t.id)
                 FROM tree t",
            )
            .ctx("read keyword tree")?;
        let rows = stmt
            .query_map([], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
            })
            .ctx("read keyword tree")?;
        let mut nodes = Vec::new();
        for row in rows {
            let (id, path, assets) = row.ctx("read keyword tree")?;
            let path = KeywordPath::from_levels(path.split('\u{1f}')).map_err(|_| CatalogError::BadValue {
                what: "keywords.name",
                value: path.replace('\u{1f}', "|"),
            })?;
            nodes.push(KeywordNode {
                id,
                path,
                assets: assets.max(0) as u64,
            });
        }
        nodes.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(nodes)
    }

    /// The assets that carry a keyword or one below it.
    pub(crate) fn keyword_asset_rows(&self, keyword: i64) -> Result<Vec<AssetRowId>> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "WITH RECURSIVE sub (id) AS (SELECT ?1 UNION ALL
                     SELECT k.id FROM keywords k JOIN sub ON k.parent_id = sub.id)
                 SELECT DISTINCT asset_id FROM asset_keywords WHERE keyword_id IN (SELECT id FROM sub)",
            )
            .ctx("read keyword")?;
        let rows = stmt.query_map([keyword], |r| r.get(0)).ctx("read keyword")?;
        rows.collect::<rusqlite::Result<_>>().ctx("read keyword")
    }
}
