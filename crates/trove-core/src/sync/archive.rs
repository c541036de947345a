//! Objects in an archive storage class (S3 Glacier Flexible Retrieval,
//! Deep Archive). Such an object cannot be read until a restore has been
//! asked for and has run, hours later. A restore of originals or a fixity
//! check that meets one asks for its restore once (RestoreObject, at the
//! tier chosen), records the wait in the catalog (`archive_waits`: it
//! survives restarts, and a restart does not ask and pay again), and looks
//! again on the tier's schedule: first when such a restore usually ends,
//! then more often, as AWS's figures suggest
//! (<https://docs.aws.amazon.com/AmazonS3/latest/userguide/restoring-objects-retrieval-options.html>).

use std::collections::HashMap;
use std::time::Duration;

use trove_catalog::{ArchiveWait, SyncObject};
use trove_store::{AnyStore, ObjectStore, RestoreAsked, RestoreTier};

use super::Target;
use crate::error::Result;
use crate::library::Library;

/// How archived objects are brought back to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArchiveOptions {
    /// Faster tiers cost more per GB.
    pub tier: RestoreTier,
    /// How long the restored copy stays readable (the bucket's owner pays
    /// for it meanwhile). At least 1; 2 by default, so that a daily fixity
    /// check that asked finds the copy still there on its next day.
    pub days: u32,
    /// Look again this often instead of the tier's schedule.
    pub poll: Option<Duration>,
}

impl Default for ArchiveOptions {
    fn default() -> Self {
        ArchiveOptions {
            tier: RestoreTier::Standard,
            days: 2,
            poll: None,
        }
    }
}

impl ArchiveOptions {
    /// The target's settings (its restore tier and days), defaults where
    /// it has none.
    pub fn of_target(target: &Target) -> ArchiveOptions {
        let d = ArchiveOptions::default();
        ArchiveOptions {
            tier: target
                .settings
                .restore_tier
                .as_deref()
                .and_then(RestoreTier::parse)
                .unwrap_or(d.tier),
            days: target.settings.restore_days.unwrap_or(d.days),
            poll: None,
        }
    }
}

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

/// When a restore asked for at `tier` from `class` usually ends, and so
/// when to look first (or `poll`, when set).
pub(crate) fn first_look(tier: RestoreTier, class: Option<&str>, poll: Option<Duration>) -> Duration {
    if let Some(p) = poll {
        return p.max(Duration::from_millis(100));
    }
    let deep = class.is_some_and(|c| c.eq_ignore_ascii_case("DEEP_ARCHIVE"));
    match (tier, deep) {
        // Deep Archive has no Expedited tier; S3 refuses it, and Standard's
        // 12 hours is the soonest it can be.
        (RestoreTier::Expedited, false) => MINUTE,
        (RestoreTier::Standard, false) => 3 * HOUR,
        (RestoreTier::Bulk, false) => 5 * HOUR,
        (RestoreTier::Expedited | RestoreTier::Standard, true) => 12 * HOUR,
        (RestoreTier::Bulk, true) => 48 * HOUR,
    }
}

/// The wait before look number `checks + 1` (the first look was
/// `first` after asking): a sixth of `first` (at least 30 s), doubling,
/// at most half of `first`; with `poll`, always `poll`.
pub(crate) fn later_look(first: Duration, checks: u32, poll: Option<Duration>) -> Duration {
    if let Some(p) = poll {
        return p.max(Duration::from_millis(100));
    }
    let base = (first / 6).max(Duration::from_secs(30));
    let grown = base.saturating_mul(1u32 << checks.saturating_sub(1).min(16));
    grown.min((first / 2).max(base))
}

/// The archive waits of one run: loaded from the catalog, and written back
/// when this process holds the library (a reader keeps them for the run).
pub(crate) struct Thaws<'a> {
    lib: &'a Library,
    target_url: String,
    opts: ArchiveOptions,
    /// What set the run off (the audit trail's trigger).
    trigger: &'static str,
    waits: HashMap<i64, ArchiveWait>,
}

impl<'a> Thaws<'a> {
    pub(crate) fn load(lib: &'a Library, target: &Target, opts: ArchiveOptions, trigger: &'static str) -> Result<Self> {
        let waits = lib
            .catalog()
            .archive_waits(target.id)?
            .into_iter()
            .map(|w| (w.object_id, w))
            .collect();
        Ok(Thaws {
            lib,
            target_url: target.settings.url.clone(),
            opts,
            trigger,
            waits,
        })
    }

    /// When to look at `object` next, if its restore is under way and it
    /// is not time yet (then it is not read at all).
    pub(crate) fn not_due(&self, object: i64) -> Option<i64> {
        let w = self.waits.get(&object)?;
        (w.next_check_at > self.lib.now_ms()).then_some(w.next_check_at)
    }

