-- Schema 9: a watched folder the user removed keeps its row (and its file
-- records, marked missing) so its assets keep their last known names and
-- paths, and adding the folder again brings every file back to the same
-- asset. Removed roots are left out of every root listing.
ALTER TABLE roots ADD COLUMN removed_at INTEGER;
