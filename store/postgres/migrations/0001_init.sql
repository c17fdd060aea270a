-- 0001_init: users, sessions, alarms, the event log and the audit log.
--
-- Conventions (see the package documentation):
--   * times are timestamptz, written truncated to the millisecond;
--   * text columns are COLLATE "C": keys compare and sort byte-wise, as in
--     the SQLite store, and their b-trees skip the locale's rules;
--   * JSON documents (details, data, detail) are jsonb, NULL for none.

CREATE TABLE users (
    username      text COLLATE "C" NOT NULL PRIMARY KEY,
    password_hash text             NOT NULL,
    role          text COLLATE "C" NOT NULL,
    person_id     text COLLATE "C" NOT NULL,
    display_name  text             NOT NULL,
    disabled      boolean          NOT NULL,
    created_at    timestamptz      NOT NULL
);

-- Only the SHA-256 of a bearer token is stored.
CREATE TABLE sessions (
    token_hash text COLLATE "C" NOT NULL PRIMARY KEY,
    username   text COLLATE "C" NOT NULL REFERENCES users (username) ON DELETE CASCADE,
    created_at timestamptz      NOT NULL,
    expires_at timestamptz      NOT NULL
);

CREATE INDEX sessions_expires_at ON sessions (expires_at);
CREATE INDEX sessions_username ON sessions (username);

CREATE TABLE alarms (
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    type       text COLLATE "C" NOT NULL,
    level      integer          NOT NULL,
    state      text COLLATE "C" NOT NULL CHECK (state IN ('active', 'acknowledged', 'cleared')),
    key        text COLLATE "C" NOT NULL,
    entity_id  text COLLATE "C" NOT NULL,
    area_id    text COLLATE "C" NOT NULL,
    lon        double precision NOT NULL,
    lat        double precision NOT NULL,
    raised_at  timestamptz      NOT NULL,
    updated_at timestamptz      NOT NULL,
    acked_at   timestamptz,
    acked_by   text             NOT NULL,
    ack_note   text             NOT NULL,
    cleared_at timestamptz,
    message    text             NOT NULL,
    message_en text             NOT NULL,
    details    jsonb
);

-- Listings are ordered by (raised_at, id); every filter column leads an
-- index that ends in that order, so a page is an index range scan that
-- stops after LIMIT rows instead of a sort of every match.
CREATE INDEX alarms_raised_at ON alarms (raised_at, id);
CREATE INDEX alarms_state ON alarms (state, raised_at, id);
CREATE INDEX alarms_type ON alarms (type, raised_at, id);
CREATE INDEX alarms_entity_id ON alarms (entity_id, raised_at, id);
CREATE INDEX alarms_area_id ON alarms (area_id, raised_at, id);
CREATE INDEX alarms_key ON alarms (key);

-- Identity columns draw from a sequence: ids only ever grow, also after a
-- restart or a failed batch (a sequence never hands a number out twice).
CREATE TABLE events (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type      text COLLATE "C" NOT NULL,
    entity_id text COLLATE "C" NOT NULL,
    area_id   text COLLATE "C" NOT NULL,
    at        timestamptz      NOT NULL,
    lon       double precision NOT NULL,
    lat       double precision NOT NULL,
    data      jsonb
);

CREATE INDEX events_at ON events (at, id);
-- One person's trajectory / history: AQ 3064.3-2025 asks an 8 h query of
-- one person within 3 s.
CREATE INDEX events_entity_id ON events (entity_id, at, id);
CREATE INDEX events_area_id ON events (area_id, at, id);
CREATE INDEX events_type ON events (type, at, id);

CREATE TABLE audit (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at     timestamptz      NOT NULL,
    actor  text COLLATE "C" NOT NULL,
    action text COLLATE "C" NOT NULL,
    target text COLLATE "C" NOT NULL,
    detail jsonb,
    remote text             NOT NULL
);

CREATE INDEX audit_at ON audit (at, id);
CREATE INDEX audit_actor ON audit (actor, at, id);
CREATE INDEX audit_target ON audit (target, at, id);

-- The audit log is append-only: no statement may change or remove an entry.
-- (This guards against the application's own mistakes; the table's owner
-- can still drop the triggers.) GENERATED ALWAYS refuses a chosen id, the
-- primary key a repeated one; ON CONFLICT … DO UPDATE fires the UPDATE
-- trigger.
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();

CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();
