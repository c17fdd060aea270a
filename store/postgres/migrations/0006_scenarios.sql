-- 0006_scenarios: saved what-if scenarios (POST /api/v1/scenarios), one row
-- per scenario; doc is the JSON document the API returns (request, zones),
-- text rather than jsonb so that it reads back byte for byte.

CREATE TABLE scenarios (
    id         text COLLATE "C" NOT NULL PRIMARY KEY,
    name       text             NOT NULL,
    by         text             NOT NULL,
    created_at timestamptz      NOT NULL,
    doc        text             NOT NULL
);

CREATE INDEX scenarios_created_at ON scenarios (created_at);
