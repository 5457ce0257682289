-- What was sent and received for an item's sampling call (issue 5, the drill-down). Only the
-- request's method, url and body are kept, never a header, so an API key cannot end up here.
-- NULL for imported items, items that errored before sampling and items of older runs. Kept out
-- of the item readers that list whole runs: they can be large.
ALTER TABLE output_items ADD COLUMN raw_request TEXT CHECK (raw_request IS NULL OR json_valid(raw_request));
ALTER TABLE output_items ADD COLUMN raw_response TEXT CHECK (raw_response IS NULL OR json_valid(raw_response));
