-- Sage (issue 19): a project's daily forecast — generated once per project per day (a row
-- claimed `pending` first, so concurrent readers wait for one generation instead of each
-- calling the model) — and the user's feedback on it, given to the next forecast. The
-- forecast is also kept in the blob store, `sage/{project_id}/forecasts/{day}.json`.

CREATE TABLE sage_forecasts (
    id         TEXT PRIMARY KEY NOT NULL,
    project_id TEXT NOT NULL REFERENCES sage_projects (id) ON DELETE CASCADE,
    day        TEXT NOT NULL,   -- YYYY-MM-DD (UTC)
    status     TEXT NOT NULL,   -- pending | ready | failed
    forecast   TEXT,            -- JSON: outlook, text, actions, source, model
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (project_id, day)
);

CREATE TABLE sage_feedback (
    forecast_id TEXT PRIMARY KEY NOT NULL REFERENCES sage_forecasts (id) ON DELETE CASCADE,
    project_id  TEXT NOT NULL REFERENCES sage_projects (id) ON DELETE CASCADE,
    accurate    BOOLEAN NOT NULL,
    comment     TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX sage_feedback_project ON sage_feedback (project_id, created_at);
