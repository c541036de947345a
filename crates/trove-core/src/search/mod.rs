//! The search index, kept in step with the catalog, and searching it.
//!
//! The index (`<library>/search/`, Tantivy, see `trove-search`) is derived
//! data. Every change to an asset appends to the catalog's event log; the
//! indexer reads the log from the sequence number the index's last commit
//! recorded, re-reads the assets those events name, and commits the new
//! documents together with the new sequence number. The sequence moves only
//! in that commit, so a crash between a catalog write and the index commit
//! leaves the gap to be indexed on the next run, never an asset that cannot
//! be found. An index that cannot be opened is set aside and rebuilt from
//! the catalog, and `trove reindex` rebuilds it on request.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use trove_catalog::{AssetStatus, Catalog, FileRecord};
use trove_search::{AssetDoc, Index, OpenReport, SearchRequest, Sort};
use trove_types::{AssetId, Flag};

use crate::error::{CoreError, Result};
use crate::events::{Event, EventSink};
use crate::library::Library;
use crate::model::AssetSummary;

/// Folder of the index inside the library.
pub const SEARCH_DIR: &str = "search";

/// How many events (and so at most how many assets) one indexing step reads.
const EVENTS_PER_STEP: u32 = 20_000;
/// Assets read from the catalog per transaction while rebuilding.
const ASSETS_PER_STEP: u32 = 2_000;

pub use trove_search::{Direction, Facets, SearchError};

pub(crate) mod report;
pub use report::IndexReport;

/// One search.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// The query text (the language is in `crates/trove-search/QUERY.md`).
    pub text: String,
    pub sort: Sort,
    pub offset: usize,
    pub limit: usize,
    /// Count facets (kind, camera, lens, dates, rating, tags, albums,
    /// extensions) over everything that matches.
    pub facets: bool,
}

/// What a search found: the page of assets, the total, and facets.
#[derive(Debug, Clone)]
pub struct SearchOutcome {
    pub total: u64,
    pub assets: Vec<AssetSummary>,
    pub facets: Option<Facets>,
    /// How long the index took, in microseconds.
    pub took_us: u64,
}

impl Library {
    pub fn search_dir(&self) -> PathBuf {
        self.dir().join(SEARCH_DIR)
    }

    /// The open index, opening (and, if it must, rebuilding) it the first
    /// time. A reader opens it without the writer lock.
    pub(crate) fn search_index(&self, sink: &dyn EventSink) -> Result<Arc<Index>> {
        let mut slot = self.search_slot();
        if let Some(index) = slot.as_ref() {
            return Ok(index.clone());
        }
        let dir = self.search_dir();
        let index = if self.is_writer() {
            let (index, report) = Index::open_or_create(&dir).map_err(|e| search_error(&dir, e))?;
            if let OpenReport::Rebuilt { moved_to, reason } = &report {
                sink.emit(Event::SearchIndexRebuilt {
                    reason: reason.to_string(),
                    moved_to: moved_to.clone(),
                });
            }
            let index = Arc::new(index);
            if report.needs_full_reindex() {
                self.rebuild_index(&index)?;
            }
            index
        } else {
            Arc::new(Index::open_read_only(&dir).map_err(|e| search_error(&dir, e))?)
        };
        *slot = Some(index.clone());
        Ok(index)
    }

