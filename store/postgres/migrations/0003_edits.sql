-- 0003_edits: scene edits made at run time over the API (fences drawn on
-- the map), one row per feature id, applied over the scene files at start.
-- The feature is text, not jsonb, so that it reads back byte for byte.

CREATE TABLE scene_edits (
    id       text COLLATE "C" NOT NULL PRIMARY KEY,
    kind     text COLLATE "C" NOT NULL,
    feature  text,            -- GeoJSON Feature; NULL for a removal
    removed  boolean          NOT NULL,
    at       timestamptz      NOT NULL,
    by       text             NOT NULL
);
