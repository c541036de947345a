-- Schema 7: shares (signed links, share pages and upload requests).

-- One row per share. Everything a share exposes lives under
-- `share/<id>/` in the target (upload requests receive into
-- `incoming/<id>/`), so deleting that prefix revokes it. Links are not
-- stored: they are signed again on demand, with the same expiry.
CREATE TABLE shares (
    id         TEXT    PRIMARY KEY CHECK (length(id) = 32),
    target_id  INTEGER NOT NULL REFERENCES targets (id),
    kind       TEXT    NOT NULL CHECK (kind IN ('link', 'page', 'request')),
    title      TEXT,
    message    TEXT,
    -- JSON: what the user chose (originals, metadata, gps, max size...).
    options    TEXT    NOT NULL,
    -- 'share' when signed with the narrower sharing key, else 'main'.
    signer     TEXT    NOT NULL CHECK (signer IN ('share', 'main')),
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    -- When its objects were deleted (after revoking, or once expired).
    cleaned_at INTEGER
);
CREATE INDEX shares_expiry ON shares (expires_at) WHERE cleaned_at IS NULL;

-- The objects of a share (copies under its prefix) and, for upload
-- requests, the files that arrived and were imported.
CREATE TABLE share_items (
    share_id  TEXT    NOT NULL REFERENCES shares (id) ON DELETE CASCADE,
    key       TEXT    NOT NULL,
    position  INTEGER NOT NULL,
    asset_id  INTEGER REFERENCES assets (id),
    role      TEXT    NOT NULL,
    -- The name a download gets (the asset's own file name).
    name      TEXT,
    size      INTEGER NOT NULL,
    PRIMARY KEY (share_id, key)
);
