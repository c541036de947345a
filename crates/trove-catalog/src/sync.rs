//! Sync bookkeeping: the target, each root's policy, one row per object the
//! library wants in the target (the durable sync queue), and the confirmed
//! parts of multipart uploads in progress.

use rusqlite::{OptionalExtension, params};

use crate::audit::AuditEvent;
use crate::batch::Batch;
use crate::db::Catalog;
use crate::error::{CatalogError, Result, SqlContext};
use crate::model::RootId;
use crate::rows::{from_i64, to_i64};

/// A target's settings, as the person gives them and the catalog keeps
/// them (one definition for the catalog, the core and the front ends).
/// Secrets are not settings: credentials live in the keychain or the
/// environment.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetSettings {
    /// `s3://bucket/prefix` or `file:///path`.
    pub url: String,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub path_style: bool,
    pub storage_class_originals: Option<String>,
    pub storage_class_proxies: Option<String>,
    pub sse: Option<String>,
    /// The KMS key (id, alias or ARN) for `aws:kms`; `None`: the bucket's.
    pub sse_kms_key_id: Option<String>,
    /// The AWS profile to take credentials from (a name, not a secret).
    pub profile: Option<String>,
    /// Days to keep the objects of an asset's earlier content once it was
    /// edited and the new content is verified; `None` keeps them forever.
    pub keep_replaced_days: Option<u32>,
    /// The restore tier archived originals are asked back at (`Standard`,
    /// `Bulk`, `Expedited`); `None`: Standard.
    pub restore_tier: Option<String>,
    /// Days a restored copy lasts; `None`: 2.
    pub restore_days: Option<u32>,
}

/// Where the library syncs to: a target's settings as the catalog holds
/// them. Holds no secrets.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TargetRecord {
    pub id: i64,
    pub settings: TargetSettings,
    pub created_at: i64,
}

/// What a root sends to the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum SyncPolicy {
    None,
    ProxiesOnly,
    All,
}

impl SyncPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncPolicy::All => "all",
            SyncPolicy::ProxiesOnly => "proxies",
            SyncPolicy::None => "none",
        }
    }

    pub fn parse(s: &str) -> Option<SyncPolicy> {
        match s {
            "all" => Some(SyncPolicy::All),
            "proxies" => Some(SyncPolicy::ProxiesOnly),
            "none" => Some(SyncPolicy::None),
            _ => None,
        }
    }
}

/// The role of an object in the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectRole {
    Original,
    Proxy,
    Manifest,
}

impl ObjectRole {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectRole::Original => "original",
            ObjectRole::Proxy => "proxy",
            ObjectRole::Manifest => "manifest",
        }
    }

    fn parse(s: &str) -> ObjectRole {
        match s {
            "original" => ObjectRole::Original,
            "proxy" => ObjectRole::Proxy,
            _ => ObjectRole::Manifest,
        }
    }
}

/// The state of one object in the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectState {
    /// Not there yet, or changed since, or found damaged: to be sent.
    Pending,
    /// Sent and read back: size and checksum match.
    Verified,
    /// Could not be sent (a permanent error, or too many attempts).
    Failed,
}

impl ObjectState {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectState::Pending => "pending",
            ObjectState::Verified => "verified",
            ObjectState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> ObjectState {
        match s {
            "verified" => ObjectState::Verified,
            "failed" => ObjectState::Failed,
            _ => ObjectState::Pending,
        }
    }
}

/// An object the library wants in the target, as planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedObject {
    pub key: String,
    pub asset_row: i64,
    pub role: ObjectRole,
    pub variant: Option<String>,
    pub size: u64,
    /// Known up front for originals (hashed at import); proxies and
    /// manifests are hashed when read for upload.
    pub md5: Option<[u8; 16]>,
    pub fingerprint: String,
}