    /// Brings the index up to the catalog's latest change. Cheap when
    /// nothing changed. Writers only.
    pub fn update_search_index(&self, sink: &dyn EventSink) -> Result<IndexReport> {
        self.require_writer("updating the search index")?;
        let started = Instant::now();
        let index = self.search_index(sink)?;
        let mut seq = index.committed_seq().unwrap_or(0);
        // The common case (nothing new, e.g. every keystroke of a search)
        // asks the shared connection one question and returns.
        let last = self.catalog().last_event_id()?.max(0) as u64;
        if seq == last {
            return Ok(IndexReport {
                seq,
                ..IndexReport::default()
            });
        }
        let cat = self.connect()?;
        if seq > last {
            // The catalog is older than the index (restored from a backup):
            // the index describes a future that did not happen.
            return self.rebuild_index(&index);
        }
        let mut report = IndexReport {
            seq,
            ..IndexReport::default()
        };
        while seq < last {
            let events = cat.events_after(seq as i64, EVENTS_PER_STEP)?;
            let Some(newest) = events.last().map(|e| e.id) else {
                break;
            };
            let touched: Vec<i64> = cat.touched_assets(&events)?.into_iter().collect();
            // In steps, so Tantivy's threads index one step while the next
            // is read from the catalog (an edit of 100,000 assets took 4.2 s
            // when all were read first, 3.7 s in steps).
            for step in touched.chunks(ASSETS_PER_STEP as usize) {
                let (indexed, removed) = write_docs(&cat, &index, step.iter().copied())?;
                report.indexed += indexed;
                report.removed += removed;
            }
            seq = newest as u64;
        }
        if seq != report.seq {
            index.commit(seq).map_err(|e| search_error(index.path(), e))?;
            report.seq = seq;
        }
        if report.indexed + report.removed > 0 {
            tracing::info!(
                indexed = report.indexed,
                removed = report.removed,
                ms = started.elapsed().as_millis() as u64,
                "search index updated"
            );
        }
        Ok(report)
    }

    /// Empties the index and indexes every asset again.
    pub fn reindex(&self, sink: &dyn EventSink) -> Result<IndexReport> {
        self.require_writer("rebuilding the search index")?;
        let index = self.search_index(sink)?;
        self.rebuild_index(&index)
    }

    fn rebuild_index(&self, index: &Index) -> Result<IndexReport> {
        let cat = self.connect()?;
        // Everything logged up to here is in what is read below; whatever
        // is logged meanwhile is indexed again by the next update.
        let seq = cat.last_event_id()?.max(0) as u64;
        index.clear().map_err(|e| search_error(index.path(), e))?;
        let mut report = IndexReport {
            rebuilt: true,
            seq,
            ..IndexReport::default()
        };
        let mut after = 0;
        loop {
            let rows = cat.asset_rows_after(after, ASSETS_PER_STEP)?;
            let Some(&last) = rows.last() else { break };
            let (indexed, _) = write_docs(&cat, index, rows.into_iter())?;
            report.indexed += indexed;
            after = last;
        }
        index.commit(seq).map_err(|e| search_error(index.path(), e))?;
        Ok(report)
    }

    /// Searches the library. A writer first indexes what changed since the
    /// last update, so results reflect the catalog.
    pub fn search(&self, query: &SearchQuery, sink: &dyn EventSink) -> Result<SearchOutcome> {
        let (found, took_us) = self.run_search(query, query.facets, sink)?;
        let rows: Vec<i64> = found.hits.iter().map(|h| h.id).collect();
        let assets = self.summaries(&rows)?;
        Ok(SearchOutcome {
            total: found.total,
            assets,
            facets: found.facets,
            took_us,
        })
    }

    /// These assets as listings show them, in this order. A row the
    /// catalog no longer has (deleted since the index's last commit) is
    /// left out rather than shown broken.
    pub(crate) fn summaries(&self, rows: &[i64]) -> Result<Vec<AssetSummary>> {
        let cat = self.catalog();
        let roots: std::collections::HashMap<i64, PathBuf> =
            cat.all_roots()?.into_iter().map(|r| (r.id, r.path)).collect();
        let mut assets = Vec::with_capacity(rows.len());
        for &row in rows {
            if let Ok(asset) = cat.asset_by_row(row) {
                let files = cat.files_of_asset(row)?;
                let (thumbhash, _) = cat.proxy_state(row)?;
                let mut summary = summarize(&roots, asset, &files, thumbhash);
                summary.sync = cat.asset_sync_summary(row)?;
                summary.marks = cat.marks(row)?;
                assets.push(summary);
            }
        }
        Ok(assets)
    }

