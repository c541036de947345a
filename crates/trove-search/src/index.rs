//! [`Index`]: opening (and repairing), writing and searching the index.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tantivy::collector::sort_key::{SortBySimilarityScore, SortByStaticFastValue, SortByString};
use tantivy::collector::{Collector, Count, TopDocs};
use tantivy::columnar::{Column, StrColumn};
use tantivy::directory::error::{OpenDirectoryError, OpenReadError};
use tantivy::query::Query;
use tantivy::schema::Schema;
use tantivy::{DocAddress, IndexReader, IndexWriter, Order, ReloadPolicy, Searcher, TantivyError, Term};

use crate::SearchError;
use crate::columns::ColumnCache;
use crate::doc::AssetDoc;
use crate::facets::{FacetCollector, Facets};
use crate::merge::{CappedMergePolicy, MAX_MERGED_DOCS};
use crate::query::{self, build::Builder};
use crate::schema::{self, Fields, SCHEMA_VERSION, name};
use crate::tokenizer;
use crate::top::TopByCapture;

/// Memory the writer may buffer before it writes a segment.
const WRITER_MEMORY_BYTES: usize = 20_000_000;

/// How an existing index was found when it was opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenReport {
    /// The index was opened as it was; it reflects the catalog up to
    /// [`Index::committed_seq`].
    Opened,
    /// There was no index: an empty one was made. Index every asset.
    Created,
    /// The index could not be used. It was moved to `moved_to` (delete it
    /// at leisure) and an empty one was made. Tell the user, then index
    /// every asset.
    Rebuilt { moved_to: PathBuf, reason: RebuildReason },
}

impl OpenReport {
    /// True when the caller must index every asset from scratch.
    pub fn needs_full_reindex(&self) -> bool {
        !matches!(self, OpenReport::Opened)
    }
}

/// Why an existing index was set aside.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebuildReason {
    /// Its files are damaged or are not a Tantivy index this version reads.
    Unreadable { detail: String },
    /// It was made by another version of Trove's schema.
    SchemaVersion { found: Option<u32>, expected: u32 },
    /// Its fields are not those of this version's schema.
    SchemaChanged,
}

impl fmt::Display for RebuildReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RebuildReason::Unreadable { detail } => write!(f, "the index files are unreadable ({detail})"),
            RebuildReason::SchemaVersion {
                found: Some(v),
                expected,
            } => {
                write!(f, "the index has schema version {v}; this Trove uses {expected}")
            }
            RebuildReason::SchemaVersion { found: None, expected } => {
                write!(f, "the index has no schema version; this Trove uses {expected}")
            }
            RebuildReason::SchemaChanged => f.write_str("the index's fields differ from this Trove's schema"),
        }
    }
}

/// Order of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Best match first.
    #[default]
    Relevance,
    /// By capture time; assets without one come last either way.
    Captured(Direction),
    /// By first file name, ignoring case.
    Name(Direction),
    /// By size in bytes.
    Size(Direction),
}

/// Ascending or descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Ascending,
    Descending,
}

impl Direction {
    fn order(self) -> Order {
        match self {
            Direction::Ascending => Order::Asc,
            Direction::Descending => Order::Desc,
        }
    }
}

/// One search: the query text (see the crate docs for the language), the
/// order, the page and whether to count facets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SearchRequest<'a> {
    pub query: &'a str,
    pub sort: Sort,
    /// Hits to skip.
    pub offset: usize,
    /// Hits to return at most; 0 returns only the total (and facets).
    pub limit: usize,
    /// Whether to count [`Facets`] over all matching assets.
    pub facets: bool,
}

/// One matching asset.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// The catalog row id.
    pub id: i64,
    pub uuid: String,
    /// The relevance score, when sorted by relevance.
    pub score: Option<f32>,
}

/// What a search found.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResults {
    /// How many assets match in all.
    pub total: u64,
    /// The requested page of them.
    pub hits: Vec<Hit>,
    /// Facet counts over all matching assets, when asked for.
    pub facets: Option<Facets>,
}

