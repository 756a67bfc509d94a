//! Every SQL statement of the job store, as constants (never assembled with `format!`).
//!
//! Most statements serve both backends (`$N` placeholders, BIGINT milliseconds, TEXT ids). Where
//! dialects differ there is a `_SQLITE` and a `_PG` text: batches arrive as one JSON array
//! parameter, read with `jsonb_each` on SQLite (parsed once into JSONB, so each `->>` is a
//! direct lookup) and `json_array_elements` on PostgreSQL, so a whole group-committed batch is
//! one statement; PostgreSQL claims add `FOR UPDATE SKIP LOCKED`.

/// Columns of a [`super::rows::JobRow`].
macro_rules! job_cols {
    () => {
        "id, owner, queue, name, payload, priority, status, attempts, max_attempts, progress, \
         result, errors, dedup_key, run_at, created_at, started_at, finished_at, cancel_requested"
    };
}

/// Columns of a [`super::rows::ClaimRow`]: what a worker needs, no more (claims are hot).
macro_rules! claim_cols {
    () => {
        "id, owner, queue, name, payload, priority, attempts, max_attempts, run_at"
    };
}

/// The scope predicate over `$M` (0 all, 1 owner, 2 system) and `$O` (the owner).
macro_rules! scope {
    ($m:literal, $o:literal) => {
        concat!(
            "(",
            $m,
            " = 0 OR (",
            $m,
            " = 1 AND owner = ",
            $o,
            ") OR (",
            $m,
            " = 2 AND owner IS NULL))"
        )
    };
}

pub const ENQUEUE_SQLITE: &str = "INSERT INTO jobs (id, kind, owner, queue, name, payload, priority, status, max_attempts, dedup_key, run_at, created_at)
     SELECT j.value ->> 'id', j.value ->> 'kind', j.value ->> 'owner', j.value ->> 'queue', j.value ->> 'name',
            j.value ->> 'payload', j.value ->> 'priority', 'queued', j.value ->> 'max_attempts',
            j.value ->> 'dedup_key', j.value ->> 'run_at', $2
     FROM jsonb_each($1) AS j WHERE true
     ON CONFLICT DO NOTHING RETURNING id";
pub const ENQUEUE_PG: &str = "INSERT INTO jobs (id, kind, owner, queue, name, payload, priority, status, max_attempts, dedup_key, run_at, created_at)
     SELECT v ->> 'id', v ->> 'kind', v ->> 'owner', v ->> 'queue', v ->> 'name', v ->> 'payload',
            (v ->> 'priority')::int, 'queued', (v ->> 'max_attempts')::int, v ->> 'dedup_key',
            (v ->> 'run_at')::bigint, $2
     FROM json_array_elements($1::json) AS j(v)
     ON CONFLICT DO NOTHING RETURNING id";
pub const DEDUP_LOOKUP: &str = "SELECT id FROM jobs
     WHERE kind = $1 AND COALESCE(owner, '') = $2 AND dedup_key = $3 AND status IN ('queued', 'running')";

pub const SUCCEED_SQLITE: &str = "UPDATE jobs SET status = 'succeeded', result = j.value ->> 'result', progress = 100,
         finished_at = $1, lease_token = NULL, lease_until = NULL
     FROM jsonb_each($2) AS j
     WHERE jobs.id = j.value ->> 'id' AND jobs.lease_token = j.value ->> 'token' AND jobs.status = 'running'
     RETURNING jobs.id";
pub const SUCCEED_PG: &str =
    "UPDATE jobs SET status = 'succeeded', result = v ->> 'result', progress = 100,
         finished_at = $1, lease_token = NULL, lease_until = NULL
     FROM json_array_elements($2::json) AS j(v)
     WHERE jobs.id = v ->> 'id' AND jobs.lease_token = v ->> 'token' AND jobs.status = 'running'
     RETURNING jobs.id";
pub const EVENTS_SQLITE: &str = "INSERT INTO job_events (job_id, kind, data, at)
     SELECT j.value ->> 'id', j.value ->> 'kind', j.value ->> 'data', $2 FROM jsonb_each($1) AS j";
pub const EVENTS_PG: &str = "INSERT INTO job_events (job_id, kind, data, at)
     SELECT v ->> 'id', v ->> 'kind', v ->> 'data', $2 FROM json_array_elements($1::json) AS j(v)";

pub const LIMIT_OF: &str = "SELECT max_running FROM job_queue_limits WHERE queue = $1";
pub const LIMIT_OF_PG: &str =
    "SELECT max_running FROM job_queue_limits WHERE queue = $1 FOR UPDATE";
