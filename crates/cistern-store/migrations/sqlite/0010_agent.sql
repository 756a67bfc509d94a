-- Coding agent (issue 17): workspaces with a working tree and immutable snapshots, and the
-- agent's tasks. File contents live in the blob store content-addressed under
-- `agent/{workspace_id}/blobs/{sha256}`: these rows name them by hash, so a file unchanged
-- across a hundred snapshots is one blob. Times are Unix milliseconds; ids are text (UUIDv7).

CREATE TABLE agent_workspaces (
    id         TEXT PRIMARY KEY NOT NULL,
    owner      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX agent_workspaces_owner ON agent_workspaces (owner, created_at, id);

-- The working tree: what `PUT …/files/{path}` writes and a task reads.
CREATE TABLE agent_files (
    workspace_id TEXT NOT NULL REFERENCES agent_workspaces (id) ON DELETE CASCADE,
    path         TEXT NOT NULL,
    hash         TEXT NOT NULL,   -- hex SHA-256 of the content
    size         BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, path)
);

-- Immutable: a snapshot's files are a copy of the tree's rows when it was taken.
CREATE TABLE agent_snapshots (
    id           TEXT PRIMARY KEY NOT NULL,
    workspace_id TEXT NOT NULL REFERENCES agent_workspaces (id) ON DELETE CASCADE,
    message      TEXT NOT NULL,
    files        BIGINT NOT NULL,
    bytes        BIGINT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX agent_snapshots_workspace ON agent_snapshots (workspace_id, created_at, id);

CREATE TABLE agent_snapshot_files (
    snapshot_id TEXT NOT NULL REFERENCES agent_snapshots (id) ON DELETE CASCADE,
    path        TEXT NOT NULL,
    hash        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    PRIMARY KEY (snapshot_id, path)
);

-- A task: queued → processing → done | failed. `base` is what the agent read (the latest
-- snapshot and each file's hash), `result` its proposal (files, patches, hunks, explanation),
-- `review` the user's decision per hunk once they accept or reject.
CREATE TABLE agent_tasks (
    id           TEXT PRIMARY KEY NOT NULL,
    owner        TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL REFERENCES agent_workspaces (id) ON DELETE CASCADE,
    mode         TEXT NOT NULL,   -- patch | explain | generate_test | lint_fix
    prompt       TEXT NOT NULL,
    request      TEXT NOT NULL,   -- JSON: files, cursor, selection, model
    status       TEXT NOT NULL,   -- queued | processing | done | failed
    job_id       TEXT NOT NULL,
    base         TEXT,            -- JSON
    result       TEXT,            -- JSON
    metrics      TEXT,            -- JSON
    error        TEXT,
    review       TEXT,            -- JSON
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX agent_tasks_owner ON agent_tasks (owner, created_at, id);
CREATE INDEX agent_tasks_workspace ON agent_tasks (workspace_id, created_at, id);
