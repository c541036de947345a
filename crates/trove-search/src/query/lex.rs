//! Cuts a query into tokens. Never fails except on an unclosed quote or a
//! field with no value, and never looks further than the input.

use crate::SearchError;
use crate::query::syntax_error;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    /// `(`
    Open,
    /// `)`
    Close,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `NOT`, or `-` before a term.
    Not,
    /// A bare word; may hold punctuation (`IMG_2041.jpg`, `>=4`).
    Word(&'a str),
    /// The text between double quotes.
    Phrase(&'a str),
    /// `name:` in front of a value; holds `name`.
    Field(&'a str),
}

/// A token and where it is in the query.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Token<'a> {
    pub kind: Kind<'a>,
    /// Byte offset of the token in the query.
    pub offset: usize,
    /// The token's source text, for error messages.
    pub text: &'a str,
}

impl Token<'_> {
    /// Words and phrases: what counts towards [`crate::query::MAX_TERMS`].
    pub(crate) fn is_term(&self) -> bool {
        matches!(self.kind, Kind::Word(_) | Kind::Phrase(_))
    }
}

fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '"')
}

fn is_field_name(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
}

/// Cuts `input` into tokens.
pub(crate) fn lex(input: &str) -> Result<Vec<Token<'_>>, SearchError> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(c) = input[at..].chars().next() {
        let start = at;
        if c.is_whitespace() {
            at += c.len_utf8();
            continue;
        }
        let simple = match c {
            '(' => Some(Kind::Open),
            ')' => Some(Kind::Close),
            '-' => {
                // `-` directly before a term negates it; alone it is a word.
                let next = input[at + 1..].chars().next();
                next.filter(|&n| !n.is_whitespace() && n != ')').map(|_| Kind::Not)
            }
            _ => None,
        };
        if let Some(kind) = simple {
            at += 1;
            out.push(Token {
                kind,
                offset: start,
                text: &input[start..at],
            });
            continue;
        }
        if c == '"' {
            let Some(len) = input[at + 1..].find('"') else {
                return Err(syntax_error(input, start, &input[start..], "unclosed quote"));
            };
            at += 1 + len + 1;
            out.push(Token {
                kind: Kind::Phrase(&input[start + 1..at - 1]),
                offset: start,
                text: &input[start..at],
            });
            continue;
        }
        let len = input[at..].find(ends_word).unwrap_or(input.len() - at);
        at += len;
        let word = &input[start..at];
        let kind = match word {
            "AND" => Kind::And,
            "OR" => Kind::Or,
            "NOT" => Kind::Not,
            _ => match word.split_once(':') {
                Some((name, value)) if is_field_name(name) => {
                    let value_at = start + name.len() + 1;
                    out.push(Token {
                        kind: Kind::Field(name),
                        offset: start,
                        text: &input[start..value_at],
                    });
                    if value.is_empty() {
                        if input[at..].starts_with('"') {
                            continue;
                        }
                        return Err(syntax_error(
                            input,
                            start,
                            word,
                            format!("expected a value after `{name}:`"),
                        ));
                    }
                    out.push(Token {
                        kind: Kind::Word(value),
                        offset: value_at,
                        text: value,
                    });
                    continue;
                }
                _ => Kind::Word(word),
            },
        };
        out.push(Token {
            kind,
            offset: start,
            text: word,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(input: &str) -> Vec<Kind<'_>> {
        lex(input)
            .map(|t| t.into_iter().map(|t| t.kind).collect())
            .unwrap_or_default()
    }

    #[test]
    fn cuts_words_fields_phrases_and_operators() {
        assert_eq!(
            kinds(r#"-beach camera:"X100V" (a OR b) rating:>=4 -"x y" - 12:30"#),
            [
                Kind::Not,
                Kind::Word("beach"),
                Kind::Field("camera"),
                Kind::Phrase("X100V"),
                Kind::Open,
                Kind::Word("a"),
                Kind::Or,
                Kind::Word("b"),
                Kind::Close,
                Kind::Field("rating"),
                Kind::Word(">=4"),
                Kind::Not,
                Kind::Phrase("x y"),
                Kind::Word("-"),
                Kind::Word("12:30"),
            ]
        );
    }

    #[test]
    fn an_unclosed_quote_is_an_error_pointing_at_it() {
        let Err(SearchError::Parse { offset, column, .. }) = lex(r#"ab "cd"#) else {
            panic!("expected a parse error")
        };
        assert_eq!((offset, column), (3, 4));
    }
}
