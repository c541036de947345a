//! `trove target`, `policy`, `sync`, `verify`, `reconcile` and `restore`.
//!
//! Credentials come from the standard AWS chain (AWS_ACCESS_KEY_ID /
//! AWS_SECRET_ACCESS_KEY, AWS_PROFILE, ~/.aws) and are never stored.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;
use trove_core::{CoreError, CredentialSource, Event, SyncOptions, SyncPolicy, SyncStatus, Target, TargetSettings};

use crate::{EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, ctrl_c, open_reader, open_writer, output};

#[derive(Debug, Subcommand)]
// Parsed once per run: the size of the larger variant costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum TargetAction {
    /// Set where the library syncs to: s3://BUCKET/PREFIX or file:///PATH.
    Set {
        #[arg(value_name = "URL")]
        url: String,
        /// S3-compatible endpoint (MinIO, Garage, R2...); path-style is used.
        #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL")]
        endpoint: Option<String>,
        #[arg(long, env = "AWS_REGION", value_name = "REGION")]
        region: Option<String>,
        /// Storage class of originals, e.g. STANDARD_IA or GLACIER_IR.
        #[arg(long, value_name = "CLASS")]
        storage_class: Option<String>,
        /// Storage class of proxies and manifests.
        #[arg(long, value_name = "CLASS")]
        proxy_storage_class: Option<String>,
        /// Server-side encryption: AES256 or aws:kms.
        #[arg(long, value_name = "MODE")]
        sse: Option<String>,
        /// The KMS key for aws:kms (a key id, alias/NAME or ARN); without
        /// it, the bucket's default key.
        #[arg(long, value_name = "KEY", requires = "sse")]
        sse_kms_key_id: Option<String>,
        /// AWS profile to take credentials from.
        #[arg(long, env = "AWS_PROFILE", value_name = "NAME")]
        profile: Option<String>,
        /// Path-style addressing without a custom endpoint.
        #[arg(long)]
        path_style: bool,
        /// When a file is edited, its new content is sent and the earlier
        /// original, proxies and manifest stay in the target. With this,
        /// they are deleted this many days after the edit (once the new
        /// ones are verified). Without it they are kept forever.
        #[arg(long, value_name = "DAYS")]
        keep_replaced_days: Option<u32>,
        /// How originals in an archive class (GLACIER, DEEP_ARCHIVE) are
        /// asked back when restored or verified: standard, bulk or
        /// expedited (default standard).
        #[arg(long, value_name = "TIER")]
        restore_tier: Option<String>,
        /// Days a restored copy of an archived original lasts (default 2).
        #[arg(long, value_name = "DAYS")]
        restore_days: Option<u32>,
        /// Do not store a catalog snapshot in the target now (by default
        /// one goes at once, so the bucket can bring the library back
        /// before the first sync ends).
        #[arg(long)]
        no_snapshot: bool,
        #[arg(long)]
        json: bool,
    },
    /// Show the target.
    Show {
        #[arg(long)]
        json: bool,
    },
}

/// The CLI's credentials: the AWS chain, with the target's profile.
fn credentials(target: &Target) -> CredentialSource {
    CredentialSource::AwsChain {
        profile: target.settings.profile.clone(),
    }
}

fn target_json(t: &Target) -> serde_json::Value {
    json!({
        "url": t.settings.url,
        "endpoint": t.settings.endpoint,
        "region": t.settings.region,
        "path_style": t.settings.path_style,
        "storage_class_originals": t.settings.storage_class_originals,
        "storage_class_proxies": t.settings.storage_class_proxies,
        "sse": t.settings.sse,
        "sse_kms_key_id": t.settings.sse_kms_key_id,
        "profile": t.settings.profile,
        "keep_replaced_days": t.settings.keep_replaced_days,
        "restore_tier": t.settings.restore_tier,
        "restore_days": t.settings.restore_days,
    })
}

