-- Schema 23: how a target's archived originals (GLACIER, DEEP_ARCHIVE)
-- are asked back: the restore tier (Standard, Bulk, Expedited; NULL:
-- Standard) and how many days the restored copy lasts (NULL: 2).
ALTER TABLE targets ADD COLUMN restore_tier TEXT;
ALTER TABLE targets ADD COLUMN restore_days INTEGER CHECK (restore_days IS NULL OR restore_days BETWEEN 1 AND 365);
