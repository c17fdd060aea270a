-- 0006_scenarios: saved what-if scenarios (POST /api/v1/scenarios), one row
-- per scenario; doc is the JSON document the API returns (request, zones).

CREATE TABLE scenarios (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    by         TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    doc        TEXT    NOT NULL
) STRICT;

CREATE INDEX scenarios_created_at ON scenarios (created_at);
