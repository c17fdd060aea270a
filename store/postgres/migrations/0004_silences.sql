-- 0004_silences: alarm silencing windows (报警静默), one row per silence,
-- so that they survive a restart. Types and area ids are text arrays
-- ('{}' for every type / everywhere). A removed silence is deleted; one
-- that ended stays (ActiveSilences skips it).

CREATE TABLE silences (
    id       text COLLATE "C"   NOT NULL PRIMARY KEY,
    types    text[] COLLATE "C" NOT NULL,
    area_ids text[] COLLATE "C" NOT NULL,
    from_at  timestamptz        NOT NULL,
    to_at    timestamptz        NOT NULL,
    by       text               NOT NULL,
    reason   text               NOT NULL,
    CHECK (to_at > from_at)
);

CREATE INDEX silences_to_at ON silences (to_at);
