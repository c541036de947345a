-- Schema 6: sync to a bucket or a folder.

-- Where the library syncs to. Secrets are never stored here: credentials
-- come from the AWS chain (CLI) or the OS keychain (desktop); `profile`
-- only names an AWS profile.
CREATE TABLE targets (
    id                      INTEGER PRIMARY KEY,
    url                     TEXT    NOT NULL UNIQUE,
    endpoint                TEXT,
    region                  TEXT,
    path_style              INTEGER NOT NULL DEFAULT 0,
    storage_class_originals TEXT,
    storage_class_proxies   TEXT,
    sse                     TEXT,
    profile                 TEXT,
    active                  INTEGER NOT NULL DEFAULT 1,
    created_at              INTEGER NOT NULL
);

-- What each root sends: originals and proxies ('all'), proxies only, or
-- nothing.
ALTER TABLE roots ADD COLUMN sync_policy TEXT NOT NULL DEFAULT 'all'
    CHECK (sync_policy IN ('all', 'proxies', 'none'));

-- One row per object the library wants in a target: the durable sync
-- queue. `fingerprint` says which content the row stands for (a changed
-- fingerprint sends it again); an object is 'verified' only after its size
-- and checksum were read back from the target.
CREATE TABLE sync_objects (
    id          INTEGER PRIMARY KEY,
    target_id   INTEGER NOT NULL REFERENCES targets (id) ON DELETE CASCADE,
    key         TEXT    NOT NULL,
    asset_id    INTEGER REFERENCES assets (id),
    role        TEXT    NOT NULL CHECK (role IN ('original', 'proxy', 'manifest')),
    variant     TEXT,
    size        INTEGER NOT NULL,
    md5         BLOB    CHECK (md5 IS NULL OR length(md5) = 16),
    fingerprint TEXT    NOT NULL,
    state       TEXT    NOT NULL DEFAULT 'pending'
                CHECK (state IN ('pending', 'verified', 'failed')),
    -- A multipart upload in progress (its parts are in sync_parts).
    upload_id   TEXT,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    verified_at INTEGER,
    -- The last fixity check (`trove verify`) that read it back.
    checked_at  INTEGER,
    updated_at  INTEGER NOT NULL,
    UNIQUE (target_id, key)
);
CREATE INDEX sync_objects_state ON sync_objects (target_id, state, id);
CREATE INDEX sync_objects_asset ON sync_objects (asset_id);

-- Parts of multipart uploads that the target confirmed, with our MD5 of
-- each, so an upload killed halfway resumes where it stopped.
CREATE TABLE sync_parts (
    object_id INTEGER NOT NULL REFERENCES sync_objects (id) ON DELETE CASCADE,
    upload_id TEXT    NOT NULL,
    number    INTEGER NOT NULL,
    size      INTEGER NOT NULL,
    md5       BLOB    NOT NULL CHECK (length(md5) = 16),
    PRIMARY KEY (object_id, number)
);
