-- Schema 4: technical metadata of video, audio and documents, and a record
-- of which content and generator an asset's proxies were completed for.

ALTER TABLE metadata ADD COLUMN container   TEXT;
ALTER TABLE metadata ADD COLUMN video_codec TEXT;
ALTER TABLE metadata ADD COLUMN audio_codec TEXT;
ALTER TABLE metadata ADD COLUMN frame_rate  REAL;
ALTER TABLE metadata ADD COLUMN bit_rate    INTEGER;
ALTER TABLE metadata ADD COLUMN rotation    INTEGER;
ALTER TABLE metadata ADD COLUMN artist      TEXT;
ALTER TABLE metadata ADD COLUMN album       TEXT;
ALTER TABLE metadata ADD COLUMN genre       TEXT;
ALTER TABLE metadata ADD COLUMN author      TEXT;
ALTER TABLE metadata ADD COLUMN page_count  INTEGER;
-- Searchable text carried by the file: subtitles of a video, for now.
ALTER TABLE metadata ADD COLUMN text        TEXT;

-- Set when every proxy of the asset has been made: by which generator, and
-- from which content. Proxies are due when either differs.
ALTER TABLE assets ADD COLUMN proxy_generator INTEGER;
ALTER TABLE assets ADD COLUMN proxy_source    BLOB;

-- Images whose three proxies schema 3 recorded are complete.
UPDATE assets SET proxy_generator = 1, proxy_source = blake3
WHERE kind = 'image'
  AND (SELECT count(*) FROM derivatives d
       WHERE d.asset_id = assets.id AND d.generator = 1 AND d.source_blake3 = assets.blake3) >= 3;
