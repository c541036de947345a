//! Human-readable output. Results go to stdout; notes, warnings and errors
//! to stderr.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

use trove_core::catalog::Job;
use trove_core::{
    AssetDetail, AssetSummary, CoreError, DuplicateSet, LibraryStatus, ProblemInfo, RootInfo, SearchOutcome,
};

pub fn line(s: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{s}");
}

pub fn note(s: &str) {
    eprintln!("{s}");
}

/// Asks a yes/no question on the terminal: true only for the exact
/// `word` typed back. `None` when standard input is not a terminal (a
/// script must say `--yes`).
pub fn confirm(question: &str, word: &str) -> Option<bool> {
    use std::io::{BufRead, IsTerminal};
    if !std::io::stdin().is_terminal() {
        return None;
    }
    eprint!("{question} Type `{word}` to go on: ");
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer).ok()?;
    Some(answer.trim() == word)
}

/// The error, and on a line of its own what to do about it here.
pub fn error(e: &CoreError) {
    eprintln!("error: {e}");
    if let Some(hint) = crate::hints::hint(e.code()) {
        eprintln!("hint: {hint}");
    }
}

pub fn json(v: &impl serde::Serialize) {
    let mut out = std::io::stdout().lock();
    let _ = serde_json::to_writer_pretty(&mut out, v);
    let _ = writeln!(out);
}

/// `YYYY-MM-DD HH:MM:SS` of a wall-clock time in ms read as UTC
/// (`CaptureTime::wall_clock_ms`).
pub fn wall_clock(ms: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000) {
        Ok(t) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        Err(_) => "?".into(),
    }
}

pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut i = 0;
    while v >= 1000.0 && i < UNITS.len() - 1 {
        v /= 1000.0;
        i += 1;
    }
    if i == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[i])
    }
}

pub fn roots(roots: &[RootInfo]) {
    if roots.is_empty() {
        note("no folders yet; add one with `trove add <folder>`");
        return;
    }
    for r in roots {
        line(&format!(
            "{:>3}  {:<7}  {:<9}  {:>7} files  {:>5} missing  {:>4} problems  {}",
            r.id,
            r.state.as_str(),
            r.kinds.as_str(),
            r.files,
            r.missing_files,
            r.problems,
            r.path.display()
        ));
    }
}

pub fn assets(assets: &[AssetSummary]) {
    for a in assets {
        let when = a
            .capture
            .map(|c| wall_clock(c.wall_clock_ms()))
            .unwrap_or_else(|| "-".into());
        let status = match a.status.as_str() {
            "present" => String::new(),
            s => format!(" [{s}]"),
        };
        line(&format!(
            "{}  {:<8}  {:>10}  {}  {}{}",
            a.id,
            a.kind.as_str(),
            bytes(a.size),
            when,
            a.path.display(),
            status
        ));
    }
}

pub fn search(found: &SearchOutcome) {
    assets(&found.assets);
    note(&format!(
        "{} match(es), {} shown, {:.1} ms",
        found.total,
        found.assets.len(),
        found.took_us as f64 / 1000.0
    ));
    if let Some(f) = &found.facets {
        let list = |name: &str, items: &[(String, u64)]| {
            if !items.is_empty() {
                let shown: Vec<String> = items.iter().take(12).map(|(v, c)| format!("{v} ({c})")).collect();
                line(&format!("{name:<8} {}", shown.join(", ")));
            }
        };
        let pairs = |v: &[trove_core::FacetCount]| v.iter().map(|c| (c.value.clone(), c.count)).collect::<Vec<_>>();
        list("kind", &pairs(&f.kind));
        list("camera", &pairs(&f.camera));
        list("lens", &pairs(&f.lens));
        list(
            "year",
            &f.years
                .iter()
                .map(|y| (y.year.to_string(), y.count))
                .collect::<Vec<_>>(),
        );
        list(
            "rating",
            &f.ratings
                .iter()
                .map(|r| (r.rating.to_string(), r.count))
                .collect::<Vec<_>>(),
        );
        list("tag", &pairs(&f.tags));
        list("album", &pairs(&f.albums));
        list("ext", &pairs(&f.ext));
    }
}