/// One row of the sync queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncObject {
    pub id: i64,
    pub key: String,
    pub asset_row: Option<i64>,
    pub role: ObjectRole,
    pub variant: Option<String>,
    pub size: u64,
    pub md5: Option<[u8; 16]>,
    pub fingerprint: String,
    pub state: ObjectState,
    pub upload_id: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
    pub verified_at: Option<i64>,
    pub checked_at: Option<i64>,
}

/// A confirmed part of a multipart upload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SyncPart {
    pub number: u32,
    pub size: u64,
    pub md5: [u8; 16],
}

/// Reads `(number, size, md5)` rows of an upload's parts with `sql`,
/// which takes the object's id and the upload id.
pub(crate) fn read_parts(conn: &rusqlite::Connection, sql: &str, id: i64, upload_id: &str) -> Result<Vec<SyncPart>> {
    let mut stmt = conn.prepare_cached(sql).ctx("list parts")?;
    let rows = stmt
        .query_map(params![id, upload_id], |r| {
            let md5: Vec<u8> = r.get(2)?;
            Ok(SyncPart {
                number: r.get(0)?,
                size: from_i64(r.get(1)?),
                md5: md5.try_into().unwrap_or([0; 16]),
            })
        })
        .ctx("list parts")?;
    rows.collect::<rusqlite::Result<_>>().ctx("list parts")
}

/// Counts of the sync queue by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SyncCounts {
    pub pending: u64,
    pub pending_bytes: u64,
    pub verified: u64,
    pub verified_bytes: u64,
    pub failed: u64,
}

const OBJECT_COLUMNS: &str = "id, key, asset_id, role, variant, size, md5, fingerprint, state, upload_id, attempts, \
                              last_error, verified_at, checked_at";

fn object_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SyncObject> {
    let md5: Option<Vec<u8>> = r.get(6)?;
    let role: String = r.get(3)?;
    let state: String = r.get(8)?;
    Ok(SyncObject {
        id: r.get(0)?,
        key: r.get(1)?,
        asset_row: r.get(2)?,
        role: ObjectRole::parse(&role),
        variant: r.get(4)?,
        size: from_i64(r.get(5)?),
        md5: md5.and_then(|m| m.try_into().ok()),
        fingerprint: r.get(7)?,
        state: ObjectState::parse(&state),
        upload_id: r.get(9)?,
        attempts: r.get(10)?,
        last_error: r.get(11)?,
        verified_at: r.get(12)?,
        checked_at: r.get(13)?,
    })
}

fn target_from_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<TargetRecord> {
    Ok(TargetRecord {
        id: r.get(0)?,
        settings: TargetSettings {
            url: r.get(1)?,
            endpoint: r.get(2)?,
            region: r.get(3)?,
            path_style: r.get(4)?,
            storage_class_originals: r.get(5)?,
            storage_class_proxies: r.get(6)?,
            sse: r.get(7)?,
            profile: r.get(8)?,
            keep_replaced_days: r.get(10)?,
            sse_kms_key_id: r.get(11)?,
            restore_tier: r.get(12)?,
            restore_days: r.get(13)?,
        },
        created_at: r.get(9)?,
    })
}

const TARGET_COLUMNS: &str = "id, url, endpoint, region, path_style, storage_class_originals, \
                              storage_class_proxies, sse, profile, created_at, keep_replaced_days, sse_kms_key_id, \
                              restore_tier, restore_days";