pub fn target(dir: &Path, action: TargetAction) -> Result<u8, CoreError> {
    match action {
        TargetAction::Set {
            url,
            endpoint,
            region,
            storage_class,
            proxy_storage_class,
            sse,
            sse_kms_key_id,
            profile,
            path_style,
            keep_replaced_days,
            restore_tier,
            restore_days,
            no_snapshot,
            json,
        } => {
            let lib = open_writer(dir, false)?;
            let t = lib.set_target(&TargetSettings {
                url,
                endpoint,
                region,
                path_style,
                storage_class_originals: storage_class,
                storage_class_proxies: proxy_storage_class,
                sse,
                sse_kms_key_id,
                profile: profile.clone(),
                keep_replaced_days,
                restore_tier,
                restore_days,
            })?;
            // The catalog goes at once: the bucket can bring the library
            // back from now on. Not storing it is said, not fatal (the
            // next sync stores one).
            let snapshot = if no_snapshot {
                None
            } else {
                Some(lib.snapshot_now(&CredentialSource::AwsChain { profile }))
            };
            if json {
                let mut v = target_json(&t);
                v["snapshot"] = match &snapshot {
                    Some(Ok(s)) => json!({"key": s.key, "size": s.size}),
                    _ => serde_json::Value::Null,
                };
                if let Some(Err(e)) = &snapshot {
                    v["snapshot_error"] = json!(e.to_string());
                }
                output::json(&v);
            } else {
                output::note(&format!(
                    "target set to {}; run `trove sync` to send the library",
                    t.settings.url
                ));
                match &snapshot {
                    Some(Ok(s)) => output::note(&format!("catalog snapshot stored: {}", s.key)),
                    Some(Err(e)) => output::note(&format!(
                        "the catalog snapshot could not be stored ({e}); `trove sync` stores one"
                    )),
                    None => {}
                }
            }
        }
        TargetAction::Show { json } => {
            let lib = open_reader(dir)?;
            let t = lib.target()?;
            if json {
                output::json(&target_json(&t));
            } else {
                output::line(&format!("target:   {}", t.settings.url));
                if let Some(e) = &t.settings.endpoint {
                    output::line(&format!("endpoint: {e}"));
                }
                if let Some(r) = &t.settings.region {
                    output::line(&format!("region:   {r}"));
                }
                output::line(&match t.settings.keep_replaced_days {
                    None => "edited files' earlier versions: kept forever".to_owned(),
                    Some(d) => format!("edited files' earlier versions: deleted {d} day(s) after the edit"),
                });
            }
        }
    }
    Ok(EXIT_OK)
}

pub fn parse_policy(s: &str) -> Result<SyncPolicy, String> {
    SyncPolicy::parse(s)
        .ok_or_else(|| format!("unknown policy {s:?}; use all (originals and proxies), proxies or none"))
}

/// How objects in an archive storage class (S3 Glacier Flexible
/// Retrieval, Deep Archive) are restored so they can be read.
#[derive(Debug, clap::Args)]
pub struct ArchiveArgs {
    /// Restore tier for archived objects: standard (hours), bulk (cheaper,
    /// 5-12 hours, up to 48 from Deep Archive) or expedited (minutes;
    /// Glacier Flexible Retrieval only). Default: the target's
    /// (`trove target set --restore-tier`), else standard.
    #[arg(long, value_name = "TIER", value_parser = parse_tier)]
    pub restore_tier: Option<trove_core::RestoreTier>,
    /// Days a restored copy stays readable (the bucket's owner pays for it
    /// meanwhile). Default: the target's, else 2.
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=365))]
    pub restore_days: Option<u32>,
    /// Look whether archived objects are back every SECS seconds, instead
    /// of the tier's schedule (first when such a restore usually ends, then
    /// more often).
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub archive_poll: Option<std::time::Duration>,
}

impl ArchiveArgs {
    /// The flags over the target's settings; `None` when no flag is given
    /// (the core then takes the target's).
    pub fn options(&self, target: &Target) -> Option<trove_core::ArchiveOptions> {
        if self.restore_tier.is_none() && self.restore_days.is_none() && self.archive_poll.is_none() {
            return None;
        }
        let base = trove_core::ArchiveOptions::of_target(target);
        Some(trove_core::ArchiveOptions {
            tier: self.restore_tier.unwrap_or(base.tier),
            days: self.restore_days.unwrap_or(base.days),
            poll: self.archive_poll,
        })
    }
}

/// A Unix time in ms as `YYYY-MM-DD HH:MM:SS UTC`.
fn utc(ms: i64) -> String {
    format!("{} UTC", output::wall_clock(ms))
}

fn parse_tier(s: &str) -> Result<trove_core::RestoreTier, String> {
    trove_core::RestoreTier::parse(s).ok_or_else(|| format!("{s:?} is not a restore tier: standard, bulk or expedited"))
}

fn parse_seconds(s: &str) -> Result<std::time::Duration, String> {
    s.parse::<f64>()
        .ok()
        .filter(|v| v.is_finite() && *v >= 0.1 && *v <= 7.0 * 86_400.0)
        .map(std::time::Duration::from_secs_f64)
        .ok_or_else(|| format!("{s:?} is not a number of seconds between 0.1 and 604800"))
}

pub fn parse_percent(s: &str) -> Result<f64, String> {
    s.trim_end_matches('%')
        .parse::<f64>()
        .ok()
        .filter(|p| (0.0..=100.0).contains(p))
        .ok_or_else(|| format!("{s:?} is not a percentage between 0 and 100"))
}

pub fn policy(dir: &Path, root: &str, p: SyncPolicy) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    lib.set_sync_policy(root, p)?;
    output::note(&format!("{root}: sync policy {}", p.as_str()));
    Ok(EXIT_OK)
}

