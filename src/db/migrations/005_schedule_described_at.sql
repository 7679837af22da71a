-- When the schedule was last described (the worker's clock as it asked). An incremental pass skips
-- describing a schedule whose list entry is unchanged only while this is recent enough
-- (TEMPORAL_SYNC_SCHEDULE_REDESCRIBE_SECONDS), so what a list entry does not show is never older than that.
ALTER TABLE {{schema}}.schedule ADD COLUMN described_at timestamptz;
