-- 0007_permits: special-work permits (特殊作业票), one row per permit with
-- the fields lists filter by; doc is the whole permit as JSON (its
-- hash-chained log included).

CREATE TABLE permits (
    id         TEXT    NOT NULL PRIMARY KEY,
    type       TEXT    NOT NULL,
    level      TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    start_at   INTEGER NOT NULL,
    end_at     INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    doc        TEXT    NOT NULL
) STRICT;

CREATE INDEX permits_window ON permits (start_at, end_at);
CREATE INDEX permits_status ON permits (status, start_at);
