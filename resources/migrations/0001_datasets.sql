-- Eval datasets registered in the workspace (issue 3). A run will later reference a dataset by id
-- and record the content_hash it used, so the exact data of a past run stays identifiable.
CREATE TABLE datasets (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    name          TEXT    NOT NULL,
    path          TEXT    NOT NULL UNIQUE,
    format        TEXT    NOT NULL CHECK (format IN ('jsonl', 'csv', 'json')),
    row_count     INTEGER NOT NULL DEFAULT 0 CHECK (row_count >= 0),
    item_schema   TEXT    CHECK (item_schema IS NULL OR json_valid(item_schema)),
    content_hash  TEXT,
    created_at    TEXT    NOT NULL,
    updated_at    TEXT    NOT NULL
);

CREATE INDEX datasets_by_name ON datasets (name COLLATE NOCASE);
