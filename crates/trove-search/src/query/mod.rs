//! The query language: limits, then [`lex`], [`parse`] (to an AST of typed
//! clauses, checked in [`value`]), then [`build`] (to a Tantivy query).
//! The grammar is documented in the crate docs and `QUERY.md`.

pub(crate) mod build;
pub(crate) mod lex;
pub(crate) mod parse;
pub(crate) mod prefix;
pub(crate) mod value;

use crate::SearchError;
pub(crate) use parse::Node;

/// Longest query accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 1024;
/// Deepest nesting of parentheses and negations accepted.
pub const MAX_DEPTH: usize = 32;
/// Most words, phrases and field clauses in one query.
pub const MAX_TERMS: usize = 64;

/// The field names the query language knows, as typed before the `:`.
pub const FIELD_NAMES: &[&str] = &[
    "name", "folder", "path", "title", "camera", "lens", "kind", "ext", "mime", "taken", "rating", "iso", "width",
    "height", "focal", "aperture", "tag", "keyword", "album", "label", "flag", "caption", "creator", "has", "missing",
    "near",
];

/// Checks the limits, then lexes and parses `input`.
pub(crate) fn parse(input: &str) -> Result<Node, SearchError> {
    if input.len() > MAX_QUERY_BYTES {
        return Err(SearchError::QueryTooLong {
            len: input.len(),
            max: MAX_QUERY_BYTES,
        });
    }
    check_nesting(input)?;
    let tokens = lex::lex(input)?;
    let terms = tokens.iter().filter(|t| t.is_term()).count();
    if terms > MAX_TERMS {
        return Err(SearchError::QueryTooComplex { terms, max: MAX_TERMS });
    }
    parse::Parser::new(input, tokens).parse()
}

/// Refuses parentheses nested deeper than [`MAX_DEPTH`], counted on the
/// raw text (outside quotes) before anything is parsed.
fn check_nesting(input: &str) -> Result<(), SearchError> {
    let mut depth = 0usize;
    let mut quoted = false;
    for b in input.bytes() {
        match b {
            b'"' => quoted = !quoted,
            b'(' if !quoted => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(SearchError::QueryTooDeep { max: MAX_DEPTH });
                }
            }
            b')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// A parse error at `offset` in `input`.
pub(crate) fn syntax_error(input: &str, offset: usize, fragment: &str, message: impl Into<String>) -> SearchError {
    let offset = offset.min(input.len());
    let column = input.get(..offset).map_or(offset, |s| s.chars().count()) + 1;
    let fragment: String = fragment.chars().take(24).collect();
    SearchError::Parse {
        message: message.into(),
        offset,
        column,
        fragment,
    }
}
