//! Trove's search index: one Tantivy document per asset, a small query
//! language, and facet counts. It knows nothing of SQLite or the catalog:
//! trove-core hands it [`AssetDoc`]s and the catalog's change sequence.
//!
//! ```no_run
//! # fn main() -> Result<(), trove_search::SearchError> {
//! use trove_search::{AssetDoc, AssetKind, Direction, Index, SearchRequest, Sort};
//! let (index, report) = Index::open_or_create("/path/to/library/search")?;
//! if report.needs_full_reindex() { /* clear, upsert every asset, commit */ }
//! let doc = AssetDoc::new(7, "3f1c…", AssetKind::Image);
//! index.upsert([&doc])?;
//! index.commit(1234)?; // the catalog's change sequence now reflected
//! let found = index.search(&SearchRequest {
//!     query: "beach kind:image taken:2023",
//!     sort: Sort::Captured(Direction::Descending),
//!     limit: 100,
//!     facets: true,
//!     ..SearchRequest::default()
//! })?;
//! # Ok(()) }
//! ```
//!
//! # The query language
//!
//! A query is terms separated by spaces; all must match (implicit AND).
//!
//! | Syntax | Meaning |
//! |---|---|
//! | `beach` | a word, in file names, folders, title, description, keywords, tags, albums, captions, places, camera, lens, subtitles, author |
//! | `bea` | words match as prefixes too, as you type (2+ characters) |
//! | `icelnad` | one typo (edit or swap) is forgiven in words of 5+ characters; exact matches rank higher |
//! | `IMG_2041`, `beach-trip` | punctuation and letter/digit boundaries split words; the parts must follow each other |
//! | `"beach trip"` | an exact phrase (no prefix, no typos) |
//! | `a AND b`, `a b` | both |
//! | `a OR b` | either; AND binds tighter: `a b OR c` is `(a b) OR c` |
//! | `NOT a`, `-a` | not |
//! | `( … )` | grouping |
//! | `name:` `folder:` (`path:`) `title:` `camera:` `lens:` | a word or `"phrase"` in that field only (`camera:"X100V"`, `lens:35mm`) |
//! | `kind:video` | `image`, `video`, `audio`, `document`, `other` |
//! | `ext:cr2`, `mime:image/jpeg` | exact, case-insensitive |
//! | `taken:2023`, `taken:2023-06`, `taken:2023-06-14` | capture date (UTC) in that year, month or day |
//! | `taken:2023-06..2023-08`, `taken:2023..`, `taken:>=2023-06`, `taken:<2020` | inclusive ranges of periods; comparisons |
//! | `rating:5`, `rating:>=4`, `rating:<3`, `rating:2..4` | numbers: `N`, `>N`, `>=N`, `<N`, `<=N`, `A..B` (inclusive), `A..`, `..B` |
//! | `iso:>3200`, `width:>=4000`, `height:`, `focal:35mm`, `aperture:<=2.8` | the same comparisons |
//! | `tag:family`, `tag:family/kids` | a keyword, hierarchical keyword (`\|` or `/`) or tag, at any level |
//! | `album:"Iceland 2024"`, `label:red`, `flag:pick`, `has:comment` | exact value, case-insensitive |
//! | `missing:true` | assets whose files are all missing |
//! | `near:64.14,-21.94,5km` | within a radius (`m` or `km`, default km) of a point, great-circle distance |
//!
//! Operators are upper case; field names are not case-sensitive. A word
//! with nothing searchable in it (`';`) is ignored, and an empty query
//! matches everything. Queries over 1 KiB ([`MAX_QUERY_BYTES`]), nested
//! deeper than 32 ([`MAX_DEPTH`]) or with more than 64 terms
//! ([`MAX_TERMS`]) are refused before they are parsed. Errors name the bad
//! part: [`SearchError::Parse`] gives its byte offset, column and text.
//! `QUERY.md` beside this crate says the same for users.

mod columns;
mod date;
mod doc;
mod error;
mod facets;
mod geo;
mod index;
mod merge;
mod query;
mod schema;
mod tokenizer;
mod top;

pub use doc::AssetDoc;
pub use error::SearchError;
pub use facets::{FacetCount, Facets, MonthCount, RatingCount, YearCount};
pub use geo::haversine_m;
pub use index::{Direction, Hit, Index, OpenReport, RebuildReason, SearchRequest, SearchResults, Sort};
pub use query::{FIELD_NAMES, MAX_DEPTH, MAX_QUERY_BYTES, MAX_TERMS};
pub use schema::SCHEMA_VERSION;
pub use trove_types::AssetKind;