    /// The ids of a search's page of results, in its order, read from the
    /// index alone (no catalog rows, no facets): what "select all" over a
    /// large result needs. `query.facets` is ignored. Returns the total too.
    pub fn search_ids(&self, query: &SearchQuery, sink: &dyn EventSink) -> Result<(u64, Vec<AssetId>)> {
        let (found, _) = self.run_search(query, false, sink)?;
        let cat = self.catalog();
        let mut ids = Vec::with_capacity(found.hits.len());
        for hit in &found.hits {
            match hit.uuid.parse::<AssetId>() {
                Ok(id) => ids.push(id),
                // A damaged index's uuid: the catalog has the answer (and a
                // hit it no longer has is left out, as `search` does).
                Err(_) => match cat.asset_by_row(hit.id) {
                    Ok(a) => ids.push(a.id),
                    Err(e) if e.is_not_found() => {}
                    Err(e) => return Err(e.into()),
                },
            }
        }
        Ok((found.total, ids))
    }

    /// One search of the index (brought up to date first by a writer), with
    /// facets or without, and how long the index itself took, in µs.
    fn run_search(
        &self,
        query: &SearchQuery,
        facets: bool,
        sink: &dyn EventSink,
    ) -> Result<(trove_search::SearchResults, u64)> {
        if self.is_writer() {
            self.update_search_index(sink)?;
        }
        let index = self.search_index(sink)?;
        let started = Instant::now();
        let found = index
            .search(&SearchRequest {
                query: &query.text,
                sort: query.sort,
                offset: query.offset,
                limit: query.limit,
                facets,
            })
            .map_err(|e| search_error(index.path(), e))?;
        Ok((found, started.elapsed().as_micros() as u64))
    }
}

/// Writes the documents of these assets (deleting those the catalog no
/// longer has). Returns (indexed, removed).
fn write_docs(cat: &Catalog, index: &Index, rows: impl Iterator<Item = i64>) -> Result<(u64, u64)> {
    let roots: std::collections::HashMap<i64, PathBuf> = cat.all_roots()?.into_iter().map(|r| (r.id, r.path)).collect();
    let mut docs = Vec::new();
    let mut gone = Vec::new();
    for row in rows {
        match asset_doc(cat, &roots, row)? {
            Some(doc) => docs.push(doc),
            None => gone.push(row),
        }
    }
    let path = index.path().to_owned();
    index.upsert(docs.iter()).map_err(|e| search_error(&path, e))?;
    index.delete(gone.iter().copied()).map_err(|e| search_error(&path, e))?;
    Ok((docs.len() as u64, gone.len() as u64))
}

