-- Sage (issue 19): log projects, their ingests with the risk each scored (the risk history),
-- and what a project has learned (templates seen, its baseline). Raw logs live gzipped in the
-- blob store under `sage/{project_id}/{date}/{ingest_id}.log.gz`. Times are Unix milliseconds;
-- ids are text (UUIDv7); a project goes with its owner, ingests and templates with the project.

CREATE TABLE sage_projects (
    id                  TEXT PRIMARY KEY NOT NULL,
    owner               TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    description         TEXT NOT NULL,
    alert_threshold     BIGINT,         -- 0–100; null: no alerts
    alert_webhook       TEXT,            -- where an alert is posted (Slack-compatible JSON)
    alert_interval_secs BIGINT NOT NULL, -- at most one alert per interval
    baseline            TEXT,            -- JSON: cistern_logs::Baseline, once an ingest is scored
    ingests             BIGINT NOT NULL, -- scored ingests
    last_score          BIGINT, 
    last_ingest_at      BIGINT,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE INDEX sage_projects_owner ON sage_projects (owner, created_at, id);

-- One row per ingest; a scored one is a point of the risk history.
CREATE TABLE sage_ingests (
    id           TEXT PRIMARY KEY NOT NULL,
    project_id   TEXT NOT NULL REFERENCES sage_projects (id) ON DELETE CASCADE,
    status       TEXT NOT NULL,   -- pending | ready (scored) | failed
    source       TEXT NOT NULL,   -- paste | text | ndjson | file
    blob         TEXT NOT NULL,   -- the gzipped raw logs
    raw_bytes    BIGINT NOT NULL, -- as received
    bytes        BIGINT NOT NULL, -- decoded
    lines        BIGINT NOT NULL,
    job_id       TEXT,            -- large ingests are scored by a job
    score        BIGINT,         -- 0–100
    labels       TEXT,            -- JSON array of label names
    factors      TEXT,            -- JSON: the factors behind the score
    counts       TEXT,            -- JSON: records, errors, warnings, templates, new templates
    window_start BIGINT,         -- first and last timestamp read in the logs, if any
    window_end   BIGINT,
    error        TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX sage_ingests_project ON sage_ingests (project_id, created_at, id);

-- Every template a project's logs have shown, with counts over all its ingests.
CREATE TABLE sage_templates (
    project_id   TEXT NOT NULL REFERENCES sage_projects (id) ON DELETE CASCADE,
    hash         TEXT NOT NULL,   -- hex SHA-256 of the template text
    template     TEXT NOT NULL,
    records      BIGINT NOT NULL,
    errors       BIGINT NOT NULL,
    warnings     BIGINT NOT NULL,
    example      TEXT NOT NULL,   -- the first line it matched
    first_seen   BIGINT NOT NULL,
    last_seen    BIGINT NOT NULL,
    first_ingest TEXT NOT NULL,
    PRIMARY KEY (project_id, hash)
);
CREATE INDEX sage_templates_seen ON sage_templates (project_id, first_seen);
