-- Schema 16: where an edit came from. NULL for a person's edit in Trove;
-- 'file' for a value another tool wrote into the asset's sidecar, which
-- Trove took in. "Later wins" between a sidecar and the catalog compares a
-- sidecar's change only with a person's edits (an edit that merely took in
-- an older file value does not make the catalog's side newer).
ALTER TABLE edits ADD COLUMN origin TEXT CHECK (origin IN ('file'));
UPDATE edits SET origin = 'file' WHERE summary LIKE '%(from the file''s XMP)';
