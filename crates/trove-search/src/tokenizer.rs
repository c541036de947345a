//! The analyzers for file names, folders and prose.
//!
//! Text is cut into runs of letters and digits (anything else separates),
//! and each run is cut again where letters meet digits, so `IMG_2041.JPG`
//! gives `img`, `2041`, `jpg` and `X100V` gives `x`, `100`, `v`. A run that
//! was cut is also kept whole (`x100v`, at the position of its first part,
//! so phrases still line up), and names and folders also keep their whole
//! value (`img_2041.jpg`). Everything is lower-cased and folded to ASCII
//! where an ASCII equivalent exists (`é` → `e`).

use tantivy::tokenizer::{
    AsciiFoldingFilter, RemoveLongFilter, TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager,
};

/// Analyzer for file names and folder paths: [`Mode::Name`].
pub(crate) const NAME: &str = "trove_name";
/// Analyzer for prose and other free text: [`Mode::Text`].
pub(crate) const TEXT: &str = "trove_text";
/// Analyzer for exact values (tags, albums, labels): [`Mode::Whole`].
pub(crate) const WHOLE: &str = "trove_whole";

/// Tokens longer than this (in bytes) are dropped rather than indexed.
const MAX_TOKEN_BYTES: usize = 255;

/// What a [`WordTokenizer`] emits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Parts, and runs that were cut kept whole.
    Text,
    /// As `Text`, plus the whole value first (when it has separators).
    Name,
    /// Parts only: how a query word is cut to be matched as a phrase.
    Parts,
    /// The whole value, trimmed, as one token.
    Whole,
}

/// Splits on non-alphanumerics and on letter/digit boundaries; lower-cases.
#[derive(Clone, Debug)]
pub(crate) struct WordTokenizer {
    mode: Mode,
}

impl WordTokenizer {
    pub(crate) fn new(mode: Mode) -> Self {
        WordTokenizer { mode }
    }
}

/// The tokens of one value, computed up front.
#[derive(Debug)]
pub(crate) struct WordTokenStream {
    /// The tokens, plus a placeholder when there are none so that
    /// `token()` always has something to point at.
    tokens: Vec<Token>,
    len: usize,
    next: usize,
}

impl TokenStream for WordTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.len {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1)]
    }

    fn token_mut(&mut self) -> &mut Token {
        let at = self.next.saturating_sub(1);
        &mut self.tokens[at]
    }
}

impl Tokenizer for WordTokenizer {
    type TokenStream<'a> = WordTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> WordTokenStream {
        let mut tokens = Vec::new();
        split(text, self.mode, &mut tokens);
        let len = tokens.len();
        if tokens.is_empty() {
            tokens.push(Token::default());
        }
        WordTokenStream { tokens, len, next: 0 }
    }
}

fn lowercase(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

fn push(tokens: &mut Vec<Token>, text: String, position: usize, from: usize, to: usize) {
    tokens.push(Token {
        offset_from: from,
        offset_to: to,
        position,
        text,
        position_length: 1,
    });
}

fn split(text: &str, mode: Mode, tokens: &mut Vec<Token>) {
    let trimmed = text.trim();
    let start = text.len() - text.trim_start().len();
    if mode == Mode::Whole {
        if !trimmed.is_empty() {
            push(tokens, lowercase(trimmed), 0, start, start + trimmed.len());
        }
        return;
    }
    if mode == Mode::Name && trimmed.chars().any(char::is_alphanumeric) && trimmed.chars().any(|c| !c.is_alphanumeric())
    {
        push(tokens, lowercase(trimmed), 0, start, start + trimmed.len());
    }
    let mut position = 0;
    let mut rest = text.char_indices().peekable();
    while let Some(&(run_start, c)) = rest.peek() {
        if !c.is_alphanumeric() {
            rest.next();
            continue;
        }
        // One run of letters and digits, cut where the class changes.
        let mut parts: Vec<(usize, usize)> = Vec::new();
        let mut part_start = run_start;
        let mut class = c.is_numeric();
        let mut run_end = run_start;
        while let Some(&(at, c)) = rest.peek() {
            if !c.is_alphanumeric() {
                break;
            }
            if c.is_numeric() != class {
                parts.push((part_start, at));
                part_start = at;
                class = c.is_numeric();
            }
            run_end = at + c.len_utf8();
            rest.next();
        }
        parts.push((part_start, run_end));
        if parts.len() > 1 && mode != Mode::Parts {
            push(
                tokens,
                lowercase(&text[run_start..run_end]),
                position,
                run_start,
                run_end,
            );
        }
        for (from, to) in parts {
            push(tokens, lowercase(&text[from..to]), position, from, to);
            position += 1;
        }
    }
}

/// An analyzer of the given mode with the shared filters.
pub(crate) fn analyzer(mode: Mode) -> TextAnalyzer {
    TextAnalyzer::builder(WordTokenizer::new(mode))
        .filter(AsciiFoldingFilter)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .build()
}

/// Registers Trove's analyzers; needed every time an index is opened, since
/// Tantivy stores only their names.
pub(crate) fn register(indexing: &TokenizerManager, fast_fields: &TokenizerManager) {
    indexing.register(NAME, analyzer(Mode::Name));
    indexing.register(TEXT, analyzer(Mode::Text));
    indexing.register(WHOLE, analyzer(Mode::Whole));
    fast_fields.register(WHOLE, analyzer(Mode::Whole));
}

thread_local! {
    /// One analyzer of each mode per thread, so that analysing a query word
    /// or a tag does not build one each time.
    static ANALYZERS: std::cell::RefCell<[TextAnalyzer; 4]> = std::cell::RefCell::new([
        analyzer(Mode::Text),
        analyzer(Mode::Name),
        analyzer(Mode::Parts),
        analyzer(Mode::Whole),
    ]);
}

/// The texts of the tokens `mode` makes of `text`.
pub(crate) fn tokens(mode: Mode, text: &str) -> Vec<String> {
    let slot = match mode {
        Mode::Text => 0,
        Mode::Name => 1,
        Mode::Parts => 2,
        Mode::Whole => 3,
    };
    ANALYZERS.with_borrow_mut(|analyzers| {
        let mut stream = analyzers[slot].token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push(token.text.clone());
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_on_separators_and_letter_digit_boundaries() {
        assert_eq!(
            tokens(Mode::Name, "IMG_2041.JPG"),
            ["img_2041.jpg", "img", "2041", "jpg"]
        );
        assert_eq!(tokens(Mode::Name, "X100V"), ["x100v", "x", "100", "v"]);
        assert_eq!(tokens(Mode::Name, "beach"), ["beach"]);
        assert_eq!(tokens(Mode::Parts, "beach-trip"), ["beach", "trip"]);
        assert_eq!(tokens(Mode::Text, "Café à Reykjavík"), ["cafe", "a", "reykjavik"]);
        assert_eq!(tokens(Mode::Whole, "  Family/Kids "), ["family/kids"]);
        assert!(tokens(Mode::Text, "'; --").is_empty());
    }

    #[test]
    fn a_cut_run_keeps_the_position_of_its_first_part() {
        let mut analyzer = analyzer(Mode::Text);
        let mut stream = analyzer.token_stream("see X100V now");
        let mut seen = Vec::new();
        while let Some(token) = stream.next() {
            seen.push((token.text.clone(), token.position));
        }
        let seen: Vec<(&str, usize)> = seen.iter().map(|(t, p)| (t.as_str(), *p)).collect();
        assert_eq!(
            seen,
            [("see", 0), ("x100v", 1), ("x", 1), ("100", 2), ("v", 3), ("now", 4)]
        );
    }
}
