-- Schema 2: files a scan could not catalog, and library settings.

-- One row per path that was found but could not become (part of) an asset:
-- unreadable, empty, not a regular file, vanished while read, a symlink loop.
-- Cleared when the path imports cleanly or disappears.
CREATE TABLE scan_problems (
    id          INTEGER PRIMARY KEY,
    root_id     INTEGER NOT NULL REFERENCES roots (id),
    rel_path    BLOB    NOT NULL,
    display     TEXT    NOT NULL,
    code        TEXT    NOT NULL,
    message     TEXT    NOT NULL,
    first_seen  INTEGER NOT NULL,
    last_seen   INTEGER NOT NULL,
    UNIQUE (root_id, rel_path)
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