pub const RUNNING_IN: &str =
    "SELECT COUNT(*) FROM jobs WHERE status = 'running' AND kind = 'job' AND queue = $1";
pub const SET_LIMIT: &str = "INSERT INTO job_queue_limits (queue, max_running) VALUES ($1, $2)
     ON CONFLICT (queue) DO UPDATE SET max_running = excluded.max_running";
pub const DELETE_LIMIT: &str = "DELETE FROM job_queue_limits WHERE queue = $1";

/// `$1` token, `$2` lease until, `$3` now, `$4` queue, `$5` max.
pub const CLAIM_SQLITE: &str = concat!(
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_token = $1, lease_until = $2,
         started_at = $3, cancel_requested = 0
     WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND kind = 'job' AND queue = $4 AND run_at <= $3
                  ORDER BY priority DESC, run_at LIMIT $5)
     RETURNING ",
    claim_cols!()
);
pub const CLAIM_PG: &str = concat!(
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_token = $1, lease_until = $2,
         started_at = $3, cancel_requested = 0
     WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND kind = 'job' AND queue = $4 AND run_at <= $3
                  ORDER BY priority DESC, run_at LIMIT $5 FOR UPDATE SKIP LOCKED)
     RETURNING ",
    claim_cols!()
);
/// One job by id (the NATS backend's claim): `$1` token, `$2` until, `$3` now, `$4` id,
/// `$5` queue (the subject it came from).
pub const CLAIM_ONE: &str = concat!(
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_token = $1, lease_until = $2,
         started_at = $3, cancel_requested = 0
     WHERE id = $4 AND queue = $5 AND kind = 'job' AND status = 'queued' AND run_at <= $3
     RETURNING ",
    claim_cols!()
);
/// `$1` token, `$2` until, `$3` now, `$4` owner, `$5` queue, `$6` max.
pub const LEASE_MESSAGES_SQLITE: &str = concat!(
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_token = $1, lease_until = $2, started_at = $3
     WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND kind = 'message' AND owner = $4 AND queue = $5
                  AND run_at <= $3 ORDER BY run_at LIMIT $6)
     RETURNING ",
    claim_cols!()
);
pub const LEASE_MESSAGES_PG: &str = concat!(
    "UPDATE jobs SET status = 'running', attempts = attempts + 1, lease_token = $1, lease_until = $2, started_at = $3
     WHERE id IN (SELECT id FROM jobs WHERE status = 'queued' AND kind = 'message' AND owner = $4 AND queue = $5
                  AND run_at <= $3 ORDER BY run_at LIMIT $6 FOR UPDATE SKIP LOCKED)
     RETURNING ",
    claim_cols!()
);

pub const HEARTBEAT: &str = "UPDATE jobs SET lease_until = $3
     WHERE id = $1 AND lease_token = $2 AND status = 'running' RETURNING cancel_requested";
/// Progress (`$3`, or NULL to only check the lease before a log line).
pub const PROGRESS: &str = "UPDATE jobs SET progress = COALESCE($3, progress)
     WHERE id = $1 AND lease_token = $2 AND status = 'running'";
/// Gives a claimed job back without counting the attempt: `$1` id, `$2` token, `$3` due at.
pub const RELEASE: &str = "UPDATE jobs SET status = 'queued', attempts = attempts - 1, run_at = $3,
         lease_token = NULL, lease_until = NULL
     WHERE id = $1 AND lease_token = $2 AND status = 'running'";
pub const HOLDS: &str = "SELECT attempts, max_attempts, errors, kind FROM jobs WHERE id = $1 AND lease_token = $2 AND status = 'running'";
pub const HOLDS_PG: &str = "SELECT attempts, max_attempts, errors, kind FROM jobs
     WHERE id = $1 AND lease_token = $2 AND status = 'running' FOR UPDATE";
pub const INSERT_EVENT: &str =
    "INSERT INTO job_events (job_id, kind, data, at) VALUES ($1, $2, $3, $4)";
/// `$1` id, `$2` token, `$3` status, `$4` run_at, `$5` finished_at, `$6` errors, `$7` attempts delta.
pub const END_ATTEMPT: &str =
    "UPDATE jobs SET status = $3, run_at = $4, finished_at = $5, errors = $6,
         attempts = attempts + $7, lease_token = NULL, lease_until = NULL
     WHERE id = $1 AND lease_token = $2 AND status = 'running'";

