-- Schema 5: XMP sidecars. A `photo.xmp` (or `photo.cr2.xmp`) beside a file
-- is part of that file, not an asset: its modification time is kept with
-- the file so an edit to the sidecar alone makes the scan read it again.
ALTER TABLE files ADD COLUMN sidecar_mtime_ns INTEGER;
