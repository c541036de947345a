use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension};

use crate::error::{CatalogError, Result, SqlContext};

/// The schema migrations, in order. Migration `i` (0-based) moves a catalog
/// from schema `i` to schema `i + 1`. Never edit a published migration: add
/// a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_core.sql"),
    include_str!("migrations/0002_scan_problems_and_settings.sql"),
    include_str!("migrations/0003_derivatives.sql"),
    include_str!("migrations/0004_av_metadata.sql"),
    include_str!("migrations/0005_sidecars.sql"),
    include_str!("migrations/0006_sync.sql"),
    include_str!("migrations/0007_shares.sql"),
    include_str!("migrations/0008_capture_instants.sql"),
    include_str!("migrations/0009_removed_roots.sql"),
    include_str!("migrations/0010_job_claim_index.sql"),
    include_str!("migrations/0011_sync_object_indexes.sql"),
    include_str!("migrations/0012_replaced_objects.sql"),
    include_str!("migrations/0013_curation.sql"),
    include_str!("migrations/0014_albums_comments.sql"),
    include_str!("migrations/0015_sidecar_writes.sql"),
    include_str!("migrations/0016_edit_origin.sql"),
    include_str!("migrations/0017_folder_kinds.sql"),
    include_str!("migrations/0018_keyword_tree_edits.sql"),
    include_str!("migrations/0019_audit.sql"),
    include_str!("migrations/0020_fixity_progress.sql"),
    include_str!("migrations/0021_kms_key.sql"),
    include_str!("migrations/0022_archive_waits.sql"),
    include_str!("migrations/0023_restore_tier.sql"),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// SQLite's application id for Trove catalogs ("TROV").
const APPLICATION_ID: i64 = 0x5452_4f56;

/// An open catalog: one SQLite connection. Open one per thread; SQLite in WAL
/// mode lets readers run beside the one writer.
#[derive(Debug)]
pub struct Catalog {
    pub(crate) conn: Connection,
    path: PathBuf,
    read_only: bool,
}