/// Parses `10M`, `512k`, `1G` or plain bytes per second.
pub fn parse_rate(s: &str) -> Result<u64, String> {
    let t = s.trim().trim_end_matches("/s").trim_end_matches(['B', 'b']);
    let (num, mult) = match t.chars().last() {
        Some('k' | 'K') => (&t[..t.len() - 1], 1024),
        Some('m' | 'M') => (&t[..t.len() - 1], 1024 * 1024),
        Some('g' | 'G') => (&t[..t.len() - 1], 1024 * 1024 * 1024),
        _ => (t, 1),
    };
    num.trim()
        .parse::<f64>()
        .ok()
        .filter(|n| *n > 0.0)
        .map(|n| (n * mult as f64) as u64)
        .ok_or_else(|| format!("{s:?} is not a rate; use e.g. 10M (bytes per second), 512k or 1G"))
}

/// How often something happens; `None` for never (`0`).
#[derive(Debug, Clone, Copy)]
pub struct Every(pub Option<std::time::Duration>);

/// `15m`, `1h`, `30s`, or `0`.
pub fn parse_every(s: &str) -> Result<Every, String> {
    let t = s.trim();
    if t == "0" {
        return Ok(Every(None));
    }
    let (num, unit) = t.split_at(t.len().saturating_sub(1));
    let secs = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        _ => return Err(format!("{s:?} is not a period; use e.g. 15m, 1h, 30s, or 0 for never")),
    };
    num.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .map(|n| Every(Some(std::time::Duration::from_secs(n * secs))))
        .ok_or_else(|| format!("{s:?} is not a period; use e.g. 15m, 1h, 30s, or 0 for never"))
}

/// `trove sync`'s settings.
#[derive(Debug, Clone, Copy)]
pub struct SyncArgs {
    pub concurrency: usize,
    pub bwlimit: Option<u64>,
    pub retry_failed: bool,
    pub timeout: u64,
    pub snapshot_every: Option<std::time::Duration>,
}

pub fn sync(dir: &Path, args: SyncArgs, json: bool) -> Result<u8, CoreError> {
    let SyncArgs {
        concurrency,
        bwlimit,
        retry_failed,
        timeout,
        snapshot_every,
    } = args;
    let lib = open_writer(dir, false)?;
    let target = lib.target()?;
    if retry_failed {
        lib.retry_failed_sync()?;
    }
    let opts = SyncOptions {
        concurrency: concurrency.max(1),
        bandwidth_limit: bwlimit,
        threads: crate::cores(),
        request_timeout: std::time::Duration::from_secs(timeout.max(1)),
        snapshot_every,
        ..SyncOptions::default()
    };
    let report = run_sync(&lib, &target, &opts, json)?;
    // The clean-up of expired shares rides along with every sync; a
    // failure there does not fail the sync.
    let shares = trove_core::ShareCredentials {
        main: credentials(&target),
        share: None,
    };
    let cleaned = match lib.clean_expired_shares(&shares) {
        Ok(n) => n,
        Err(CoreError::ShareNeedsBucket { .. }) => 0,
        Err(e) => {
            output::note(&format!("warning: cleaning up expired shares failed: {e}"));
            0
        }
    };
    if json {
        output::json(&json!({
            "target": report.target,
            "assets": report.planned.assets,
            "full_plan": report.planned.full,
            "replaced": report.planned.replaced,
            "replaced_deleted": report.replaced_deleted,
            "queued": report.planned.queued,
            "uploaded": report.uploaded,
            "uploaded_bytes": report.uploaded_bytes,
            "parts_reused": report.parts_reused,
            "stale_uploads_aborted": report.stale_uploads_aborted,
            "expired_shares_cleaned": cleaned,
            "network_pauses": report.network_pauses,
            "pending": report.pending,
            "failed": report.failed.iter().map(|(k, e)| json!({"key": k, "error": e})).collect::<Vec<_>>(),
            "snapshot": report.snapshot.as_ref().map(|s| json!({"key": s.key, "size": s.size})),
            "snapshots_during": report.snapshots_during,
            "snapshots_pruned": report.snapshots_pruned,
            "snapshot_error": report.snapshot_error,
            "seconds": report.seconds,
        }));
    } else {
        output::note(&format!(
            "synced to {}: {} object(s) sent and verified ({}) in {:.1} s; {} pending, {} failed",
            report.target,
            report.uploaded,
            output::bytes(report.uploaded_bytes),
            report.seconds,
            report.pending,
            report.failed.len()
        ));
        if report.replaced_deleted > 0 {
            output::note(&format!(
                "  deleted {} object(s) of edited files' earlier versions, as the target's retention says",
                report.replaced_deleted
            ));
        }
        for (key, error) in &report.failed {
            output::note(&format!("  failed: {key}: {error}"));
        }
        match (&report.snapshot, &report.snapshot_error) {
            (Some(s), _) => output::note(&format!(
                "  catalog snapshot {} ({}) stored and verified",
                s.key,
                output::bytes(s.size)
            )),
            (None, Some(e)) => output::note(&format!("  warning: no catalog snapshot stored: {e}")),
            (None, None) => {}
        }
    }
    Ok(
        if report.failed.is_empty() && report.pending == 0 && report.snapshot_error.is_none() {
            EXIT_OK
        } else {
            EXIT_SOME_FAILED
        },
    )
}

