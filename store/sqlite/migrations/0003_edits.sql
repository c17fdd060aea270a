-- 0003_edits: scene edits made at run time over the API (fences drawn on
-- the map), one row per feature id, applied over the scene files at start.

CREATE TABLE scene_edits (
    id       TEXT    NOT NULL PRIMARY KEY,
    kind     TEXT    NOT NULL,
    feature  TEXT,             -- GeoJSON Feature; NULL for a removal
    removed  INTEGER NOT NULL,
    at       INTEGER NOT NULL,
    by       TEXT    NOT NULL
) STRICT;
