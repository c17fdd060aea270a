-- 0008_records: the documents of the domain services' collections
-- (inspection routes, plans, tasks, check records, hidden dangers …), one
-- row per (collection, id) with the fields lists filter by; doc is JSON
-- text (as permits keep theirs), read back byte for byte. Each index ends
-- in id, so that a list by (at, id) — either way — reads an index in order
-- without sorting. Keys compare in byte order (COLLATE "C"), as in SQLite.
-- blobs are immutable files (photos), kept whole.

CREATE TABLE records (
    collection text COLLATE "C" NOT NULL,
    id         text COLLATE "C" NOT NULL,
    status     text COLLATE "C" NOT NULL,
    owner      text COLLATE "C" NOT NULL,
    ref        text COLLATE "C" NOT NULL,
    at         timestamptz      NOT NULL,
    updated_at timestamptz      NOT NULL,
    doc        text             NOT NULL,
    PRIMARY KEY (collection, id)
);

CREATE INDEX records_at     ON records (collection, at, id);
CREATE INDEX records_status ON records (collection, status, at, id);
CREATE INDEX records_owner  ON records (collection, owner, at, id);
CREATE INDEX records_ref    ON records (collection, ref, at, id);

CREATE TABLE blobs (
    id           text COLLATE "C" NOT NULL PRIMARY KEY,
    content_type text             NOT NULL,
    data         bytea            NOT NULL,
    created_at   timestamptz      NOT NULL,
    by           text             NOT NULL
);

-- JPEG, PNG and WebP are compressed already: store the data out of line
-- without trying pglz on it.
ALTER TABLE blobs ALTER COLUMN data SET STORAGE EXTERNAL;