/// A sync with its progress bar (none with `--json`), stoppable by Ctrl-C.
fn run_sync(
    lib: &trove_core::Library,
    target: &Target,
    opts: &SyncOptions,
    json: bool,
) -> Result<trove_core::SyncReport, CoreError> {
    let cancel = ctrl_c();
    let bar = progress_bar(json);
    let sink = sync_sink(&bar);
    let report = lib.sync(&credentials(target), opts, &sink, &cancel);
    bar.finish_and_clear();
    report
}

/// How `verify` and `watch` read objects back.
pub fn fixity_options(bandwidth_mb: Option<f64>, chunk_kib: Option<u64>) -> trove_core::FixityOptions {
    let defaults = trove_core::FixityOptions::default();
    trove_core::FixityOptions {
        concurrency: 16,
        max_bytes_per_s: bandwidth_mb.filter(|b| *b > 0.0).map(|b| (b * 1_000_000.0) as u64),
        chunk_bytes: chunk_kib.map_or(defaults.chunk_bytes, |k| k.saturating_mul(1024)),
        archive: None,
    }
}

pub fn verify(
    dir: &Path,
    sample: Option<f64>,
    cycle: Option<u32>,
    fixity: &trove_core::FixityOptions,
    archive: &ArchiveArgs,
    json: bool,
) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    let target = lib.target()?;
    let fixity = &trove_core::FixityOptions {
        archive: archive.options(&target),
        ..*fixity
    };
    let report = match cycle {
        Some(days) => lib.verify_cycle(&credentials(&target), days, fixity, &ctrl_c())?,
        None => lib.verify_target(&credentials(&target), sample, fixity, &ctrl_c())?,
    };
    if json {
        output::json(&json!({
            "target": report.target,
            "checked": report.checked,
            "checked_bytes": report.checked_bytes,
            "ok": report.ok,
            "damaged": report.damaged.iter().map(|(k, d)| json!({"key": k, "detail": d})).collect::<Vec<_>>(),
            "missing": report.missing,
            "errors": report.errors.iter().map(|(k, e)| json!({"key": k, "error": e})).collect::<Vec<_>>(),
            "resumed": report.resumed,
            "archived": report.archived.iter().map(|(k, t)| json!({"key": k, "next_look_ms": t})).collect::<Vec<_>>(),
        }));
    } else {
        output::note(&format!(
            "verified {} object(s) ({}) in {}: {} ok, {} damaged, {} missing, {} unreadable",
            report.checked,
            output::bytes(report.checked_bytes),
            report.target,
            report.ok,
            report.damaged.len(),
            report.missing.len(),
            report.errors.len()
        ));
        for (key, detail) in &report.damaged {
            output::note(&format!("  damaged: {key}: {detail} (queued to be sent again)"));
        }
        for key in &report.missing {
            output::note(&format!("  missing: {key} (queued to be sent again)"));
        }
        for (key, e) in &report.errors {
            output::note(&format!("  unreadable: {key}: {e}"));
        }
        for (key, next) in &report.archived {
            output::note(&format!(
                "  archived: {key}: its restore is asked for; a check after {} reads it",
                utc(*next)
            ));
        }
    }
    Ok(
        if report.damaged.is_empty() && report.missing.is_empty() && report.errors.is_empty() {
            EXIT_OK
        } else {
            EXIT_SOME_FAILED
        },
    )
}

