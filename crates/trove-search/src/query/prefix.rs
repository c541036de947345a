//! Prefix matching of a one-part word against parts only.
//!
//! The analyzers index each part of a word (`dsc`, `0412`), the runs that
//! were cut (`dsc0412`) and whole names (`dsc0412.jpg`). Every run or whole
//! name that begins with a one-part word `w` (all letters, or all digits)
//! has a part that also begins with `w`, its first, in the same document
//! and field. So a prefix match of `w` over parts only finds the same
//! documents as over every term, and reads far fewer: in a library of
//! camera files, `dsc` begins about 20 runs and 100,000 whole names for
//! every part (`dsc`, `dscf`), and reading their postings cost 40 ms of a
//! 45 ms search at a million assets.
//!
//! A part is a term whose bytes after `w` stay in `w`'s class: ASCII
//! digits after a numeric word, ASCII letters after any other; bytes of
//! other characters (â, 한, ²) are let through, which can only add terms,
//! never lose one.

use tantivy::query::{AutomatonWeight, EnableScoring, Query, Weight};
use tantivy::schema::Field;
use tantivy_fst::Automaton;

/// Documents with a term in `field` that begins with `prefix` and goes on
/// in its class. Constant score, like Tantivy's prefix queries.
#[derive(Clone, Debug)]
pub(crate) struct PartPrefixQuery {
    field: Field,
    automaton: PartPrefix,
}

impl PartPrefixQuery {
    /// `prefix` is one part as the analyzers emit it (lower case, folded).
    pub(crate) fn new(field: Field, prefix: &str) -> PartPrefixQuery {
        // The tokenizer's classes: numeric characters, or the rest.
        let digits = prefix.chars().all(char::is_numeric);
        PartPrefixQuery {
            field,
            automaton: PartPrefix {
                prefix: prefix.as_bytes().to_vec(),
                digits,
            },
        }
    }
}

impl Query for PartPrefixQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AutomatonWeight::new(self.field, self.automaton.clone())))
    }
}

#[derive(Clone, Debug)]
struct PartPrefix {
    prefix: Vec<u8>,
    /// The class of the rest: ASCII digits, or ASCII letters.
    digits: bool,
}

/// A state: how many bytes of the prefix matched; [`DEAD`] once a byte
/// did not fit.
const DEAD: usize = usize::MAX;

impl Automaton for PartPrefix {
    type State = usize;

    fn start(&self) -> usize {
        0
    }

    fn is_match(&self, state: &usize) -> bool {
        *state == self.prefix.len()
    }

    fn can_match(&self, state: &usize) -> bool {
        *state != DEAD
    }

    fn accept(&self, state: &usize, byte: u8) -> usize {
        match *state {
            DEAD => DEAD,
            matched if matched < self.prefix.len() => {
                if self.prefix[matched] == byte {
                    matched + 1
                } else {
                    DEAD
                }
            }
            rest => {
                let same_class = if self.digits {
                    byte.is_ascii_digit()
                } else {
                    byte.is_ascii_alphabetic()
                };
                if same_class || !byte.is_ascii() { rest } else { DEAD }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(prefix: &str, term: &str) -> bool {
        let a = PartPrefixQuery::new(Field::from_field_id(0), prefix).automaton;
        let mut state = a.start();
        for b in term.bytes() {
            state = a.accept(&state, b);
        }
        a.is_match(&state)
    }

    #[test]
    fn parts_of_the_words_class_match_and_runs_and_names_do_not() {
        assert!(matches("dsc", "dsc"));
        assert!(matches("dsc", "dscf"));
        assert!(!matches("dsc", "dsc0412"));
        assert!(!matches("dsc", "dsc0412.jpg"));
        assert!(!matches("dsc", "ds"));
        assert!(!matches("dsc", "adsc"));
        assert!(matches("20", "2041"));
        assert!(!matches("20", "2041a"));
        assert!(!matches("20", "2041_1"));
        // Other characters' bytes never exclude a term.
        assert!(matches("caf", "café"));
        assert!(matches("12", "12²"));
        assert!(matches("٣", "٣4"), "a numeric word of other scripts is numeric");
    }
}
