-- The LLM call log (cistern-llm's accounting): one row per gateway call, written in batches.
-- Times are Unix milliseconds; booleans are BOOLEAN (0/1 in SQLite, which sqlx maps to bool on
-- both backends); cost is in millionths of a US dollar. Bodies are NULL unless config keeps them.

CREATE TABLE llm_calls (
    id               TEXT PRIMARY KEY NOT NULL,      -- UUIDv7 from the caller
    user_id          TEXT REFERENCES users (id) ON DELETE CASCADE,
    api_key_id       TEXT,                           -- no FK: a deleted key keeps its history
    app              TEXT NOT NULL,                  -- 'api', 'chat', 'extensions', …
    model            TEXT NOT NULL,                  -- as requested
    provider         TEXT,
    deployment       TEXT,
    upstream_model   TEXT,
    status           TEXT NOT NULL CHECK (status IN ('ok', 'error')),
    error_kind       TEXT,
    error_message    TEXT,
    stream           BOOLEAN NOT NULL,
    cache_hit        BOOLEAN NOT NULL,
    attempts         BIGINT NOT NULL,
    fallbacks        BIGINT NOT NULL,
    tokens_in        BIGINT NOT NULL,
    tokens_out       BIGINT NOT NULL,
    tokens_estimated BOOLEAN NOT NULL,
    cost_micros      BIGINT NOT NULL,
    first_token_ms   BIGINT,
    total_ms         BIGINT NOT NULL,
    request_body     TEXT,
    response_body    TEXT,
    created_at       BIGINT NOT NULL
);
-- An owner's calls newest first; (created_at, id) is the page cursor. Rather than one index per
-- filter (each a cost on the write path), status, model and app ride along in this one, so a
-- filtered scan checks them without visiting the table rows it skips.
CREATE INDEX llm_calls_owner ON llm_calls (user_id, created_at, id, status, model, app);
-- Retention.
CREATE INDEX llm_calls_created ON llm_calls (created_at);
