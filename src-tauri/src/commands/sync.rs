use tauri::{Manager as _, Runtime, State};
use trove_core::{RequestOptions, ShareCredentials, ShareOptions, SyncOptions, TargetSettings};

use super::{absolute_path, blocking, check_root};
use crate::AppState;
use crate::codes;
use crate::credentials;
use crate::dto::{
    ErrorDto, EventDto, IncomingDto, Operation, RootPolicyDto, ShareDto, ShareLinksDto, SyncSettingsDto, VerifyDto,
};

/// The target, where its credentials come from, and its counts.
#[tauri::command]
pub async fn sync_settings(state: State<'_, AppState>) -> Result<SyncSettingsDto, ErrorDto> {
    let lib = state.lib()?;
    let ops = state.operations().clone();
    blocking(move || {
        let keychain = credentials::probe();
        let target = match lib.target() {
            Ok(t) => Some(t),
            Err(trove_core::CoreError::NoTarget) => None,
            Err(e) => return Err(e.into()),
        };
        let counts = match &target {
            Some(_) => Some(lib.sync_status()?.counts),
            None => None,
        };
        let source = match &target {
            Some(t) => credentials::load(t)?.1,
            None => "environment",
        };
        let roots = lib.roots()?;
        let policies = lib
            .sync_policies()?
            .into_iter()
            .filter_map(|(id, p)| {
                let root = roots.iter().find(|r| r.id == id)?;
                Some(RootPolicyDto {
                    root_id: id,
                    path: root.path.display().to_string(),
                    policy: p.as_str().to_owned(),
                })
            })
            .collect();
        Ok(SyncSettingsDto {
            policies,
            url: target.as_ref().map(|t| t.settings.url.clone()),
            endpoint: target.as_ref().and_then(|t| t.settings.endpoint.clone()),
            region: target.as_ref().and_then(|t| t.settings.region.clone()),
            credentials: source.to_owned(),
            keychain: keychain.is_ok(),
            keychain_error: keychain.err().map(|e| e.message),
            verified: counts.as_ref().map_or(0, |c| c.verified),
            pending: counts.as_ref().map_or(0, |c| c.pending),
            failed: counts.as_ref().map_or(0, |c| c.failed),
            running: ops.is_running(Operation::Sync),
            keep_replaced_days: target.as_ref().and_then(|t| t.settings.keep_replaced_days),
        })
    })
    .await
}

/// Sets the target, keeping its other settings (encryption, storage
/// classes, profile) when the URL stays. Keys, when given, go to the
/// keychain (never to the catalog); without them the stored keys stay, and
/// with none stored the AWS environment is used. `forget_keys` removes the
/// stored keys. `keep_replaced_days` is the form's retention field: how
/// long an edited file's earlier version stays (null: forever).
#[tauri::command]
// A command's arguments are the page's named form fields.
#[allow(clippy::too_many_arguments)]
pub async fn set_sync_target(
    state: State<'_, AppState>,
    url: String,
    endpoint: Option<String>,
    region: Option<String>,
    access_key: Option<String>,
    secret_key: Option<String>,
    forget_keys: Option<bool>,
    keep_replaced_days: Option<u32>,
) -> Result<SyncSettingsDto, ErrorDto> {
    let lib = state.lib()?;
    if !lib.is_writer() {
        return Err(ErrorDto::new(
            codes::READ_ONLY,
            "another Trove process owns this library; change the target there",
        ));
    }
    let clean = |s: Option<String>| s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let (access_key, secret_key) = (clean(access_key), clean(secret_key));
    if access_key.is_some() != secret_key.is_some() {
        return Err(ErrorDto::new(
            codes::KEYS_INCOMPLETE,
            "give both the access key id and the secret key, or neither (to use the AWS environment)",
        ));
    }
    blocking(move || {
        // Checked (and normalized) before the secret is stored anywhere.
        let normalized = trove_core::TargetUrl::parse(url.trim())
            .map_err(trove_core::CoreError::from)?
            .to_string();
        let base = match lib.target() {
            Ok(t) if t.settings.url == normalized => t.settings,
            _ => TargetSettings::default(),
        };
        let settings = TargetSettings {
            url: normalized.clone(),
            endpoint: clean(endpoint),
            region: clean(region),
            keep_replaced_days,
            ..base
        };
        if let (Some(a), Some(s)) = (&access_key, &secret_key) {
            credentials::save(&normalized, a, s)?;
        } else if forget_keys == Some(true) {
            credentials::forget(&normalized)?;
        }
        lib.set_target(&settings)?;
        Ok(())
    })
    .await?;
    sync_settings(state).await
}