struct Writer {
    /// `None` when the index was opened read-only, or after a failed write
    /// discarded the writer (the next write makes a fresh one).
    writer: Option<IndexWriter>,
    /// Opened with the writer lock.
    writable: bool,
    committed_seq: Option<u64>,
}

/// The search index of one library, in one folder.
///
/// All methods take `&self`: share it between the indexing worker and
/// searches (it is `Send + Sync`). Writes are buffered until [`commit`],
/// which makes them durable and visible to the next search.
///
/// [`commit`]: Index::commit
pub struct Index {
    path: PathBuf,
    index: tantivy::Index,
    fields: Fields,
    reader: IndexReader,
    writer: Mutex<Writer>,
    columns: ColumnCache,
}

impl fmt::Debug for Index {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Index")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

/// Why opening an existing index failed.
enum Failure {
    /// The index must be set aside and rebuilt.
    Broken(RebuildReason),
    /// Nothing is wrong with the index; we cannot read it now (permissions).
    Fatal(TantivyError),
}

fn io_error(op: &'static str, path: &Path) -> impl FnOnce(io::Error) -> SearchError {
    let path = path.to_owned();
    move |source| SearchError::Io { op, path, source }
}

impl Index {
    /// Opens the index in `dir`, creating it (and `dir`) if there is none.
    ///
    /// An index that cannot be used (damaged files, a format or schema
    /// version this Trove does not read) is moved aside to
    /// `<dir>.broken-<n>` and replaced by an empty one; the report says so
    /// and why. The caller must hold the library lock: this takes the
    /// index's writer lock, and fails with [`SearchError::Locked`] if
    /// another writer has it.
    pub fn open_or_create(dir: impl AsRef<Path>) -> Result<(Index, OpenReport), SearchError> {
        let dir = dir.as_ref();
        let (schema, fields) = schema::build();
        fs::create_dir_all(dir).map_err(io_error("create", dir))?;
        let empty = fs::read_dir(dir).map_err(io_error("read", dir))?.next().is_none();
        let attempt = if empty {
            None
        } else if !dir.join("meta.json").exists() {
            Some(Err(Failure::Broken(RebuildReason::Unreadable {
                detail: "files without an index meta.json".to_owned(),
            })))
        } else {
            // Damaged files can make Tantivy panic rather than fail: both
            // mean the index cannot be used.
            let opened = catch_unwind(AssertUnwindSafe(|| open_existing(dir, &schema)));
            Some(opened.unwrap_or_else(|_| {
                Err(Failure::Broken(RebuildReason::Unreadable {
                    detail: "reading it failed unexpectedly".to_owned(),
                }))
            }))
        };
        let (index, reader, seq, report) = match attempt {
            Some(Ok((index, reader, seq))) => (index, reader, seq, OpenReport::Opened),
            Some(Err(Failure::Fatal(source))) => {
                return Err(SearchError::Open {
                    path: dir.to_owned(),
                    source,
                });
            }
            Some(Err(Failure::Broken(reason))) => {
                let moved_to = move_aside(dir)?;
                let (index, reader) = create(dir, schema)?;
                (index, reader, None, OpenReport::Rebuilt { moved_to, reason })
            }
            None => {
                let (index, reader) = create(dir, schema)?;
                (index, reader, None, OpenReport::Created)
            }
        };
        let mut writer = new_writer(&index, dir)?;
        if report == OpenReport::Opened {
            // A process killed in the middle of a commit left the files it
            // had written (a segment's deletes) listed as the index's own
            // but named by no commit. Redoing the same change writes a file
            // of the same name, which Tantivy refuses (FileAlreadyExists),
            // so every commit after would fail: they go now. Only files no
            // commit uses are removed. It waits for readers' meta lock; if
            // it fails all the same, the index still opens, and a commit
            // that then meets such a file fails with an error whose advice
            // is a reindex.
            let _ = writer.garbage_collect_files().wait();
        }
        if report != OpenReport::Opened {
            // Record the schema version at once, so a new index is never
            // mistaken for a foreign one.
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload(None));
            prepared.commit()?;
            reader.reload()?;
        }
        let index = Index {
            path: dir.to_owned(),
            index,
            fields,
            reader,
            writer: Mutex::new(Writer {
                writer: Some(writer),
                writable: true,
                committed_seq: seq,
            }),
            columns: ColumnCache::default(),
        };
        Ok((index, report))
    }

