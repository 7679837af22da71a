-- When the source was read for the view a workflow row holds (the worker's clock as it sent the
-- list request). Two overlapping passes can write their views of a running run in either order;
-- the one read later wins, whenever it is written. NULL for rows written before this migration.
ALTER TABLE {{schema}}.workflow ADD COLUMN read_at timestamptz;