pub const STATUS_IN_SCOPE: &str = concat!(
    "SELECT status, dedup_key, owner FROM jobs WHERE id = $1 AND kind = 'job' AND ",
    scope!("$2", "$3")
);
pub const STATUS_IN_SCOPE_PG: &str = concat!(
    "SELECT status, dedup_key, owner FROM jobs WHERE id = $1 AND kind = 'job' AND ",
    scope!("$2", "$3"),
    " FOR UPDATE"
);
pub const CANCEL_QUEUED: &str = "UPDATE jobs SET status = 'cancelled', finished_at = $2
     WHERE id = $1 AND status = 'queued'";
pub const REQUEST_CANCEL: &str =
    "UPDATE jobs SET cancel_requested = 1 WHERE id = $1 AND status = 'running'";
pub const REQUEUE: &str =
    "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $2, finished_at = NULL,
         result = NULL, progress = 0, cancel_requested = 0
     WHERE id = $1 AND status IN ('failed', 'dead', 'cancelled')";

pub const EXPIRED: &str =
    "SELECT id, lease_token FROM jobs WHERE status = 'running' AND lease_until < $1 LIMIT 500";
pub const EXPIRED_PG: &str =
    "SELECT id, lease_token FROM jobs WHERE status = 'running' AND lease_until < $1
     LIMIT 500 FOR UPDATE SKIP LOCKED";
pub const PRUNE: &str = "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs
     WHERE finished_at < $1 AND status IN ('succeeded', 'failed', 'dead', 'cancelled') LIMIT 1000)";

pub const ACK_SQLITE: &str = "DELETE FROM jobs WHERE id IN (SELECT value FROM json_each($1))
     AND kind = 'message' AND owner = $2 AND queue = $3 AND status = 'running'";
pub const ACK_PG: &str = "DELETE FROM jobs WHERE id IN (SELECT json_array_elements_text($1::json))
     AND kind = 'message' AND owner = $2 AND queue = $3 AND status = 'running'";
/// `$1` ids, `$2` owner, `$3` queue, `$4` visible again at, `$5` now.
pub const NACK_SQLITE: &str = "UPDATE jobs SET
         status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
         finished_at = CASE WHEN attempts >= max_attempts THEN $5 ELSE NULL END,
         run_at = $4, lease_token = NULL, lease_until = NULL
     WHERE id IN (SELECT value FROM json_each($1))
     AND kind = 'message' AND owner = $2 AND queue = $3 AND status = 'running'";
pub const NACK_PG: &str = "UPDATE jobs SET
         status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END,
         finished_at = CASE WHEN attempts >= max_attempts THEN $5 ELSE NULL END,
         run_at = $4, lease_token = NULL, lease_until = NULL
     WHERE id IN (SELECT json_array_elements_text($1::json))
     AND kind = 'message' AND owner = $2 AND queue = $3 AND status = 'running'";

pub const GET: &str = concat!(
    "SELECT ",
    job_cols!(),
    " FROM jobs WHERE id = $1 AND kind = 'job' AND ",
    scope!("$2", "$3")
);
pub const LIST: &str = concat!(
    "SELECT ",
    job_cols!(),
    " FROM jobs WHERE kind = 'job' AND ",
    scope!("$1", "$2"),
    " AND ($3 IS NULL OR status = $3) AND ($4 IS NULL OR queue = $4) AND ($5 IS NULL OR name = $5)
      AND ($6 IS NULL OR id < $6) ORDER BY id DESC LIMIT $7"
);
pub const EVENTS_AFTER: &str = "SELECT id, kind, data, at FROM job_events
     WHERE job_id = $1 AND id > $2 ORDER BY id LIMIT $3";
/// `$1` now, `$2` kind, `$3` owner (messages only).
pub const DEPTHS: &str = "SELECT queue,
         SUM(CASE WHEN status = 'queued' AND run_at <= $1 THEN 1 ELSE 0 END) AS ready,
         SUM(CASE WHEN status = 'queued' AND run_at > $1 THEN 1 ELSE 0 END) AS delayed,
         SUM(CASE WHEN status = 'running' THEN 1 ELSE 0 END) AS running,
         SUM(CASE WHEN status = 'dead' THEN 1 ELSE 0 END) AS dead
     FROM jobs WHERE kind = $2 AND ($3 IS NULL OR owner = $3) AND status IN ('queued', 'running', 'dead')
     GROUP BY queue ORDER BY queue";
/// Queued jobs due for a while but still unclaimed: the NATS backend dispatches them again (a
/// publish lost after the SQL commit, or a stream that lost unsynced data). `$1` due before.
pub const STALE_QUEUED: &str = "SELECT id, queue, priority FROM jobs
     WHERE kind = 'job' AND status = 'queued' AND run_at < $1 ORDER BY run_at LIMIT 1000";