    /// Opens an existing index for searching only, without the writer lock
    /// (another process, the library's writer, may be updating it). Never
    /// moves or rebuilds anything: an index that cannot be used is an error
    /// for the writer to repair. Each search sees the latest commit.
    pub fn open_read_only(dir: impl AsRef<Path>) -> Result<Index, SearchError> {
        let dir = dir.as_ref();
        let (schema, fields) = schema::build();
        let unusable = |detail: String| SearchError::Unusable {
            path: dir.to_owned(),
            detail,
        };
        if !dir.join("meta.json").exists() {
            return Err(unusable("there is no index yet".into()));
        }
        let opened = catch_unwind(AssertUnwindSafe(|| open_existing(dir, &schema))).unwrap_or_else(|_| {
            Err(Failure::Broken(RebuildReason::Unreadable {
                detail: "reading it failed unexpectedly".to_owned(),
            }))
        });
        let (index, reader, seq) = match opened {
            Ok(o) => o,
            Err(Failure::Broken(reason)) => return Err(unusable(reason.to_string())),
            Err(Failure::Fatal(source)) => {
                return Err(SearchError::Open {
                    path: dir.to_owned(),
                    source,
                });
            }
        };
        Ok(Index {
            path: dir.to_owned(),
            index,
            fields,
            reader,
            writer: Mutex::new(Writer {
                writer: None,
                writable: false,
                committed_seq: seq,
            }),
            columns: ColumnCache::default(),
        })
    }

    /// Whether this handle can write (it was opened with the writer lock).
    pub fn is_writable(&self) -> bool {
        self.writer().writable
    }

    /// The folder the index lives in.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn writer(&self) -> MutexGuard<'_, Writer> {
        // A panic while holding the lock leaves the writer usable: Tantivy
        // discards uncommitted work on rollback or the next commit's error.
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the writer, making a fresh one first when a failure
    /// discarded the last. A failed write (a full disk, an indexing thread
    /// that died) can leave Tantivy's writer unusable for good, so it is
    /// dropped: what was not committed is lost with it, and the caller
    /// starts again from [`Index::committed_seq`].
    fn write<T>(&self, f: impl FnOnce(&mut IndexWriter) -> tantivy::Result<T>) -> Result<T, SearchError> {
        self.write_with(&mut self.writer(), f)
    }

    fn write_with<T>(
        &self,
        w: &mut Writer,
        f: impl FnOnce(&mut IndexWriter) -> tantivy::Result<T>,
    ) -> Result<T, SearchError> {
        if !w.writable {
            return Err(self.read_only());
        }
        let mut writer = match w.writer.take() {
            Some(writer) => writer,
            None => new_writer(&self.index, &self.path)?,
        };
        let result = f(&mut writer);
        match result {
            Ok(v) => {
                w.writer = Some(writer);
                Ok(v)
            }
            Err(e) => {
                // Dropping joins its threads and releases the lock.
                drop(writer);
                Err(e.into())
            }
        }
    }

    fn read_only(&self) -> SearchError {
        SearchError::ReadOnly {
            path: self.path.clone(),
        }
    }

