//! Finding and looking at assets: `trove search`, `reindex`, `ls`, `info`,
//! `duplicates`.

use std::path::Path;

use trove_core::{AssetFilter, CoreError, SearchQuery};

use crate::progress::Reporter;
use crate::{EXIT_OK, json, open_reader, open_writer, output, sync_cmd};

/// `trove search`.
pub fn search(dir: &Path, query: SearchQuery, json: bool) -> Result<u8, CoreError> {
    // The writer (when no other process holds the library) first
    // brings the index up to date; otherwise the running writer does.
    let lib = match open_writer(dir, false) {
        Err(e) if e.code() == "library_locked" => open_reader(dir)?,
        other => other?,
    };
    let reporter = Reporter::new(json).lines_only();
    let found = lib.search(&query, &reporter)?;
    if json {
        output::json(&json::search(&found));
    } else {
        output::search(&found);
    }
    Ok(EXIT_OK)
}

/// `trove reindex`.
pub fn reindex(dir: &Path, json: bool) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    let reporter = Reporter::new(json).lines_only();
    let report = lib.reindex(&reporter)?;
    if json {
        output::json(&serde_json::json!({ "indexed": report.indexed, "seq": report.seq }));
    } else {
        output::note(&format!("indexed {} asset(s)", report.indexed));
    }
    Ok(EXIT_OK)
}

/// `trove ls`.
pub fn ls(dir: &Path, filter: &AssetFilter, json: bool) -> Result<u8, CoreError> {
    let lib = open_reader(dir)?;
    let assets = lib.assets(filter)?;
    if json {
        output::json(&assets.iter().map(json::asset_summary).collect::<Vec<_>>());
    } else {
        output::assets(&assets);
    }
    Ok(EXIT_OK)
}

/// `trove info`.
pub fn info(dir: &Path, asset: &str, json: bool) -> Result<u8, CoreError> {
    let lib = open_reader(dir)?;
    let detail = lib.asset_detail(asset)?;
    let sync = lib.asset_sync_state(detail.asset.row_id)?;
    if json {
        let mut v = serde_json::to_value(json::asset_detail(&detail)).unwrap_or_default();
        if let Some(obj) = v.as_object_mut() {
            obj.insert("sync".into(), sync_cmd::objects_json(&sync));
        }
        output::json(&v);
    } else {
        output::asset_detail(&detail);
        for line in sync_cmd::object_lines(&sync) {
            output::line(&line);
        }
    }
    Ok(EXIT_OK)
}

/// `trove duplicates`.
pub fn duplicates(dir: &Path, json: bool) -> Result<u8, CoreError> {
    let lib = open_reader(dir)?;
    let sets = lib.duplicates()?;
    if json {
        output::json(&sets.iter().map(json::duplicate_set).collect::<Vec<_>>());
    } else {
        output::duplicates(&sets);
    }
    Ok(EXIT_OK)
}
