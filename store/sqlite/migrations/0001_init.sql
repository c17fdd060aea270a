-- 0001_init: users, sessions, alarms, the event log and the audit log.
--
-- Conventions (see the package documentation):
--   * times are INTEGER unix milliseconds UTC;
--   * JSON documents (details, data, detail) are TEXT, NULL for none;
--   * tables are STRICT so that a value of the wrong type is refused, not
--     silently kept for years.

CREATE TABLE users (
    username      TEXT    NOT NULL PRIMARY KEY,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL,
    person_id     TEXT    NOT NULL,
    display_name  TEXT    NOT NULL,
    disabled      INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

-- Only the SHA-256 of a bearer token is stored.
CREATE TABLE sessions (
    token_hash TEXT    NOT NULL PRIMARY KEY,
    username   TEXT    NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_username ON sessions (username);

CREATE TABLE alarms (
    id         TEXT    NOT NULL PRIMARY KEY,
    type       TEXT    NOT NULL,
    level      INTEGER NOT NULL,
    state      TEXT    NOT NULL,
    key        TEXT    NOT NULL,
    entity_id  TEXT    NOT NULL,
    area_id    TEXT    NOT NULL,
    lon        REAL    NOT NULL,
    lat        REAL    NOT NULL,
    raised_at  INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    acked_at   INTEGER,
    acked_by   TEXT    NOT NULL,
    ack_note   TEXT    NOT NULL,
    cleared_at INTEGER,
    message    TEXT    NOT NULL,
    message_en TEXT    NOT NULL,
    details    TEXT
) STRICT;

-- Listings are ordered by (raised_at, id); every filter column leads an
-- index that ends in that order, so a page is an index range scan that
-- stops after LIMIT rows instead of a sort of every match.
CREATE INDEX alarms_raised_at ON alarms (raised_at, id);
CREATE INDEX alarms_state ON alarms (state, raised_at, id);
CREATE INDEX alarms_type ON alarms (type, raised_at, id);
CREATE INDEX alarms_entity_id ON alarms (entity_id, raised_at, id);
CREATE INDEX alarms_area_id ON alarms (area_id, raised_at, id);
CREATE INDEX alarms_key ON alarms (key);

-- AUTOINCREMENT: ids only ever grow, even after rows are removed by a
-- future retention job.
CREATE TABLE events (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    type      TEXT    NOT NULL,
    entity_id TEXT    NOT NULL,
    area_id   TEXT    NOT NULL,
    at        INTEGER NOT NULL,
    lon       REAL    NOT NULL,
    lat       REAL    NOT NULL,
    data      TEXT
) STRICT;

CREATE INDEX events_at ON events (at);
-- One person's trajectory / history: AQ 3064.3-2025 asks an 8 h query of
-- one person within 3 s.
CREATE INDEX events_entity_id ON events (entity_id, at);
CREATE INDEX events_area_id ON events (area_id, at);

CREATE TABLE audit (
    id     INTEGER PRIMARY KEY AUTOINCREMENT,
    at     INTEGER NOT NULL,
    actor  TEXT    NOT NULL,
    action TEXT    NOT NULL,
    target TEXT    NOT NULL,
    detail TEXT,
    remote TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_actor ON audit (actor, at);
CREATE INDEX audit_target ON audit (target, at);

-- The audit log is append-only: no statement may change or remove an entry.
-- (This guards against the application's own mistakes; whoever can write
-- the file can also drop a trigger.)
-- INSERT OR REPLACE deletes the row it replaces without firing DELETE
-- triggers (unless recursive_triggers is on), hence the INSERT trigger.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;

CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'audit log is append-only');
END;