    /// Adds assets, replacing any indexed under the same `id`. Not visible
    /// until [`Index::commit`].
    pub fn upsert<'a>(&self, docs: impl IntoIterator<Item = &'a AssetDoc>) -> Result<(), SearchError> {
        self.write(|writer| {
            for doc in docs {
                writer.delete_term(Term::from_field_i64(self.fields.id, doc.id));
                writer.add_document(doc.to_document(&self.fields))?;
            }
            Ok(())
        })
    }

    /// Removes assets by catalog id. Not visible until [`Index::commit`].
    pub fn delete(&self, ids: impl IntoIterator<Item = i64>) -> Result<(), SearchError> {
        self.write(|writer| {
            for id in ids {
                writer.delete_term(Term::from_field_i64(self.fields.id, id));
            }
            Ok(())
        })
    }

    /// Removes every asset, and any uncommitted change, for a full rebuild:
    /// `clear`, `upsert` everything, then `commit`.
    pub fn clear(&self) -> Result<(), SearchError> {
        self.write(|writer| writer.delete_all_documents().map(drop))
    }

    /// Makes the changes so far durable and visible to searches, recording
    /// that the index now reflects the catalog's change sequence `seq`.
    /// Cheap enough to call every few seconds.
    pub fn commit(&self, seq: u64) -> Result<(), SearchError> {
        let mut w = self.writer();
        self.write_with(&mut w, |writer| {
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&payload(Some(seq)));
            prepared.commit()
        })?;
        w.committed_seq = Some(seq);
        drop(w);
        self.reader.reload()?;
        // The committing thread (the indexer, not a search) builds the facet
        // arrays of new segments. Failing here fails nothing: the commit is
        // done, and the next faceted search builds them or reports why.
        let _ = self.columns.warm(&self.reader.searcher());
        Ok(())
    }

    /// The change sequence of the last commit, `None` if there was none
    /// since the index was made.
    pub fn committed_seq(&self) -> Option<u64> {
        self.writer().committed_seq
    }

    /// The number of assets in the index, as of the last commit.
    pub fn num_docs(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    /// Waits for background segment merges to finish and releases the lock.
    pub fn close(self) -> Result<(), SearchError> {
        let w = self.writer.into_inner().unwrap_or_else(PoisonError::into_inner);
        if let Some(writer) = w.writer {
            writer.wait_merging_threads()?;
        }
        Ok(())
    }

    /// Runs a query. User errors (see [`SearchError::is_user_error`]) come
    /// back before the index is touched.
    pub fn search(&self, request: &SearchRequest<'_>) -> Result<SearchResults, SearchError> {
        let node = query::parse(request.query)?;
        let query = Builder { fields: &self.fields }.query(&node);
        if !self.is_writable() {
            // Another process writes: pick up its latest commit.
            self.reader.reload()?;
        }
        let searcher = self.reader.searcher();
        self.columns.forget_dead(&searcher);
        // Never ask for a window wider than the index: a huge offset or
        // limit must not allocate.
        let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let offset = request.offset.min(num_docs);
        let limit = request.limit.min(num_docs - offset);
        let window = (limit > 0).then(|| TopDocs::with_limit(limit).and_offset(offset));
        let facets = request.facets.then_some(FacetCollector { cache: &self.columns });
        let run = Run {
            searcher: &searcher,
            query: query.as_ref(),
            facets,
        };
        // Equal keys (the same rank, name or size) are ordered by the
        // asset's id, newest first: without it they come in the order of
        // the index's segments, which an edit changes (the edited asset is
        // written anew), and a list re-read under the person moved.
        let then_by_id = || (SortByStaticFastValue::<i64>::for_field(name::ID), Order::Desc);
        let (found, total, facets) = match request.sort {
            Sort::Relevance => run.top(
                window.map(|w| w.order_by((SortBySimilarityScore, then_by_id()))),
                |(score, _)| Some(score),
            )?,
            Sort::Captured(d) => run.top(
                (limit > 0).then_some(TopByCapture {
                    cache: &self.columns,
                    descending: d == Direction::Descending,
                    offset,
                    limit,
                }),
                |_| None,
            )?,
            Sort::Name(d) => run.top(
                window.map(|w| w.order_by(((SortByString::for_field(name::NAME_SORT), d.order()), then_by_id()))),
                |_| None,
            )?,
            Sort::Size(d) => run.top(
                window.map(|w| {
                    w.order_by((
                        (SortByStaticFastValue::<u64>::for_field(name::SIZE), d.order()),
                        then_by_id(),
                    ))
                }),
                |_| None,
            )?,
        };
        Ok(SearchResults {
            total,
            hits: hits(&searcher, found)?,
            facets: facets.map(Facets::from),
        })
    }
}

