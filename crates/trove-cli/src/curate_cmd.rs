//! Curating: `trove rate`, `flag`, `label`, `tag`, `title`, `caption`,
//! `creator`, `rights`, `undo`, `redo` and `history`. Each change is one
//! edit in the library, which `trove undo` takes back.

use std::path::Path;

use clap::Args;
use trove_core::catalog::{CurationChange, EditRecord, EditState, TextField};
use trove_core::types::{ColorLabel, CurationValueError, Flag, KeywordPath};
use trove_core::{CoreError, Selection};

use crate::progress::Reporter;
use crate::{EXIT_OK, json, open_reader, open_writer, output};

/// The assets a curation command changes, and the value it sets.
#[derive(Debug, Args)]
pub struct SelValue {
    /// Asset ids or paths of their files, then the value (with --query,
    /// the value alone).
    #[arg(value_name = "ID|PATH... VALUE", required = true)]
    pub items: Vec<String>,
    /// Every asset this search finds, e.g. --query 'folder:iceland taken:2024'.
    #[arg(long, value_name = "QUERY")]
    pub query: Option<String>,
    #[arg(long)]
    pub json: bool,
}

impl SelValue {
    /// The selection and the value (the last word).
    pub fn split(mut self) -> Result<(Sel, String), CoreError> {
        let value = self.items.pop().unwrap_or_default();
        if self.query.is_some() && !self.items.is_empty() {
            return Err(CoreError::CurationInvalid(CurationValueError::new(
                "selection",
                &self.items.join(" "),
                "either asset ids and paths or --query, not both",
            )));
        }
        Ok((
            Sel {
                assets: self.items,
                query: self.query,
                json: self.json,
            },
            value,
        ))
    }
}

/// The assets a curation command changes.
#[derive(Debug)]
pub struct Sel {
    pub assets: Vec<String>,
    pub query: Option<String>,
    pub json: bool,
}

/// `trove rate|flag|label|title|caption|creator|rights`.
pub fn run(dir: &Path, command: &str, args: SelValue) -> Result<u8, CoreError> {
    let (sel, value) = args.split()?;
    let change = change(command, &value)?;
    edit(dir, sel, change)
}

/// One change on the selection.
pub fn edit(dir: &Path, sel: Sel, change: CurationChange) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    let selection = match (&sel.query, sel.assets.is_empty()) {
        (Some(q), _) => Selection::Query(q.clone()),
        (None, false) => Selection::Ids(
            sel.assets
                .iter()
                .map(|a| lib.resolve_asset(a))
                .collect::<Result<_, _>>()?,
        ),
        (None, true) => {
            return Err(CoreError::NothingSelected {
                selection: "(none given)".into(),
            });
        }
    };
    let reporter = Reporter::new(sel.json).lines_only();
    let record = lib.edit(&selection, change, &reporter)?;
    report(&record, sel.json, "undo it with `trove undo`");
    write_sidecars_now(&lib)
}

/// `trove tag SEL +Places/Iceland -Old`: the words with `+` or `-` are
/// keywords to add or remove; the others name assets. (A file whose name
/// starts with `-` or `+` is named with its folder: `./-draft.jpg`.)
pub fn tag_args(
    items: Vec<String>,
    mut query: Option<String>,
    mut json: bool,
) -> Result<(Sel, CurationChange), CoreError> {
    let mut add = Vec::new();
    let mut remove = Vec::new();
    let mut assets = Vec::new();
    // The words take values that start with `-`, so the options after the
    // first word arrive among them.
    let mut words = items.into_iter();
    while let Some(item) = words.next() {
        if item == "--json" {
            json = true;
        } else if item == "--query" {
            query = words.next();
        } else if let Some(q) = item.strip_prefix("--query=") {
            query = Some(q.to_owned());
        } else if let Some(p) = item.strip_prefix('+') {
            add.push(p.parse::<KeywordPath>()?);
        } else if let Some(p) = item.strip_prefix('-') {
            remove.push(p.parse::<KeywordPath>()?);
        } else if query.is_some() {
            // With --query there are no assets to name: a bare word is a
            // keyword to add.
            add.push(item.parse::<KeywordPath>()?);
        } else {
            assets.push(item);
        }
    }
    Ok((Sel { assets, query, json }, CurationChange::Keywords { add, remove }))
}

/// `trove undo` / `trove redo`.
pub fn undo(dir: &Path, redo: bool, json: bool) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    let reporter = Reporter::new(json).lines_only();
    let record = if redo {
        lib.redo(&reporter)?
    } else {
        lib.undo(&reporter)?
    };
    let sidecars = write_sidecars_now(&lib)?;
    match record {
        Some(r) => report(
            &r,
            json,
            if redo {
                "undo it again with `trove undo`"
            } else {
                "redo it with `trove redo`"
            },
        ),
        None if json => output::json(&serde_json::Value::Null),
        None => output::note(if redo { "nothing to redo" } else { "nothing to undo" }),
    }
    Ok(sidecars)
}

