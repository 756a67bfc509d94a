-- Sage (issue 19): alerts. An ingest scoring at or above its project's threshold posts one
-- alert to the project's webhook through a job with retries — at most one per project per
-- `alert_interval_secs` (`last_alert_at` is claimed atomically) — and every delivery attempt
-- is kept in the alert's row (the delivery log).

ALTER TABLE sage_projects ADD COLUMN last_alert_at BIGINT;

CREATE TABLE sage_alerts (
    id           TEXT PRIMARY KEY NOT NULL,
    project_id   TEXT NOT NULL REFERENCES sage_projects (id) ON DELETE CASCADE,
    ingest_id    TEXT NOT NULL,
    score        BIGINT NOT NULL,
    url          TEXT NOT NULL,   -- the webhook as it was when the alert fired
    payload      TEXT NOT NULL,   -- the JSON posted
    status       TEXT NOT NULL,   -- pending | ready (delivered) | failed
    job_id       TEXT,
    attempts     BIGINT NOT NULL,
    last_status  BIGINT,          -- the webhook's last HTTP status
    last_error   TEXT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX sage_alerts_project ON sage_alerts (project_id, created_at, id);
