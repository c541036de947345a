//! `trove share`: signed links, share pages, revocation, renewal, upload
//! requests and their import.
//!
//! The main key comes from the AWS chain like every other command. Links
//! are signed with the sharing key when one is given (environment
//! TROVE_SHARE_ACCESS_KEY_ID and TROVE_SHARE_SECRET_ACCESS_KEY, or an AWS
//! profile named by --share-profile / TROVE_SHARE_PROFILE); see
//! docs/sharing.md for setting one up.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use serde_json::json;
use trove_core::{
    CoreError, CredentialSource, RequestOptions, ShareCredentials, ShareInfo, ShareOptions, ShareOutcome, Target,
};

use crate::json::time_ms;
use crate::{EXIT_OK, EXIT_SOME_FAILED, ctrl_c, open_reader, open_writer, output};

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct ShareArgs {
    #[command(subcommand)]
    pub action: Option<ShareAction>,
    #[command(flatten)]
    pub new: NewShare,
    #[command(flatten)]
    pub keys: KeyArgs,
}

#[derive(Args)]
pub struct KeyArgs {
    /// AWS profile of the sharing key (a key that may read only share/).
    /// Without one, links are signed with the main key.
    #[arg(long, global = true, env = "TROVE_SHARE_PROFILE", value_name = "NAME")]
    pub share_profile: Option<String>,
    /// The sharing key itself, from the environment only (never logged).
    #[arg(
        long,
        global = true,
        hide = true,
        env = "TROVE_SHARE_ACCESS_KEY_ID",
        hide_env_values = true
    )]
    pub share_access_key_id: Option<String>,
    #[arg(
        long,
        global = true,
        hide = true,
        env = "TROVE_SHARE_SECRET_ACCESS_KEY",
        hide_env_values = true
    )]
    pub share_secret_access_key: Option<String>,
    #[arg(
        long,
        global = true,
        hide = true,
        env = "TROVE_SHARE_SESSION_TOKEN",
        hide_env_values = true
    )]
    pub share_session_token: Option<String>,
}

impl std::fmt::Debug for KeyArgs {
    // The secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyArgs")
            .field("share_profile", &self.share_profile)
            .field("share_access_key_id", &self.share_access_key_id)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Args)]
