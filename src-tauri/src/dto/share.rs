//! Shares, their links, and files received through upload requests.

use serde::Serialize;
use ts_rs::TS;

/// A share as the share list shows it.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ShareDto {
    pub id: String,
    /// "link", "page" or "request".
    pub kind: String,
    pub title: Option<String>,
    /// "live", "expired" or "revoked".
    pub state: String,
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub expires_at: i64,
    #[ts(type = "number")]
    pub assets: u64,
}

impl From<&trove_core::ShareInfo> for ShareDto {
    fn from(s: &trove_core::ShareInfo) -> Self {
        ShareDto {
            id: s.id.clone(),
            kind: s.kind.as_str().to_owned(),
            title: s.title.clone(),
            state: s.state.as_str().to_owned(),
            created_at: s.created_at,
            expires_at: s.expires_at,
            assets: s.assets,
        }
    }
}

/// What importing an upload request's files did.
#[derive(Debug, Clone, Serialize, TS)]
pub struct IncomingDto {
    /// The folder they went into.
    pub folder: String,
    /// Files downloaded, verified and catalogued, by asset id.
    pub imported: Vec<String>,
    #[ts(type = "number")]
    pub bytes: u64,
    /// Files an earlier import brought in.
    #[ts(type = "number")]
    pub already: u64,
    /// Files that could not be imported, and why.
    pub refused: Vec<RefusedDto>,
    /// Stopped before everything was fetched (what had arrived is in);
    /// importing again fetches the rest.
    pub cancelled: bool,
}

/// One file an import refused.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RefusedDto {
    /// Its name as sent.
    pub name: String,
    pub why: String,
}

impl IncomingDto {
    pub fn new(r: &trove_core::IncomingReport, folder: &std::path::Path) -> Self {
        IncomingDto {
            folder: folder.display().to_string(),
            imported: r.imported.iter().map(|(_, id)| id.to_string()).collect(),
            bytes: r.bytes,
            already: r.already,
            refused: r
                .refused
                .iter()
                .map(|(key, why)| RefusedDto {
                    name: key.rsplit('/').next().unwrap_or(key).to_owned(),
                    why: why.clone(),
                })
                .collect(),
            cancelled: r.cancelled,
        }
    }
}

/// A new share and its links.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ShareLinksDto {
    pub share: ShareDto,
    pub links: Vec<String>,
}