impl Batch<'_> {
    /// Forgets the recorded parts of an object's multipart upload.
    fn clear_parts(&mut self, id: i64, op: &'static str) -> Result<()> {
        self.tx()
            .prepare_cached("DELETE FROM sync_parts WHERE object_id = ?1")
            .ctx(op)?
            .execute([id])
            .ctx(op)?;
        Ok(())
    }

    /// Makes `t` the library's target (by URL): an existing target with the
    /// same URL keeps its id and its sync rows; any other becomes inactive.
    pub fn set_target(&mut self, t: &TargetSettings) -> Result<i64> {
        let now = self.now();
        let tx = self.tx();
        tx.execute("UPDATE targets SET active = 0", []).ctx("set target")?;
        tx.execute(
            "INSERT INTO targets (url, endpoint, region, path_style, storage_class_originals,
                                  storage_class_proxies, sse, profile, active, created_at, keep_replaced_days,
                                  sse_kms_key_id, restore_tier, restore_days)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1, ?9, ?10, ?11, ?12, ?13)
             ON CONFLICT (url) DO UPDATE SET
                endpoint = excluded.endpoint, region = excluded.region, path_style = excluded.path_style,
                storage_class_originals = excluded.storage_class_originals,
                storage_class_proxies = excluded.storage_class_proxies, sse = excluded.sse,
                profile = excluded.profile, keep_replaced_days = excluded.keep_replaced_days,
                sse_kms_key_id = excluded.sse_kms_key_id, restore_tier = excluded.restore_tier,
                restore_days = excluded.restore_days, active = 1",
            params![
                t.url,
                t.endpoint,
                t.region,
                t.path_style,
                t.storage_class_originals,
                t.storage_class_proxies,
                t.sse,
                t.profile,
                now,
                t.keep_replaced_days,
                t.sse_kms_key_id,
                t.restore_tier,
                t.restore_days
            ],
        )
        .ctx("set target")?;
        tx.query_row("SELECT id FROM targets WHERE url = ?1", [&t.url], |r| r.get(0))
            .ctx("set target")
    }

    pub fn set_root_sync_policy(&mut self, root: RootId, policy: SyncPolicy) -> Result<()> {
        let n = self
            .tx()
            .execute(
                "UPDATE roots SET sync_policy = ?2 WHERE id = ?1",
                params![root, policy.as_str()],
            )
            .ctx("set sync policy")?;
        if n == 0 {
            return Err(CatalogError::NotFound {
                what: "root",
                key: root.to_string(),
            });
        }
        Ok(())
    }

    /// Records that the library wants `o` in the target. A new object, or
    /// one whose fingerprint changed, becomes pending; an unchanged one is
    /// left as it is. Returns whether the row is (now) pending because of
    /// this call.
    pub fn plan_sync_object(&mut self, target: i64, o: &PlannedObject) -> Result<bool> {
        let now = self.now();
        let existing: Option<(i64, String)> = self
            .tx()
            .prepare_cached("SELECT id, fingerprint FROM sync_objects WHERE target_id = ?1 AND key = ?2")
            .ctx("plan sync")?
            .query_row(params![target, o.key], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .ctx("plan sync")?;
        match existing {
            Some((id, fp)) if fp == o.fingerprint => {
                // Wanted again (the content came back, maybe as another
                // asset): no longer replaced, and it belongs to the asset
                // that wants it now, so that an edit of the asset that had
                // it before cannot mark it replaced again. Keys hold the
                // content's hash, so one asset at most wants a key.
                self.tx()
                    .prepare_cached(
                        "UPDATE sync_objects SET replaced_at = NULL, asset_id = ?2
                         WHERE id = ?1 AND (replaced_at IS NOT NULL OR asset_id IS NOT ?2)",
                    )
                    .ctx("plan sync")?
                    .execute(params![id, o.asset_row])
                    .ctx("plan sync")?;
                Ok(false)
            }
            Some((id, _)) => {
                self.tx()
                    .prepare_cached(
                        "UPDATE sync_objects SET asset_id = ?2, role = ?3, variant = ?4, size = ?5, md5 = ?6,
                            fingerprint = ?7, state = 'pending', upload_id = NULL, attempts = 0,
                            last_error = NULL, verified_at = NULL, updated_at = ?8, replaced_at = NULL
                         WHERE id = ?1",
                    )
                    .ctx("plan sync")?
                    .execute(params![
                        id,
                        o.asset_row,
                        o.role.as_str(),
                        o.variant,
                        to_i64(o.size),
                        o.md5.as_ref().map(|m| &m[..]),
                        o.fingerprint,
                        now
                    ])
                    .ctx("plan sync")?;
                self.clear_parts(id, "plan sync")?;
                Ok(true)
            }
            None => {
                self.tx()
                    .prepare_cached(
                        "INSERT INTO sync_objects (target_id, key, asset_id, role, variant, size, md5,
                                                   fingerprint, state, updated_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending', ?9)",
                    )
                    .ctx("plan sync")?
                    .execute(params![
                        target,
                        o.key,
                        o.asset_row,
                        o.role.as_str(),
                        o.variant,
                        to_i64(o.size),
                        o.md5.as_ref().map(|m| &m[..]),
                        o.fingerprint,
                        now
                    ])
                    .ctx("plan sync")?;
                Ok(true)
            }
        }
    }

    /// Marks the asset's objects that its current plan (`current_keys`)
    /// no longer names as replaced, from now: an earlier content's
    /// original, proxies and manifest, and proxies of this content that are
    /// no longer made (another format or variant). An original of the
    /// current content (its key holds `current_hex`) is kept unmarked when
    /// `plan_has_original` is false: a folder switched to proxies-only
    /// stops sending originals but never deletes the ones already sent.
    /// Returns how many were marked.
    pub fn mark_replaced_objects(
        &mut self,
        target: i64,
        asset_row: i64,
        current_hex: &str,
        current_keys: &[&str],
        plan_has_original: bool,
    ) -> Result<u64> {
        let now = self.now();
        // A plan names a handful of keys: one statement per count, cached.
        let marks = (6..6 + current_keys.len())
            .map(|i| format!("?{i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE sync_objects SET replaced_at = ?4
             WHERE target_id = ?1 AND asset_id = ?2 AND replaced_at IS NULL
               AND key NOT IN ({marks})
               AND (instr(key, ?3) = 0 OR role != 'original' OR ?5)"
        );
        let mut args: Vec<rusqlite::types::Value> = vec![
            target.into(),
            asset_row.into(),
            current_hex.to_owned().into(),
            now.into(),
            plan_has_original.into(),
        ];
        args.extend(
            current_keys
                .iter()
                .map(|k| rusqlite::types::Value::from((*k).to_owned())),
        );
        let n = self
            .tx()
            .prepare_cached(&sql)
            .ctx("mark replaced objects")?
            .execute(rusqlite::params_from_iter(args))
            .ctx("mark replaced objects")?;
        Ok(n as u64)
    }

    /// Forgets an object deleted from the target.
    pub fn forget_sync_object(&mut self, id: i64) -> Result<()> {
        self.clear_parts(id, "forget sync object")?;
        self.tx()
            .prepare_cached("DELETE FROM sync_objects WHERE id = ?1")
            .ctx("forget sync object")?
            .execute([id])
            .ctx("forget sync object")?;
        Ok(())
    }

    /// The object was sent and read back: size (and MD5, when it was not
    /// known before) as stored.
    pub fn mark_sync_verified(&mut self, id: i64, size: u64, md5: Option<[u8; 16]>) -> Result<()> {
        let now = self.now();
        // Sent again after a fixity check or a reconcile found it missing
        // or damaged: a repair in the trail.
        let repair: bool = self
            .tx()
            .prepare_cached(
                "SELECT coalesce(last_error LIKE 'verify\\_%' ESCAPE '\\' OR last_error LIKE 'reconcile\\_%' ESCAPE '\\', 0)
                 FROM sync_objects WHERE id = ?1",
            )
            .ctx("mark synced")?
            .query_row([id], |r| r.get(0))
            .optional()
            .ctx("mark synced")?
            .unwrap_or(false);
        self.tx()
            .prepare_cached(
                "UPDATE sync_objects SET state = 'verified', size = ?2, md5 = COALESCE(?3, md5), upload_id = NULL,
                    last_error = NULL, verified_at = ?4, checked_at = ?4, updated_at = ?4
                 WHERE id = ?1",
            )
            .ctx("mark synced")?
            .execute(params![id, to_i64(size), md5.as_ref().map(|m| &m[..]), now])
            .ctx("mark synced")?;
        self.clear_parts(id, "mark synced")?;
        let event = if repair { AuditEvent::Repair } else { AuditEvent::Upload };
        self.audit_object(id, event, true, None, "sync")
    }

    /// An attempt failed. `permanent` (or `max_attempts` reached) marks the
    /// object failed; otherwise it stays pending for the next run.
    pub fn mark_sync_attempt_failed(&mut self, id: i64, error: &str, permanent: bool, max_attempts: u32) -> Result<()> {
        let now = self.now();
        self.tx()
            .prepare_cached(
                "UPDATE sync_objects SET attempts = attempts + 1, last_error = ?2, updated_at = ?3,
                    state = CASE WHEN ?4 OR attempts + 1 >= ?5 THEN 'failed' ELSE 'pending' END
                 WHERE id = ?1",
            )
            .ctx("record sync failure")?
            .execute(params![id, error, now, permanent, max_attempts])
            .ctx("record sync failure")?;
        // A failure that gives up on the object goes to the trail (the
        // attempts that will be retried do not).
        let failed: bool = self
            .tx()
            .prepare_cached("SELECT state = 'failed' FROM sync_objects WHERE id = ?1")
            .ctx("record sync failure")?
            .query_row([id], |r| r.get(0))
            .optional()
            .ctx("record sync failure")?
            .unwrap_or(false);
        if failed {
            self.audit_object(id, AuditEvent::Upload, false, Some(error), "sync")?;
        }
        Ok(())
    }

    /// Sends the object again (found missing or damaged in the target, or
    /// retried by the user). Clears attempts.
    pub fn mark_sync_pending(&mut self, id: i64, reason: &str) -> Result<()> {
        let now = self.now();
        self.tx()
            .prepare_cached(
                "UPDATE sync_objects SET state = 'pending', attempts = 0, last_error = ?2,
                    verified_at = NULL, upload_id = NULL, updated_at = ?3
                 WHERE id = ?1",
            )
            .ctx("requeue sync")?
            .execute(params![id, reason, now])
            .ctx("requeue sync")?;
        self.clear_parts(id, "requeue sync")?;
        if reason.starts_with("verify_") {
            self.audit_object(id, AuditEvent::FixityCheck, false, Some(reason), "verify")?;
        }
        Ok(())
    }

    /// Failed objects of the target become pending again.
    pub fn retry_failed_sync(&mut self, target: i64) -> Result<u64> {
        let now = self.now();
        let n = self
            .tx()
            .execute(
                "UPDATE sync_objects SET state = 'pending', attempts = 0, updated_at = ?2
                 WHERE target_id = ?1 AND state = 'failed'",
                params![target, now],
            )
            .ctx("retry sync")?;
        Ok(n as u64)
    }

    /// A fixity check read the object back and it matched.
    pub fn mark_sync_checked(&mut self, id: i64) -> Result<()> {
        let now = self.now();
        self.tx()
            .prepare_cached("UPDATE sync_objects SET checked_at = ?2 WHERE id = ?1")
            .ctx("record fixity check")?
            .execute(params![id, now])
            .ctx("record fixity check")?;
        self.audit_object(id, AuditEvent::FixityCheck, true, None, "verify")
    }

    /// Remembers a multipart upload started for the object (parts follow).
    pub fn set_sync_upload(&mut self, id: i64, upload_id: Option<&str>) -> Result<()> {
        self.tx()
            .prepare_cached("UPDATE sync_objects SET upload_id = ?2 WHERE id = ?1")
            .ctx("record upload")?
            .execute(params![id, upload_id])
            .ctx("record upload")?;
        self.tx()
            .prepare_cached("DELETE FROM sync_parts WHERE object_id = ?1 AND upload_id IS NOT ?2")
            .ctx("record upload")?
            .execute(params![id, upload_id])
            .ctx("record upload")?;
        Ok(())
    }

    /// Records a part the target confirmed.
    pub fn record_sync_part(&mut self, id: i64, upload_id: &str, part: &SyncPart) -> Result<()> {
        self.tx()
            .prepare_cached(
                "INSERT OR REPLACE INTO sync_parts (object_id, upload_id, number, size, md5)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )
            .ctx("record part")?
            .execute(params![id, upload_id, part.number, to_i64(part.size), &part.md5[..]])
            .ctx("record part")?;
        Ok(())
    }
}

impl Catalog {
    /// The active target, if one is set.
    pub fn target(&self) -> Result<Option<TargetRecord>> {
        self.conn
            .query_row(
                &format!("SELECT {TARGET_COLUMNS} FROM targets WHERE active = 1 ORDER BY id DESC LIMIT 1"),
                [],
                target_from_row,
            )
            .optional()
            .ctx("read target")
    }

    /// A target by id, active or not (a share keeps the one it was made in).
    pub fn target_by_id(&self, id: i64) -> Result<Option<TargetRecord>> {
        self.conn
            .query_row(
                &format!("SELECT {TARGET_COLUMNS} FROM targets WHERE id = ?1"),
                [id],
                target_from_row,
            )
            .optional()
            .ctx("read target")
    }

    /// Each root's sync policy.
    pub fn root_sync_policies(&self) -> Result<Vec<(RootId, SyncPolicy)>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id, sync_policy FROM roots")
            .ctx("read sync policies")?;
        let rows = stmt
            .query_map([], |r| {
                let p: String = r.get(1)?;
                Ok((r.get(0)?, SyncPolicy::parse(&p).unwrap_or(SyncPolicy::All)))
            })
            .ctx("read sync policies")?;
        rows.collect::<rusqlite::Result<_>>().ctx("read sync policies")
    }

    /// Up to `limit` rows of the target in `state` (any state for `None`),
    /// with ids above `after`, in id order.
    /// The verified objects of a target whose last check (or upload) is
    /// oldest, never checked first: the fixity cycle's share. At most
    /// `limit`, and also every one last checked before `overdue_before`.
    pub fn sync_objects_to_check(&self, target: i64, limit: u32, overdue_before: i64) -> Result<Vec<SyncObject>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {OBJECT_COLUMNS} FROM sync_objects
                 WHERE target_id = ?1 AND state = 'verified'
                 ORDER BY coalesce(checked_at, verified_at, 0), id
                 LIMIT max(?2, (SELECT count(*) FROM sync_objects
                               WHERE target_id = ?1 AND state = 'verified'
                                 AND coalesce(checked_at, verified_at, 0) < ?3))"
            ))
            .ctx("list objects to check")?;
        let rows = stmt
            .query_map(params![target, limit, overdue_before], object_from_row)
            .ctx("list objects to check")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list objects to check")
    }

    pub fn sync_objects(
        &self,
        target: i64,
        state: Option<ObjectState>,
        after: i64,
        limit: u32,
    ) -> Result<Vec<SyncObject>> {
        // Two statements, not `(?2 IS NULL OR state = ?2)`: with that,
        // SQLite cannot use the (target, state, id) index and reads every
        // object to find the pending ones.
        let rows = match state {
            Some(state) => self
                .conn
                .prepare_cached(&format!(
                    "SELECT {OBJECT_COLUMNS} FROM sync_objects
                     WHERE target_id = ?1 AND state = ?2 AND id > ?3 ORDER BY id LIMIT ?4"
                ))
                .ctx("list sync objects")?
                .query_map(params![target, state.as_str(), after, limit], object_from_row)
                .ctx("list sync objects")?
                .collect::<rusqlite::Result<_>>(),
            None => self
                .conn
                .prepare_cached(&format!(
                    "SELECT {OBJECT_COLUMNS} FROM sync_objects
                     WHERE target_id = ?1 AND id > ?2 ORDER BY id LIMIT ?3"
                ))
                .ctx("list sync objects")?
                .query_map(params![target, after, limit], object_from_row)
                .ctx("list sync objects")?
                .collect::<rusqlite::Result<_>>(),
        };
        rows.ctx("list sync objects")
    }

    /// Objects replaced at or before `before_ms` whose asset has nothing
    /// left to send: every current object of the asset is verified, so the
    /// new content is safe in the target before the old one goes.
    pub fn replaced_objects_due(&self, target: i64, before_ms: i64, limit: u32) -> Result<Vec<SyncObject>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {OBJECT_COLUMNS} FROM sync_objects s
                 WHERE target_id = ?1 AND replaced_at IS NOT NULL AND replaced_at <= ?2
                   AND NOT EXISTS (SELECT 1 FROM sync_objects c
                                   WHERE c.target_id = s.target_id AND c.asset_id = s.asset_id
                                     AND c.replaced_at IS NULL AND c.state != 'verified')
                 ORDER BY id LIMIT ?3"
            ))
            .ctx("list replaced objects")?;
        let rows = stmt
            .query_map(params![target, before_ms, limit], object_from_row)
            .ctx("list replaced objects")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list replaced objects")
    }

    /// One row by key.
    pub fn sync_object_by_key(&self, target: i64, key: &str) -> Result<Option<SyncObject>> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {OBJECT_COLUMNS} FROM sync_objects WHERE target_id = ?1 AND key = ?2"
            ))
            .ctx("read sync object")?
            .query_row(params![target, key], object_from_row)
            .optional()
            .ctx("read sync object")
    }

    /// The rows of one asset in the target.
    pub fn sync_objects_of_asset(&self, target: i64, asset_row: i64) -> Result<Vec<SyncObject>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT {OBJECT_COLUMNS} FROM sync_objects WHERE target_id = ?1 AND asset_id = ?2 ORDER BY id"
            ))
            .ctx("list sync objects")?;
        let rows = stmt
            .query_map(params![target, asset_row], object_from_row)
            .ctx("list sync objects")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list sync objects")
    }

    /// Upload ids of unfinished multipart uploads the catalog still tracks.
    pub fn sync_upload_ids(&self, target: i64) -> Result<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT upload_id FROM sync_objects WHERE target_id = ?1 AND upload_id IS NOT NULL")
            .ctx("list uploads")?;
        let rows = stmt.query_map([target], |r| r.get(0)).ctx("list uploads")?;
        rows.collect::<rusqlite::Result<_>>().ctx("list uploads")
    }

    /// The parts of an upload that the target accepted (each recorded once
    /// its upload answered), in order.
    pub fn sync_parts(&self, id: i64, upload_id: &str) -> Result<Vec<SyncPart>> {
        read_parts(
            &self.conn,
            "SELECT number, size, md5 FROM sync_parts WHERE object_id = ?1 AND upload_id = ?2 ORDER BY number",
            id,
            upload_id,
        )
    }

    pub fn sync_counts(&self, target: i64) -> Result<SyncCounts> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT state, COUNT(*), COALESCE(SUM(size), 0) FROM sync_objects WHERE target_id = ?1 GROUP BY state",
            )
            .ctx("count sync objects")?;
        let mut counts = SyncCounts::default();
        let rows = stmt
            .query_map([target], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?, r.get::<_, i64>(2)?))
            })
            .ctx("count sync objects")?;
        for row in rows {
            let (state, n, bytes) = row.ctx("count sync objects")?;
            match ObjectState::parse(&state) {
                ObjectState::Pending => {
                    counts.pending = n as u64;
                    counts.pending_bytes = bytes as u64;
                }
                ObjectState::Verified => {
                    counts.verified = n as u64;
                    counts.verified_bytes = bytes as u64;
                }
                ObjectState::Failed => counts.failed = n as u64,
            }
        }
        Ok(counts)
    }
}
