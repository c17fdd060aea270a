-- 0004_silences: alarm silencing windows (报警静默), one row per silence,
-- so that they survive a restart. Types and area ids are JSON arrays of
-- strings ('[]' for every type / everywhere). A removed silence is
-- deleted; one that ended stays (ActiveSilences skips it).

CREATE TABLE silences (
    id       TEXT    NOT NULL PRIMARY KEY,
    types    TEXT    NOT NULL,
    area_ids TEXT    NOT NULL,
    from_at  INTEGER NOT NULL,
    to_at    INTEGER NOT NULL,
    by       TEXT    NOT NULL,
    reason   TEXT    NOT NULL
) STRICT;

CREATE INDEX silences_to_at ON silences (to_at);
