//! Hostile queries end quickly, with a clear error or harmless results,
//! and never panic.

use std::time::{Duration, Instant};

use trove_search::{MAX_DEPTH, MAX_QUERY_BYTES, SearchError};

use crate::kit::{Library, Rng, asset};

/// Generous, for a busy CI machine; these take well under 50 ms.
const QUICK: Duration = Duration::from_secs(1);

fn library() -> Library {
    let mut docs = Vec::new();
    for id in 0..300 {
        let mut d = asset(id, &format!("IMG_{id:04}_beach-trip.JPG"));
        d.title = Some(format!("Holiday number {id} at the seaside with family"));
        d.keywords = vec!["aaa".into(), "aab".into(), format!("a{id}")];
        docs.push(d);
    }
    Library::with(&docs)
}

fn timed(lib: &Library, query: &str) -> Result<u64, SearchError> {
    let start = Instant::now();
    let result = lib.try_search(query).map(|found| found.total);
    let took = start.elapsed();
    assert!(
        took < QUICK,
        "{:?}… took {took:?}",
        query.chars().take(40).collect::<String>()
    );
    result
}

#[test]
fn ten_thousand_nested_parentheses_are_refused() {
    let lib = library();
    let query = format!("{}beach{}", "(".repeat(10_000), ")".repeat(10_000));
    let err = timed(&lib, &query).unwrap_err();
    assert_eq!(err.code(), "query_too_long");
}