/// A one-shot command writes the sidecars its edit made dirty itself (the
/// queued job finds nothing left), when the library writes sidecars.
fn write_sidecars_now(lib: &trove_core::Library) -> Result<u8, CoreError> {
    if lib.sidecar_settings()?.0 != trove_core::SidecarMode::Write {
        return Ok(EXIT_OK);
    }
    let report = lib.write_dirty_sidecars(&trove_core::Cancel::new())?;
    if report.failed > 0 {
        output::note(&format!(
            "{} asset(s) whose sidecars could not be written; the catalog has the change (`trove sidecars status` says why)",
            report.failed
        ));
        return Ok(crate::EXIT_SOME_FAILED);
    }
    Ok(EXIT_OK)
}

/// `trove history`: the newest edits.
pub fn history(dir: &Path, limit: u32, json: bool) -> Result<u8, CoreError> {
    let lib = open_reader(dir)?;
    let edits = lib.edit_history(limit)?;
    if json {
        output::json(&edits.iter().map(edit_json).collect::<Vec<_>>());
    } else if edits.is_empty() {
        output::note("no edits yet");
    } else {
        for e in &edits {
            let state = match e.state {
                EditState::Done => "",
                EditState::Undone => "  (undone)",
                EditState::Dropped => "  (undone, cannot be redone)",
            };
            output::line(&format!(
                "{:>6}  {} UTC  {} on {} asset(s){state}",
                e.id,
                output::wall_clock(e.at),
                e.summary,
                e.asset_count
            ));
        }
    }
    Ok(EXIT_OK)
}

fn edit_json(e: &EditRecord) -> serde_json::Value {
    serde_json::json!({
        "edit": e.id,
        "at": json::time_ms(e.at),
        "summary": e.summary,
        "change": e.change,
        "assets": e.asset_count,
        "state": e.state.as_str(),
    })
}

fn report(record: &EditRecord, json: bool, then: &str) {
    if json {
        output::json(&edit_json(record));
        return;
    }
    let undone = if record.state == EditState::Undone {
        "undid "
    } else {
        ""
    };
    output::line(&format!(
        "{undone}{}: {} asset(s); {then}",
        record.summary, record.asset_count
    ));
}

/// The change `trove rate|flag|label|title|caption|creator|rights` asks
/// for, from its value word.
pub fn change(command: &str, value: &str) -> Result<CurationChange, CoreError> {
    let bad = |what, expected| CoreError::CurationInvalid(CurationValueError::new(what, value, expected));
    let none = value.trim().eq_ignore_ascii_case("none");
    Ok(match command {
        "rate" => match value.trim().parse::<u8>() {
            Ok(rating) if rating <= 5 => CurationChange::Rating { rating },
            _ => return Err(bad("rating", "0 (none) to 5 stars")),
        },
        "flag" if none => CurationChange::Flag { flag: None },
        "flag" => CurationChange::Flag {
            flag: Some(value.parse::<Flag>().map_err(|_| bad("flag", "pick, reject or none"))?),
        },
        "label" if none => CurationChange::Label { label: None },
        "label" => CurationChange::Label {
            label: Some(
                value
                    .parse::<ColorLabel>()
                    .map_err(|_| bad("colour label", "red, yellow, green, blue, purple or none"))?,
            ),
        },
        _ => CurationChange::Text {
            field: match command {
                "title" => TextField::Title,
                "caption" => TextField::Caption,
                "creator" => TextField::Creator,
                _ => TextField::Rights,
            },
            value: Some(value.to_owned()),
        },
    })
}

#[derive(Debug, clap::Subcommand)]
pub enum KeywordsAction {
    /// The keyword tree, with how many assets carry each keyword.
    Tree {
        #[arg(long)]
        json: bool,
    },
    /// Rename or move a keyword on every asset: `trove keywords rename Places/Island Places/Iceland`.
    Rename { from: String, to: String },
    /// Merge a keyword (and those below it) into another on every asset.
    Merge { from: String, into: String },
}

