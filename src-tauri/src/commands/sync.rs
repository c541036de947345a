//! Sync: the target's settings and keys, a sync, a verification, each
//! folder's policy, and stopping what runs.

use tauri::State;
use trove_core::{ShareCredentials, SyncOptions, TargetSettings};

use super::{blocking, check_root};
use crate::AppState;
use crate::codes;
use crate::credentials;
use crate::dto::{AuditDto, ErrorDto, EventDto, Operation, RestoreDto, RootPolicyDto, SyncSettingsDto, VerifyDto};

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
        let status = match &target {
            Some(_) => Some(lib.sync_status()?),
            None => None,
        };
        let counts = status.as_ref().map(|s| &s.counts);
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
            archive_waits: status.as_ref().map_or(0, |s| s.archive_waits),
            running: ops.is_running(Operation::Sync),
            keep_replaced_days: target.as_ref().and_then(|t| t.settings.keep_replaced_days),
            storage_class: target.as_ref().and_then(|t| t.settings.storage_class_originals.clone()),
            proxy_storage_class: target.as_ref().and_then(|t| t.settings.storage_class_proxies.clone()),
            sse: target.as_ref().and_then(|t| t.settings.sse.clone()),
            sse_kms_key_id: target.as_ref().and_then(|t| t.settings.sse_kms_key_id.clone()),
            restore_tier: target.as_ref().and_then(|t| t.settings.restore_tier.clone()),
        })
    })
    .await
}

/// Sets the target, keeping its other settings (encryption, storage
/// classes, profile) when the URL stays. Keys, when given, go to the
/// keychain (never to the catalog); without them the stored keys stay, and
/// with none stored the AWS environment is used. `forget_keys` removes the
/// stored keys. `keep_replaced_days` is the form's retention field: how
/// long an edited file's earlier version stays (null: forever). The
/// storage classes, `sse` and `sse_kms_key_id`: absent keeps what is set,
/// empty is the bucket's default, otherwise a class name (`STANDARD_IA`),
/// `AES256` / `aws:kms`, and a KMS key id, alias or ARN (with aws:kms
/// only). The core checks them (`bad_storage_setting`).
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
    allow_plain_http: Option<bool>,
    storage_class: Option<String>,
    proxy_storage_class: Option<String>,
    sse: Option<String>,
    sse_kms_key_id: Option<String>,
    restore_tier: Option<String>,
) -> Result<SyncSettingsDto, ErrorDto> {
    let lib = state.lib()?;
    if !lib.is_writer() {
        return Err(ErrorDto::new(
            codes::READ_ONLY,
            "another Trove process owns this library; change the target there",
        ));
    }
    let clean = |s: Option<String>| s.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let storage_class = storage_class
        .map(|c| trove_core::check_storage_class(Some(&c)))
        .transpose()?;
    let proxy_storage_class = proxy_storage_class
        .map(|c| trove_core::check_proxy_storage_class(Some(&c)))
        .transpose()?;
    let sse = sse.map(|m| trove_core::check_sse(Some(&m))).transpose()?;
    let restore_tier = restore_tier
        .map(|t| trove_core::check_restore_tier(Some(&t)))
        .transpose()?;
    let keys = credentials::key_pair(access_key, secret_key)?;
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
            storage_class_originals: storage_class.unwrap_or_else(|| base.storage_class_originals.clone()),
            storage_class_proxies: proxy_storage_class.unwrap_or_else(|| base.storage_class_proxies.clone()),
            sse: sse.unwrap_or_else(|| base.sse.clone()),
            restore_tier: restore_tier.unwrap_or_else(|| base.restore_tier.clone()),
            ..base
        };
        // A key kept from before goes with aws:kms; one given is checked.
        let settings = TargetSettings {
            sse_kms_key_id: match sse_kms_key_id {
                Some(k) => Some(k.trim().to_owned()).filter(|k| !k.is_empty()),
                None => settings
                    .sse_kms_key_id
                    .clone()
                    .filter(|_| settings.sse.as_deref() == Some("aws:kms")),
            },
            ..settings
        };
        trove_core::check_kms_key(settings.sse_kms_key_id.as_deref(), settings.sse.as_deref())?;
        credentials::check_plain_http(settings.endpoint.as_deref(), allow_plain_http)?;
        if let Some((a, s)) = &keys {
            credentials::save(&normalized, settings.endpoint.as_deref(), a, s)?;
        } else if forget_keys == Some(true) {
            credentials::forget(&normalized)?;
        } else if let Some(bound) = credentials::bound_endpoint(&normalized)
            && bound != settings.endpoint
        {
            return Err(ErrorDto::new(
                codes::KEYS_FOR_ANOTHER_ENDPOINT,
                format!(
                    "the endpoint changed from {} to {}: give the keys again (or forget them), so that they are only ever sent to the host you name",
                    bound.as_deref().unwrap_or("the provider's own"),
                    settings.endpoint.as_deref().unwrap_or("the provider's own")
                ),
            ));
        }
        let is_new = lib.target().map_or(true, |t| t.settings.url != settings.url);
        lib.set_target(&settings)?;
        if is_new {
            // A new target gets the catalog at once (in the background:
            // the dialog does not wait for the network). A failure is only
            // logged; the first sync stores one and reports its own.
            let lib = lib.clone();
            let spawned = std::thread::Builder::new()
                .name("trove-snapshot".into())
                .spawn(move || {
                    let stored = lib
                        .target()
                        .map_err(ErrorDto::from)
                        .and_then(|t| credentials::load(&t))
                        .and_then(|(creds, _)| lib.snapshot_now(&creds).map_err(ErrorDto::from));
                    match stored {
                        Ok(s) => tracing::info!(key = %s.key, "first catalog snapshot stored"),
                        Err(e) => tracing::warn!(error = %e.message, "first catalog snapshot not stored"),
                    }
                });
            if let Err(e) = spawned {
                tracing::warn!(error = %e, "first catalog snapshot not started");
            }
        }
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