pub fn reconcile(dir: &Path, repair: bool, delete_extra: bool, yes: bool, json: bool) -> Result<u8, CoreError> {
    let lib = open_writer(dir, false)?;
    let target = lib.target()?;
    let creds = credentials(&target);
    let report = lib.reconcile_target(&creds)?;
    if !json {
        output::note(&format!(
            "{}: {} object(s) listed; {} missing, {} extra, {} drifted, {} unfinished upload(s) no sync tracks; inventory written to {}",
            report.target,
            report.listed,
            report.missing.len(),
            report.extra.len(),
            report.drift.len(),
            report.orphaned_uploads.len(),
            report.inventory_key
        ));
        for k in &report.missing {
            output::note(&format!("  missing: {k} (queued to be sent again)"));
        }
        for (k, d) in &report.drift {
            output::note(&format!("  drift: {k}: {d} (queued to be sent again)"));
        }
        for k in &report.extra {
            output::note(&format!("  extra: {k}"));
        }
        for (k, id) in &report.orphaned_uploads {
            output::note(&format!("  unfinished upload: {k} ({id})"));
        }
    }
    // Extras go only when asked for, and confirmed.
    let mut deleted = (0, 0);
    let to_delete = report.extra.len() + report.orphaned_uploads.len();
    if delete_extra && to_delete > 0 {
        let confirmed = yes
            || match output::confirm(
                &format!(
                    "Delete {} object(s) and abort {} unfinished upload(s) in {} that this library's catalog does not know? They may belong to another library that syncs to the same place.",
                    report.extra.len(),
                    report.orphaned_uploads.len(),
                    report.target
                ),
                "delete",
            ) {
                Some(answer) => answer,
                None => {
                    output::note("deleting needs a confirmation: run it in a terminal, or add --yes");
                    return Ok(EXIT_USAGE);
                }
            };
        if confirmed {
            deleted = lib.delete_extra_objects(&creds, &report.extra, &report.orphaned_uploads)?;
        } else if !json {
            output::note("nothing deleted");
        }
    }
    // What is missing or drifted is queued (by this reconcile or an
    // earlier one); a repair sends it now, with a sync.
    let repaired = if repair {
        let opts = SyncOptions {
            threads: crate::cores(),
            ..SyncOptions::default()
        };
        Some(run_sync(&lib, &target, &opts, json)?)
    } else {
        None
    };
    let unrepaired = repaired
        .as_ref()
        .map_or(report.missing.len() + report.drift.len(), |r| {
            r.failed.len() + r.pending as usize
        });
    if json {
        output::json(&json!({
            "target": report.target,
            "listed": report.listed,
            "missing": report.missing,
            "extra": report.extra,
            "drift": report.drift.iter().map(|(k, d)| json!({"key": k, "detail": d})).collect::<Vec<_>>(),
            "orphaned_uploads": report.orphaned_uploads.iter().map(|(k, id)| json!({"key": k, "upload_id": id})).collect::<Vec<_>>(),
            "inventory": report.inventory_key,
            "repaired": repaired.as_ref().map(|r| r.uploaded),
            "deleted": deleted.0,
            "aborted_uploads": deleted.1,
        }));
    } else {
        if let Some(r) = &repaired {
            output::note(&format!("repair: {} object(s) sent again and verified", r.uploaded));
        }
        if deleted != (0, 0) {
            output::note(&format!(
                "deleted {} object(s), aborted {} upload(s) (in the audit trail)",
                deleted.0, deleted.1
            ));
        }
    }
    Ok(if unrepaired == 0 { EXIT_OK } else { EXIT_SOME_FAILED })
}