/// Starts a sync in the background; progress and the end come as events.
#[tauri::command]
pub async fn sync_now(state: State<'_, AppState>) -> Result<(), ErrorDto> {
    let lib = state.lib()?;
    if !lib.is_writer() {
        return Err(ErrorDto::new(
            codes::READ_ONLY,
            "another Trove process owns this library; sync from there",
        ));
    }
    let target = lib.target()?;
    let (creds, _) = credentials::load(&target)?;
    let running = state
        .operations()
        .start(Operation::Sync, &[Operation::Verify])
        .map_err(|busy| match busy {
            Operation::Verify => ErrorDto::new(
                codes::VERIFY_RUNNING,
                "a verification is running; sync once it has finished, or stop it",
            ),
            _ => ErrorDto::new(codes::SYNC_RUNNING, "a sync is already running"),
        })?;
    let emit = state.emitter();
    let spawned = std::thread::Builder::new().name("trove-sync".into()).spawn(move || {
        // Unregistered however the thread ends (a panic included).
        let running = running;
        let sink = {
            let emit = emit.clone();
            move |event: trove_core::Event| {
                if let Some(dto) = EventDto::from_core(&event) {
                    emit(dto);
                }
            }
        };
        let result = lib.sync(&creds, &SyncOptions::default(), &sink, running.cancel());
        // Expired shares are cleaned up with every sync, as the CLI does.
        if result.is_ok() {
            let shares = ShareCredentials {
                main: creds.clone(),
                share: None,
            };
            if let Err(e) = lib.clean_expired_shares(&shares)
                && !matches!(e, trove_core::CoreError::ShareNeedsBucket { .. })
            {
                emit(EventDto::Warning {
                    message: format!("cleaning up expired shares failed: {e}"),
                });
            }
        }
        emit(match result {
            Ok(r) => EventDto::SyncFinished {
                uploaded: r.uploaded,
                failed: r.failed.len() as u64,
                pending: r.pending,
                error: None,
            },
            Err(e) => EventDto::SyncFinished {
                uploaded: 0,
                failed: 0,
                pending: 0,
                error: Some(e.into()),
            },
        });
    });
    if let Err(e) = spawned {
        return Err(ErrorDto::new(codes::INTERNAL, format!("could not start the sync: {e}")));
    }
    Ok(())
}

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
) -> Result<ShareLinksDto, ErrorDto> {
    let id: trove_core::types::AssetId = id
        .parse()
        .map_err(|_| ErrorDto::new(codes::BAD_ID, format!("{id:?} is not an asset id")))?;
    let lib = state.lib()?;
    blocking(move || {
        let opts = ShareOptions {
            expires: trove_core::parse_expiry(&format!("{expires_hours}h"))?,
            originals,
            ..ShareOptions::default()
        };
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
        let opts = ShareOptions {
            expires: trove_core::parse_expiry(&format!("{expires_hours}h"))?,
            originals,
            page: true,
            title,
            ..ShareOptions::default()
        };
        let out = lib.share(&share_credentials(&lib)?, &parsed, &opts)?;
        Ok(ShareLinksDto {
            share: ShareDto::from(&out.share),
            links: out.links.into_iter().map(|l| l.url).collect(),
        })
    })
    .await
}

/// Sets what one watched folder sends: "all" (originals and proxies),
/// "proxies" (proxies only) or "none".
#[tauri::command]
pub async fn set_root_policy(state: State<'_, AppState>, root_id: i64, policy: String) -> Result<(), ErrorDto> {
    let Some(parsed) = trove_core::SyncPolicy::parse(&policy) else {
        return Err(ErrorDto::new(
            codes::BAD_POLICY,
            format!("{policy:?} is not a sync policy; use \"all\", \"proxies\" or \"none\""),
        ));
    };
    let lib = state.lib()?;
    blocking(move || {
        check_root(&lib, root_id)?;
        Ok(lib.set_sync_policy(&root_id.to_string(), parsed)?)
    })
    .await
}

/// The fixity check: reads objects back from the target and compares their
/// hashes with the catalog's; all of them, or a random `sample_percent`.
/// Damaged and missing objects are queued to be sent again.
#[tauri::command]
pub async fn verify_now(state: State<'_, AppState>, sample_percent: Option<f64>) -> Result<VerifyDto, ErrorDto> {
    if let Some(p) = sample_percent
        && !(p > 0.0 && p <= 100.0)
    {
        return Err(ErrorDto::new(
            codes::BAD_SAMPLE,
            format!("a sample of {p}% is out of range; use more than 0 and at most 100"),
        ));
    }
    let lib = state.lib()?;
    let running = state
        .operations()
        .start(Operation::Verify, &[Operation::Sync])
        .map_err(|busy| match busy {
            Operation::Sync => ErrorDto::new(codes::SYNC_RUNNING, "a sync is running; verify once it has finished"),
            _ => ErrorDto::new(codes::VERIFY_RUNNING, "a verification is already running"),
        })?;
    blocking(move || {
        let (creds, _) = credentials::load(&lib.target()?)?;
        let report = lib.verify_target(&creds, sample_percent, 8, running.cancel())?;
        Ok(VerifyDto::from(&report))
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

/// Asks a running sync, verification or import to stop; false if none of
/// that kind runs. A sync records what finished and ends with a
/// `sync_finished` event whose error code is `cancelled`; a verification
/// fails with `cancelled`; an import catalogs what had arrived and says it
/// was cancelled.
#[tauri::command]
pub fn cancel_operation(state: State<'_, AppState>, operation: Operation) -> bool {
    state.operations().cancel(operation)
}
