-- Jobs and user-queue messages (cistern-jobs), their event logs and per-queue concurrency limits.
-- Times are Unix milliseconds. JSON columns (payload, result, errors, data) are JSON text.

CREATE TABLE jobs (
    id               TEXT PRIMARY KEY NOT NULL,      -- UUIDv7: sorts by creation time
    kind             TEXT NOT NULL CHECK (kind IN ('job', 'message')),
    owner            TEXT,                           -- user id; NULL for system jobs
    queue            TEXT NOT NULL,
    name             TEXT NOT NULL,                  -- handler kind ('message' for messages)
    payload          TEXT NOT NULL,
    priority         INTEGER NOT NULL DEFAULT 0,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'running', 'succeeded', 'failed', 'dead', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    max_attempts     INTEGER NOT NULL,
    dedup_key        TEXT,
    run_at           BIGINT NOT NULL,                -- due time; the retry time after a failure
    created_at       BIGINT NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    lease_token      TEXT,                           -- set while running; every worker write checks it
    lease_until      BIGINT,
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    progress         INTEGER NOT NULL DEFAULT 0,
    result           TEXT,
    errors           TEXT NOT NULL DEFAULT '[]'      -- [{attempt, error, at}]
);
-- Claims: due jobs of a queue by priority, then age.
CREATE INDEX jobs_claim ON jobs (queue, priority DESC, run_at) WHERE status = 'queued' AND kind = 'job';
CREATE INDEX jobs_messages ON jobs (owner, queue, run_at) WHERE status = 'queued' AND kind = 'message';
-- Running jobs: per-queue concurrency counts and the expired-lease reaper.
CREATE INDEX jobs_running ON jobs (queue, lease_until) WHERE status = 'running';
CREATE INDEX jobs_owner ON jobs (owner, id);
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE finished_at IS NOT NULL;
-- A dedup key is unique among an owner's live jobs.
CREATE UNIQUE INDEX jobs_dedup ON jobs (kind, COALESCE(owner, ''), dedup_key)
    WHERE dedup_key IS NOT NULL AND status IN ('queued', 'running');

CREATE TABLE job_events (
    id     BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- increases: the SSE Last-Event-ID
    job_id TEXT NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    kind   TEXT NOT NULL,
    data   TEXT NOT NULL,
    at     BIGINT NOT NULL
);
CREATE INDEX job_events_job ON job_events (job_id, id);

CREATE TABLE job_queue_limits (
    queue       TEXT PRIMARY KEY NOT NULL,
    max_running INTEGER NOT NULL
);
