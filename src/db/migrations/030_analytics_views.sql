-- Analytics views over the synced tables: what runs started and closed per hour and per day, their
-- failure rate and durations, the runs still open, and how fresh the data is. docs/analytics.md
-- describes every column.
--
-- Rows with deleted_at count like any other: deleted_at says the server no longer has the run (it
-- passed the namespace's retention), not that it never ran, and keeping that history is the point.
-- The one exception is "open": retention only removes closed runs, so a row still marked running
-- but gone from the server closed at a moment we never saw. It is not counted as open.
--
-- Buckets are UTC hours and days from date_bin on a fixed origin. date_bin is immutable (date_trunc
-- on timestamptz depends on the session's TimeZone), so the buckets can be indexed, and a filter on
-- a view's bucket (what Grafana's $__timeFilter(bucket) sends) reaches those indexes through the
-- view instead of aggregating the whole namespace first.

-- One row per thing that happened to a run: it started, and (once) it closed.
CREATE VIEW {{schema}}.workflow_event AS
SELECT namespace, workflow_id, run_id, workflow_type, task_queue,
       'started'::text AS event, start_time AS event_time, status,
       NULL::double precision AS execution_time_seconds
FROM {{schema}}.workflow
WHERE start_time IS NOT NULL
UNION ALL
SELECT namespace, workflow_id, run_id, workflow_type, task_queue,
       'closed'::text, close_time, status, execution_time_seconds
FROM {{schema}}.workflow
WHERE close_time IS NOT NULL;

-- Failure rate: runs that failed or timed out, over every close except continue-as-new (a run that
-- continues as new has not ended its workflow). Canceled and terminated runs count as closes, not as
-- failures: someone outside the workflow decided to stop it.
-- Durations: percentile_cont (interpolated) over the execution time of COMPLETED runs only; a
-- timed-out run lasts as long as its timeout and a terminated one as long as someone waited.
CREATE VIEW {{schema}}.workflow_stats_hourly AS
SELECT bucket, namespace, workflow_type, task_queue,
       started, closed, completed, failed, timed_out, canceled, terminated, continued_as_new,
       (failed + timed_out)::double precision / NULLIF(closed - continued_as_new, 0) AS failure_rate,
       durations[1] AS p50_seconds, durations[2] AS p95_seconds, durations[3] AS p99_seconds
FROM (
  SELECT date_bin('1 hour', event_time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
         namespace, workflow_type, task_queue,
         (count(*) FILTER (WHERE event = 'started'))::integer AS started,
         (count(*) FILTER (WHERE event = 'closed'))::integer AS closed,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'COMPLETED'))::integer AS completed,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'FAILED'))::integer AS failed,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'TIMED_OUT'))::integer AS timed_out,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'CANCELED'))::integer AS canceled,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'TERMINATED'))::integer AS terminated,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'CONTINUED_AS_NEW'))::integer AS continued_as_new,
         percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY execution_time_seconds)
           FILTER (WHERE event = 'closed' AND status = 'COMPLETED') AS durations
  FROM {{schema}}.workflow_event
  GROUP BY 1, 2, 3, 4
) hourly;

CREATE VIEW {{schema}}.workflow_stats_daily AS
SELECT bucket, namespace, workflow_type, task_queue,
       started, closed, completed, failed, timed_out, canceled, terminated, continued_as_new,
       (failed + timed_out)::double precision / NULLIF(closed - continued_as_new, 0) AS failure_rate,
       durations[1] AS p50_seconds, durations[2] AS p95_seconds, durations[3] AS p99_seconds
FROM (
  SELECT date_bin('1 day', event_time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket,
         namespace, workflow_type, task_queue,
         (count(*) FILTER (WHERE event = 'started'))::integer AS started,
         (count(*) FILTER (WHERE event = 'closed'))::integer AS closed,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'COMPLETED'))::integer AS completed,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'FAILED'))::integer AS failed,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'TIMED_OUT'))::integer AS timed_out,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'CANCELED'))::integer AS canceled,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'TERMINATED'))::integer AS terminated,
         (count(*) FILTER (WHERE event = 'closed' AND status = 'CONTINUED_AS_NEW'))::integer AS continued_as_new,
         percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY execution_time_seconds)
           FILTER (WHERE event = 'closed' AND status = 'COMPLETED') AS durations
  FROM {{schema}}.workflow_event
  GROUP BY 1, 2, 3, 4
) daily;