pub struct NewShare {
    /// Assets (id or path) or a search query, e.g. 'album:"Iceland 2024"'.
    #[arg(value_name = "ASSET|QUERY|ALBUM")]
    pub what: Vec<String>,
    /// How long the links work: 90m, 12h, 3d, 1w (at most 7 days).
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub expires: String,
    /// Let the recipient download the originals (else proxies only).
    #[arg(long)]
    pub originals: bool,
    /// One page for the whole selection instead of a link per asset.
    #[arg(long)]
    pub page: bool,
    /// Page title.
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// A message shown on the page.
    #[arg(long, value_name = "TEXT")]
    pub message: Option<String>,
    /// Leave camera, exposure, size and duration off the page.
    #[arg(long)]
    pub no_metadata: bool,
    /// Show the files' names on the page and in download names (off by
    /// default: items are "Photo 1", "Video 2"...).
    #[arg(long)]
    pub names: bool,
    /// Leave captions and titles off the page.
    #[arg(long)]
    pub no_captions: bool,
    /// Leave capture times off the page.
    #[arg(long)]
    pub no_times: bool,
    /// Show GPS coordinates on the page (off by default).
    #[arg(long)]
    pub gps: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ShareAction {
    /// List shares with their state (live, expired, revoked).
    List {
        #[arg(long)]
        json: bool,
    },
    /// Print the links of a live share again.
    Links {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Delete the share's objects from the bucket: every link stops working.
    Revoke {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Sign the links of a share again with a new expiry.
    Renew {
        id: String,
        #[arg(long, default_value = "24h", value_name = "DURATION")]
        expires: String,
        #[arg(long)]
        json: bool,
    },
    /// Make an upload-request link: someone can send files into
    /// incoming/<id>/ of the bucket until it expires.
    Request {
        #[arg(long, default_value = "3d", value_name = "DURATION")]
        expires: String,
        /// Largest accepted file, e.g. 500M or 2G.
        #[arg(long, default_value = "2G", value_name = "SIZE", value_parser = crate::sync_cmd::parse_rate)]
        max_size: u64,
        /// The most files taken in from the request (more are refused at import).
        #[arg(long, default_value_t = 500, value_name = "N")]
        max_files: u64,
        /// The most bytes taken in from the request in all, e.g. 20G.
        #[arg(long, default_value = "20G", value_name = "SIZE", value_parser = crate::sync_cmd::parse_rate)]
        max_total: u64,
        /// Accepted types (Content-Type prefixes), comma-separated.
        #[arg(long, default_value = "image/,video/,audio/,application/pdf", value_delimiter = ',')]
        accept: Vec<String>,
        #[arg(long, value_name = "TEXT")]
        title: Option<String>,
        #[arg(long, value_name = "TEXT")]
        message: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Download, verify and catalog the files sent to an upload request.
    Incoming {
        id: String,
        /// Folder to put them in (default: "Trove incoming/<id>" in your
        /// Pictures folder). It becomes a watched folder unless it is in one.
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Delete the objects of expired and revoked shares from the bucket.
    Clean {
        #[arg(long)]
        json: bool,
    },
}

/// Keys for sharing: the main key from the AWS chain, and the sharing key
/// from the environment or a profile when one is set.
fn credentials(target: &Target, keys: &KeyArgs) -> ShareCredentials {
    let main = CredentialSource::AwsChain {
        profile: target.settings.profile.clone(),
    };
    let given = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let share = match (given(&keys.share_access_key_id), given(&keys.share_secret_access_key)) {
        (Some(access_key), Some(secret_key)) => Some(CredentialSource::Static {
            access_key,
            secret_key,
            session_token: given(&keys.share_session_token),
        }),
        _ => keys
            .share_profile
            .clone()
            .map(|p| CredentialSource::AwsChain { profile: Some(p) }),
    };
    ShareCredentials { main, share }
}

fn info_json(s: &ShareInfo) -> serde_json::Value {
    json!({
        "id": s.id,
        "kind": s.kind.as_str(),
        "title": s.title,
        "message": s.message,
        "created": time_ms(s.created_at),
        "expires": time_ms(s.expires_at),
        "state": s.state.as_str(),
        "cleaned": s.cleaned,
        "assets": s.assets,
        "objects": s.objects,
        "bytes": s.bytes,
        "signed_with": if s.share_key { "share key" } else { "main key" },
        "options": s.options,
    })
}

fn print_outcome(o: &ShareOutcome, json: bool) {
    if json {
        output::json(&json!({
            "share": info_json(&o.share),
            "links": o.links.iter().map(|l| json!({
                "label": l.label,
                "asset": l.asset.map(|a| a.to_string()),
                "url": l.url,
            })).collect::<Vec<_>>(),
        }));
        return;
    }
    for l in &o.links {
        output::line(&l.url);
    }
    let expires = time_ms(o.share.expires_at);
    output::note(&format!(
        "share {} ({}): {} link(s), {} asset(s), expires {}",
        o.share.id,
        o.share.kind.as_str(),
        o.links.len(),
        o.share.assets,
        expires.as_str().unwrap_or("?"),
    ));
    if !o.share.share_key {
        output::note(
            "links are signed with your main key; a sharing key that can read only share/ is safer (docs/sharing.md)",
        );
    }
}

pub fn share(dir: &Path, args: ShareArgs) -> Result<u8, CoreError> {
    let keys = args.keys;
    let Some(action) = args.action else {
        let n = args.new;
        if n.what.is_empty() {
            return Err(CoreError::AssetNotFound {
                query: "(nothing named: give asset ids, paths or a search query)".into(),
            });
        }
        let opts = ShareOptions {
            expires: trove_core::parse_expiry(&n.expires)?,
            originals: n.originals,
            page: n.page,
            metadata: !n.no_metadata,
            gps: n.gps,
            names: n.names,
            captions: !n.no_captions,
            times: !n.no_times,
            title: n.title,
            message: n.message,
        };
        let lib = open_writer(dir, false)?;
        let target = lib.target()?;
        let outcome = lib.share(&credentials(&target, &keys), &n.what, &opts)?;
        print_outcome(&outcome, n.json);
        return Ok(EXIT_OK);
    };
    match action {
        ShareAction::List { json } => {
            let lib = open_reader(dir)?;
            let shares = lib.shares()?;
            if json {
                output::json(&shares.iter().map(info_json).collect::<Vec<_>>());
            } else if shares.is_empty() {
                output::note("no shares yet; `trove share ASSET` makes one");
            } else {
                for s in &shares {
                    output::line(&format!(
                        "{}  {:<7} {:<8} {:>4} asset(s)  expires {}  {}",
                        s.id,
                        s.kind.as_str(),
                        s.state.as_str(),
                        s.assets,
                        time_ms(s.expires_at).as_str().unwrap_or("?"),
                        s.title.as_deref().unwrap_or(""),
                    ));
                }
            }
            Ok(EXIT_OK)
        }
        ShareAction::Links { id, json } => {
            let lib = open_reader(dir)?;
            let target = lib.target()?;
            print_outcome(&lib.share_links(&credentials(&target, &keys), &id)?, json);
            Ok(EXIT_OK)
        }
        ShareAction::Revoke { id, json } => {
            let lib = open_writer(dir, false)?;
            let target = lib.target()?;
            let report = lib.revoke_share(&credentials(&target, &keys), &id)?;
            let request =
                lib.shares()?.into_iter().find(|s| s.id == id).map(|s| s.kind) == Some(trove_core::ShareKind::Request);
            if json {
                output::json(&json!({ "id": id, "deleted": report.deleted }));
            } else {
                output::note(&format!(
                    "share {id} revoked: {} object(s) deleted from the bucket",
                    report.deleted
                ));
                if request {
                    output::note(
                        "the upload page is gone, but an upload policy cannot be withdrawn: someone who kept the form \
                         could still send files until it expires; nothing is imported unless you run `trove share incoming`",
                    );
                }
            }
            Ok(EXIT_OK)
        }
        ShareAction::Renew { id, expires, json } => {
            let expires = trove_core::parse_expiry(&expires)?;
            let lib = open_writer(dir, false)?;
            let target = lib.target()?;
            print_outcome(&lib.renew_share(&credentials(&target, &keys), &id, expires)?, json);
            Ok(EXIT_OK)
        }
        ShareAction::Request {
            expires,
            max_size,
            max_files,
            max_total,
            accept,
            title,
            message,
            json,
        } => {
            let opts = RequestOptions {
                expires: trove_core::parse_expiry(&expires)?,
                max_size,
                max_files,
                max_total,
                accept: accept
                    .into_iter()
                    .map(|a| a.trim().to_owned())
                    .filter(|a| !a.is_empty())
                    .collect(),
                title,
                message,
            };
            let lib = open_writer(dir, false)?;
            let target = lib.target()?;
            print_outcome(&lib.request_files(&credentials(&target, &keys), &opts)?, json);
            Ok(EXIT_OK)
        }
        ShareAction::Incoming { id, to, json } => {
            let to = to.unwrap_or_else(|| {
                directories::UserDirs::new()
                    .and_then(|u| u.picture_dir().map(Path::to_path_buf))
                    .unwrap_or_else(|| PathBuf::from("."))
                    .join("Trove incoming")
                    .join(&id)
            });
            let lib = open_writer(dir, false)?;
            let target = lib.target()?;
            let report =
                lib.import_incoming(&credentials(&target, &keys), &id, &to, &trove_core::NoEvents, &ctrl_c())?;
            if json {
                output::json(&json!({
                    "imported": report.imported.iter().map(|(p, a)| json!({"path": p, "asset": a.to_string()})).collect::<Vec<_>>(),
                    "bytes": report.bytes,
                    "already": report.already,
                    "refused": report.refused.iter().map(|(k, w)| json!({"key": k, "why": w})).collect::<Vec<_>>(),
                }));
            } else {
                for (p, _) in &report.imported {
                    output::line(&p.display().to_string());
                }
                for (k, w) in &report.refused {
                    output::note(&format!("  not imported: {k}: {w}"));
                }
                output::note(&format!(
                    "imported {} file(s) ({}), verified; {} imported before; {} not imported",
                    report.imported.len(),
                    output::bytes(report.bytes),
                    report.already,
                    report.refused.len()
                ));
            }
            Ok(if report.refused.is_empty() {
                EXIT_OK
            } else {
                EXIT_SOME_FAILED
            })
        }
        ShareAction::Clean { json } => {
            let lib = open_writer(dir, false)?;
            let target = lib.target()?;
            let n = lib.clean_expired_shares(&credentials(&target, &keys))?;
            if json {
                output::json(&json!({ "cleaned": n }));
            } else {
                output::note(&format!("{n} expired or revoked share(s) removed from the bucket"));
            }
            Ok(EXIT_OK)
        }
    }
}
