import type pg from 'pg';

/**
 * A namespace of `runs` workflow runs started evenly over the last 90 days (20 types, skewed; 4 task
 * queues; 90% completed, 3% failed, 3% terminated, 2% canceled, 1% timed out, 1% running, like the
 * sync bench's seed), each with a ~350-byte memo and seven search attributes so rows are as wide as
 * synced ones; the oldest ninth marked deleted (past retention). Made with generate_series.
 */
export async function seedRuns(pool: pg.Pool, schema: string, namespace: string, runs: number): Promise<void> {
  await pool.query(
    `INSERT INTO "${schema}".workflow (namespace, workflow_id, run_id, workflow_type, start_time, close_time, status,
       task_queue, execution_time_seconds, memo, search_attributes, synced_at, deleted_at)
     SELECT $1, 'wf-' || i, md5(i::text), 'Type' || lpad(floor(20 * power(random(), 2))::int::text, 2, '0'),
       st, CASE WHEN s = 'RUNNING' THEN NULL ELSE st + make_interval(secs => d) END, s,
       'queue-' || (i % 4), CASE WHEN s = 'RUNNING' THEN NULL ELSE d END,
       jsonb_build_object('note', repeat('x', 350)),
       jsonb_build_object('CustomerId', 'c' || (i % 1000), 'Region', 'eu', 'Tier', 'gold', 'A', 1, 'B', 2, 'C', true, 'D', 'd'),
       now(), CASE WHEN st < now() - interval '80 days' THEN now() END
     FROM (
       SELECT i, now() - interval '90 days' + (i::float8 / $2) * interval '90 days' AS st, -ln(1 - random()) * 30 AS d,
         CASE WHEN r < 0.90 THEN 'COMPLETED' WHEN r < 0.93 THEN 'FAILED' WHEN r < 0.96 THEN 'TERMINATED'
              WHEN r < 0.98 THEN 'CANCELED' WHEN r < 0.99 THEN 'TIMED_OUT' ELSE 'RUNNING' END AS s
       FROM (SELECT i, random() AS r FROM generate_series(1, $2::int) i) g
     ) x`,
    [namespace, runs],
  );
}

/**
 * The fire log stand-in (the columns and key the fire-log migration will give it) and `fires` fires:
 * hourly schedules over the last 90 days, 97% started within 2 s, 2% 1 to 10 minutes late, 1% missed.
 */
export async function seedFires(pool: pg.Pool, schema: string, namespace: string, fires: number): Promise<void> {
  await pool.query(
    `CREATE TABLE "${schema}".schedule_fire (namespace text NOT NULL, schedule_id text NOT NULL,
       scheduled_time timestamptz NOT NULL, actual_start_time timestamptz NULL, workflow_id text NOT NULL,
       run_id text NULL, start_status text NULL, PRIMARY KEY (namespace, schedule_id, scheduled_time))`,
  );
  await pool.query(
    `INSERT INTO "${schema}".schedule_fire
     SELECT $1, 'schedule-' || sid, t,
       CASE WHEN r < 0.97 THEN t + random() * interval '2 seconds' WHEN r < 0.99 THEN t + (61 + random() * 540) * interval '1 second' END,
       'schedule-' || sid || '-' || t, CASE WHEN r < 0.99 THEN md5(sid || t::text) END, CASE WHEN r < 0.99 THEN 'COMPLETED' END
     FROM (
       SELECT sid, date_trunc('hour', now()) - h * interval '1 hour' AS t, random() AS r
       FROM generate_series(1, ceil($2::float8 / 2160)::int) sid, generate_series(1, 2160) h
     ) f`,
    [namespace, fires],
  );
}

/** One sync run per hour over `count` hours, the last one failed, and a cursor per stream. */
export async function seedSyncRuns(pool: pg.Pool, schema: string, namespace: string, count: number): Promise<void> {
  await pool.query(
    `INSERT INTO "${schema}".sync_run (namespace, workflow_id, run_id, mode, streams, status, started_at, finished_at,
       rows_per_stream)
     SELECT $1, 'sync-' || h, 'run-' || h, CASE WHEN h % 24 = 0 THEN 'full' ELSE 'incremental' END,
       '{workflows,schedules}', CASE WHEN h = 1 THEN 'failed' ELSE 'completed' END,
       now() - h * interval '1 hour', now() - h * interval '1 hour' + interval '40 seconds', '{"workflows": 100}'
     FROM generate_series(1, $2::int) h`,
    [namespace, count],
  );
  await pool.query(
    `INSERT INTO "${schema}".sync_state (namespace, stream, cursor) VALUES ($1, 'workflows', now()), ($1, 'schedules', now())`,
    [namespace],
  );
}
