-- Schema 11: a sync with nothing to send read every sync object three
-- times (0.44 s at 200,000 objects): the state counts looked up each row
-- for its size, and the list of unfinished multipart uploads read every
-- row to find the few that have one. Both now read an index only.
CREATE INDEX sync_objects_state_size ON sync_objects (target_id, state, size);
CREATE INDEX sync_objects_uploads ON sync_objects (target_id) WHERE upload_id IS NOT NULL;