pub fn restore(
    dir: &Path,
    what: &str,
    to: Option<PathBuf>,
    wait: bool,
    archive: &ArchiveArgs,
    json: bool,
) -> Result<u8, CoreError> {
    // The writer records each restore in the audit trail; while another
    // process holds it (`trove watch`, the desktop), restore still works
    // and the log says the trail missed it.
    let lib = match open_writer(dir, false) {
        Err(CoreError::Locked { .. }) => open_reader(dir)?,
        other => other?,
    };
    let target = lib.target()?;
    let opts = &trove_core::RestoreOptions {
        archive: archive.options(&target),
        wait,
    };
    let tier = opts
        .archive
        .unwrap_or_else(|| trove_core::ArchiveOptions::of_target(&target))
        .tier
        .as_str();
    // Files as a bar (none with --json); each wait as a line.
    let bar = if json {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template("{spinner} restoring [{bar:30}] {pos}/{len} files, {msg} ETA {eta}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b
    };
    let on_progress = |p: trove_core::RestoreProgress| match p {
        trove_core::RestoreProgress::File { done, total, bytes } => {
            bar.set_length(total as u64);
            bar.set_position(done as u64);
            bar.set_message(output::bytes(bytes));
        }
        trove_core::RestoreProgress::Waiting { count, next_look_ms } => {
            let line = format!(
                "waiting for {count} archived original(s) to come back ({tier} tier); next look at {}",
                utc(next_look_ms)
            );
            if bar.is_hidden() {
                output::note(&line);
            } else {
                bar.println(line);
            }
        }
    };
    let report = lib.restore(
        &credentials(&target),
        what,
        to.as_deref(),
        opts,
        &on_progress,
        &ctrl_c(),
    );
    bar.finish_and_clear();
    let report = report?;
    if json {
        output::json(&json!({
            "restored": report.restored,
            "bytes": report.bytes,
            "already_there": report.already_there,
            "not_synced": report.not_synced,
            "archived": report.archived.iter().map(|(k, t)| json!({"key": k, "next_look_ms": t})).collect::<Vec<_>>(),
        }));
    } else {
        for p in &report.restored {
            output::line(&p.display().to_string());
        }
        output::note(&format!(
            "restored {} file(s) ({}), verified; {} already in place; {} not synced",
            report.restored.len(),
            output::bytes(report.bytes),
            report.already_there,
            report.not_synced.len()
        ));
        if !report.archived.is_empty() {
            output::note(&format!(
                "  {} original(s) are in an archive storage class: their restore is asked for; run `trove restore` again after {}",
                report.archived.len(),
                utc(report.archived.iter().map(|a| a.1).min().unwrap_or(0))
            ));
        }
    }
    Ok(if report.not_synced.is_empty() && report.archived.is_empty() {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    })
}

/// `trove upload`'s arguments.
#[derive(Debug, clap::Args)]
pub struct UploadArgs {
    #[arg(required = true, value_name = "FOLDER")]
    pub folders: Vec<PathBuf>,
    /// s3://BUCKET/PREFIX or file:///PATH (default: the library's target).
    #[arg(long, value_name = "URL")]
    pub to: Option<String>,
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint: Option<String>,
    #[arg(long, env = "AWS_REGION", value_name = "REGION")]
    pub region: Option<String>,
    #[arg(long, value_name = "CLASS")]
    pub storage_class: Option<String>,
    /// The state file that remembers what went up (default: one per
    /// target in the data folder).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    #[arg(long, default_value_t = 32, value_name = "N")]
    pub concurrency: usize,
    #[arg(long, value_name = "RATE", value_parser = parse_rate)]
    pub bwlimit: Option<u64>,
    /// Read every single-part object back with a HEAD after its PUT
    /// (by default the ETag the server answers the PUT with, computed
    /// from the bytes it stored, is checked against the MD5 sent).
    #[arg(long)]
    pub head: bool,
    #[arg(long)]
    pub json: bool,
}

/// A state file name for a target: readable, one per URL and endpoint.
fn state_file_name(url: &str, endpoint: Option<&str>) -> String {
    let raw = format!("{url}@{}", endpoint.unwrap_or("aws"));
    let mut name: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' })
        .collect();
    name.truncate(120);
    format!("{name}.db")
}

pub fn upload(dir: &Path, args: UploadArgs) -> Result<u8, CoreError> {
    let settings = match args.to {
        Some(url) => TargetSettings {
            url,
            endpoint: args.endpoint,
            region: args.region,
            storage_class_originals: args.storage_class,
            ..TargetSettings::default()
        },
        None => {
            let mut settings = open_reader(dir)?.target()?.settings;
            if args.storage_class.is_some() {
                settings.storage_class_originals = args.storage_class;
            }
            settings
        }
    };
    let state_path = args.state.unwrap_or_else(|| {
        crate::default_library()
            .join("upload-state")
            .join(state_file_name(&settings.url, settings.endpoint.as_deref()))
    });
    let credentials = CredentialSource::AwsChain {
        profile: settings.profile.clone(),
    };
    let bar = progress_bar(args.json);
    let sink = sync_sink(&bar);
    let opts = SyncOptions {
        concurrency: args.concurrency.max(1),
        bandwidth_limit: args.bwlimit,
        threads: crate::cores(),
        head_after_put: args.head,
        ..SyncOptions::default()
    };
    let req = trove_core::UploadRequest {
        folders: args.folders,
        target: settings,
        state_path,
        clock: std::sync::Arc::new(trove_core::SystemClock),
    };
    let report = trove_core::upload(&req, &credentials, &opts, &sink, &ctrl_c());
    bar.finish_and_clear();
    let report = report?;
    if args.json {
        output::json(&json!({
            "target": report.target,
            "files": report.files,
            "bytes": report.bytes,
            "uploaded": report.uploaded,
            "uploaded_bytes": report.uploaded_bytes,
            "skipped": report.skipped,
            "parts_reused": report.parts_reused,
            "failed": report.failed.iter().map(|(k, e)| json!({"path": k, "error": e})).collect::<Vec<_>>(),
            "seconds": report.seconds,
        }));
    } else {
        output::note(&format!(
            "{}: {} file(s) uploaded and verified ({}), {} already there, {} failed, in {:.1} s",
            report.target,
            report.uploaded,
            output::bytes(report.uploaded_bytes),
            report.skipped,
            report.failed.len(),
            report.seconds
        ));
        for (path, e) in &report.failed {
            output::note(&format!("  failed: {path}: {e}"));
        }
    }
    Ok(if report.failed.is_empty() {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    })
}

fn progress_bar(hidden: bool) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let b = ProgressBar::new(0);
    b.set_style(
        ProgressStyle::with_template(
            "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    b
}

fn sync_sink(bar: &ProgressBar) -> impl Fn(Event) + Send + Sync + use<> {
    let bar = bar.clone();
    move |e: Event| match e {
        Event::SyncProgress(p) => {
            bar.set_length(p.bytes_total.max(p.bytes_done));
            bar.set_position(p.bytes_done);
            bar.set_message(format!(
                "{}/{} files, {} failed",
                p.objects_done, p.objects_total, p.failed
            ));
        }
        Event::SyncPaused { reason } => bar.println(format!("paused: {reason}")),
        Event::SyncResumed => bar.println("resumed"),
        Event::SyncObjectFailed { key, error } => bar.println(format!("failed: {key}: {error}")),
        _ => {}
    }
}

/// Lines for `trove status`.
pub fn status_lines(s: &SyncStatus) -> Vec<String> {
    let mut lines = vec![
        format!("target:   {}", s.target.settings.url),
        format!(
            "synced:   {} object(s), {} (verified)",
            s.counts.verified,
            output::bytes(s.counts.verified_bytes)
        ),
        format!(
            "pending:  {} object(s), {}; failed: {}",
            s.counts.pending,
            output::bytes(s.counts.pending_bytes),
            s.counts.failed
        ),
    ];
    if let Some(next) = s.next_archive_look {
        lines.push(format!(
            "archived: {} object(s) being restored from an archive storage class; next look after {}",
            s.archive_waits,
            utc(next)
        ));
    }
    lines
}

/// An asset's objects in the target, for `trove info --json`.
pub fn objects_json(objects: &[trove_core::SyncObject]) -> serde_json::Value {
    serde_json::Value::Array(
        objects
            .iter()
            .map(|o| {
                json!({
                    "key": o.key,
                    "role": o.role.as_str(),
                    "variant": o.variant,
                    "size": o.size,
                    "state": o.state.as_str(),
                    "verified_at": o.verified_at,
                    "checked_at": o.checked_at,
                    "last_error": o.last_error,
                })
            })
            .collect(),
    )
}

/// An asset's objects in the target, for `trove info`.
pub fn object_lines(objects: &[trove_core::SyncObject]) -> Vec<String> {
    if objects.is_empty() {
        return Vec::new();
    }
    let mut lines = vec!["sync:".to_owned()];
    for o in objects {
        let what = match &o.variant {
            Some(v) => format!("{} {v}", o.role.as_str()),
            None => o.role.as_str().to_owned(),
        };
        let mut line = format!("  {what:<18} {:<9} {}", o.state.as_str(), o.key);
        if let Some(e) = &o.last_error {
            line.push_str(&format!(" ({e})"));
        }
        lines.push(line);
    }
    lines
}

/// Which proxies `trove recover` fetches.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum ProxiesArg {
    None,
    Thumbnails,
    All,
}

/// `--at`: `2026-12-07T05:24:36Z` (RFC 3339), or a day `2026-12-07` (its
/// end, UTC), as Unix milliseconds.
pub fn parse_at(s: &str) -> Result<i64, String> {
    use time::format_description::well_known::Rfc3339;
    let t = match time::OffsetDateTime::parse(s, &Rfc3339) {
        Ok(t) => t,
        Err(_) => {
            let fmt = time::macros::format_description!("[year]-[month]-[day]");
            let day = time::Date::parse(s, &fmt)
                .map_err(|_| format!("{s:?} is not a time: give 2026-12-07T05:24:36Z or a day 2026-12-07"))?;
            day.with_hms_milli(23, 59, 59, 999)
                .map_err(|e| e.to_string())?
                .assume_utc()
        }
    };
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).map_err(|e| e.to_string())
}

