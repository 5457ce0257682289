-- Evals, runs and their output items (issue 4). Definitions and items are JSON text as the Evals
-- API shapes them, so an export is a read, not a translation.

-- Every saved change of an eval is a new row; eval_key groups the versions of one eval (the id
-- of its first version).
CREATE TABLE evals (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    eval_key         INTEGER NOT NULL,
    version          INTEGER NOT NULL CHECK (version >= 1),
    name             TEXT    NOT NULL,
    definition       TEXT    NOT NULL CHECK (json_valid(definition)),
    definition_hash  TEXT    NOT NULL,
    openai_id        TEXT,
    created_at       TEXT    NOT NULL,
    UNIQUE (eval_key, version)
);

CREATE INDEX evals_by_key ON evals (eval_key, version);
CREATE INDEX evals_by_name ON evals (name);
CREATE INDEX evals_by_openai_id ON evals (openai_id) WHERE openai_id IS NOT NULL;

CREATE TABLE runs (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    eval_id       INTEGER NOT NULL REFERENCES evals (id) ON DELETE CASCADE,
    name          TEXT    NOT NULL DEFAULT '',
    model         TEXT    NOT NULL DEFAULT '',
    api           TEXT    NOT NULL DEFAULT 'responses',
    status        TEXT    NOT NULL
                  CHECK (status IN ('queued', 'in_progress', 'completed', 'canceled', 'failed')),
    source        TEXT    NOT NULL DEFAULT 'local' CHECK (source IN ('local', 'imported')),
    openai_id     TEXT,
    run_spec      TEXT    NOT NULL CHECK (json_valid(run_spec)),
    summary       TEXT    CHECK (summary IS NULL OR json_valid(summary)),
    dataset_path  TEXT    NOT NULL DEFAULT '',
    dataset_hash  TEXT    NOT NULL DEFAULT '',
    total_items   INTEGER NOT NULL DEFAULT 0 CHECK (total_items >= 0),
    created_at    TEXT    NOT NULL,
    finished_at   TEXT
);

CREATE INDEX runs_by_eval ON runs (eval_id);
CREATE INDEX runs_by_status ON runs (status);
CREATE INDEX runs_by_openai_id ON runs (openai_id) WHERE openai_id IS NOT NULL;

CREATE TABLE output_items (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id              INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    datasource_item_id  INTEGER NOT NULL CHECK (datasource_item_id >= 0),
    status              TEXT    NOT NULL CHECK (status IN ('pass', 'fail', 'error')),
    datasource_item     TEXT    NOT NULL CHECK (json_valid(datasource_item)),
    sample              TEXT    NOT NULL CHECK (json_valid(sample)),
    results             TEXT    NOT NULL CHECK (json_valid(results)),
    error               TEXT    NOT NULL DEFAULT '',
    latency_ms          INTEGER NOT NULL DEFAULT -1,
    cache_hit           INTEGER NOT NULL DEFAULT 0 CHECK (cache_hit IN (0, 1)),
    openai_id           TEXT,
    created_at          TEXT    NOT NULL,
    UNIQUE (run_id, datasource_item_id)
);

CREATE INDEX output_items_by_run_status ON output_items (run_id, status);

-- Model answers keyed by the SHA-256 of the exact request body (opt-in per run).
CREATE TABLE response_cache (
    key         BLOB PRIMARY KEY,
    response    TEXT NOT NULL CHECK (json_valid(response)),
    created_at  TEXT NOT NULL
);
