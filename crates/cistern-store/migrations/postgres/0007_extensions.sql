-- Chrome extension builder (issue 7): extensions and their versions. Files and ZIPs live in the
-- blob store under `extensions/{extension_id}/{seq}/`; these rows hold what lists and pages show.
-- Times are Unix milliseconds; ids are text (UUIDv7); everything goes with its owner.

CREATE TABLE extensions (
    id         TEXT PRIMARY KEY NOT NULL,
    owner      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    model      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX extensions_owner ON extensions (owner, updated_at, id);

-- One row per generation attempt (`seq` 1, 2, … per extension). `version` is set when the job
-- has decided it (the blueprint's change kind bumps the highest version so far); the unique
-- index keeps versions of one extension distinct, so they only grow.
CREATE TABLE extension_versions (
    extension_id   TEXT NOT NULL REFERENCES extensions (id) ON DELETE CASCADE,
    seq            BIGINT NOT NULL,
    version        TEXT,
    base_version   TEXT,
    prompt         TEXT NOT NULL,
    status         TEXT NOT NULL,   -- pending | ready | failed
    job_id         TEXT NOT NULL,
    blueprint      TEXT,            -- JSON
    report         TEXT,            -- JSON validation report, browser check included
    files          TEXT,            -- JSON [{path, size}]
    error          TEXT,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    PRIMARY KEY (extension_id, seq)
);
CREATE UNIQUE INDEX extension_versions_version ON extension_versions (extension_id, version)
    WHERE version IS NOT NULL;
