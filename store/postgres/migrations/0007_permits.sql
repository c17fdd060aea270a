-- 0007_permits: special-work permits (特殊作业票), one row per permit with
-- the fields lists filter by; doc is the whole permit as JSON text (its
-- hash-chained log included), read back byte for byte.

CREATE TABLE permits (
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    type       text COLLATE "C" NOT NULL,
    level      text COLLATE "C" NOT NULL,
    status     text COLLATE "C" NOT NULL,
    start_at   timestamptz      NOT NULL,
    end_at     timestamptz      NOT NULL,
    updated_at timestamptz      NOT NULL,
    doc        text             NOT NULL,
    CHECK (end_at > start_at)
);

CREATE INDEX permits_window ON permits (start_at, end_at);
CREATE INDEX permits_status ON permits (status, start_at);
