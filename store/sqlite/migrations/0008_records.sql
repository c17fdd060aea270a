-- 0008_records: the documents of the domain services' collections
-- (inspection routes, plans, tasks, check records, hidden dangers …), one
-- row per (collection, id) with the fields lists filter by; doc is JSON
-- text the store does not read. Each index ends in id, so that a list by
-- (at, id) — either way — reads an index in order without sorting.
-- blobs are immutable files (photos), kept whole.

CREATE TABLE records (
    collection TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    owner      TEXT    NOT NULL,
    ref        TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    doc        TEXT    NOT NULL,
    PRIMARY KEY (collection, id)
) STRICT;

CREATE INDEX records_at     ON records (collection, at, id);
CREATE INDEX records_status ON records (collection, status, at, id);
CREATE INDEX records_owner  ON records (collection, owner, at, id);
CREATE INDEX records_ref    ON records (collection, ref, at, id);

-- Until ANALYZE measures the table (PRAGMA optimize does, at Close, once
-- it has grown), the planner guesses every index alike and takes
-- records_at for an owner's day, reading the whole collection's day. These
-- statistics of a plausible store — 100 000 records in 10 collections, 5
-- statuses, 200 owners and 500 refs each — make it take the index of the
-- most selective filter (https://www.sqlite.org/optoverview.html#manctrl).
-- ANALYZE of the still empty table creates sqlite_stat1 and adds no row.
ANALYZE records;
INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
    ('records', 'sqlite_autoindex_records_1', '100000 10000 1'),
    ('records', 'records_at',                 '100000 10000 1 1'),
    ('records', 'records_status',             '100000 10000 2000 1 1'),
    ('records', 'records_owner',              '100000 10000 50 1 1'),
    ('records', 'records_ref',                '100000 10000 20 1 1');
-- Connections read the statistics with the schema; this one rereads them
-- now (https://www.sqlite.org/lang_analyze.html).
ANALYZE sqlite_schema;

CREATE TABLE blobs (
    id           TEXT    NOT NULL PRIMARY KEY,
    content_type TEXT    NOT NULL,
    data         BLOB    NOT NULL,
    created_at   INTEGER NOT NULL,
    by           TEXT    NOT NULL
) STRICT;