impl Catalog {
    /// Opens (creating if needed) the catalog at `path` and upgrades its
    /// schema. Before an upgrade the old file is copied beside it as
    /// `<name>.schema-<N>.bak`, so an upgrade can never lose a catalog.
    pub fn open(path: &Path) -> Result<Catalog> {
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| CatalogError::Open {
            path: path.to_owned(),
            source,
        })?;
        let mut cat = Catalog {
            conn,
            path: path.to_owned(),
            read_only: false,
        };
        cat.configure()?;
        cat.migrate()?;
        Ok(cat)
    }

    /// Opens an existing catalog for reading only. Fails if it does not
    /// exist or needs an upgrade (a reader never changes the file).
    pub fn open_read_only(path: &Path) -> Result<Catalog> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)
                .map_err(|source| CatalogError::Open {
                    path: path.to_owned(),
                    source,
                })?;
        let cat = Catalog {
            conn,
            path: path.to_owned(),
            read_only: true,
        };
        cat.conn.busy_timeout(Duration::from_secs(10)).ctx("set busy timeout")?;
        let version = cat.check_identity()?;
        if version < SCHEMA_VERSION {
            return Err(CatalogError::NeedsUpgrade {
                path: path.to_owned(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        Ok(cat)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn is_read_only(&self) -> bool {
        self.read_only
    }

    fn configure(&self) -> Result<()> {
        self.conn
            .busy_timeout(Duration::from_secs(10))
            .ctx("set busy timeout")?;
        // journal_mode returns a row; use query_row.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(|e| self.open_error(e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(CatalogError::Corrupt {
                path: self.path.clone(),
                detail: format!("could not switch to WAL journal mode (got {mode})"),
            });
        }
        self.conn
            .execute_batch(
                "PRAGMA foreign_keys = ON;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA temp_store = MEMORY;
                 PRAGMA cache_size = -32000;",
            )
            .map_err(|e| self.open_error(e))?;
        Ok(())
    }

    fn open_error(&self, source: rusqlite::Error) -> CatalogError {
        match source.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
                CatalogError::Corrupt {
                    path: self.path.clone(),
                    detail: source.to_string(),
                }
            }
            _ => CatalogError::Open {
                path: self.path.clone(),
                source,
            },
        }
    }

    /// Returns the schema version after checking this is a Trove catalog.
    fn check_identity(&self) -> Result<i64> {
        let app_id: i64 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))
            .map_err(|e| self.open_error(e))?;
        let version: i64 = self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| self.open_error(e))?;
        if app_id != APPLICATION_ID && !(app_id == 0 && version == 0) {
            return Err(CatalogError::Corrupt {
                path: self.path.clone(),
                detail: format!("SQLite application id is {app_id:#x}, not Trove's"),
            });
        }
        if app_id == 0 && version == 0 {
            // Empty file or foreign database with no tables of ours?
            let tables: i64 = self
                .conn
                .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
                .map_err(|e| self.open_error(e))?;
            if tables > 0 {
                return Err(CatalogError::Corrupt {
                    path: self.path.clone(),
                    detail: "it is an SQLite database of another program".into(),
                });
            }
        }
        if version > SCHEMA_VERSION {
            return Err(CatalogError::TooNew {
                path: self.path.clone(),
                found: version,
                known: SCHEMA_VERSION,
            });
        }
        Ok(version)
    }

    /// The catalog's schema version.
    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .ctx("read schema version")
    }

    fn migrate(&mut self) -> Result<()> {
        let version = self.check_identity()?;
        if version == SCHEMA_VERSION {
            return Ok(());
        }
        if version > 0 {
            self.backup_before_upgrade(version)?;
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let target = i as i64 + 1;
            let tx = self.conn.transaction().map_err(|source| CatalogError::Migrate {
                path: self.path.clone(),
                version: target,
                source,
            })?;
            tx.execute_batch(sql)
                .and_then(|_| {
                    tx.execute_batch(&format!(
                        "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {target};"
                    ))
                })
                .and_then(|_| tx.commit())
                .map_err(|source| CatalogError::Migrate {
                    path: self.path.clone(),
                    version: target,
                    source,
                })?;
        }
        Ok(())
    }

    fn backup_before_upgrade(&self, version: i64) -> Result<()> {
        let mut name = self
            .path
            .file_name()
            .map(|n| n.to_os_string())
            .unwrap_or_else(|| "catalog.db".into());
        name.push(format!(".schema-{version}.bak"));
        let backup = self.path.with_file_name(&name);
        // Only a backup that was checked whole is given the final name
        // (below); one under that name from an older Trove, which wrote it
        // there directly, is checked before it is trusted, and a damaged one
        // is moved aside and written again. A leftover partial one (the
        // process died while writing it) is written again.
        if backup.exists() {
            let good = Connection::open_with_flags(&backup, OpenFlags::SQLITE_OPEN_READ_ONLY)
                .and_then(|c| c.query_row("PRAGMA quick_check", [], |r| r.get::<_, String>(0)))
                .is_ok_and(|c| c == "ok");
            if good {
                return Ok(());
            }
            let mut aside = backup.clone().into_os_string();
            aside.push(".damaged");
            let _ = std::fs::rename(&backup, aside);
        }
        name.push(".partial");
        let partial = self.path.with_file_name(name);
        let migrate_err = |source| CatalogError::Migrate {
            path: self.path.clone(),
            version: version + 1,
            source,
        };
        let _ = std::fs::remove_file(&partial);
        self.conn
            .execute("VACUUM INTO ?1", [partial.to_string_lossy().as_ref()])
            .map_err(migrate_err)?;
        let check: String = Connection::open_with_flags(&partial, OpenFlags::SQLITE_OPEN_READ_ONLY)
            .and_then(|c| c.query_row("PRAGMA integrity_check", [], |r| r.get(0)))
            .map_err(migrate_err)?;
        if check != "ok" {
            let _ = std::fs::remove_file(&partial);
            return Err(CatalogError::Corrupt {
                path: partial,
                detail: format!("the backup before the upgrade does not check out ({check}); nothing was upgraded"),
            });
        }
        std::fs::File::open(&partial)
            .and_then(|f| f.sync_all())
            .and_then(|()| std::fs::rename(&partial, &backup))
            .map_err(|e| CatalogError::Migrate {
                path: self.path.clone(),
                version: version + 1,
                source: rusqlite::Error::ToSqlConversionFailure(Box::new(e)),
            })?;
        Ok(())
    }

    /// Writes a consistent copy of the catalog to `dest` (which must not
    /// exist): SQLite's `VACUUM INTO` reads one snapshot of the database,
    /// so writers may go on meanwhile. The caller checks the copy
    /// ([`check_snapshot`], which it may run beside other work on it). It
    /// is not flushed to disk: it is a temporary file that the caller
    /// compresses and sends (a crash loses only the temporary file; 0.3 s
    /// of 2.2 s at 100,000 assets went to the flush).
    pub fn snapshot_to(&self, dest: &Path) -> Result<()> {
        self.conn
            .execute("VACUUM INTO ?1", [dest.to_string_lossy().as_ref()])
            .ctx("snapshot")?;
        Ok(())
    }

    /// Sets how much of the database this connection keeps in its own page
    /// cache, in KiB (32,000 by default). Pages it drops are read again from
    /// the operating system's file cache.
    pub fn set_cache_kib(&self, kib: u32) -> Result<()> {
        self.conn
            .execute_batch(&format!("PRAGMA cache_size = -{kib};"))
            .ctx("set the page cache size")
    }

    /// This connection's page cache limit, in KiB.
    pub fn cache_kib(&self) -> Result<u32> {
        let size: i64 = self
            .conn
            .query_row("PRAGMA cache_size", [], |r| r.get(0))
            .ctx("read the page cache size")?;
        // Negative: KiB; positive: pages of the database's page size.
        Ok(if size < 0 {
            size.unsigned_abs() as u32
        } else {
            let page: i64 = self
                .conn
                .query_row("PRAGMA page_size", [], |r| r.get(0))
                .ctx("read the page size")?;
            (size * page / 1024) as u32
        })
    }

    /// Runs SQLite's `PRAGMA integrity_check`; an empty list means healthy.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check").ctx("integrity check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).ctx("integrity check")?;
        let mut problems = Vec::new();
        for row in rows {
            let line = row.ctx("integrity check")?;
            if line != "ok" {
                problems.push(line);
            }
        }
        let fk: Vec<String> = {
            let mut stmt = self.conn.prepare("PRAGMA foreign_key_check").ctx("foreign key check")?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(format!(
                        "foreign key violation in {} row {}",
                        r.get::<_, String>(0)?,
                        r.get::<_, i64>(1)?
                    ))
                })
                .ctx("foreign key check")?;
            rows.collect::<rusqlite::Result<_>>().ctx("foreign key check")?
        };
        problems.extend(fk);
        Ok(problems)
    }

    /// Reads a library setting.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        self.conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .ctx("read setting")
    }

    /// Writes a library setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn
            .execute(
                "INSERT INTO settings (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .ctx("write setting")?;
        Ok(())
    }
}

