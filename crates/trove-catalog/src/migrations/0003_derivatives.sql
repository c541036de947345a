-- Schema 3: derivatives (proxies) made from originals.

-- One row per proxy of an asset. Files live under the library folder at
-- `path` (relative), content-addressed by the original's BLAKE3, so a
-- rename or a duplicate never makes them again; `generator` is the version
-- of the code that made them, so a newer Trove can regenerate.
CREATE TABLE derivatives (
    id            INTEGER PRIMARY KEY,
    asset_id      INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    variant       TEXT    NOT NULL,
    path          TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    width         INTEGER,
    height        INTEGER,
    format        TEXT    NOT NULL,
    generator     INTEGER NOT NULL,
    source_blake3 BLOB    NOT NULL,
    created_at    INTEGER NOT NULL,
    UNIQUE (asset_id, variant)
);

-- A ThumbHash the grid paints before the thumbnail arrives.
ALTER TABLE assets ADD COLUMN thumbhash BLOB;
-- Why proxies could not be made (`code: message`), or NULL.
ALTER TABLE assets ADD COLUMN proxy_error TEXT;
