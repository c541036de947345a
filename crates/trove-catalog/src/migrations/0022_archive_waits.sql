-- Schema 22: stored objects in an archive storage class (S3 Glacier,
-- Deep Archive) whose restore Trove asked for so it could read them (a
-- restore of originals, a fixity check), and when it looks again: the
-- waits survive restarts, and a restart does not ask (and pay) twice.
CREATE TABLE archive_waits (
    object_id     INTEGER PRIMARY KEY REFERENCES sync_objects (id) ON DELETE CASCADE,
    tier          TEXT    NOT NULL,
    storage_class TEXT,
    asked_at      INTEGER NOT NULL,
    checks        INTEGER NOT NULL DEFAULT 0 CHECK (checks >= 0),
    next_check_at INTEGER NOT NULL
);
