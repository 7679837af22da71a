-- workflow_stats_hourly and workflow_stats_daily read their past from rollup tables instead of
-- aggregating the runs on every query: a month of a 1M-run namespace is 660,000 events to group and
-- sort for percentiles, 1 to 4 s a query. docs/analytics.md ("The rollup") describes how it is kept.
--
-- Per namespace, workflow_stats_rollup_state.through is an hour boundary: the hourly rollup holds
-- every hour before it, the daily rollup every UTC day before date_bin('1 day', through). Later
-- buckets (the current hour and day, at most since the last refresh) are aggregated live, from the
-- same views as before, now named *_live. A namespace without a state row is all live. So the two
-- parts never hold the same bucket, and every number (percentiles too) is computed by the same SQL
-- as before: exact, not approximated.
--
-- workflow_stats_refresh(namespace, from) recomputes every bucket from the hour of `from` (or the
-- old through, if earlier) up to the current hour, and moves through to the current hour. The sync
-- calls it when a workflows pass completes (src/db/sync-passes.ts, refreshAfterPass in
-- src/db/analytics-rollup.ts), with `from` the start of what the pass could have changed; this
-- migration calls it for every namespace the table holds, up to a size (below).

-- Migration 030's views, kept as they are under new names: the live aggregation, also what the
-- refresh stores.
ALTER VIEW {{schema}}.workflow_stats_hourly RENAME TO workflow_stats_hourly_live;
ALTER VIEW {{schema}}.workflow_stats_daily RENAME TO workflow_stats_daily_live;

CREATE TABLE {{schema}}.workflow_stats_hourly_rollup (
  bucket timestamptz NOT NULL,
  namespace text NOT NULL,
  workflow_type text,
  task_queue text,
  started integer NOT NULL,
  closed integer NOT NULL,
  completed integer NOT NULL,
  failed integer NOT NULL,
  timed_out integer NOT NULL,
  canceled integer NOT NULL,
  terminated integer NOT NULL,
  continued_as_new integer NOT NULL,
  p50_seconds double precision,
  p95_seconds double precision,
  p99_seconds double precision
);
CREATE INDEX workflow_stats_hourly_rollup_idx ON {{schema}}.workflow_stats_hourly_rollup (namespace, bucket);

CREATE TABLE {{schema}}.workflow_stats_daily_rollup (LIKE {{schema}}.workflow_stats_hourly_rollup);
CREATE INDEX workflow_stats_daily_rollup_idx ON {{schema}}.workflow_stats_daily_rollup (namespace, bucket);

CREATE TABLE {{schema}}.workflow_stats_rollup_state (
  namespace text PRIMARY KEY,
  -- An hour boundary: the rollups hold the buckets before it (days: before its UTC day).
  through timestamptz NOT NULL,
  refreshed_at timestamptz NOT NULL,
  -- How many hour and day buckets (one per namespace) the last refresh recomputed, and from where.
  refreshed_from timestamptz,
  refreshed_hours integer NOT NULL DEFAULT 0,
  refreshed_days integer NOT NULL DEFAULT 0
);

CREATE FUNCTION {{schema}}.workflow_stats_refresh(p_namespace text, p_from timestamptz)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  origin CONSTANT timestamptz := TIMESTAMPTZ '2000-01-01 00:00:00+00';
  old_through timestamptz;
  new_through timestamptz;
  from_hour timestamptz;
  from_day timestamptz;
  start timestamptz;
BEGIN
  -- One refresh per namespace at a time: the row lock holds a concurrent one until this commits.
  INSERT INTO {{schema}}.workflow_stats_rollup_state (namespace, through, refreshed_at)
  VALUES (p_namespace, '-infinity', now()) ON CONFLICT (namespace) DO NOTHING;
  SELECT through INTO old_through FROM {{schema}}.workflow_stats_rollup_state
  WHERE namespace = p_namespace FOR UPDATE;
  new_through := greatest(old_through, date_bin('1 hour', now(), origin));
  -- Buckets from the old through on were live until now: they are computed here too.
  start := least(coalesce(p_from, '-infinity'), old_through);
  IF isfinite(start) THEN
    from_hour := date_bin('1 hour', start, origin);
    from_day := date_bin('1 day', start, origin);
  ELSE
    from_hour := '-infinity';
    from_day := '-infinity';
  END IF;

  DELETE FROM {{schema}}.workflow_stats_hourly_rollup WHERE namespace = p_namespace AND bucket >= from_hour;
  INSERT INTO {{schema}}.workflow_stats_hourly_rollup
  SELECT bucket, namespace, workflow_type, task_queue, started, closed, completed, failed, timed_out, canceled,
         terminated, continued_as_new, p50_seconds, p95_seconds, p99_seconds
  FROM {{schema}}.workflow_stats_hourly_live
  WHERE namespace = p_namespace AND bucket >= from_hour AND bucket < new_through;

  DELETE FROM {{schema}}.workflow_stats_daily_rollup WHERE namespace = p_namespace AND bucket >= from_day;
  INSERT INTO {{schema}}.workflow_stats_daily_rollup
  SELECT bucket, namespace, workflow_type, task_queue, started, closed, completed, failed, timed_out, canceled,
         terminated, continued_as_new, p50_seconds, p95_seconds, p99_seconds
  FROM {{schema}}.workflow_stats_daily_live
  WHERE namespace = p_namespace AND bucket >= from_day AND bucket < date_bin('1 day', new_through, origin);

  UPDATE {{schema}}.workflow_stats_rollup_state
  SET through = new_through, refreshed_at = now(), refreshed_from = CASE WHEN isfinite(start) THEN start END,
      refreshed_hours = CASE WHEN isfinite(start)
                          THEN ceil(extract(epoch FROM new_through - from_hour) / 3600)::integer ELSE 0 END,
      refreshed_days = CASE WHEN isfinite(start)
                         THEN ceil(extract(epoch FROM date_bin('1 day', new_through, origin) - from_day) / 86400)::integer
                         ELSE 0 END
  WHERE namespace = p_namespace;