/// Everything the catalog knows of one asset, as the index wants it.
fn asset_doc(cat: &Catalog, roots: &std::collections::HashMap<i64, PathBuf>, row: i64) -> Result<Option<AssetDoc>> {
    let a = match cat.asset_by_row(row) {
        Ok(a) => a,
        // Deleted since the event was logged: it leaves the index.
        Err(e) if e.is_not_found() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let files = cat.files_of_asset(row)?;
    let mut doc = AssetDoc::new(row, a.id.to_string(), a.kind);
    doc.mime = a.mime.clone();
    doc.size = a.size;
    doc.width = a.width;
    doc.height = a.height;
    doc.duration_ms = a.duration_ms.and_then(|d| u64::try_from(d).ok());
    // The index speaks wall-clock time where the photo was taken.
    doc.capture_ms = a.capture.map(|c| c.wall_clock_ms());
    doc.missing = a.status == AssetStatus::Missing;
    for f in &files {
        add_file(&mut doc, f, roots.get(&f.root_id).map(PathBuf::as_path));
    }
    let metadata = cat.metadata(row)?;
    // What the person set (or, never edited, what the file's XMP says).
    let c = cat.curation_given(row, metadata.as_ref())?;
    if let Some(m) = metadata {
        doc.camera_make = m.camera_make;
        doc.camera_model = m.camera_model;
        doc.lens = m.lens;
        doc.focal_length_mm = m.focal_length_mm;
        doc.aperture = m.aperture;
        doc.iso = m.iso;
        doc.gps = m.gps.map(|g| (g.lat, g.lon));
        doc.title = m.title;
        doc.description = m.description;
        doc.author = m.author.or(m.artist);
        doc.subtitle_text = m.text;
        doc.albums.extend(m.album);
    }
    // What the person set (or, never edited, what the file's XMP says)
    // wins over the file's other texts.
    doc.rating = match (c.flag, c.rating) {
        (Some(Flag::Reject), _) => Some(-1),
        (_, 0) => None,
        (_, r) => i8::try_from(r).ok(),
    };
    doc.flag = c.flag.map(|f| f.as_str().to_owned());
    doc.color_label = c.label.map(|l| l.as_str().to_owned());
    doc.title = c.title.or(doc.title);
    doc.description = c.caption.or(doc.description);
    doc.author = c.creator.or(doc.author);
    // A keyword is found by its path and its parents (`tag:places`,
    // `tag:places/iceland`) and, as Lightroom's flat `dc:subject` lists
    // every level, by its own name (`tag:iceland`).
    doc.hierarchical_keywords = c.keywords.iter().map(ToString::to_string).collect();
    doc.keywords = c.keywords.iter().map(|k| k.name().to_owned()).collect();
    // An album is found by its name and by its path in album folders.
    for path in &c.albums {
        let name = path.rsplit('/').next().unwrap_or(path);
        for a in [name, path.as_str()] {
            if !doc.albums.iter().any(|x| x == a) {
                doc.albums.push(a.to_owned());
            }
        }
    }
    doc.captions.extend(c.comments.iter().map(|c| c.text.clone()));
    let has = [
        ("comment", !c.comments.is_empty()),
        ("caption", doc.description.is_some()),
        ("title", doc.title.is_some()),
        ("creator", doc.author.is_some()),
        ("keyword", !c.keywords.is_empty()),
        ("album", !c.albums.is_empty()),
        ("gps", doc.gps.is_some()),
        ("rating", c.rating > 0),
        ("flag", c.flag.is_some()),
        ("label", c.label.is_some()),
    ];
    doc.has = has.into_iter().filter(|(_, yes)| *yes).map(|(h, _)| h).collect();
    Ok(Some(doc))
}

fn add_file(doc: &mut AssetDoc, f: &FileRecord, root: Option<&Path>) {
    if let Some(name) = f.rel_path.file_name() {
        let name = name.to_string_lossy().into_owned();
        if !doc.names.contains(&name) {
            doc.names.push(name);
        }
    }
    if let Some(ext) = f.rel_path.extension() {
        let ext = ext.to_string_lossy().to_lowercase();
        if !doc.extensions.contains(&ext) {
            doc.extensions.push(ext);
        }
    }
    if let Some(parent) = f.rel_path.parent().filter(|p| !p.as_os_str().is_empty()) {
        let folder = parent.to_string_lossy().into_owned();
        if !doc.folders.contains(&folder) {
            doc.folders.push(folder);
        }
    }
    if let Some(name) = root.and_then(Path::file_name) {
        let name = name.to_string_lossy().into_owned();
        if !doc.folders.contains(&name) {
            doc.folders.push(name);
        }
    }
}

/// A hit as listings show it: the first present file represents the asset.
fn summarize(
    roots: &std::collections::HashMap<i64, PathBuf>,
    a: trove_catalog::Asset,
    files: &[FileRecord],
    thumbhash: Option<Vec<u8>>,
) -> AssetSummary {
    let main = files.iter().find(|f| f.present).or(files.first());
    let path = main
        .map(|f| match roots.get(&f.root_id) {
            Some(root) => root.join(&f.rel_path),
            None => f.rel_path.clone(),
        })
        .unwrap_or_default();
    AssetSummary {
        id: a.id,
        kind: a.kind,
        mime: a.mime,
        size: a.size,
        status: a.status,
        capture: a.capture,
        width: a.width,
        height: a.height,
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        path,
        file_count: files.len() as u32,
        thumbhash,
        sync: None,
        marks: trove_catalog::Marks::default(),
    }
}

fn search_error(dir: &Path, e: SearchError) -> CoreError {
    CoreError::Search {
        path: dir.to_owned(),
        source: e,
    }
}