pub fn asset_detail(d: &AssetDetail) {
    let a = &d.asset;
    line(&format!("id        {}", a.id));
    line(&format!(
        "kind      {} ({})",
        a.kind,
        a.mime.as_deref().unwrap_or("unknown type")
    ));
    line(&format!("status    {}", a.status.as_str()));
    line(&format!("size      {} ({} bytes)", bytes(a.size), a.size));
    if let (Some(w), Some(h)) = (a.width, a.height) {
        line(&format!("pixels    {w} x {h}"));
    }
    if let Some(ms) = a.duration_ms {
        line(&format!("duration  {}", duration(ms.max(0) as u64)));
    }
    if let Some(c) = a.capture {
        let offset = c
            .offset_minutes
            .map(|m| format!(" {:+03}:{:02}", m / 60, (m % 60).abs()))
            .unwrap_or_default();
        line(&format!(
            "captured  {}{offset} (from {})",
            wall_clock(c.wall_clock_ms()),
            c.source.as_str()
        ));
    }
    line(&format!("blake3    {}", a.blake3));
    if let Some(md5) = a.md5 {
        line(&format!("md5       {}", hex::encode(md5)));
    }
    if let Some(m) = &d.metadata {
        if let Some(camera) = m.camera() {
            line(&format!("camera    {camera}"));
        }
        if let Some(lens) = &m.lens {
            line(&format!("lens      {lens}"));
        }
        if let Some(g) = m.gps {
            line(&format!("gps       {:.6}, {:.6}", g.lat, g.lon));
        }
        let codecs = [m.video_codec.as_deref(), m.audio_codec.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" + ");
        if !codecs.is_empty() {
            let fps = m.frame_rate.map(|f| format!(", {f} fps")).unwrap_or_default();
            let rate = m.bit_rate.map(|b| format!(", {} kbit/s", b / 1000)).unwrap_or_default();
            let container = m.container.as_deref().unwrap_or("?");
            line(&format!("codecs    {codecs} in {container}{fps}{rate}"));
        }
        for (label, value) in [
            ("artist", &m.artist),
            ("album", &m.album),
            ("genre", &m.genre),
            ("author", &m.author),
        ] {
            if let Some(v) = value {
                line(&format!("{label:<9} {v}"));
            }
        }
        if let Some(p) = m.page_count {
            line(&format!("pages     {p}"));
        }
        if let Some(t) = &m.text {
            let first: String = t.chars().take(80).collect();
            line(&format!(
                "text      {}{}",
                first.replace('\n', " / "),
                if t.chars().count() > 80 { "..." } else { "" }
            ));
        }
    }
    let c = &d.curation;
    if c.rating > 0 {
        line(&format!("rating    {}", "*".repeat(usize::from(c.rating))));
    }
    if let Some(f) = c.flag {
        line(&format!("flag      {}", f.as_str()));
    }
    if let Some(l) = c.label {
        line(&format!("label     {}", l.as_str()));
    }
    for (name, text) in [
        ("title", &c.title),
        ("caption", &c.caption),
        ("creator", &c.creator),
        ("rights", &c.rights),
    ] {
        if let Some(t) = text {
            line(&format!("{name:<9} {t}"));
        }
    }
    if !c.keywords.is_empty() {
        let k: Vec<String> = c.keywords.iter().map(ToString::to_string).collect();
        line(&format!("keywords  {}", k.join(", ")));
    }
    if !c.albums.is_empty() {
        line(&format!("albums    {}", c.albums.join(", ")));
    }
    for comment in &c.comments {
        line(&format!(
            "comment   {} ({}, {} UTC)",
            comment.text,
            comment.author,
            wall_clock(comment.at)
        ));
    }
    for f in &d.files {
        let state = if f.record.present { "present" } else { "missing" };
        line(&format!("file      [{state}] {}", f.path.display()));
    }
    for x in &d.derivatives {
        line(&format!(
            "proxy     {} {}x{} {} {} ({})",
            x.variant,
            x.width.unwrap_or(0),
            x.height.unwrap_or(0),
            x.format,
            bytes(x.size),
            x.path
        ));
    }
    if let Some(e) = &d.proxy_error {
        line(&format!("no proxy  {e}"));
    }
}

/// `1:02:03.4` / `2:03.4` / `3.4 s`.
fn duration(ms: u64) -> String {
    let (h, m, s) = (ms / 3_600_000, ms / 60_000 % 60, ms % 60_000);
    let secs = format!("{:.1}", s as f64 / 1000.0);
    match (h, m) {
        (0, 0) => format!("{secs} s"),
        (0, m) => format!("{m}:{secs:0>4}"),
        (h, m) => format!("{h}:{m:02}:{secs:0>4}"),
    }
}

pub fn duplicates(sets: &[DuplicateSet]) {
    if sets.is_empty() {
        note("no duplicates");
    }
    for s in sets {
        line(&format!(
            "{}  {}  {} files",
            s.asset.id,
            bytes(s.asset.size),
            s.files.len()
        ));
        for f in &s.files {
            line(&format!("    {}", f.path.display()));
        }
    }
}

pub fn jobs(jobs: &[Job]) {
    if jobs.is_empty() {
        note("no jobs");
    }
    for j in jobs {
        line(&format!(
            "{:>6}  {:<10}  {:<9}  attempts {}/{}  {}{}",
            j.id,
            j.kind,
            j.state.as_str(),
            j.attempts,
            j.max_attempts,
            j.payload,
            j.last_error
                .as_deref()
                .map(|e| format!("\n        error: {e}"))
                .unwrap_or_default()
        ));
    }
}

pub fn problems(problems: &[ProblemInfo]) {
    if problems.is_empty() {
        note("no problems");
    }
    for p in problems {
        line(&format!(
            "{}: {}: {}",
            p.path.display(),
            p.problem.code,
            p.problem.message
        ));
    }
}

pub fn status(s: &LibraryStatus) {
    let c = &s.counts;
    line(&format!("library   {}", s.library.display()));
    line(&format!(
        "assets    {} ({} present, {} missing, {} offline), {}",
        c.assets,
        c.present,
        c.missing,
        c.offline,
        bytes(c.bytes)
    ));
    let kinds = c
        .by_kind
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect::<Vec<_>>()
        .join(", ");
    if !kinds.is_empty() {
        line(&format!("kinds     {kinds}"));
    }
    line(&format!("files     {}", c.files));
    line(&format!("problems  {}", c.scan_problems));
    line(&format!(
        "jobs      {} queued, {} running, {} done, {} failed",
        s.jobs.queued, s.jobs.running, s.jobs.done, s.jobs.failed
    ));
    line(&format!("folders   {}", s.roots.len()));
    for r in &s.roots {
        line(&format!("  {:>3}  {:<7}  {}", r.id, r.state.as_str(), r.path.display()));
    }
}
