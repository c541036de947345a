//! Inside each crate, modules form a tree of uses without circles: a file
//! that names another (`crate::a::b`, `super::c`, in `use` lines or in
//! paths) depends on it, and no chain of such names leads back to where it
//! started. Read-model types, reports and small shared pieces live low
//! enough for everything that needs them to reach them without a circle.
//!
//! What counts: each `.rs` file of a crate's `src` is a module (`a/mod.rs`
//! is `a`); a path starting with `crate::` or `super::` names the deepest
//! module it reaches. Not counted: a module naming its own descendants (a
//! parent declares and re-exports its children), names re-exported at the
//! crate root (`crate::Foo`: lib.rs is everyone's ancestor), comments, and
//! everything after `#[cfg(test)]` in a file (unit tests may use anything).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every `.rs` file below `dir`.
pub(crate) fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
    out
}

/// Module path ("" for the crate root, "scan::apply") -> file.
fn modules(src: &Path) -> BTreeMap<String, PathBuf> {
    rust_files(src)
        .into_iter()
        .map(|f| {
            let rel = f.strip_prefix(src).unwrap().with_extension("");
            let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
            if parts.last().is_some_and(|l| l == "mod") || parts == ["lib"] || parts == ["main"] {
                parts.pop();
            }
            (parts.join("::"), f)
        })
        .collect()
}

/// The code of a file without comments and without its unit tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a use-tree or expression starting at `s` names, each as its
/// segments (`a::{b, c::d}` gives `a::b` and `a::c::d`).
fn paths(s: &str, prefix: &[String], out: &mut Vec<Vec<String>>) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    let mut segs = prefix.to_vec();
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < bytes.len() && bytes[i] == b'{' {
            i += 1;
            loop {
                i += paths(&s[i..], &segs, out);
                while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b',') {
                    i += 1;
                }
                if i >= bytes.len() || bytes[i] == b'}' {
                    return i + 1;
                }
            }
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
            i += 1;
        }
        if start == i {
            break;
        }
        segs.push(s[start..i].to_owned());
        if s[i..].starts_with("::") {
            i += 2;
        } else {
            break;
        }
    }
    out.push(segs);
    i
}

/// The deepest module of `mods` that `path` reaches.
fn resolve(path: &[String], mods: &BTreeMap<String, PathBuf>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|k| path[..k].join("::"))
        .find(|m| mods.contains_key(m))
}

fn graph(mods: &BTreeMap<String, PathBuf>) -> BTreeMap<String, BTreeSet<String>> {
    let mut g = BTreeMap::new();
    for (m, file) in mods {
        let text = code(&std::fs::read_to_string(file).unwrap());
        let here: Vec<String> = if m.is_empty() {
            Vec::new()
        } else {
            m.split("::").map(str::to_owned).collect()
        };
        let mut found = Vec::new();
        for (i, _) in text.match_indices("crate::") {
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$') {
                continue; // `$crate::`, `trove_crate::`
            }
            paths(&text[i + "crate::".len()..], &[], &mut found);
        }
        for (i, _) in text.match_indices("super::") {
            let before = text[..i].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue; // `super::super::` is read from its first `super`
            }
            let mut rest = &text[i..];
            let mut base = here.clone();
            while let Some(r) = rest.strip_prefix("super::") {
                base.pop();
                rest = r;
            }
            paths(rest, &base, &mut found);
        }
        let deps: BTreeSet<String> = found
            .iter()
            .filter_map(|p| resolve(p, mods))
            .filter(|d| !d.is_empty() && d != m && !(m.is_empty() || d.starts_with(&format!("{m}::"))))
            .collect();
        g.insert(m.clone(), deps);
    }
    g
}

/// The circles of `g`: its strongly connected components of more than one
/// module (Tarjan).
fn circles(g: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, n: &'a str) {
        let i = s.index.len();
        s.index.insert(n, i);
        s.low.insert(n, i);
        s.stack.push(n);
        s.on.insert(n);
        for w in &s.g[n] {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let ln = s.low.get_mut(n).unwrap();
                *ln = (*ln).min(lw);
            } else if s.on.contains(w) {
                let iw = s.index[w];
                let ln = s.low.get_mut(n).unwrap();
                *ln = (*ln).min(iw);
            }
        }
        if s.low[n] == s.index[n] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on.remove(w);
                comp.push(w.to_owned());
                if w == n {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.out.push(comp);
            }
        }
    }
    let mut s = State {
        g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for n in g.keys() {
        if !s.index.contains_key(n.as_str()) {
            visit(&mut s, n);
        }
    }
    s.out
}

/// The `src` folder of every crate and of the desktop shell.
pub(crate) fn crate_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("crates"))
        .unwrap()
        .map(|e| e.unwrap().path().join("src"))
        .filter(|p| p.is_dir())
        .collect();
    dirs.push(root.join("src-tauri/src"));
    dirs.sort();
    dirs
}

#[test]
fn no_crate_has_a_circle_of_modules() {
    let mut found = Vec::new();
    for src in crate_dirs() {
        let g = graph(&modules(&src));
        for circle in circles(&g) {
            let edges: Vec<String> = circle
                .iter()
                .flat_map(|m| {
                    g[m].iter()
                        .filter(|d| circle.contains(d))
                        .map(move |d| format!("{m} -> {d}"))
                })
                .collect();
            found.push(format!("{}: {}", src.display(), edges.join(", ")));
        }
    }
    assert!(
        found.is_empty(),
        "modules that name each other in a circle:\n{}",
        found.join("\n")
    );
}

/// The check itself: a circle through `super::` and a use-tree is found, a
/// parent naming its child is not one.
#[test]
fn the_circle_check_sees_use_trees_and_super() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("scan")).unwrap();
    std::fs::write(src.join("lib.rs"), "mod events; mod scan;").unwrap();
    std::fs::write(
        src.join("events.rs"),
        "use crate::{cancel, scan::{report::ScanReport}};",
    )
    .unwrap();
    std::fs::write(src.join("scan/mod.rs"), "mod report; use self::report::ScanReport;").unwrap();
    std::fs::write(
        src.join("scan/report.rs"),
        "use super::super::events::Event; // crate::nothing",
    )
    .unwrap();
    let mods = modules(src);
    assert_eq!(
        circles(&graph(&mods)),
        vec![vec!["events".to_owned(), "scan::report".to_owned()]]
    );
    std::fs::write(src.join("scan/report.rs"), "pub struct ScanReport;").unwrap();
    assert!(circles(&graph(&modules(src))).is_empty());
}