/// Rows of the audit trail, newest first: the page before row `before`
/// (the newest page without it), only failures when asked.
#[tauri::command]
pub async fn audit_history(
    state: State<'_, AppState>,
    before: Option<i64>,
    failures_only: bool,
) -> Result<Vec<AuditDto>, ErrorDto> {
    let lib = state.lib()?;
    blocking(move || {
        Ok(lib
            .audit_newest(before, failures_only, HISTORY_PAGE)?
            .iter()
            .map(AuditDto::from)
            .collect())
    })
    .await
}

/// Rows of the History view a page.
const HISTORY_PAGE: u32 = 200;

/// Writes the whole audit trail as PREMIS events (JSON lines) to `path`,
/// a file the person chose in the save dialog; returns how many.
#[tauri::command]
pub async fn export_audit(state: State<'_, AppState>, path: String) -> Result<u64, ErrorDto> {
    let lib = state.lib()?;
    let path = std::path::PathBuf::from(path);
    if !path.is_absolute() || path.file_name().is_none() {
        return Err(ErrorDto::new(
            codes::BAD_PATH,
            format!("{} is not a file to write; choose one in the dialog", path.display()),
        ));
    }
    blocking(move || Ok(lib.export_premis(&path)?)).await
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
        let report = lib.verify_target(
            &creds,
            sample_percent,
            &trove_core::FixityOptions::default(),
            running.cancel(),
        )?;
        Ok(VerifyDto::from(&report))
    })
    .await
}

/// Brings a watched folder's originals back from the target, verified,
/// into the folder (where they were) or under `to`: after a recovery, or
/// when files went missing. A file already there with the right content is
/// left; another file in the way stops it (nothing is overwritten). Archived
/// originals are asked back and reported (restore again once they are).
/// The folder is rescanned after, so its files show as present again. With
/// `relocate` (and `to`), the folder is then watched at `to`: the way back
/// for a folder whose old place is gone (a recovery on a new machine).
#[tauri::command]
pub async fn restore_originals(
    state: State<'_, AppState>,
    root_id: i64,
    to: Option<String>,
    relocate: Option<bool>,
) -> Result<RestoreDto, ErrorDto> {
    let lib = state.lib()?;
    if relocate == Some(true) && to.is_none() {
        return Err(ErrorDto::new(
            codes::BAD_PATH,
            "watching the folder at its new place needs that place: give the folder to restore into",
        ));
    }
    let to = match to {
        Some(t) => {
            let p = std::path::PathBuf::from(t.trim());
            if !p.is_absolute() {
                return Err(ErrorDto::new(
                    codes::BAD_PATH,
                    format!("{} is not an absolute path", p.display()),
                ));
            }
            Some(p)
        }
        None => None,
    };
    let running = state
        .operations()
        .start(Operation::Restore, &[])
        .map_err(|_| ErrorDto::new(codes::RESTORE_RUNNING, "a restore is already running"))?;
    let emit = state.emitter();
    blocking(move || {
        let root_path = lib
            .roots()?
            .into_iter()
            .find(|r| r.id == root_id)
            .map(|r| r.path.display().to_string())
            .ok_or_else(|| ErrorDto::new(codes::ROOT_NOT_FOUND, format!("no watched folder has id {root_id}")))?;
        let (creds, _) = credentials::load(&lib.target()?)?;
        let opts = trove_core::RestoreOptions {
            // The target's tier and days.
            archive: None,
            // Hours in an archive class: asked for, and reported.
            wait: false,
        };
        let progress = |p: trove_core::RestoreProgress| {
            if let trove_core::RestoreProgress::File { done, total, bytes } = p {
                emit(EventDto::RestoreProgress {
                    done: done as u64,
                    total: total as u64,
                    bytes,
                });
            }
        };
        let report = lib.restore(&creds, &root_path, to.as_deref(), &opts, &progress, running.cancel())?;
        match &to {
            Some(to) if relocate == Some(true) => {
                lib.relocate_root(&root_id.to_string(), to)?;
            }
            None if lib.is_writer() && !report.restored.is_empty() => {
                lib.enqueue_scan(root_id)?;
            }
            _ => {}
        }
        Ok(RestoreDto::from(&report))
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