/// `--since`: like `--at`, but a day means its start.
pub fn parse_since(s: &str) -> Result<i64, String> {
    let end = parse_at(s)?;
    Ok(if s.len() == 10 {
        end - (24 * 3600 * 1000 - 1)
    } else {
        end
    })
}

/// `trove audit`: the trail, oldest first, as lines, JSON or PREMIS JSON
/// lines.
pub fn audit(dir: &Path, since: Option<i64>, asset: Option<&str>, json: bool, premis: bool) -> Result<u8, CoreError> {
    let lib = open_reader(dir)?;
    let asset = asset.map(|a| lib.resolve_asset(a)).transpose()?;
    let mut all = Vec::new();
    let mut after = 0;
    loop {
        let page = lib.audit_trail(after, since, asset, trove_core::MAX_AUDIT_PAGE)?;
        let Some(last) = page.last() else { break };
        after = last.id;
        if premis {
            for r in &page {
                output::line(&trove_core::premis_event(r).to_string());
            }
        } else if json {
            all.extend(page);
        } else {
            for r in &page {
                let when = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(r.at) * 1_000_000)
                    .ok()
                    .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
                    .unwrap_or_default();
                output::line(&format!(
                    "{when}  {:<12} {:<7} {}{}  [{}]",
                    r.event.as_str(),
                    if r.success { "ok" } else { "FAILED" },
                    r.key.as_deref().unwrap_or("-"),
                    r.detail.as_deref().map(|d| format!("  ({d})")).unwrap_or_default(),
                    r.trigger,
                ));
            }
        }
    }
    if json {
        output::json(&serde_json::to_value(&all).unwrap_or_default());
    }
    Ok(EXIT_OK)
}

