-- Schema 1: roots, assets, files, metadata, jobs and the event log.
-- Paths are stored as the operating system's bytes (BLOB) so names that are
-- not UTF-8 round-trip exactly; `display` columns hold a lossy UTF-8 copy for
-- people and for search.

CREATE TABLE roots (
    id              INTEGER PRIMARY KEY,
    path            BLOB    NOT NULL UNIQUE,
    display         TEXT    NOT NULL,
    -- st_dev of the root when it was last seen online. A root whose path is
    -- an empty directory on another device is an unmounted drive: offline.
    device          INTEGER,
    state           TEXT    NOT NULL DEFAULT 'online' CHECK (state IN ('online', 'offline')),
    follow_symlinks INTEGER NOT NULL DEFAULT 0,
    added_at        INTEGER NOT NULL,
    last_scan_at    INTEGER
);

CREATE TABLE assets (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT    NOT NULL UNIQUE,
    blake3          BLOB    NOT NULL UNIQUE CHECK (length(blake3) = 32),
    md5             BLOB    CHECK (md5 IS NULL OR length(md5) = 16),
    size            INTEGER NOT NULL,
    kind            TEXT    NOT NULL CHECK (kind IN ('image', 'video', 'audio', 'document', 'other')),
    mime            TEXT,
    capture_ms      INTEGER,
    capture_offset  INTEGER,
    capture_source  TEXT,
    width           INTEGER,
    height          INTEGER,
    duration_ms     INTEGER,
    status          TEXT    NOT NULL DEFAULT 'present' CHECK (status IN ('present', 'missing', 'offline')),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX assets_capture ON assets (capture_ms DESC, id DESC);
CREATE INDEX assets_kind ON assets (kind);

CREATE TABLE files (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets (id),
    root_id     INTEGER NOT NULL REFERENCES roots (id),
    rel_path    BLOB    NOT NULL,
    name        TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    inode       INTEGER NOT NULL,
    device      INTEGER NOT NULL,
    present     INTEGER NOT NULL DEFAULT 1,
    missing_since INTEGER,
    -- When the content was last read and hashed. A file whose mtime is not
    -- clearly older than this may have changed within the same clock tick
    -- ("racy" entry), so it is read again rather than trusted.
    hashed_at   INTEGER NOT NULL DEFAULT 0,
    UNIQUE (root_id, rel_path)
);
CREATE INDEX files_asset ON files (asset_id);
CREATE INDEX files_inode ON files (device, inode);

CREATE TABLE metadata (
    asset_id        INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    camera_make     TEXT,
    camera_model    TEXT,
    lens            TEXT,
    focal_length_mm REAL,
    aperture        REAL,
    exposure_s      REAL,
    iso             INTEGER,
    flash           INTEGER,
    orientation     INTEGER,
    gps_lat         REAL,
    gps_lon         REAL,
    gps_alt         REAL,
    title           TEXT,
    description     TEXT,
    rating          INTEGER,
    color_label     TEXT,
    raw             TEXT    NOT NULL DEFAULT '{}'
);

CREATE TABLE jobs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT    NOT NULL,
    payload       TEXT    NOT NULL,
    dedup_key     TEXT    NOT NULL UNIQUE,
    state         TEXT    NOT NULL DEFAULT 'queued'
                  CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
    priority      INTEGER NOT NULL DEFAULT 0,
    attempts      INTEGER NOT NULL DEFAULT 0,
    max_attempts  INTEGER NOT NULL DEFAULT 5,
    not_before    INTEGER NOT NULL DEFAULT 0,
    lease_owner   TEXT,
    lease_expires INTEGER,
    heartbeat_at  INTEGER,
    last_error    TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    finished_at   INTEGER
);
CREATE INDEX jobs_ready ON jobs (state, priority DESC, not_before, id);

-- Append-only. Its ids are the catalog's change sequence: every change to an
-- asset appends a row, so derived data (the search index) can catch up from
-- the last id it has seen.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY,
    at        INTEGER NOT NULL,
    kind      TEXT    NOT NULL,
    asset_id  INTEGER,
    root_id   INTEGER,
    path      TEXT,
    detail    TEXT
);
CREATE INDEX events_asset ON events (asset_id);