/// One search's inputs, shared by every sort order.
struct Run<'a> {
    searcher: &'a Searcher,
    query: &'a dyn Query,
    facets: Option<FacetCollector<'a>>,
}

type Found = Vec<(Option<f32>, DocAddress)>;

impl Run<'_> {
    fn top<K, C>(
        &self,
        top: Option<C>,
        score: impl Fn(K) -> Option<f32>,
    ) -> Result<(Found, u64, Option<crate::facets::Counts>), SearchError>
    where
        C: Collector<Fruit = Vec<(K, DocAddress)>>,
        K: 'static,
    {
        let (top, count, facets) = self.searcher.search(self.query, &(top, Count, self.facets))?;
        let found = top
            .unwrap_or_default()
            .into_iter()
            .map(|(key, address)| (score(key), address))
            .collect();
        Ok((found, count as u64, facets))
    }
}

/// Reads the id and UUID of each hit from the columns.
fn hits(searcher: &Searcher, found: Found) -> Result<Vec<Hit>, SearchError> {
    let mut columns: HashMap<u32, (Column<i64>, Option<StrColumn>)> = HashMap::new();
    let mut out = Vec::with_capacity(found.len());
    let mut uuid = String::new();
    for (score, address) in found {
        let (ids, uuids) = match columns.entry(address.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let fast = searcher.segment_reader(address.segment_ord).fast_fields();
                e.insert((fast.i64(name::ID)?, fast.str(name::UUID)?))
            }
        };
        let Some(id) = ids.first(address.doc_id) else {
            continue;
        };
        uuid.clear();
        if let Some(uuids) = uuids
            && let Some(ord) = uuids.term_ords(address.doc_id).next()
        {
            uuids.ord_to_str(ord, &mut uuid).map_err(TantivyError::from)?;
        }
        out.push(Hit {
            id,
            uuid: uuid.clone(),
            score,
        });
    }
    Ok(out)
}

/// The index's one writer (it takes the index's writer lock).
fn new_writer(index: &tantivy::Index, dir: &Path) -> Result<IndexWriter, SearchError> {
    let writer = index
        .writer_with_num_threads(1, WRITER_MEMORY_BYTES)
        .map_err(|e| match e {
            TantivyError::LockFailure(..) => SearchError::Locked { path: dir.to_owned() },
            source => SearchError::Open {
                path: dir.to_owned(),
                source,
            },
        })?;
    writer.set_merge_policy(Box::new(CappedMergePolicy::new(MAX_MERGED_DOCS)));
    Ok(writer)
}

fn create(dir: &Path, schema: Schema) -> Result<(tantivy::Index, IndexReader), SearchError> {
    fs::create_dir_all(dir).map_err(io_error("create", dir))?;
    let open_error = |source| SearchError::Open {
        path: dir.to_owned(),
        source,
    };
    let mut index = tantivy::Index::create_in_dir(dir, schema).map_err(open_error)?;
    tokenizer::register(index.tokenizers(), index.fast_field_tokenizer());
    index.set_default_multithread_executor().map_err(open_error)?;
    let reader = reader(&index).map_err(open_error)?;
    Ok((index, reader))
}

fn reader(index: &tantivy::Index) -> tantivy::Result<IndexReader> {
    index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()
}

