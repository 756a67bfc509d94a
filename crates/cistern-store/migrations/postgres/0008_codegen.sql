-- Code generator (issue 16): generations and the per-user result cache. Files and ZIPs live in
-- the blob store under `codegen/{generation_id}/`; `result` holds what the API answers about a
-- finished generation (framework, files with their syntax status, warnings, usage, timings).
-- Times are Unix milliseconds; ids are text (UUIDv7); everything goes with its owner.

CREATE TABLE codegen_generations (
    id         TEXT PRIMARY KEY NOT NULL,
    owner      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    prompt     TEXT NOT NULL,
    request    TEXT NOT NULL,   -- JSON: what was asked (framework, language, model, cache)
    status     TEXT NOT NULL,   -- pending | ready | failed
    job_id     TEXT NOT NULL,
    result     TEXT,            -- JSON, once ready
    error      TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX codegen_generations_owner ON codegen_generations (owner, created_at, id);

-- A ready generation answers the same normalised request again until `expires_at`. Per owner:
-- one user's cached answer is never another's. Deleting the generation removes its entry.
CREATE TABLE codegen_cache (
    owner         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,  -- hex SHA-256 of the normalised request
    generation_id TEXT NOT NULL REFERENCES codegen_generations (id) ON DELETE CASCADE,
    expires_at    BIGINT NOT NULL,
    PRIMARY KEY (owner, key)
);
CREATE INDEX codegen_cache_generation ON codegen_cache (generation_id);
