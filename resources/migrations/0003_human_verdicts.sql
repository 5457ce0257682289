-- Verdicts a person gives by hand (issue 5), kept beside the graders' results so the two can be
-- compared per criterion. criterion '' is a verdict on the whole item; verdict NULL is a note only.
CREATE TABLE human_verdicts (
    run_id              INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    datasource_item_id  INTEGER NOT NULL CHECK (datasource_item_id >= 0),
    criterion           TEXT    NOT NULL DEFAULT '',
    verdict             TEXT    CHECK (verdict IS NULL OR verdict IN ('pass', 'fail')),
    note                TEXT    NOT NULL DEFAULT '',
    updated_at          TEXT    NOT NULL,
    PRIMARY KEY (run_id, datasource_item_id, criterion)
);