/// `trove keywords [tree|rename|merge]`.
pub fn keywords(dir: &Path, action: Option<KeywordsAction>) -> Result<u8, CoreError> {
    match action.unwrap_or(KeywordsAction::Tree { json: false }) {
        KeywordsAction::Tree { json } => {
            let tree = open_reader(dir)?.keyword_tree()?;
            if json {
                output::json(
                    &tree
                        .iter()
                        .map(|k| serde_json::json!({ "keyword": k.path.to_string(), "assets": k.assets }))
                        .collect::<Vec<_>>(),
                );
            } else if tree.is_empty() {
                output::note("no keywords yet; `trove tag SEL +Places/Iceland` adds one");
            } else {
                for k in &tree {
                    let depth = k.path.levels().len() - 1;
                    output::line(&format!("{}{}  ({})", "  ".repeat(depth), k.path.name(), k.assets));
                }
            }
        }
        KeywordsAction::Rename { from, to } => {
            let lib = open_writer(dir, false)?;
            let record = lib.rename_keyword(&from.parse()?, &to.parse()?, &Reporter::new(false).lines_only())?;
            output::line(&format!(
                "renamed {from} to {to} on {} assets; undo it with `trove undo`",
                record.asset_count
            ));
            return write_sidecars_now(&lib);
        }
        KeywordsAction::Merge { from, into } => {
            let lib = open_writer(dir, false)?;
            let record = lib.merge_keyword(&from.parse()?, &into.parse()?, &Reporter::new(false).lines_only())?;
            output::line(&format!(
                "merged {from} into {into} on {} assets; undo it with `trove undo`",
                record.asset_count
            ));
            return write_sidecars_now(&lib);
        }
    }
    Ok(EXIT_OK)
}

#[derive(Debug, clap::Subcommand)]
pub enum SidecarsAction {
    /// Whether sidecars are written, and what is waiting or failed.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Write XMP sidecars beside the originals from now on (Lightroom,
    /// darktable and digiKam read them), and write every curated asset's now.
    Write {
        /// `full` names a new sidecar photo.jpg.xmp (darktable, digiKam);
        /// `base` names it photo.xmp (Lightroom, for RAW files).
        #[arg(long, value_parser = ["full", "base"], default_value = "full")]
        naming: String,
        #[arg(long)]
        json: bool,
    },
    /// Stop writing sidecars (those written stay).
    Off,
    /// Read what other tools wrote into sidecars: every watched folder is
    /// scanned, and each field a tool changed replaces the catalog's (a
    /// step in `trove history` that `trove undo` takes back).
    Read {
        #[arg(long)]
        json: bool,
    },
}

/// `trove sidecars status|write|off|read`.
pub fn sidecars(dir: &Path, action: SidecarsAction) -> Result<u8, CoreError> {
    use trove_core::{SidecarMode, SidecarNaming};
    match action {
        SidecarsAction::Status { json } => {
            let lib = open_reader(dir)?;
            let (mode, naming) = lib.sidecar_settings()?;
            let c = lib.sidecar_counts()?;
            if json {
                output::json(&serde_json::json!({
                    "mode": mode.as_str(),
                    "naming": naming.as_str(),
                    "waiting": c.dirty,
                    "written": c.written,
                    "failures": c.failures.iter().map(|(row, e)| serde_json::json!({"asset_row": row, "error": e})).collect::<Vec<_>>(),
                }));
            } else {
                output::line(&format!(
                    "sidecars: {} (new ones named {}); {} written, {} waiting",
                    mode.as_str(),
                    if naming == SidecarNaming::Full {
                        "photo.jpg.xmp"
                    } else {
                        "photo.xmp"
                    },
                    c.written,
                    c.dirty
                ));
                for (_, e) in &c.failures {
                    output::line(&format!("  failed: {e}"));
                }
            }
        }
        SidecarsAction::Write { naming, json } => {
            let lib = open_writer(dir, false)?;
            let naming = if naming == "base" {
                SidecarNaming::Base
            } else {
                SidecarNaming::Full
            };
            lib.set_sidecar_settings(SidecarMode::Write, naming)?;
            let report = lib.write_dirty_sidecars(&crate::ctrl_c())?;
            if json {
                output::json(&serde_json::json!({ "written": report.written, "failed": report.failed }));
            } else {
                output::line(&format!(
                    "sidecars on; {} written, {} asset(s) failed (`trove sidecars status` says why)",
                    report.written, report.failed
                ));
            }
            if report.failed > 0 {
                return Ok(crate::EXIT_SOME_FAILED);
            }
        }
        SidecarsAction::Read { json } => {
            let scans = trove_core::WorkerOptions::for_cores(crate::cores()).only(&[trove_core::job_kind::SCAN_ROOT]);
            return crate::library_cmd::scan(dir, None, json, &scans);
        }
        SidecarsAction::Off => {
            let lib = open_writer(dir, false)?;
            let naming = lib.sidecar_settings()?.1;
            lib.set_sidecar_settings(SidecarMode::Off, naming)?;
            output::line("sidecars off; those written stay");
        }
    }
    Ok(EXIT_OK)
}
