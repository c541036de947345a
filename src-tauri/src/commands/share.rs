//! Sharing: links to assets and share pages, their list, renewal and
//! revocation, upload requests, and importing what arrived through them.

use tauri::{Manager as _, Runtime, State};
use trove_core::{RequestOptions, ShareCredentials, ShareOptions};

use super::{absolute_path, blocking};
use crate::AppState;
use crate::codes;
use crate::credentials;
use crate::dto::{ErrorDto, EventDto, IncomingDto, Operation, ShareDto, ShareLinksDto};

/// Share ids are 32 hex digits.
fn check_share_id(id: &str) -> Result<(), ErrorDto> {
    if id.len() != 32 || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(ErrorDto::new(codes::BAD_ID, format!("{id:?} is not a share id")));
    }
    Ok(())
}

fn share_credentials(lib: &trove_core::Library) -> Result<ShareCredentials, ErrorDto> {
    let target = lib.target()?;
    Ok(ShareCredentials {
        main: credentials::load(&target)?.0,
        share: None,
    })
}

/// A signed link to one asset (its preview or playable copy, or its
/// original), valid for `expires_hours` (at most 168).
#[tauri::command]
pub async fn share_asset(
    state: State<'_, AppState>,
    id: String,
    expires_hours: u32,
    originals: bool,
    show: Option<PageShowDto>,
) -> Result<ShareLinksDto, ErrorDto> {
    let id: trove_core::types::AssetId = id
        .parse()
        .map_err(|_| ErrorDto::new(codes::BAD_ID, format!("{id:?} is not an asset id")))?;
    let lib = state.lib()?;
    blocking(move || {
        let opts = show.unwrap_or_default().apply(ShareOptions {
            expires: trove_core::parse_expiry(&format!("{expires_hours}h"))?,
            originals,
            ..ShareOptions::default()
        });
        let out = lib.share(&share_credentials(&lib)?, &[id.to_string()], &opts)?;
        Ok(ShareLinksDto {
            share: ShareDto::from(&out.share),
            links: out.links.into_iter().map(|l| l.url).collect(),
        })
    })
    .await
}

/// Every share, newest first.
#[tauri::command]
pub async fn list_shares(state: State<'_, AppState>) -> Result<Vec<ShareDto>, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || Ok(lib.shares()?.iter().map(ShareDto::from).collect())).await
}

/// Revokes a share: its objects are deleted, every link stops working.
#[tauri::command]
pub async fn revoke_share(state: State<'_, AppState>, id: String) -> Result<u64, ErrorDto> {
    check_share_id(&id)?;
    let lib = state.lib()?;
    blocking(move || Ok(lib.revoke_share(&share_credentials(&lib)?, &id)?.deleted)).await
}

/// Shares a selection as one page (a grid with a viewer) in the bucket.
#[tauri::command]
pub async fn share_page(
    state: State<'_, AppState>,
    ids: Vec<String>,
    title: Option<String>,
    expires_hours: u32,
    originals: bool,
    show: Option<PageShowDto>,
) -> Result<ShareLinksDto, ErrorDto> {
    if ids.is_empty() || ids.len() > trove_core::MAX_SHARE_ASSETS {
        return Err(ErrorDto::new(
            codes::SHARE_PAGE_SIZE,
            format!("a page shares 1 to {} assets", trove_core::MAX_SHARE_ASSETS),
        ));
    }
    let mut parsed = Vec::with_capacity(ids.len());
    for id in &ids {
        let id: trove_core::types::AssetId = id
            .parse()
            .map_err(|_| ErrorDto::new(codes::BAD_ID, format!("{id:?} is not an asset id")))?;
        parsed.push(id.to_string());
    }
    let lib = state.lib()?;
    blocking(move || {
        let opts = show.unwrap_or_default().apply(ShareOptions {
            expires: trove_core::parse_expiry(&format!("{expires_hours}h"))?,
            originals,
            page: true,
            title,
            ..ShareOptions::default()
        });
        let out = lib.share(&share_credentials(&lib)?, &parsed, &opts)?;
        Ok(ShareLinksDto {
            share: ShareDto::from(&out.share),
            links: out.links.into_iter().map(|l| l.url).collect(),
        })
    })
    .await
}

/// Renews a share: its links (and page) are signed again, valid for
/// `expires_hours` from now (at most 168).
#[tauri::command]
pub async fn renew_share(
    state: State<'_, AppState>,
    id: String,
    expires_hours: u32,
) -> Result<ShareLinksDto, ErrorDto> {
    check_share_id(&id)?;
    let lib = state.lib()?;
    blocking(move || {
        let expires = trove_core::parse_expiry(&format!("{expires_hours}h"))?;
        let out = lib.renew_share(&share_credentials(&lib)?, &id, expires)?;
        Ok(ShareLinksDto {
            share: ShareDto::from(&out.share),
            links: out.links.into_iter().map(|l| l.url).collect(),
        })
    })
    .await
}

