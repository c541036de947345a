-- Schema 20: a fixity check of a large object in progress, read in ranged
-- chunks, so that one interrupted halfway resumes from its last chunk: the
-- chunk size, the BLAKE3 chaining values of the chunks read so far (32
-- bytes each, in order), and the object's verified_at when it began (an
-- object sent again since starts over).
CREATE TABLE fixity_progress (
    object_id   INTEGER PRIMARY KEY REFERENCES sync_objects (id) ON DELETE CASCADE,
    chunk_bytes INTEGER NOT NULL CHECK (chunk_bytes > 0),
    chunks      BLOB    NOT NULL,
    verified_at INTEGER,
    updated_at  INTEGER NOT NULL
);
