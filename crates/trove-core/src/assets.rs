//! Browsing assets: listings and their counts, ids, the folder tree, the
//! timeline, one asset's detail, duplicates.

use std::path::Path;

use trove_types::AssetId;

use crate::error::{CoreError, Result};
use crate::library::Library;
use crate::model::{AssetDetail, AssetFilter, AssetSummary, DuplicateSet, FileInfo, FolderInfo, TimelineDay};

impl Library {
    pub fn assets(&self, filter: &AssetFilter) -> Result<Vec<AssetSummary>> {
        let cat = self.catalog();
        let roots = cat.all_roots()?;
        let listing = cat.list_assets(&filter.query(true))?;
        Ok(listing
            .into_iter()
            .map(|l| {
                let root = roots.iter().find(|r| r.id == l.root_id);
                let path = root
                    .map(|r| r.path.join(&l.rel_path))
                    .unwrap_or_else(|| l.rel_path.clone());
                AssetSummary {
                    id: l.asset.id,
                    kind: l.asset.kind,
                    mime: l.asset.mime.clone(),
                    size: l.asset.size,
                    status: l.asset.status,
                    capture: l.asset.capture,
                    width: l.asset.width,
                    height: l.asset.height,
                    name: l
                        .rel_path
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default(),
                    path,
                    file_count: l.file_count,
                    thumbhash: l.thumbhash,
                    sync: l.sync,
                    marks: l.marks,
                }
            })
            .collect())
    }

    /// How many assets match a filter (ignoring its paging).
    pub fn count_assets(&self, filter: &AssetFilter) -> Result<u64> {
        Ok(self.catalog().count_assets(&filter.query(false))?)
    }

    /// The ids of the page [`Library::assets`] gives for this filter, in its
    /// order, and nothing else: "select all" and shift-click ranges over
    /// a listing far larger than what the grid has loaded.
    pub fn asset_ids(&self, filter: &AssetFilter) -> Result<Vec<AssetId>> {
        Ok(self.catalog().list_asset_ids(&filter.query(true))?)
    }

    /// The folder tree of a watched folder: every folder below it that holds
    /// present files, with their count, in tree order (a folder before what
    /// is in it). For browsing by folder with [`AssetFilter::folder`].
    pub fn folder_tree(&self, root_id: i64) -> Result<Vec<FolderInfo>> {
        Ok(self
            .catalog()
            .folder_counts(root_id)?
            .into_iter()
            .map(|f| FolderInfo {
                path: f.path,
                files: f.files,
            })
            .collect())
    }

    /// The timeline's sections: the listing [`Library::assets`] gives (same
    /// filter, same order), cut into runs of one local capture day each.
    /// Section `n` holds the assets at the indices after the counts of the
    /// sections before it.
    pub fn timeline(&self, filter: &AssetFilter) -> Result<Vec<TimelineDay>> {
        let runs = self.catalog().capture_days(&filter.query(false))?;
        Ok(runs
            .into_iter()
            .map(|r| TimelineDay {
                date: r.day.and_then(|d| {
                    // Days since 1970-01-01 to a calendar date; out-of-range
                    // capture times (corrupt EXIF) count as undated.
                    let jd = i32::try_from(d.checked_add(2_440_588)?).ok()?;
                    time::Date::from_julian_day(jd).ok()
                }),
                count: r.count,
            })
            .collect())
    }

    /// Looks an asset up by its id or by the path of one of its files.
    pub fn asset_detail(&self, query: &str) -> Result<AssetDetail> {
        let cat = self.catalog();
        let asset = find_asset(&cat, query)?;
        let files = self.file_infos(&cat, asset.row_id)?;
        let metadata = cat.metadata(asset.row_id)?;
        let curation = cat.curation(asset.row_id)?;
        let derivatives = cat.derivatives(asset.row_id)?;
        let (thumbhash, proxy_error) = cat.proxy_state(asset.row_id)?;
        Ok(AssetDetail {
            asset,
            files,
            metadata,
            curation,
            derivatives,
            thumbhash,
            proxy_error,
        })
    }

    /// The id of an asset named by its id or by the path of one of its
    /// files.
    pub fn resolve_asset(&self, query: &str) -> Result<AssetId> {
        Ok(find_asset(&self.catalog(), query)?.id)
    }

    fn file_infos(&self, cat: &trove_catalog::Catalog, asset_row: i64) -> Result<Vec<FileInfo>> {
        let roots = cat.all_roots()?;
        Ok(cat
            .files_of_asset(asset_row)?
            .into_iter()
            .map(|f| FileInfo {
                root_id: f.root_id,
                path: roots
                    .iter()
                    .find(|r| r.id == f.root_id)
                    .map(|r| r.path.join(&f.rel_path))
                    .unwrap_or_else(|| f.rel_path.clone()),
                record: f,
            })
            .collect())
    }

    /// Assets that have more than one file.
    pub fn duplicates(&self) -> Result<Vec<DuplicateSet>> {
        let cat = self.catalog();
        let sets = cat.duplicates()?;
        sets.into_iter()
            .map(|(asset, _)| {
                let files = self.file_infos(&cat, asset.row_id)?;
                Ok(DuplicateSet { asset, files })
            })
            .collect()
    }
}

/// The asset named by its id or by the path of one of its files.
fn find_asset(cat: &trove_catalog::Catalog, query: &str) -> Result<trove_catalog::Asset> {
    let asset = if let Ok(id) = query.parse::<AssetId>() {
        match cat.asset(id) {
            Ok(a) => a,
            Err(e) if e.is_not_found() => {
                return Err(CoreError::AssetNotFound {
                    query: query.to_owned(),
                });
            }
            Err(e) => return Err(e.into()),
        }
    } else {
        let p = Path::new(query);
        let abs = std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
        let abs = abs.canonicalize().unwrap_or(abs);
        let mut found = None;
        for root in cat.roots()? {
            if let Ok(rel) = abs.strip_prefix(&root.path)
                && let Some(a) = cat.asset_at(root.id, rel)?
            {
                found = Some(a);
                break;
            }
        }
        found.ok_or_else(|| CoreError::AssetNotFound {
            query: query.to_owned(),
        })?
    };
    Ok(asset)
}