/// The largest file an upload request may accept, in MB: a browser form
/// posts each file in one request, which S3 limits to 5 GB.
pub const MAX_REQUEST_MB: u64 = 5 * 1024;

/// Makes an upload-request link: a page in the bucket whose form lets
/// someone send files (each at most `max_mb` MB, of the `accept`ed types,
/// e.g. `image/`) into `incoming/<id>/` of the bucket until it expires.
#[tauri::command]
pub async fn request_files(
    state: State<'_, AppState>,
    title: Option<String>,
    message: Option<String>,
    expires_hours: u32,
    max_mb: u64,
    accept: Vec<String>,
) -> Result<ShareLinksDto, ErrorDto> {
    if max_mb == 0 || max_mb > MAX_REQUEST_MB {
        return Err(ErrorDto::new(
            codes::REQUEST_INVALID,
            format!("{max_mb} MB is out of range; accept files of 1 to {MAX_REQUEST_MB} MB"),
        ));
    }
    let accept: Vec<String> = accept.iter().map(|a| a.trim().to_ascii_lowercase()).collect();
    let type_like = |a: &str| {
        a.split_once('/').is_some_and(|(top, sub)| {
            !top.is_empty()
                && top.bytes().all(|b| b.is_ascii_lowercase())
                && sub.bytes().all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        }) && a.len() <= 100
    };
    if accept.is_empty() || accept.len() > 20 || !accept.iter().all(|a| type_like(a)) {
        return Err(ErrorDto::new(
            codes::REQUEST_INVALID,
            format!(
                "{accept:?} is not a list of file types; use types or prefixes like \"image/\" or \"application/pdf\""
            ),
        ));
    }
    let nonempty = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let lib = state.lib()?;
    blocking(move || {
        let opts = RequestOptions {
            expires: trove_core::parse_expiry(&format!("{expires_hours}h"))?,
            max_size: max_mb << 20,
            accept,
            title: nonempty(title),
            message: nonempty(message),
            // The defaults' caps on files and bytes in all.
            ..RequestOptions::default()
        };
        let out = lib.request_files(&share_credentials(&lib)?, &opts)?;
        Ok(ShareLinksDto {
            share: ShareDto::from(&out.share),
            links: out.links.into_iter().map(|l| l.url).collect(),
        })
    })
    .await
}

/// Downloads, verifies and catalogs the files sent to an upload request,
/// into `to` (an absolute folder path the person picked) or by default
/// "Trove incoming/<id>" in their Pictures folder, which becomes a watched
/// folder unless it lies in one. Files imported before are skipped.
#[tauri::command]
pub async fn import_incoming<R: Runtime>(
    app: tauri::AppHandle<R>,
    state: State<'_, AppState>,
    id: String,
    to: Option<String>,
) -> Result<IncomingDto, ErrorDto> {
    check_share_id(&id)?;
    let to = match to {
        Some(path) => absolute_path(&path, "pick the folder to import into")?,
        None => app
            .path()
            .picture_dir()
            .or_else(|_| app.path().home_dir())
            .map_err(|e| {
                ErrorDto::new(
                    codes::NO_FOLDER,
                    format!("no Pictures or home folder to import into ({e}); pick a folder"),
                )
            })?
            .join("Trove incoming")
            .join(&id),
    };
    let lib = state.lib()?;
    let emit = state.emitter();
    let running = state.operations().start(Operation::ImportIncoming, &[]).map_err(|_| {
        ErrorDto::new(
            codes::IMPORT_RUNNING,
            "an import of received files is already running; wait for it or stop it",
        )
    })?;
    blocking(move || {
        // The scan of what arrived reports like any other: the grid and the
        // sidebar refresh when it ends.
        let sink = move |event: trove_core::Event| {
            if let Some(dto) = EventDto::from_core(&event) {
                emit(dto);
            }
        };
        let report = lib.import_incoming(&share_credentials(&lib)?, &id, &to, &sink, running.cancel())?;
        Ok(IncomingDto::new(&report, &to))
    })
    .await
}

/// What a share shows, as the share dialog chose; what it leaves out
/// takes the defaults (no names; captions and capture times shown).
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageShowDto {
    /// The files' names (on the page and as download names).
    pub names: Option<bool>,
    /// Captions and titles.
    pub captions: Option<bool>,
    /// Capture times.
    pub times: Option<bool>,
}

impl PageShowDto {
    fn apply(self, opts: ShareOptions) -> ShareOptions {
        ShareOptions {
            names: self.names.unwrap_or(opts.names),
            captions: self.captions.unwrap_or(opts.captions),
            times: self.times.unwrap_or(opts.times),
            ..opts
        }
    }
}
