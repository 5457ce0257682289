-- Side-by-side prompt comparisons (issue 6): the definition (variants, shared prompt, inputs,
-- repeats, graders) as one JSON document, and every cell's runs (outputs, metrics, grades) and
-- the person's rating. No API key is ever part of either.
CREATE TABLE comparisons (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT    NOT NULL DEFAULT '',
    definition     TEXT    NOT NULL,
    variant_count  INTEGER NOT NULL CHECK (variant_count BETWEEN 2 AND 8),
    row_count      INTEGER NOT NULL CHECK (row_count >= 0),
    created_at     TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    -- Bumped on every save: "most recently saved first" even within one millisecond.
    save_serial    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE comparison_cells (
    comparison_id  INTEGER NOT NULL REFERENCES comparisons (id) ON DELETE CASCADE,
    row_index      INTEGER NOT NULL CHECK (row_index >= 0),
    variant_index  INTEGER NOT NULL CHECK (variant_index >= 0),
    rating         TEXT    NOT NULL DEFAULT '' CHECK (rating IN ('', 'better', 'worse', 'tie')),
    runs           TEXT    NOT NULL,
    PRIMARY KEY (comparison_id, row_index, variant_index)
);

CREATE INDEX comparisons_by_save ON comparisons (save_serial DESC);
