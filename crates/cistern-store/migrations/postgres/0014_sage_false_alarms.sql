-- Sage (issue 19): labels the project's users marked as false alarms, per forecast feedback.
-- A label marked wrong for the same template on three forecasts is muted for the project (its
-- factor no longer counts in the score); deleting the marks unmutes it.

CREATE TABLE sage_false_alarms (
    project_id    TEXT NOT NULL REFERENCES sage_projects (id) ON DELETE CASCADE,
    forecast_id   TEXT NOT NULL REFERENCES sage_forecasts (id) ON DELETE CASCADE,
    label         TEXT NOT NULL,
    template_hash TEXT NOT NULL,  -- hex SHA-256 of the template ('' hashed: the label itself)
    template      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (forecast_id, label, template_hash)
);
CREATE INDEX sage_false_alarms_project ON sage_false_alarms (project_id, label, template_hash);
