-- 0002_history: positions, raw detector readings and per-minute rollups
-- (store.History). AQ 3064.3-2025 keeps positioning data ≥ 1 year, so these
-- are the big tables: every index costs write throughput and disk, and each
-- one here serves a query or the retention purge.
--
-- positions and readings are WITHOUT ROWID tables clustered on
-- (id, at, seq): one person's 8 h trajectory is one contiguous range of
-- pages even though 300 people's fixes arrive interleaved (AQ 3064.3-2025:
-- the 8 h query of one person within 3 s, also from a cold cache). seq is
-- taken from history_seq, in append order, so that two rows of one entity
-- with the same time are both kept and read back in the order they were
-- appended.

CREATE TABLE history_seq (
    kind TEXT    NOT NULL PRIMARY KEY,
    next INTEGER NOT NULL
) STRICT;

INSERT INTO history_seq (kind, next) VALUES ('positions', 1), ('readings', 1);

CREATE TABLE positions (
    entity_id TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    lon       REAL    NOT NULL,
    lat       REAL    NOT NULL,
    z         REAL    NOT NULL,
    floor     INTEGER NOT NULL,
    area_id   TEXT    NOT NULL,
    PRIMARY KEY (entity_id, at, seq)
) STRICT, WITHOUT ROWID;

-- Presence (window + bounding box prefilter) and the purge. In a WITHOUT
-- ROWID table an index also holds the primary key, so this one covers the
-- presence query (entity_id, at, lon, lat) without touching the table.
-- An R*Tree on (lon, lat, at) was measured and left out: it halved the
-- insert rate for a prefilter this index already answers in one range scan.
CREATE INDEX positions_at ON positions (at, lon, lat);

CREATE TABLE readings (
    detector_id TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    value       REAL    NOT NULL,
    unit        TEXT    NOT NULL,
    fault       INTEGER NOT NULL,
    PRIMARY KEY (detector_id, at, seq)
) STRICT, WITHOUT ROWID;

-- The purge.
CREATE INDEX readings_at ON readings (at);

-- One row per detector and minute (unix milliseconds of the minute's
-- start). A rollup written again for the same minute is merged by the
-- upsert in AppendRollups.
CREATE TABLE rollups (
    detector_id TEXT    NOT NULL,
    minute      INTEGER NOT NULL,
    min         REAL    NOT NULL,
    max         REAL    NOT NULL,
    sum         REAL    NOT NULL,
    n           INTEGER NOT NULL,
    unit        TEXT    NOT NULL,
    PRIMARY KEY (detector_id, minute)
) STRICT, WITHOUT ROWID;

-- The purge.
CREATE INDEX rollups_minute ON rollups (minute);
