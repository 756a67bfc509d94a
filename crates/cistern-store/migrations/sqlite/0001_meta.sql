-- Installation-wide key/value settings (installation id, signing keys, ...).
CREATE TABLE meta (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL  -- Unix milliseconds
);
