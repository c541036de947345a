-- Schema 17: which files of a watched folder become assets. 'media'
-- (photos, videos, sound, PDFs: the default), 'documents' (also text,
-- office files, e-books) or 'all'. Files left out are not catalogued;
-- assets catalogued before this setting existed stay as they are.
ALTER TABLE roots ADD COLUMN kinds TEXT NOT NULL DEFAULT 'media'
    CHECK (kinds IN ('media', 'documents', 'all'));
