//! Recursive-descent parser from tokens to [`Node`]s.
//!
//! ```text
//! query   := or? EOF
//! or      := and ( "OR" and )*
//! and     := unary ( "AND"? unary )*
//! unary   := ( "NOT" | "-" ) unary | primary
//! primary := "(" or ")" | FIELD value | WORD | PHRASE
//! value   := WORD | PHRASE            (directly after the colon)
//! ```
//!
//! Depth is counted on every group and negation and refused past
//! [`MAX_DEPTH`], so the recursion is bounded whatever the input.

use crate::SearchError;
use crate::query::lex::{Kind, Token};
use crate::query::value::{self, Clause, TextTarget};
use crate::query::{MAX_DEPTH, syntax_error};

/// A parsed query.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Node {
    /// Matches everything (the empty query).
    All,
    /// Every child matches.
    And(Vec<Node>),
    /// At least one child matches.
    Or(Vec<Node>),
    /// The child does not match.
    Not(Box<Node>),
    /// A word, phrase or field clause.
    Clause(Clause),
}

/// The parser's state over one query's tokens.
#[derive(Debug)]
pub(crate) struct Parser<'a> {
    input: &'a str,
    tokens: Vec<Token<'a>>,
    at: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    pub(crate) fn new(input: &'a str, tokens: Vec<Token<'a>>) -> Self {
        Parser {
            input,
            tokens,
            at: 0,
            depth: 0,
        }
    }

    /// Parses the whole query.
    pub(crate) fn parse(mut self) -> Result<Node, SearchError> {
        if self.tokens.is_empty() {
            return Ok(Node::All);
        }
        let node = self.or()?;
        if let Some(extra) = self.peek() {
            // `or` stops only at the end or at a `)` it did not open.
            return Err(self.error_at(extra, "unbalanced `)`: no `(` before it"));
        }
        Ok(node)
    }

    fn peek(&self) -> Option<Token<'a>> {
        self.tokens.get(self.at).copied()
    }

    fn next(&mut self) -> Option<Token<'a>> {
        let token = self.peek();
        self.at += usize::from(token.is_some());
        token
    }

    fn error_at(&self, token: Token<'_>, message: impl Into<String>) -> SearchError {
        syntax_error(self.input, token.offset, token.text, message)
    }

    fn error_at_end(&self, message: impl Into<String>) -> SearchError {
        syntax_error(self.input, self.input.len(), "", message)
    }

    fn enter(&mut self) -> Result<(), SearchError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SearchError::QueryTooDeep { max: MAX_DEPTH });
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Whether the next token can start a term.
    fn term_follows(&self) -> bool {
        matches!(
            self.peek().map(|t| t.kind),
            Some(Kind::Open | Kind::Not | Kind::Word(_) | Kind::Phrase(_) | Kind::Field(_))
        )
    }

    fn expect_term_after(&self, op: Token<'_>, name: &str) -> Result<(), SearchError> {
        if self.term_follows() {
            Ok(())
        } else {
            Err(self.error_at(op, format!("expected a term after `{name}`")))
        }
    }

    fn or(&mut self) -> Result<Node, SearchError> {
        let mut alternatives = vec![self.and()?];
        while let Some(op) = self.peek().filter(|t| t.kind == Kind::Or) {
            self.next();
            self.expect_term_after(op, "OR")?;
            alternatives.push(self.and()?);
        }
        Ok(if alternatives.len() == 1 {
            alternatives.swap_remove(0)
        } else {
            Node::Or(alternatives)
        })
    }

    fn and(&mut self) -> Result<Node, SearchError> {
        let mut all = vec![self.unary()?];
        loop {
            match self.peek() {
                None => break,
                Some(t) if matches!(t.kind, Kind::Close | Kind::Or) => break,
                Some(op) if op.kind == Kind::And => {
                    self.next();
                    self.expect_term_after(op, "AND")?;
                }
                Some(_) => {}
            }
            all.push(self.unary()?);
        }
        Ok(if all.len() == 1 {
            all.swap_remove(0)
        } else {
            Node::And(all)
        })
    }

    fn unary(&mut self) -> Result<Node, SearchError> {
        match self.peek() {
            Some(op) if op.kind == Kind::Not => {
                self.next();
                self.expect_term_after(op, op.text)?;
                self.enter()?;
                let inner = self.unary()?;
                self.leave();
                Ok(Node::Not(Box::new(inner)))
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> Result<Node, SearchError> {
        let Some(token) = self.next() else {
            return Err(self.error_at_end("expected a term"));
        };
        match token.kind {
            Kind::Open => {
                if self.peek().is_some_and(|t| t.kind == Kind::Close) {
                    return Err(self.error_at(token, "empty parentheses"));
                }
                if self.peek().is_none() {
                    return Err(self.error_at(token, "missing `)` for this `(`"));
                }
                self.enter()?;
                let inner = self.or()?;
                self.leave();
                match self.next() {
                    Some(t) if t.kind == Kind::Close => Ok(inner),
                    _ => Err(self.error_at(token, "missing `)` for this `(`")),
                }
            }
            Kind::Close => Err(self.error_at(token, "unbalanced `)`: no `(` before it")),
            Kind::And | Kind::Or | Kind::Not => {
                Err(self.error_at(token, format!("`{}` needs a term before it", token.text)))
            }
            Kind::Word(word) => Ok(Node::Clause(Clause::Text {
                target: TextTarget::Any,
                text: word.to_owned(),
                phrase: false,
            })),
            Kind::Phrase(phrase) => Ok(Node::Clause(Clause::Text {
                target: TextTarget::Any,
                text: phrase.to_owned(),
                phrase: true,
            })),
            Kind::Field(name) => {
                let value_at = token.offset + token.text.len();
                let (value, quoted) = match self.next() {
                    Some(Token {
                        kind: Kind::Word(w),
                        offset,
                        ..
                    }) if offset == value_at => (w, false),
                    Some(Token {
                        kind: Kind::Phrase(p),
                        offset,
                        ..
                    }) if offset == value_at => (p, true),
                    _ => return Err(self.error_at(token, format!("expected a value after `{name}:`"))),
                };
                Ok(Node::Clause(value::clause(name, value, quoted)?))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::{lex, parse};

    fn word(w: &str) -> Node {
        Node::Clause(Clause::Text {
            target: TextTarget::Any,
            text: w.to_owned(),
            phrase: false,
        })
    }

    #[test]
    fn and_binds_tighter_than_or_and_not_tightest() {
        assert_eq!(
            parse("a b OR -c").ok(),
            Some(Node::Or(vec![
                Node::And(vec![word("a"), word("b")]),
                Node::Not(Box::new(word("c")))
            ]))
        );
        assert_eq!(
            parse("a AND (b OR c)").ok(),
            Some(Node::And(vec![word("a"), Node::Or(vec![word("b"), word("c")])]))
        );
        assert_eq!(parse("   ").ok(), Some(Node::All));
    }

    #[test]
    fn errors_point_at_the_bad_token() {
        let cases = [
            ("a (b", 2, "("),
            ("a b)", 3, ")"),
            ("a OR", 2, "OR"),
            ("AND a", 0, "AND"),
            ("x ()", 2, "("),
            ("kind: video", 0, "kind:"),
        ];
        for (input, at, fragment) in cases {
            match parse(input) {
                Err(SearchError::Parse {
                    offset, fragment: f, ..
                }) => assert_eq!((offset, f.as_str()), (at, fragment), "{input}"),
                other => panic!("{input}: {other:?}"),
            }
        }
    }

    /// The parser's own depth guard (not only the pre-scan) keeps the
    /// recursion bounded: 10,000 nested parentheses on a 2 MiB stack.
    #[test]
    fn ten_thousand_nested_parentheses_do_not_overflow_the_stack() {
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(|| {
                let input = format!("{}a{}", "(".repeat(10_000), ")".repeat(10_000));
                let tokens = lex::lex(&input).expect("lexes");
                let deep = Parser::new(&input, tokens).parse();
                let negations = "-".repeat(10_000) + "a";
                let tokens = lex::lex(&negations).expect("lexes");
                let negated = Parser::new(&negations, tokens).parse();
                (deep.map_err(|e| e.code()), negated.map_err(|e| e.code()))
            })
            .expect("spawn");
        let (deep, negated) = handle.join().expect("no stack overflow");
        assert_eq!(deep, Err("query_too_deep"));
        assert_eq!(negated, Err("query_too_deep"));
    }
}