-- The buckets the views filter on. Many runs share a namespace and an hour, so B-tree deduplication
-- keeps each of these small (about 7 MB per million runs, measured).
CREATE INDEX workflow_start_hour_idx ON {{schema}}.workflow
  (namespace, date_bin('1 hour', start_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'));
CREATE INDEX workflow_close_hour_idx ON {{schema}}.workflow
  (namespace, date_bin('1 hour', close_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'));
CREATE INDEX workflow_start_day_idx ON {{schema}}.workflow
  (namespace, date_bin('1 day', start_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'));
CREATE INDEX workflow_close_day_idx ON {{schema}}.workflow
  (namespace, date_bin('1 day', close_time, TIMESTAMPTZ '2000-01-01 00:00:00+00'));

-- Runs open as of the last sync (their synced_at), oldest first through the index below.
CREATE VIEW {{schema}}.workflow_open_runs AS
SELECT namespace, workflow_id, run_id, workflow_type, task_queue, status, start_time,
       extract(epoch FROM now() - start_time)::double precision AS age_seconds,
       parent_workflow_id, synced_at
FROM {{schema}}.workflow
WHERE close_time IS NULL AND deleted_at IS NULL;

CREATE INDEX workflow_open_start_idx ON {{schema}}.workflow (namespace, start_time)
  WHERE close_time IS NULL AND deleted_at IS NULL;

-- Open runs counted by how long they have been open; only bands that hold runs have a row.
CREATE VIEW {{schema}}.workflow_open_age AS
SELECT namespace, workflow_type, task_queue, band.age_band, band.band_order,
       count(*)::integer AS runs, min(start_time) AS oldest_start_time
FROM {{schema}}.workflow_open_runs,
LATERAL (
  SELECT CASE
           WHEN age_seconds < 3600 THEN 'under 1 hour'
           WHEN age_seconds < 86400 THEN '1 hour to 1 day'
           WHEN age_seconds < 604800 THEN '1 to 7 days'
           WHEN age_seconds < 2592000 THEN '7 to 30 days'
           ELSE 'over 30 days'
         END AS age_band,
         CASE
           WHEN age_seconds < 3600 THEN 1
           WHEN age_seconds < 86400 THEN 2
           WHEN age_seconds < 604800 THEN 3
           WHEN age_seconds < 2592000 THEN 4
           ELSE 5
         END AS band_order
) band
GROUP BY namespace, workflow_type, task_queue, band.age_band, band.band_order;

-- Per namespace and stream: the last successful sync that included the stream, the last failed one,
-- and the cursor. A stream appears once it has a cursor or a sync run asked for it. The latest runs
-- come from the index on (namespace, status, finished_at DESC), a few rows each.
CREATE VIEW {{schema}}.sync_freshness AS
SELECT s.namespace, s.stream,
       ok.finished_at AS last_success_at,
       extract(epoch FROM now() - ok.finished_at)::double precision AS seconds_since_success,
       ok.mode AS last_success_mode,
       ok.id AS last_success_sync_run_id,
       (ok.rows_per_stream ->> s.stream)::bigint AS last_success_rows,
       full_ok.finished_at AS last_full_success_at,
       failed.finished_at AS last_failure_at,
       failed.error AS last_failure_error,
       latest.status AS last_run_status,
       (SELECT count(*)::integer FROM {{schema}}.sync_run r
        WHERE r.namespace = s.namespace AND r.status = 'running' AND s.stream = ANY (r.streams)) AS running,
       state.cursor
FROM (
  SELECT namespace, stream FROM {{schema}}.sync_state
  UNION
  SELECT DISTINCT r.namespace, streams.stream FROM {{schema}}.sync_run r, unnest(r.streams) AS streams (stream)
) s
LEFT JOIN {{schema}}.sync_state state ON state.namespace = s.namespace AND state.stream = s.stream
LEFT JOIN LATERAL (
  SELECT id, mode, finished_at, rows_per_stream FROM {{schema}}.sync_run r
  WHERE r.namespace = s.namespace AND r.status = 'completed' AND s.stream = ANY (r.streams)
  ORDER BY r.finished_at DESC, r.id DESC LIMIT 1
) ok ON true
LEFT JOIN LATERAL (
  SELECT finished_at FROM {{schema}}.sync_run r
  WHERE r.namespace = s.namespace AND r.status = 'completed' AND r.mode = 'full' AND s.stream = ANY (r.streams)
  ORDER BY r.finished_at DESC, r.id DESC LIMIT 1
) full_ok ON true
LEFT JOIN LATERAL (
  SELECT finished_at, error FROM {{schema}}.sync_run r
  WHERE r.namespace = s.namespace AND r.status = 'failed' AND s.stream = ANY (r.streams)
  ORDER BY r.finished_at DESC, r.id DESC LIMIT 1
) failed ON true
LEFT JOIN LATERAL (
  SELECT status FROM {{schema}}.sync_run r
  WHERE r.namespace = s.namespace AND r.status IN ('completed', 'failed', 'cancelled') AND s.stream = ANY (r.streams)
    AND r.finished_at IS NOT NULL
  ORDER BY r.finished_at DESC, r.id DESC LIMIT 1
) latest ON true;