    /// A read of `obj` was refused because it is archived: asks for its
    /// restore (again: S3 answers that one is under way, or starts a new one
    /// if an earlier copy has lapsed) and records when to look next, which
    /// it returns (Unix ms).
    pub(crate) fn refused(&mut self, rt: &tokio::runtime::Runtime, store: &AnyStore, obj: &SyncObject) -> Result<i64> {
        let asked = rt.block_on(store.request_restore(&obj.key, self.opts.days.max(1), self.opts.tier))?;
        let now = self.lib.now_ms();
        let ms = |d: Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        let wait = match (self.waits.get(&obj.id), asked) {
            (Some(w), RestoreAsked::InProgress) => {
                let tier = RestoreTier::parse(&w.tier).unwrap_or(self.opts.tier);
                let first = first_look(tier, w.storage_class.as_deref(), self.opts.poll);
                let checks = w.checks.saturating_add(1);
                ArchiveWait {
                    checks,
                    next_check_at: now.saturating_add(ms(later_look(first, checks, self.opts.poll))),
                    ..w.clone()
                }
            }
            (earlier, _) => {
                // The class decides how long the wait is (a HEAD still
                // answers for an archived object).
                let class = match earlier {
                    Some(w) => w.storage_class.clone(),
                    None => rt.block_on(store.head(&obj.key)).ok().and_then(|i| i.storage_class),
                };
                let first = first_look(self.opts.tier, class.as_deref(), self.opts.poll);
                ArchiveWait {
                    object_id: obj.id,
                    tier: self.opts.tier.as_str().to_owned(),
                    storage_class: class,
                    asked_at: now,
                    checks: 0,
                    next_check_at: now.saturating_add(ms(first)),
                }
            }
        };
        if asked == RestoreAsked::Started {
            tracing::info!(
                key = %obj.key,
                tier = %wait.tier,
                class = wait.storage_class.as_deref().unwrap_or("?"),
                "asked the target to restore an archived object"
            );
            self.lib.audit_target(&trove_catalog::NewAudit {
                event: trove_catalog::AuditEvent::Restore,
                success: true,
                target: Some(&self.target_url),
                key: Some(&obj.key),
                asset: None,
                md5: None,
                blake3: None,
                size: Some(obj.size),
                detail: Some(&format!(
                    "asked the target to restore it from its archive storage class ({}; {} tier, readable for {} day(s))",
                    wait.storage_class.as_deref().unwrap_or("class not given"),
                    wait.tier,
                    self.opts.days.max(1)
                )),
                trigger: self.trigger,
            })?;
        }
        if self.lib.is_writer() {
            let mut cat = self.lib.catalog();
            let mut b = cat.batch(now)?;
            b.save_archive_wait(&wait)?;
            b.commit()?;
        }
        let next = wait.next_check_at;
        self.waits.insert(obj.id, wait);
        Ok(next)
    }

    /// `object` was read: its wait, if it had one, is over. Returns whether
    /// it had one; the caller clears it in the catalog (in the batch it
    /// records the read with).
    pub(crate) fn read(&mut self, object: i64) -> bool {
        self.waits.remove(&object).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn looks_follow_the_tier() {
        let std = first_look(RestoreTier::Standard, Some("GLACIER"), None);
        assert_eq!(std, 3 * HOUR);
        assert_eq!(first_look(RestoreTier::Bulk, Some("DEEP_ARCHIVE"), None), 48 * HOUR);
        // Deep Archive has no Expedited tier.
        assert_eq!(
            first_look(RestoreTier::Expedited, Some("DEEP_ARCHIVE"), None),
            12 * HOUR
        );
        assert_eq!(first_look(RestoreTier::Expedited, None, None), MINUTE);
        // Later looks: a sixth of the first, doubling, capped at half.
        assert_eq!(later_look(std, 1, None), 30 * MINUTE);
        assert_eq!(later_look(std, 2, None), HOUR);
        assert_eq!(later_look(std, 3, None), 90 * MINUTE);
        assert_eq!(later_look(std, 40, None), 90 * MINUTE);
        // Expedited: never less than 30 s between looks.
        assert_eq!(later_look(MINUTE, 1, None), Duration::from_secs(30));
        assert_eq!(later_look(MINUTE, 5, None), Duration::from_secs(30));
        // A poll set by the person wins.
        let p = Some(Duration::from_secs(2));
        assert_eq!(first_look(RestoreTier::Bulk, None, p), Duration::from_secs(2));
        assert_eq!(later_look(std, 3, p), Duration::from_secs(2));
    }
}