/// Checks that `path` is a whole SQLite database holding a Trove catalog
/// (a snapshot fetched from a bucket, before it becomes a library's
/// catalog): `integrity_check` passes and its application id is Trove's.
pub fn check_file(path: &Path) -> Result<()> {
    check_file_with(path, "integrity_check")
}

/// Checks a copy [`Catalog::snapshot_to`] wrote: `quick_check`, not
/// `integrity_check`, because VACUUM INTO writes every index anew from its
/// table, so the two cannot disagree in the copy; what remains to check is
/// the file's pages and records (0.7 s against 2.1 s on a 100,000-asset
/// catalog). A recovery checks the downloaded copy in full.
pub fn check_snapshot(path: &Path) -> Result<()> {
    check_file_with(path, "quick_check")
}

/// [`check_file`] with the given check pragma.
fn check_file_with(path: &Path, pragma: &str) -> Result<()> {
    let conn =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(|source| CatalogError::Open {
            path: path.to_owned(),
            source,
        })?;
    let corrupt = |detail: String| CatalogError::Corrupt {
        path: path.to_owned(),
        detail,
    };
    let check: String = conn
        .query_row(&format!("PRAGMA {pragma}"), [], |r| r.get(0))
        .map_err(|e| corrupt(e.to_string()))?;
    if check != "ok" {
        return Err(corrupt(format!("{}: {check}", pragma.replace('_', " "))));
    }
    let app: i64 = conn
        .query_row("PRAGMA application_id", [], |r| r.get(0))
        .map_err(|e| corrupt(e.to_string()))?;
    if app != APPLICATION_ID {
        return Err(corrupt(format!("application id {app:#x}, not Trove's")));
    }
    Ok(())
}
