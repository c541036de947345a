-- Schema 8: capture times read from EXIF with an offset (OffsetTimeOriginal
-- or OffsetTimeDigitized) were stored as wall-clock time read as UTC, while
-- the rest of Trove (video containers, the search index, the timeline) takes
-- `capture_ms` to be the instant when an offset is known. Move those rows to
-- the instant; the wall-clock time is `capture_ms + capture_offset` minutes.
UPDATE assets
SET capture_ms = capture_ms - capture_offset * 60000
WHERE capture_ms IS NOT NULL
  AND capture_offset IS NOT NULL
  AND capture_source IN ('exif_original', 'exif_create');
