-- 0002_history: positions, detector readings and their per-minute rollups.
--
-- A plant keeps positioning data for at least a year (AQ 3064.3-2025):
-- 300 people at one fix per 2 s are 13 million rows a day, hundreds of
-- millions a year. positions and readings are therefore partitioned by
-- range on their time, one partition per UTC day, named <table>_pYYYYMMDD;
-- the store creates a day's partition before it first writes rows of that
-- day, and Purge drops whole days. The DEFAULT partition is a safety net
-- for rows of a day without a partition of its own (written by another
-- program, or whose partition could not be made).
--
-- Indexes are declared on the parent tables, so every partition gets its
-- own: a b-tree on (entity, time) for one person's track, a GiST on geom
-- for "who was in this area".
--
-- seq numbers the rows of a table in append order, so that fixes of one
-- entity with the same time are all kept and read back in the order they
-- were appended: a batch takes one number n from the table's sequence
-- (without a cache, so numbers increase across sessions) and numbers its
-- rows n·2^24 + i; a row inserted on its own gets n·2^24 from the default.
-- (One nextval per row would cost a tenth of the write rate.) Columns are
-- ordered widest fixed-size first, so that rows carry no alignment padding.

CREATE SEQUENCE positions_seq AS bigint;
CREATE SEQUENCE readings_seq AS bigint;

CREATE TABLE positions (
    at        timestamptz      NOT NULL,
    seq       bigint           NOT NULL DEFAULT nextval('positions_seq') * 16777216,
    lon       double precision NOT NULL,
    lat       double precision NOT NULL,
    z         double precision NOT NULL,
    floor     integer          NOT NULL,
    entity_id text COLLATE "C" NOT NULL,
    area_id   text COLLATE "C" NOT NULL,
    -- The fix as a PostGIS point, computed by the server from lon and lat,
    -- so that writers (COPY in binary) need not encode geometry.
    geom      geometry(Point, 4326) NOT NULL
              GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED
) PARTITION BY RANGE (at);

ALTER SEQUENCE positions_seq OWNED BY positions.seq;
CREATE TABLE positions_default PARTITION OF positions DEFAULT;

CREATE INDEX positions_entity_at ON positions (entity_id, at);
CREATE INDEX positions_geom ON positions USING gist (geom);

CREATE TABLE readings (
    at          timestamptz      NOT NULL,
    seq         bigint           NOT NULL DEFAULT nextval('readings_seq') * 16777216,
    value       double precision NOT NULL,
    fault       boolean          NOT NULL,
    detector_id text COLLATE "C" NOT NULL,
    unit        text             NOT NULL
) PARTITION BY RANGE (at);

ALTER SEQUENCE readings_seq OWNED BY readings.seq;
CREATE TABLE readings_default PARTITION OF readings DEFAULT;

CREATE INDEX readings_detector_at ON readings (detector_id, at);

-- One row per detector and minute; a minute written again (after a
-- restart) is merged into the stored row by AppendRollups.
CREATE TABLE rollups (
    minute      timestamptz      NOT NULL,
    min         double precision NOT NULL,
    max         double precision NOT NULL,
    sum         double precision NOT NULL,
    n           bigint           NOT NULL CHECK (n > 0),
    detector_id text COLLATE "C" NOT NULL,
    unit        text             NOT NULL,
    PRIMARY KEY (detector_id, minute)
);

-- Purge deletes by minute alone.
CREATE INDEX rollups_minute ON rollups (minute);
