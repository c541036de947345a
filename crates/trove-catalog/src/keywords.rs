//! The keyword tree: `Places|Iceland|Reykjavik` is three rows, each naming
//! its parent. Assets link to keywords by id, so renaming, moving or
//! merging a keyword changes it on every asset that carries it at once.

use std::collections::{BTreeMap, HashMap};

use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use trove_types::KeywordPath;

use crate::batch::{Batch, event_kind, to_json};
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
        self.ensure_keyword(path, cache, None)
    }

    /// Gives an asset these keywords (made as needed), besides those it
    /// has.
    pub(crate) fn add_asset_keywords(
        &mut self,
        asset: AssetRowId,
        keywords: &[KeywordPath],
        cache: &mut HashMap<KeywordPath, i64>,
    ) -> Result<()> {
        for k in keywords {
            let kid = self.keyword_id(k, cache)?;
            self.tx()
                .prepare_cached("INSERT OR IGNORE INTO asset_keywords (asset_id, keyword_id) VALUES (?1, ?2)")
                .ctx("add keywords")?
                .execute([asset, kid])
                .ctx("add keywords")?;
        }
        Ok(())
    }

    /// [`Batch::keyword_id`], telling `created` the ids of the keywords it
    /// made, parents first.
    fn ensure_keyword(
        &mut self,
        path: &KeywordPath,
        cache: &mut HashMap<KeywordPath, i64>,
        mut created: Option<&mut Vec<i64>>,
    ) -> Result<i64> {
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
                    let id = self.tx().last_insert_rowid();
                    if let Some(c) = created.as_deref_mut() {
                        c.push(id);
                    }
                    id
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

    /// Refuses a rename the tree cannot take, naming why.
    pub(crate) fn check_rename(&self, from: &KeywordPath, to: &KeywordPath) -> Result<i64> {
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
        Ok(id)
    }

    /// Refuses a merge the tree cannot take, naming why.
    pub(crate) fn check_merge(&self, from: &KeywordPath, into: &KeywordPath) -> Result<(i64, i64)> {
        let from_id = self.find_keyword(from)?.ok_or_else(|| keyword_not_found(from))?;
        let into_id = self.find_keyword(into)?.ok_or_else(|| keyword_not_found(into))?;
        if into.starts_with(from) || from_id == into_id {
            return Err(CatalogError::BadValue {
                what: "keyword",
                value: format!("another keyword, outside {from}"),
            });
        }
        Ok((from_id, into_id))
    }

    /// Renames `from` to `to` under edit `edit` (new, or redone): what
    /// the tree was is kept in `edits.tree`, and the assets carrying the
    /// keyword or one below it go to `edit_assets`. Returns how many.
    pub(crate) fn run_rename(&mut self, edit: i64, from: &KeywordPath, to: &KeywordPath) -> Result<u64> {
        let id = self.check_rename(from, to)?;
        let mut journal = TreeJournal::default();
        let mut links: BTreeMap<AssetRowId, AssetLinks> = BTreeMap::new();
        for asset in self.subtree_asset_rows(id)? {
            links.entry(asset).or_default();
        }
        let parent = match to.levels().split_last() {
            Some((_, [])) | None => None,
            Some((_, parents)) => {
                let parent = KeywordPath::from_levels(parents.to_vec()).map_err(|e| CatalogError::BadValue {
                    what: "keyword",
                    value: e.to_string(),
                })?;
                Some(self.ensure_keyword(&parent, &mut HashMap::new(), Some(&mut journal.created))?)
            }
        };
        journal.moved.push(self.keyword_row(id)?);
        self.tx()
            .execute(
                "UPDATE keywords SET parent_id = ?2, name = ?3 WHERE id = ?1",
                params![id, parent, to.name()],
            )
            .ctx("rename keyword")?;
        self.record_tree_change(edit, id, &journal, &links)
    }

    /// Merges `from` into `into` under edit `edit` (new, or redone): what
    /// the tree was is kept in `edits.tree`, and the assets whose keywords
    /// change go to `edit_assets` with the links taken away and added.
    /// Returns how many.
    pub(crate) fn run_merge(&mut self, edit: i64, from: &KeywordPath, into: &KeywordPath) -> Result<u64> {
        let (from_id, into_id) = self.check_merge(from, into)?;
        let mut journal = TreeJournal::default();
        let mut links: BTreeMap<AssetRowId, AssetLinks> = BTreeMap::new();
        // Assets carrying a keyword below `from` that simply moves under
        // `into` change their paths too.
        for asset in self.subtree_asset_rows(from_id)? {
            links.entry(asset).or_default();
        }
        self.merge_ids(from_id, into_id, &mut journal, &mut links)?;
        self.record_tree_change(edit, into_id, &journal, &links)
    }

    fn record_tree_change(
        &mut self,
        edit: i64,
        keyword: i64,
        journal: &TreeJournal,
        links: &BTreeMap<AssetRowId, AssetLinks>,
    ) -> Result<u64> {
        {
            let mut insert = self
                .tx()
                .prepare_cached("INSERT INTO edit_assets (edit_id, asset_id, before) VALUES (?1, ?2, ?3)")
                .ctx("record edit")?;
            for (asset, l) in links {
                let before = to_json("edit_assets.before", l)?;
                insert.execute(params![edit, asset, before]).ctx("record edit")?;
            }
        }
        let tree = to_json("edits.tree", journal)?;
        self.tx()
            .execute(
                "UPDATE edits SET tree = ?2, asset_count = ?3 WHERE id = ?1",
                params![edit, tree, links.len() as i64],
            )
            .ctx("record edit")?;
        self.log(
            event_kind::KEYWORD_CHANGED,
            None,
            None,
            None,
            Some(&keyword_detail(keyword)),
        )?;
        Ok(links.len() as u64)
    }

    /// Takes back a rename or merge: the keywords it deleted come back with
    /// their ids, those it moved go back where they were, the links it
    /// changed are put back, and keywords it created that nothing uses
    /// are removed. Refused, naming the keyword, when the tree has since
    /// changed so that this cannot be done (a keyword of the same name was
    /// made where one has to come back).
    pub(crate) fn undo_tree_change(&mut self, edit: i64, summary: &str) -> Result<()> {
        let journal: TreeJournal = self.edit_tree(edit)?;
        // Deleted keywords come back (parents first), then moved ones go
        // back where they were.
        for k in journal.deleted.iter().rev() {
            self.make_room(k, summary)?;
            self.tx()
                .execute(
                    "INSERT INTO keywords (id, parent_id, name, created_at) VALUES (?1, ?2, ?3, ?4)",
                    params![k.id, k.parent, k.name, k.created_at],
                )
                .ctx("undo keyword change")?;
        }
        for k in journal.moved.iter().rev() {
            self.make_room(k, summary)?;
            self.tx()
                .execute(
                    "UPDATE keywords SET parent_id = ?2, name = ?3 WHERE id = ?1",
                    params![k.id, k.parent, k.name],
                )
                .ctx("undo keyword change")?;
        }
        self.tx()
            .execute(
                "DELETE FROM asset_keywords WHERE (asset_id, keyword_id) IN
                     (SELECT ea.asset_id, j.value FROM edit_assets ea, json_each(ea.before, '$.added') j
                      WHERE ea.edit_id = ?1)",
                [edit],
            )
            .ctx("undo keyword change")?;
        self.tx()
            .execute(
                "INSERT OR IGNORE INTO asset_keywords (asset_id, keyword_id)
                 SELECT ea.asset_id, j.value FROM edit_assets ea, json_each(ea.before, '$.removed') j
                 WHERE ea.edit_id = ?1 AND j.value IN (SELECT id FROM keywords)",
                [edit],
            )
            .ctx("undo keyword change")?;
        for id in journal.created.iter().rev() {
            self.drop_if_unused(*id)?;
        }
        let keyword = journal.moved.first().or(journal.deleted.last()).map(|k| k.id);
        if let Some(k) = keyword {
            self.log(event_kind::KEYWORD_CHANGED, None, None, None, Some(&keyword_detail(k)))?;
        }
        Ok(())
    }

    /// Checks that keyword `k` can take its old place again: its parent
    /// exists, and no other keyword holds its name there (one nothing uses
    /// is removed). Refused with why, to undo `summary`.
    fn make_room(&mut self, k: &KeywordRow, summary: &str) -> Result<()> {
        let blocked = |what: String| CatalogError::BadValue {
            what: "keyword",
            value: format!("a tree where {what}, to undo \"{summary}\""),
        };
        if let Some(parent) = k.parent
            && !self.keyword_exists(parent)?
        {
            return Err(blocked(format!("the parent {} was under still exists", k.name)));
        }
        if let Some(other) = child(self.tx(), k.parent, &k.name)?
            && other != k.id
            && !self.drop_if_unused(other)?
        {
            return Err(blocked(format!(
                "no other keyword is named {} (rename it first)",
                k.name
            )));
        }
        Ok(())
    }

    /// Deletes a keyword no asset carries and with nothing below it (one an
    /// undone edit created, in the way of an older one's undo). Whether it
    /// was deleted.
    fn drop_if_unused(&mut self, id: i64) -> Result<bool> {
        let n = self
            .tx()
            .execute(
                "DELETE FROM keywords WHERE id = ?1
                   AND NOT EXISTS (SELECT 1 FROM keywords WHERE parent_id = ?1)
                   AND NOT EXISTS (SELECT 1 FROM asset_keywords WHERE keyword_id = ?1)",
                [id],
            )
            .ctx("undo keyword change")?;
        Ok(n > 0)
    }

    fn keyword_exists(&self, id: i64) -> Result<bool> {
        self.tx()
            .query_row("SELECT EXISTS (SELECT 1 FROM keywords WHERE id = ?1)", [id], |r| {
                r.get(0)
            })
            .ctx("find keyword")
    }

    fn keyword_row(&self, id: i64) -> Result<KeywordRow> {
        self.tx()
            .query_row(
                "SELECT id, parent_id, name, created_at FROM keywords WHERE id = ?1",
                [id],
                |r| {
                    Ok(KeywordRow {
                        id: r.get(0)?,
                        parent: r.get(1)?,
                        name: r.get(2)?,
                        created_at: r.get(3)?,
                    })
                },
            )
            .ctx("read keyword")
    }

    /// The assets that carry a keyword or one below it.
    fn subtree_asset_rows(&self, keyword: i64) -> Result<Vec<AssetRowId>> {
        subtree_asset_rows(self.tx(), keyword)
    }

    fn merge_ids(
        &mut self,
        from: i64,
        into: i64,
        journal: &mut TreeJournal,
        links: &mut BTreeMap<AssetRowId, AssetLinks>,
    ) -> Result<()> {
        {
            let mut stmt = self
                .tx()
                .prepare_cached(
                    "SELECT a.asset_id, EXISTS (SELECT 1 FROM asset_keywords b WHERE b.asset_id = a.asset_id AND b.keyword_id = ?2)
                     FROM asset_keywords a WHERE a.keyword_id = ?1",
                )
                .ctx("merge keyword")?;
            let rows = stmt
                .query_map([from, into], |r| Ok((r.get::<_, AssetRowId>(0)?, r.get::<_, bool>(1)?)))
                .ctx("merge keyword")?;
            for row in rows {
                let (asset, had_into) = row.ctx("merge keyword")?;
                let l = links.entry(asset).or_default();
                l.removed.push(from);
                if !had_into && !l.added.contains(&into) {
                    l.added.push(into);
                }
            }
        }
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
                Some(twin) => self.merge_ids(kid, twin, journal, links)?,
                None => {
                    journal.moved.push(self.keyword_row(kid)?);
                    self.tx()
                        .execute("UPDATE keywords SET parent_id = ?2 WHERE id = ?1", [kid, into])
                        .ctx("merge keyword")?;
                }
            }
        }
        journal.deleted.push(self.keyword_row(from)?);
        self.tx()
            .execute("DELETE FROM keywords WHERE id = ?1", [from])
            .ctx("merge keyword")?;
        Ok(())
    }
}

