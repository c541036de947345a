-- Schema 15: XMP sidecars Trove writes (when the library asks it to). An
-- asset is `dirty` from an edit until its sidecars are written; a failure
-- (a read-only folder, a sidecar that is not XML) is kept with it and the
-- write is tried again later, the catalog keeping the values.
CREATE TABLE sidecar_writes (
    asset_id    INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    dirty       INTEGER NOT NULL DEFAULT 1,
    written_at  INTEGER,
    error       TEXT
);
CREATE INDEX sidecar_writes_dirty ON sidecar_writes (asset_id) WHERE dirty = 1;
