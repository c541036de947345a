-- Schema 12: objects of an asset's earlier content (the file was edited)
-- are marked when the asset is planned with new content; a target may
-- delete them a number of days later (NULL: keep them forever).
ALTER TABLE sync_objects ADD COLUMN replaced_at INTEGER;
ALTER TABLE targets ADD COLUMN keep_replaced_days INTEGER;
CREATE INDEX sync_objects_replaced ON sync_objects (target_id, replaced_at) WHERE replaced_at IS NOT NULL;
