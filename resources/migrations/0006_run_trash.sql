-- Deleting a run from the Results panel moves it to the trash: one row changes however many
-- items the run has, and undo moves it back. Trashed runs are invisible to every query and are
-- purged (items and verdicts with them) when the deletion can no longer be undone.
ALTER TABLE runs ADD COLUMN trashed INTEGER NOT NULL DEFAULT 0 CHECK (trashed IN (0, 1));