/// A keyword row as it was before a rename or merge changed it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct KeywordRow {
    id: i64,
    parent: Option<i64>,
    name: String,
    created_at: i64,
}

/// What a rename or merge changed in the keyword tree (`edits.tree`).
#[derive(Debug, Default, Serialize, Deserialize)]
struct TreeJournal {
    /// Keywords moved or renamed, as they were, in the order changed.
    #[serde(default)]
    moved: Vec<KeywordRow>,
    /// Keywords a merge deleted, as they were, in the order deleted
    /// (children before their parents).
    #[serde(default)]
    deleted: Vec<KeywordRow>,
    /// Keywords a rename created (the new path's parents), in order.
    #[serde(default)]
    created: Vec<i64>,
}

/// The keyword links a merge changed on one asset (`edit_assets.before`).
#[derive(Debug, Default, Serialize, Deserialize)]
struct AssetLinks {
    #[serde(default)]
    removed: Vec<i64>,
    #[serde(default)]
    added: Vec<i64>,
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
        subtree_asset_rows(&self.conn, keyword)
    }
}

/// The assets that carry a keyword or one below it.
fn subtree_asset_rows(conn: &Connection, keyword: i64) -> Result<Vec<AssetRowId>> {
    let mut stmt = conn
        .prepare_cached(
            "WITH RECURSIVE sub (id) AS (SELECT ?1 UNION ALL
                 SELECT k.id FROM keywords k JOIN sub ON k.parent_id = sub.id)
             SELECT DISTINCT asset_id FROM asset_keywords WHERE keyword_id IN (SELECT id FROM sub)",
        )
        .ctx("read keyword")?;
    let rows = stmt.query_map([keyword], |r| r.get(0)).ctx("read keyword")?;
    rows.collect::<rusqlite::Result<_>>().ctx("read keyword")
}
