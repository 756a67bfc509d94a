-- Identity: users, refresh tokens, API keys; the audit log; monthly usage.
-- Times are Unix milliseconds (UTC) in both backends, so the Rust side is identical.

CREATE TABLE users (
    id                  TEXT PRIMARY KEY NOT NULL,
    email               TEXT NOT NULL UNIQUE,
    password_hash       TEXT,              -- NULL for users who only sign in through OIDC
    role                TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'admin')),
    oidc_subject        TEXT UNIQUE,       -- '<issuer>|<sub>'
    monthly_token_quota BIGINT,            -- NULL: the configured default
    created_at          BIGINT NOT NULL
);

CREATE TABLE refresh_tokens (
    id         TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id  TEXT NOT NULL,              -- one login session; reuse of a rotated token revokes it
    token_hash TEXT NOT NULL UNIQUE,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT,                     -- set when rotated
    revoked_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    prefix       TEXT NOT NULL UNIQUE,
    key_hash     TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX api_keys_user ON api_keys (user_id, created_at);

CREATE TABLE audit_events (
    id         BIGSERIAL PRIMARY KEY,
    actor_id   TEXT,                       -- NULL when nobody authenticated (a failed login)
    action     TEXT NOT NULL,
    target     TEXT,
    outcome    TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    request_id TEXT,
    ip         TEXT,
    metadata   TEXT NOT NULL DEFAULT '{}',
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events (actor_id, id);
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$;
CREATE TRIGGER audit_events_no_change BEFORE UPDATE OR DELETE ON audit_events
FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

CREATE TABLE usage_monthly (
    user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    month       TEXT NOT NULL,             -- 'YYYY-MM', UTC
    model       TEXT NOT NULL,
    app         TEXT NOT NULL,
    requests    BIGINT NOT NULL DEFAULT 0,
    tokens_in   BIGINT NOT NULL DEFAULT 0,
    tokens_out  BIGINT NOT NULL DEFAULT 0,
    cost_micros BIGINT NOT NULL DEFAULT 0, -- USD millionths
    PRIMARY KEY (user_id, month, model, app)
);