/// `trove recover --from URL`: a new library in `dir` from the target's
/// newest catalog snapshot (or the newest at or before `at_ms`).
pub fn recover(dir: &Path, args: RecoverArgs) -> Result<u8, CoreError> {
    let RecoverArgs {
        from,
        endpoint,
        region,
        profile,
        at,
        proxies,
        folders_in,
        manifests_only,
        json,
    } = args;
    // Folders only manifests name go beside the library by default.
    let folders_in = match folders_in {
        Some(d) => d,
        None => std::path::absolute(dir)
            .unwrap_or_else(|_| dir.to_path_buf())
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| dir.to_path_buf()),
    };
    let req = trove_core::RecoverRequest {
        target: TargetSettings {
            url: from,
            endpoint,
            region,
            profile: profile.clone(),
            ..TargetSettings::default()
        },
        at_ms: at,
        proxies: match proxies {
            ProxiesArg::None => trove_core::RecoverProxies::None,
            ProxiesArg::Thumbnails => trove_core::RecoverProxies::Thumbnails,
            ProxiesArg::All => trove_core::RecoverProxies::All,
        },
        request_timeout: std::time::Duration::from_secs(60),
        folders_in,
        manifests_only,
    };
    let (lib, report) = trove_core::Library::recover(
        dir,
        &req,
        &CredentialSource::AwsChain { profile },
        trove_core::OpenOptions::write(),
    )?;
    drop(lib);
    crate::start_log(dir)?;
    let snapshot = report
        .snapshot
        .as_ref()
        .map(|s| json!({"key": s.key, "size": s.size, "at_ms": s.at_ms}));
    let unreadable: Vec<_> = report
        .manifests_unreadable
        .iter()
        .map(|(key, why)| json!({"key": key, "error": why}))
        .collect();
    if json {
        output::json(&json!({
            "library": report.library,
            "snapshot": snapshot,
            "assets": report.assets,
            "manifests_applied": report.manifests_applied,
            "assets_from_manifests": report.assets_from_manifests,
            "manifests_unreadable": unreadable,
            "proxies_fetched": report.proxies_fetched,
            "proxies_missing": report.proxies_missing,
            "originals_in_target": report.originals_in_target,
            "originals_missing": report.originals_missing,
        }));
    } else {
        let source = match &report.snapshot {
            Some(s) => format!("{} and {} newer manifest(s)", s.key, report.manifests_applied),
            None => format!("{} manifest(s), no catalog snapshot", report.manifests_applied),
        };
        output::note(&format!(
            "recovered {} asset(s) into {} from {source} ({} proxies fetched{}); `trove restore FOLDER --to DIR` brings back the {} original(s) stored in the target",
            report.assets,
            report.library.display(),
            report.proxies_fetched,
            if report.proxies_missing.is_empty() {
                String::new()
            } else {
                format!(", {} missing in the target", report.proxies_missing.len())
            },
            report.originals_in_target,
        ));
        for key in &report.originals_missing {
            output::note(&format!("missing in the target: original {key}"));
        }
        for (key, why) in &report.manifests_unreadable {
            output::note(&format!("not recovered: {key}: {why}"));
        }
    }
    let complete = report.proxies_missing.is_empty()
        && report.originals_missing.is_empty()
        && report.manifests_unreadable.is_empty();
    Ok(if complete { EXIT_OK } else { EXIT_SOME_FAILED })
}

/// `trove recover`'s flags.
#[derive(Debug, clap::Args)]
pub struct RecoverArgs {
    /// The target the library synced to: s3://BUCKET/PREFIX or file:///PATH.
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// S3-compatible endpoint (MinIO, Garage, R2...).
    #[arg(long, env = "AWS_ENDPOINT_URL", value_name = "URL")]
    pub endpoint: Option<String>,
    #[arg(long, env = "AWS_REGION", value_name = "REGION")]
    pub region: Option<String>,
    /// AWS profile to take credentials from.
    #[arg(long, env = "AWS_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// The newest snapshot taken at or before this time (2026-12-07T05:24:36Z,
    /// or a day); default: the newest.
    #[arg(long, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<i64>,
    /// Proxies to fetch now, so the library browses at once.
    #[arg(long, value_enum, default_value = "thumbnails")]
    pub proxies: ProxiesArg,
    /// Where the folders go when only manifests name them (no snapshot, or
    /// folders added after it): DIR/<folder name>. Default: the folder
    /// that holds the library.
    #[arg(long, value_name = "DIR")]
    pub folders_in: Option<PathBuf>,
    /// Rebuild from the manifests alone, whatever catalog snapshots the
    /// target holds.
    #[arg(long)]
    pub manifests_only: bool,
    #[arg(long)]
    pub json: bool,
}
