-- Schema 13: curation, what a person sets on an asset (rating, flag, colour
-- label, texts and keywords), and the edit history behind undo and redo.
--
-- An asset has a `curation` row once it has been edited or its file's own
-- XMP values were taken in; until then the values its file carries stand
-- (see `Catalog::curation`).

CREATE TABLE curation (
    asset_id    INTEGER PRIMARY KEY REFERENCES assets (id) ON DELETE CASCADE,
    -- Stars, 0 (none) to 5.
    rating      INTEGER NOT NULL DEFAULT 0 CHECK (rating BETWEEN 0 AND 5),
    flag        TEXT    CHECK (flag IN ('pick', 'reject')),
    label       TEXT    CHECK (label IN ('red', 'yellow', 'green', 'blue', 'purple')),
    title       TEXT,
    caption     TEXT,
    creator     TEXT,
    rights      TEXT,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX curation_rating ON curation (rating) WHERE rating > 0;

-- The keyword tree: `Places|Iceland|Reykjavik` is three rows, each naming
-- its parent. A name is unique among its siblings.
CREATE TABLE keywords (
    id          INTEGER PRIMARY KEY,
    parent_id   INTEGER REFERENCES keywords (id),
    name        TEXT    NOT NULL CHECK (length(name) > 0),
    created_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX keywords_sibling ON keywords (coalesce(parent_id, 0), name);

CREATE TABLE asset_keywords (
    asset_id    INTEGER NOT NULL REFERENCES assets (id) ON DELETE CASCADE,
    keyword_id  INTEGER NOT NULL REFERENCES keywords (id),
    PRIMARY KEY (asset_id, keyword_id)
) WITHOUT ROWID;
CREATE INDEX asset_keywords_keyword ON asset_keywords (keyword_id, asset_id);

-- One row per change a person made, newest last. `change` is the change as
-- JSON; `state` is 'done', 'undone' (can be redone) or 'dropped' (undone,
-- then a new edit was made: it can no longer be redone).
CREATE TABLE edits (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    change      TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    asset_count INTEGER NOT NULL,
    -- For a keyword change: the ids of the keywords it adds or removes
    -- (JSON array), which undo puts back as they were.
    keyword_ids TEXT,
    state       TEXT    NOT NULL DEFAULT 'done' CHECK (state IN ('done', 'undone', 'dropped'))
);
CREATE INDEX edits_state ON edits (state, id);

-- The assets an edit touched, each with the values the edit replaced (JSON:
-- the changed fields, or for keywords the touched keyword ids it had).
CREATE TABLE edit_assets (
    edit_id     INTEGER NOT NULL REFERENCES edits (id) ON DELETE CASCADE,
    asset_id    INTEGER NOT NULL,
    before      TEXT    NOT NULL,
    PRIMARY KEY (edit_id, asset_id)
) WITHOUT ROWID;
