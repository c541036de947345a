-- Schema 19: the audit trail. One row for every upload, repair, fixity
-- check (with its result), deletion, restore and recovery: when, what
-- happened to which object of which asset, with which checksums, the
-- outcome and what set it off. Append-only: the triggers refuse any
-- change or deletion, so the record can be shown to an archivist as it
-- was written. Asset ids are the UUIDs (they survive a recovery).
CREATE TABLE audit (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    event      TEXT    NOT NULL CHECK (event IN ('upload', 'repair', 'fixity_check', 'deletion', 'restore', 'recovery')),
    outcome    TEXT    NOT NULL CHECK (outcome IN ('success', 'failure')),
    target     TEXT,
    object_key TEXT,
    asset      TEXT,
    md5        TEXT,
    blake3     TEXT,
    size       INTEGER,
    detail     TEXT,
    trigger    TEXT    NOT NULL
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_asset ON audit (asset, at);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;
