-- Needs the schedule fire log (table {{schema}}.schedule_fire, one row per scheduled fire: namespace,
-- schedule_id, scheduled_time, actual_start_time, workflow_id, run_id, start_status), created by the
-- fire-log migration: this one must run after it. It waits in src/db/pending-migrations/ until that
-- table exists on main; moving it into src/db/migrations/ is all that merging it takes.
--
-- On time: started at most 60 seconds after its scheduled time. Temporal reports the scheduled time
-- with the spec's jitter already added, and a healthy scheduler starts a due action within about a
-- second; 60 s absorbs a busy server or a restart of a few seconds, while a start a minute late
-- means the scheduler was behind (the server was down, or it is catching up) and is worth seeing.
-- Late: started later than that. Missed: never started, and due more than 60 s ago. Pending: not
-- started and due less than 60 s ago; it counts nowhere yet.
CREATE VIEW {{schema}}.schedule_fire_timeliness AS
SELECT namespace, schedule_id, scheduled_time, actual_start_time, workflow_id, run_id, start_status,
       extract(epoch FROM actual_start_time - scheduled_time)::double precision AS start_delay_seconds,
       CASE
         WHEN actual_start_time IS NOT NULL AND actual_start_time - scheduled_time <= interval '60 seconds' THEN 'on_time'
         WHEN actual_start_time IS NOT NULL THEN 'late'
         WHEN scheduled_time < now() - interval '60 seconds' THEN 'missed'
         ELSE 'pending'
       END AS timeliness
FROM {{schema}}.schedule_fire;

CREATE VIEW {{schema}}.schedule_on_time_daily AS
SELECT bucket, namespace, schedule_id, due, on_time, late, missed,
       on_time::double precision / NULLIF(due, 0) AS on_time_rate,
       p95_start_delay_seconds, max_start_delay_seconds
FROM (
  SELECT date_bin('1 day', scheduled_time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
         namespace, schedule_id,
         (count(*) FILTER (WHERE timeliness <> 'pending'))::integer AS due,
         (count(*) FILTER (WHERE timeliness = 'on_time'))::integer AS on_time,
         (count(*) FILTER (WHERE timeliness = 'late'))::integer AS late,
         (count(*) FILTER (WHERE timeliness = 'missed'))::integer AS missed,
         percentile_cont(0.95) WITHIN GROUP (ORDER BY start_delay_seconds) AS p95_start_delay_seconds,
         max(start_delay_seconds) AS max_start_delay_seconds
  FROM {{schema}}.schedule_fire_timeliness
  GROUP BY 1, 2, 3
) daily;

CREATE INDEX schedule_fire_day_idx ON {{schema}}.schedule_fire
  (namespace, date_bin('1 day', scheduled_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'));