END
$$;

-- Namespaces with runs, one index probe each (the primary key leads with namespace), and where
-- their live part starts: the rollup's through, or the beginning for a namespace never rolled up.
CREATE VIEW {{schema}}.workflow_stats_live_from AS
WITH RECURSIVE ns (namespace) AS (
  SELECT min(namespace) FROM {{schema}}.workflow
  UNION ALL
  SELECT (SELECT min(w.namespace) FROM {{schema}}.workflow w WHERE w.namespace > ns.namespace)
  FROM ns WHERE ns.namespace IS NOT NULL
)
SELECT ns.namespace,
       coalesce(s.through, '-infinity') AS hour_from,
       coalesce(date_bin('1 day', s.through, TIMESTAMPTZ '2000-01-01 00:00:00+00'), '-infinity') AS day_from
FROM ns LEFT JOIN {{schema}}.workflow_stats_rollup_state s ON s.namespace = ns.namespace
WHERE ns.namespace IS NOT NULL;

-- Same names, columns and numbers as migration 030's views: the rolled-up buckets, then the live
-- ones. A filter on namespace and bucket reaches the rollup's index, and through the LATERAL the
-- bucket indexes of the live part, whose range starts at the namespace's through.
CREATE VIEW {{schema}}.workflow_stats_hourly AS
SELECT bucket, namespace, workflow_type, task_queue,
       started, closed, completed, failed, timed_out, canceled, terminated, continued_as_new,
       (failed + timed_out)::double precision / NULLIF(closed - continued_as_new, 0) AS failure_rate,
       p50_seconds, p95_seconds, p99_seconds
FROM {{schema}}.workflow_stats_hourly_rollup
UNION ALL
SELECT live.bucket, f.namespace, live.workflow_type, live.task_queue,
       live.started, live.closed, live.completed, live.failed, live.timed_out, live.canceled, live.terminated,
       live.continued_as_new, live.failure_rate, live.p50_seconds, live.p95_seconds, live.p99_seconds
FROM {{schema}}.workflow_stats_live_from f
CROSS JOIN LATERAL (
  SELECT * FROM {{schema}}.workflow_stats_hourly_live l
  WHERE l.namespace = f.namespace AND l.bucket >= f.hour_from
  OFFSET 0
) live;

CREATE VIEW {{schema}}.workflow_stats_daily AS
SELECT bucket, namespace, workflow_type, task_queue,
       started, closed, completed, failed, timed_out, canceled, terminated, continued_as_new,
       (failed + timed_out)::double precision / NULLIF(closed - continued_as_new, 0) AS failure_rate,
       p50_seconds, p95_seconds, p99_seconds
FROM {{schema}}.workflow_stats_daily_rollup
UNION ALL
SELECT live.bucket, f.namespace, live.workflow_type, live.task_queue,
       live.started, live.closed, live.completed, live.failed, live.timed_out, live.canceled, live.terminated,
       live.continued_as_new, live.failure_rate, live.p50_seconds, live.p95_seconds, live.p99_seconds
FROM {{schema}}.workflow_stats_live_from f
CROSS JOIN LATERAL (
  SELECT * FROM {{schema}}.workflow_stats_daily_live l
  WHERE l.namespace = f.namespace AND l.bucket >= f.day_from
  OFFSET 0
) live;

-- The backfill: every namespace the table holds, rolled up to the current hour, as long as the
-- migration stays well inside the worker's 5-minute statement timeout (about 10 s per million runs):
-- namespaces of up to 3 million runs, while less than 2 minutes have gone. The others stay live
-- (exact, as fast as before) until their next full pass, or a refresh by hand, rolls them up.
DO $$
DECLARE
  ns text;
  began CONSTANT timestamptz := clock_timestamp();
BEGIN
  FOR ns IN SELECT namespace FROM {{schema}}.workflow_stats_live_from LOOP
    IF clock_timestamp() - began < interval '2 minutes'
       AND (SELECT count(*) FROM (SELECT 1 FROM {{schema}}.workflow WHERE namespace = ns LIMIT 3000001) runs) <= 3000000
    THEN
      PERFORM {{schema}}.workflow_stats_refresh(ns, '-infinity');
    END IF;
  END LOOP;
END
$$;

-- The cursor less the look-back of a workflows pass (where an incremental pass starts listing closed
-- runs): the rollup is recomputed from there when an incremental pass completes, and a full pass
-- falls back to it when recomputing every bucket takes too long. NULL without a cursor (a first
-- pass), for other streams, and for passes planned before this migration.
ALTER TABLE {{schema}}.sync_pass ADD COLUMN since timestamptz;
