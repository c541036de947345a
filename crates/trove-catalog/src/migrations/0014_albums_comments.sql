-- Schema 14: albums (ordered by hand, nested in album folders, with a
-- cover; smart albums are a saved search) and comments on assets.

CREATE TABLE albums (
    id          INTEGER PRIMARY KEY,
    -- The album folder it sits in (NULL: the top level).
    parent_id   INTEGER REFERENCES albums (id),
    name        TEXT    NOT NULL CHECK (length(name) > 0),
    kind        TEXT    NOT NULL CHECK (kind IN ('album', 'folder', 'smart')),
    -- A smart album's search, in the query language.
    query       TEXT    CHECK ((kind = 'smart') = (query IS NOT NULL)),
    cover_id    INTEGER REFERENCES assets (id) ON DELETE SET NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX albums_sibling ON albums (coalesce(parent_id, 0), name);

-- An asset in an album, at a place in its hand-made order. Positions are
-- spaced so that moving an asset rewrites one row.
CREATE TABLE album_assets (
    album_id    INTEGER NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    asset_id    INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    position    REAL    NOT NULL,
    added_at    INTEGER NOT NULL,
    PRIMARY KEY (album_id, asset_id)
) WITHOUT ROWID;
CREATE INDEX album_assets_order ON album_assets (album_id, position);
CREATE INDEX album_assets_asset ON album_assets (asset_id);

CREATE TABLE comments (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    author      TEXT    NOT NULL,
    text        TEXT    NOT NULL CHECK (length(text) > 0),
    created_at  INTEGER NOT NULL
);
CREATE INDEX comments_asset ON comments (asset_id, id);