#[test]
fn nesting_past_the_limit_is_refused_before_parsing() {
    let lib = library();
    let deep = format!("{}a{}", "(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
    assert!(matches!(timed(&lib, &deep), Err(SearchError::QueryTooDeep { .. })));
    let unbalanced = "(".repeat(MAX_DEPTH + 1);
    assert!(matches!(
        timed(&lib, &unbalanced),
        Err(SearchError::QueryTooDeep { .. })
    ));
    let negations = "NOT ".repeat(MAX_DEPTH + 1) + "a";
    assert!(matches!(timed(&lib, &negations), Err(SearchError::QueryTooDeep { .. })));
    let fine = format!("{}beach{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(timed(&lib, &fine).unwrap(), 300);
}

#[test]
fn a_one_mebibyte_query_is_refused_by_length() {
    let lib = library();
    let query = "beach ".repeat((1 << 20) / 6);
    let err = timed(&lib, &query).unwrap_err();
    let SearchError::QueryTooLong { len, max } = err else {
        panic!("{err:?}")
    };
    assert_eq!((len, max), (query.len(), MAX_QUERY_BYTES));
    assert!(err_is_user(&lib, &query));
}

fn err_is_user(lib: &Library, query: &str) -> bool {
    lib.try_search(query).unwrap_err().is_user_error()
}

#[test]
fn too_many_terms_are_refused() {
    let lib = library();
    let query = "a ".repeat(100);
    assert!(matches!(
        timed(&lib, &query),
        Err(SearchError::QueryTooComplex { terms: 100, .. })
    ));
}

#[test]
fn sql_and_punctuation_are_harmless() {
    let lib = library();
    assert_eq!(timed(&lib, "'; DROP TABLE assets; --").unwrap(), 0);
    assert_eq!(timed(&lib, "';").unwrap(), 300, "nothing searchable matches all");
    assert_eq!(timed(&lib, "- -- !!! ... ,,,").unwrap(), 300);
    assert!(timed(&lib, "\u{0}\u{1}\u{7f} \u{202e}évil\u{fe0f}").is_ok());
}

#[test]
fn the_widest_legal_queries_stay_quick() {
    let lib = library();
    // 64 one-letter prefixes, ORed: the most expansion the limits allow.
    let prefixes = vec!["aa"; 64].join(" OR ");
    assert_eq!(timed(&lib, &prefixes).unwrap(), 300);
    let fuzzy = vec!["holidax"; 64].join(" ");
    assert_eq!(timed(&lib, &fuzzy).unwrap(), 300);
    let phrase_prefixes = vec!["img_0"; 64].join(" OR ");
    assert_eq!(timed(&lib, &phrase_prefixes).unwrap(), 300);
    let longest = format!("\"{}\"", "seaside ".repeat(120).trim_end());
    assert!(longest.len() <= MAX_QUERY_BYTES);
    assert_eq!(timed(&lib, &longest).unwrap(), 0);
}

#[test]
fn random_bytes_never_panic() {
    let lib = library();
    let mut rng = Rng::new(0xbad_5eed);
    let alphabet: Vec<char> = "()\"-:ORANDNOT .,;|/*\\<>=0123456789abcxyzé\u{0}\t\n".chars().collect();
    for round in 0..400 {
        let len = rng.below(if round % 10 == 0 { 1500 } else { 80 }) as usize;
        let query: String = if round % 2 == 0 {
            let bytes: Vec<u8> = (0..len).map(|_| rng.next_u64() as u8).collect();
            String::from_utf8_lossy(&bytes).into_owned()
        } else {
            (0..len).map(|_| *rng.pick(&alphabet)).collect()
        };
        if let Err(e) = timed(&lib, &query) {
            assert!(e.is_user_error(), "{query:?}: {e}");
        }
    }
}

/// Real queries (every form QUERY.md documents) mutated by proptest:
/// characters replaced, inserted and removed, syntax spliced in, pieces
/// repeated. Every mutant ends quickly (`timed`) with results or an error
/// about the query, never a panic. From a fixed seed, so every run tries
/// the same queries; a failure prints the smallest query that fails.
#[test]
fn mutated_real_queries_never_panic_or_hang() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};

    const REAL: &[&str] = &[
        "beach sunset",
        "beach AND sunset OR lake",
        "beach -dog NOT cat",
        "(beach OR lake) sunset",
        "name:holiday folder:2023 path:a/b title:sunset",
        "camera:\"X100V\" camera:canon lens:35mm",
        "kind:video ext:cr2 mime:image/jpeg",
        "taken:2023-06..2023-08 taken:2023.. taken:<2020 taken:2023-06-14",
        "rating:>=4 rating:2..4 rating:-1",
        "iso:>3200 width:>=4000 height:<1080 focal:24..70 aperture:<=2.8",
        "tag:family/kids album:\"Iceland 2024\" label:red flag:pick",
        "keyword:Places/Iceland caption:puffins creator:ana",
        "has:comment missing:true near:64.14,-21.94,5km",
    ];
    const SYNTAX: &[&str] = &[
        "(",
        ")",
        "\"",
        "-",
        ":",
        "..",
        ">=",
        "<",
        "OR ",
        "AND ",
        "NOT ",
        "*",
        ",",
        "/",
        " ",
        "\\",
        "\u{0}",
        "é",
        "taken:",
        "near:",
        "rating:",
        "99999999999999999999",
        "-0",
        "1e309",
        "NaN",
        "km",
        "m",
    ];
    #[derive(Debug, Clone)]
    enum Edit {
        Replace(usize, char),
        Insert(usize, usize),
        Remove(usize, usize),
        Repeat(usize, usize, u8),
    }
    let edit = prop_oneof![
        (any::<usize>(), any::<char>()).prop_map(|(p, c)| Edit::Replace(p, c)),
        (any::<usize>(), 0..SYNTAX.len()).prop_map(|(p, s)| Edit::Insert(p, s)),
        (any::<usize>(), 1usize..8).prop_map(|(p, n)| Edit::Remove(p, n)),
        (any::<usize>(), 1usize..12, 2u8..40).prop_map(|(p, n, k)| Edit::Repeat(p, n, k)),
    ];
    let apply = |seed: &str, edits: &[Edit]| -> String {
        let mut q: Vec<char> = seed.chars().collect();
        for e in edits {
            let at = |p: usize| p % (q.len() + 1);
            match *e {
                Edit::Replace(p, c) if !q.is_empty() => {
                    let i = p % q.len();
                    q[i] = c;
                }
                Edit::Insert(p, s) => {
                    let i = at(p);
                    q.splice(i..i, SYNTAX[s].chars());
                }
                Edit::Remove(p, n) if !q.is_empty() => {
                    let i = p % q.len();
                    q.drain(i..(i + n).min(q.len()));
                }
                Edit::Repeat(p, n, k) if !q.is_empty() => {
                    let i = p % q.len();
                    let piece: Vec<char> = q[i..(i + n).min(q.len())].to_vec();
                    for _ in 0..k {
                        q.splice(i..i, piece.iter().copied());
                    }
                }
                _ => {}
            }
        }
        q.into_iter().collect()
    };
    let lib = library();
    let config = Config {
        cases: 20_000,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    let strategy = (0..REAL.len(), prop::collection::vec(edit, 1..6));
    let result = runner.run(&strategy, |(i, edits)| {
        let query = apply(REAL[i], &edits);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| timed(&lib, &query)));
        match outcome {
            Err(_) => Err(TestCaseError::fail(format!("panicked on {query:?}"))),
            Ok(Err(e)) if !e.is_user_error() => Err(TestCaseError::fail(format!("{query:?}: {e}"))),
            Ok(_) => Ok(()),
        }
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