/// Opens an existing index and checks that it is whole and ours.
fn open_existing(dir: &Path, schema: &Schema) -> Result<(tantivy::Index, IndexReader, Option<u64>), Failure> {
    let mut index = tantivy::Index::open_in_dir(dir).map_err(classify)?;
    // Segments are searched in parallel, one thread per core.
    index.set_default_multithread_executor().map_err(classify)?;
    let meta = index.load_metas().map_err(classify)?;
    let (version, seq) = read_payload(meta.payload.as_deref());
    if version != Some(SCHEMA_VERSION) {
        return Err(Failure::Broken(RebuildReason::SchemaVersion {
            found: version,
            expected: SCHEMA_VERSION,
        }));
    }
    if index.schema() != *schema {
        return Err(Failure::Broken(RebuildReason::SchemaChanged));
    }
    tokenizer::register(index.tokenizers(), index.fast_field_tokenizer());
    let damaged = index.validate_checksum().map_err(classify)?;
    if !damaged.is_empty() {
        let mut names: Vec<String> = damaged.iter().map(|p| p.display().to_string()).collect();
        names.sort();
        return Err(Failure::Broken(RebuildReason::Unreadable {
            detail: format!("damaged: {}", names.join(", ")),
        }));
    }
    // Opens every segment's files, which checks their footers.
    let reader = reader(&index).map_err(classify)?;
    Ok((index, reader, seq))
}

fn classify(error: TantivyError) -> Failure {
    let denied = |e: &io::Error| e.kind() == io::ErrorKind::PermissionDenied;
    let fatal = match &error {
        TantivyError::IoError(e) => denied(e),
        TantivyError::OpenReadError(OpenReadError::IoError { io_error, .. }) => denied(io_error),
        TantivyError::OpenDirectoryError(OpenDirectoryError::IoError { io_error, .. }) => denied(io_error),
        _ => false,
    };
    if fatal {
        Failure::Fatal(error)
    } else {
        Failure::Broken(RebuildReason::Unreadable {
            detail: error.to_string(),
        })
    }
}

/// Renames `dir` to the first free `<dir>.broken-<n>`.
fn move_aside(dir: &Path) -> Result<PathBuf, SearchError> {
    let base = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    for n in 1..=1000 {
        let target = dir.with_file_name(format!("{base}.broken-{n}"));
        if !target.exists() {
            fs::rename(dir, &target).map_err(io_error("move aside", dir))?;
            return Ok(target);
        }
    }
    Err(SearchError::Io {
        op: "move aside",
        path: dir.to_owned(),
        source: io::Error::other("too many broken indexes beside it; delete them"),
    })
}

/// The commit payload: `{"schema_version":1,"seq":42}`.
fn payload(seq: Option<u64>) -> String {
    serde_json::json!({ "schema_version": SCHEMA_VERSION, "seq": seq }).to_string()
}

fn read_payload(payload: Option<&str>) -> (Option<u32>, Option<u64>) {
    let Some(value) = payload.and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok()) else {
        return (None, None);
    };
    let version = value["schema_version"].as_u64().and_then(|v| u32::try_from(v).ok());
    (version, value["seq"].as_u64())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_column_cache_follows_the_segments_through_commits_and_merges() {
        let dir = tempfile::tempdir().unwrap();
        let (index, _) = Index::open_or_create(dir.path().join("search")).unwrap();
        for batch in 0..3i64 {
            let docs: Vec<AssetDoc> = (0..20)
                .map(|i| AssetDoc::new(batch * 100 + i, format!("u{batch}-{i}"), trove_types::AssetKind::Image))
                .collect();
            index.upsert(&docs).unwrap();
            index.commit(batch as u64 + 1).unwrap();
        }
        let segments = |index: &Index| index.reader.searcher().segment_readers().len();
        assert_eq!(index.columns.len(), segments(&index), "a commit warms every segment");
        // Replacing every document leaves the old segments empty; they go,
        // and so do their arrays.
        index.clear().unwrap();
        index
            .upsert(&[AssetDoc::new(1, "one", trove_types::AssetKind::Video)])
            .unwrap();
        index.commit(4).unwrap();
        assert_eq!(segments(&index), 1);
        assert_eq!(index.columns.len(), 1);
        let found = index
            .search(&SearchRequest {
                query: "",
                limit: 10,
                facets: true,
                ..SearchRequest::default()
            })
            .unwrap();
        assert_eq!(found.total, 1);
        assert_eq!(found.facets.unwrap().kind[0].value, "video");
    }
}
