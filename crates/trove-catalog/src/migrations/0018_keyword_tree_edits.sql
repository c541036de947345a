-- Schema 18: renaming and merging keywords are edits in the undo history.
-- `tree` keeps, as JSON, what such an edit changed in the keyword tree (the
-- keyword moved and where it was, the keywords it created or deleted), so
-- undo can put the tree back; the assets it touched are in edit_assets as
-- for every edit (for a merge, with the keyword links it took away and
-- added).
ALTER TABLE edits ADD COLUMN tree TEXT;
