-- Schedules' on-time rate over the fire log of migration 007: schedule_fire (one row per fire that
-- started a run) and schedule_event (counts of fires that never started, from the counter changes
-- between two describes; Temporal gives no per-fire times for those).
--
-- On time: started at most 60 seconds after its scheduled time. Temporal reports the scheduled time
-- with the spec's jitter already added, and a healthy scheduler starts a due action within about a
-- second; 60 s absorbs a busy server or a restart of a few seconds, while a start a minute late
-- means the scheduler was behind and is worth seeing. Late: started later than that. A fire whose
-- scheduled time is unknown (NULL) counts as on time with a NULL delay. Fires marked deleted (their run passed the namespace's
-- retention) still count: keeping that history is what the fire log is for.
CREATE VIEW {{schema}}.schedule_fire_timeliness AS
SELECT namespace, schedule_id, scheduled_time, actual_start_time, workflow_id, run_id, workflow_type, start_status,
       extract(epoch FROM actual_start_time - scheduled_time)::double precision AS start_delay_seconds,
       CASE
         WHEN scheduled_time IS NULL OR actual_start_time - scheduled_time <= interval '60 seconds' THEN 'on_time'
         ELSE 'late'
       END AS timeliness
FROM {{schema}}.schedule_fire;

-- Per UTC day (of the scheduled time; of the actual start when that is unknown) × namespace × schedule.
-- missed: fires that never started because they missed the catch-up window or the buffer was full
-- (schedule_event kinds missed_catchup_window + buffer_dropped); skipped: fires the overlap policy
-- skipped (skipped_overlap), kept apart because the policy chose them. An event's count is
-- attributed to the UTC day of its window_end. due = on_time + late + missed (skips are not due);
-- on_time_rate = on_time / due.
-- A UNION ALL grouped once more (not a full join), so a filter on bucket or namespace reaches both
-- tables' indexes.
CREATE VIEW {{schema}}.schedule_on_time_daily AS
SELECT bucket, namespace, schedule_id,
       (sum(on_time) + sum(late) + sum(missed))::integer AS due,
       sum(on_time)::integer AS on_time, sum(late)::integer AS late, sum(missed)::integer AS missed,
       sum(skipped)::integer AS skipped,
       sum(on_time)::double precision / NULLIF(sum(on_time) + sum(late) + sum(missed), 0) AS on_time_rate,
       max(p95_start_delay_seconds) AS p95_start_delay_seconds, max(max_start_delay_seconds) AS max_start_delay_seconds
FROM (
  SELECT date_bin('1 day', coalesce(scheduled_time, actual_start_time), TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
         namespace, schedule_id,
         count(*) FILTER (WHERE timeliness = 'on_time') AS on_time,
         count(*) FILTER (WHERE timeliness = 'late') AS late,
         0::numeric AS missed, 0::numeric AS skipped,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY start_delay_seconds) AS p95_start_delay_seconds,
         max(start_delay_seconds) AS max_start_delay_seconds
  FROM {{schema}}.schedule_fire_timeliness
  GROUP BY 1, 2, 3
  UNION ALL
  SELECT date_bin('1 day', window_end, TIMESTAMPTZ '2000-01-01 00:00:00+00'),
         namespace, schedule_id, 0, 0,
         coalesce(sum(count) FILTER (WHERE kind IN ('missed_catchup_window', 'buffer_dropped')), 0),
         coalesce(sum(count) FILTER (WHERE kind = 'skipped_overlap'), 0),
         NULL, NULL
  FROM {{schema}}.schedule_event
  GROUP BY 1, 2, 3
) parts
GROUP BY 1, 2, 3;

CREATE INDEX schedule_fire_day_idx ON {{schema}}.schedule_fire
  (namespace, date_bin('1 day', coalesce(scheduled_time, actual_start_time), TIMESTAMPTZ '2000-01-01 00:00:00+00'));
CREATE INDEX schedule_event_day_idx ON {{schema}}.schedule_event
  (namespace, date_bin('1 day', window_end, TIMESTAMPTZ '2000-01-01 00:00:00+00'));
