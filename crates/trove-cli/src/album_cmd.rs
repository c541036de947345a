//! `trove album ...` and `trove comment`: albums (by hand, in folders,
//! smart) and comments. Putting assets in an album, taking them out and
//! commenting are edits that `trove undo` takes back.

use std::path::Path;

use clap::Subcommand;
use serde_json::json;
use trove_core::catalog::{AlbumKind, AlbumRecord, CurationChange};
use trove_core::{CoreError, Library};

use crate::curate_cmd::{self, Sel};
use crate::progress::Reporter;
use crate::{EXIT_OK, json, open_reader, open_writer, output};

#[derive(Debug, Subcommand)]
pub enum AlbumAction {
    /// Every album and album folder, with counts.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Make an album (or with --folder, an album folder).
    Create {
        name: String,
        /// The album folder to put it in (its path or id).
        #[arg(long = "in", value_name = "FOLDER")]
        parent: Option<String>,
        #[arg(long)]
        folder: bool,
        #[arg(long)]
        json: bool,
    },
    /// Make a smart album: a saved search, always current:
    /// `trove album smart 'Best of Iceland' 'folder:iceland rating:>=4'`.
    Smart {
        name: String,
        query: String,
        #[arg(long = "in", value_name = "FOLDER")]
        parent: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Rename an album or folder.
    Rename { album: String, new_name: String },
    /// Move an album or folder into another folder (without --to, to the top).
    Move {
        album: String,
        #[arg(long, value_name = "FOLDER")]
        to: Option<String>,
    },
    /// Delete an album (its assets stay in the library) or an empty folder.
    Rm { album: String },
    /// Put assets at the end of an album: `trove album add Iceland IMG_1.jpg IMG_2.jpg`.
    Add {
        album: String,
        #[arg(value_name = "ID|PATH")]
        assets: Vec<String>,
        #[arg(long, value_name = "QUERY", conflicts_with = "assets")]
        query: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Take assets out of an album (they stay in the library).
    Remove {
        album: String,
        #[arg(value_name = "ID|PATH")]
        assets: Vec<String>,
        #[arg(long, value_name = "QUERY", conflicts_with = "assets")]
        query: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// An album's assets, in its order (a smart album's: what it finds now).
    Show {
        album: String,
        #[arg(long)]
        json: bool,
    },
    /// Set the album's cover (or clear it with --none).
    Cover {
        album: String,
        #[arg(value_name = "ID|PATH", required_unless_present = "none")]
        asset: Option<String>,
        #[arg(long)]
        none: bool,
    },
    /// Move an asset in the album's order: before another one, or to the end.
    Order {
        album: String,
        #[arg(value_name = "ID|PATH")]
        asset: String,
        #[arg(long, value_name = "ID|PATH")]
        before: Option<String>,
    },
}

pub fn album(dir: &Path, action: AlbumAction) -> Result<u8, CoreError> {
    match action {
        AlbumAction::List { json } => {
            // Smart albums count with the index brought up to date.
            let lib = open_writer_or_reader(dir)?;
            let albums = lib.albums(&Reporter::new(json).lines_only())?;
            if json {
                output::json(&albums.iter().map(album_json).collect::<Vec<_>>());
            } else if albums.is_empty() {
                output::note("no albums yet; `trove album create NAME` makes one");
            } else {
                for a in &albums {
                    let what = match a.kind {
                        AlbumKind::Album => format!("{} asset(s)", a.count),
                        AlbumKind::Folder => "folder".to_owned(),
                        AlbumKind::Smart => format!("smart: {} ({} found)", a.query.as_deref().unwrap_or(""), a.count),
                    };
                    output::line(&format!("{:>5}  {}  {what}", a.id, a.path));
                }
            }
        }
        AlbumAction::Create {
            name,
            parent,
            folder,
            json,
        } => {
            let lib = open_writer(dir, false)?;
            let kind = if folder { AlbumKind::Folder } else { AlbumKind::Album };
            let a = lib.create_album(&name, parent.as_deref(), kind, None, &Reporter::new(json).lines_only())?;
            made(&a, json);
        }
        AlbumAction::Smart {
            name,
            query,
            parent,
            json,
        } => {
            let lib = open_writer(dir, false)?;
            let a = lib.create_album(
                &name,
                parent.as_deref(),
                AlbumKind::Smart,
                Some(&query),
                &Reporter::new(json).lines_only(),
            )?;
            made(&a, json);
        }
        AlbumAction::Rename { album, new_name } => {
            let a = open_writer(dir, false)?.rename_album(&album, Some(&new_name), None)?;
            output::line(&format!("renamed to {}", a.path));
        }
        AlbumAction::Move { album, to } => {
            let a = open_writer(dir, false)?.rename_album(&album, None, Some(to.as_deref()))?;
            output::line(&format!("moved to {}", a.path));
        }
        AlbumAction::Rm { album } => {
            open_writer(dir, false)?.delete_album(&album, &trove_core::NoEvents)?;
            output::line(&format!(
                "deleted {album} (its assets stay in the library); undo it with `trove undo`"
            ));
        }
        AlbumAction::Add {
            album,
            assets,
            query,
            json,
        } => {
            let id = open_reader(dir)?.album(&album)?.id;
            let sel = Sel { assets, query, json };
            return curate_cmd::edit(dir, sel, CurationChange::AlbumAdd { album: id });
        }
        AlbumAction::Remove {
            album,
            assets,
            query,
            json,
        } => {
            let id = open_reader(dir)?.album(&album)?.id;
            let sel = Sel { assets, query, json };
            return curate_cmd::edit(dir, sel, CurationChange::AlbumRemove { album: id });
        }
        AlbumAction::Show { album, json } => {
            let lib = open_writer_or_reader(dir)?;
            let assets = lib.album_assets(&album, &Reporter::new(json).lines_only())?;
            if json {
                output::json(&assets.iter().map(json::asset_summary).collect::<Vec<_>>());
            } else {
                output::assets(&assets);
            }
        }
        AlbumAction::Cover { album, asset, none } => {
            let lib = open_writer(dir, false)?;
            let cover = match (asset, none) {
                (Some(a), false) => Some(lib.resolve_asset(&a)?),
                _ => None,
            };
            lib.set_album_cover(&album, cover)?;
        }
        AlbumAction::Order { album, asset, before } => {
            let lib = open_writer(dir, false)?;
            let asset = lib.resolve_asset(&asset)?;
            let before = before.map(|b| lib.resolve_asset(&b)).transpose()?;
            lib.move_in_album(&album, asset, before)?;
        }
    }
    Ok(EXIT_OK)
}

/// `trove comment SEL TEXT`: a comment on each asset, signed by `author`.
pub fn comment(dir: &Path, args: curate_cmd::SelValue, author: String) -> Result<u8, CoreError> {
    let (sel, text) = args.split()?;
    curate_cmd::edit(dir, sel, CurationChange::Comment { author, text })
}

/// A smart album's search brings the index up to date when it can.
fn open_writer_or_reader(dir: &Path) -> Result<Library, CoreError> {
    match open_writer(dir, false) {
        Err(e) if e.code() == "library_locked" => open_reader(dir),
        other => other,
    }
}

fn made(a: &AlbumRecord, json: bool) {
    if json {
        output::json(&album_json(a));
    } else {
        output::line(&format!("made {} {} (id {})", a.kind.as_str(), a.path, a.id));
    }
}

fn album_json(a: &AlbumRecord) -> serde_json::Value {
    json!({
        "id": a.id,
        "name": a.name,
        "path": a.path,
        "kind": a.kind.as_str(),
        "query": a.query,
        "count": a.count,
        "parent": a.parent_id,
        "created_at": json::time_ms(a.created_at),
    })
}
