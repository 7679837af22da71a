import type pg from 'pg';
import type { BucketWidth, Percentiles, ReportWindow, StatusCounts, TypeSummary } from '../report/model';
import { qualified } from './identifiers';

/** Reads of the workflow analytics views for one namespace and window (see docs/analytics.md). */

const STATS_VIEW: Record<BucketWidth, string> = { hour: 'workflow_stats_hourly', day: 'workflow_stats_daily' };
const BUCKET_INTERVAL: Record<BucketWidth, string> = { hour: '1 hour', day: '1 day' };

/** Sums can pass 2^31 over a long window of a busy namespace: bigint in SQL, a number here. */
const COUNT_COLUMNS = `coalesce(sum(started), 0)::bigint AS started, coalesce(sum(closed), 0)::bigint AS closed,
  coalesce(sum(completed), 0)::bigint AS completed, coalesce(sum(failed), 0)::bigint AS failed,
  coalesce(sum(timed_out), 0)::bigint AS timed_out, coalesce(sum(canceled), 0)::bigint AS canceled,
  coalesce(sum(terminated), 0)::bigint AS terminated, coalesce(sum(continued_as_new), 0)::bigint AS continued_as_new`;

type CountRow = Record<
  'started' | 'closed' | 'completed' | 'failed' | 'timed_out' | 'canceled' | 'terminated' | 'continued_as_new',
  string
>;

const toCounts = (row: CountRow): StatusCounts => ({
  started: Number(row.started),
  closed: Number(row.closed),
  completed: Number(row.completed),
  failed: Number(row.failed),
  timedOut: Number(row.timed_out),
  canceled: Number(row.canceled),
  terminated: Number(row.terminated),
  continuedAsNew: Number(row.continued_as_new),
});

const windowParams = (namespace: string, window: ReportWindow) => [namespace, window.since, window.until];

export async function readTotals(db: pg.Pool | pg.PoolClient, schema: string, namespace: string, window: ReportWindow) {
  const { rows } = await db.query<CountRow>(
    `SELECT ${COUNT_COLUMNS} FROM ${qualified(schema, 'workflow_stats_hourly')}
     WHERE namespace = $1 AND bucket >= $2 AND bucket < $3`,
    windowParams(namespace, window),
  );
  return toCounts(rows[0]!);
}

export async function readThroughput(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
  window: ReportWindow,
) {
  const { rows } = await db.query<CountRow & { bucket: Date }>(
    `SELECT bucket, ${COUNT_COLUMNS} FROM ${qualified(schema, STATS_VIEW[window.bucket])}
     WHERE namespace = $1 AND bucket >= $2 AND bucket < $3 GROUP BY bucket ORDER BY bucket`,
    windowParams(namespace, window),
  );
  return rows.map((row) => ({ bucket: row.bucket, ...toCounts(row) }));
}

export async function readFailuresByType(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
  window: ReportWindow,
) {
  const { rows } = await db.query<{ bucket: Date; workflow_type: string | null; failures: string }>(
    `SELECT bucket, workflow_type, sum(failed + timed_out)::bigint AS failures
     FROM ${qualified(schema, STATS_VIEW[window.bucket])}
     WHERE namespace = $1 AND bucket >= $2 AND bucket < $3
     GROUP BY bucket, workflow_type HAVING sum(failed + timed_out) > 0 ORDER BY bucket, workflow_type`,
    windowParams(namespace, window),
  );
  return rows.map((row) => ({ bucket: row.bucket, workflowType: row.workflow_type, failures: Number(row.failures) }));
}

interface PercentileRow {
  p: number[] | null;
}
const toPercentiles = ({ p }: PercentileRow): Percentiles => ({
  p50: p?.[0] ?? null,
  p95: p?.[1] ?? null,
  p99: p?.[2] ?? null,
});
const PERCENTILES = 'percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY execution_time_seconds) AS p';
const COMPLETED_IN_WINDOW = `namespace = $1 AND event = 'closed' AND status = 'COMPLETED'
  AND event_time >= $2 AND event_time < $3`;

/** Percentiles of the execution time of the runs that completed in the window, over all and per bucket. */
export async function readDurations(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
  window: ReportWindow,
) {
  const events = qualified(schema, 'workflow_event');
  const { rows: overall } = await db.query<PercentileRow & { completed: string }>(
    `SELECT count(*) AS completed, ${PERCENTILES} FROM ${events} WHERE ${COMPLETED_IN_WINDOW}`,
    windowParams(namespace, window),
  );
  const { rows: overTime } = await db.query<PercentileRow & { bucket: Date }>(
    `SELECT date_bin($4::interval, event_time, TIMESTAMPTZ '2000-01-01 00:00:00+00') AS bucket, ${PERCENTILES}
     FROM ${events} WHERE ${COMPLETED_IN_WINDOW} GROUP BY 1 ORDER BY 1`,
    [...windowParams(namespace, window), BUCKET_INTERVAL[window.bucket]],
  );
  return {
    overall: { completed: Number(overall[0]!.completed), ...toPercentiles(overall[0]!) },
    overTime: overTime.map((row) => ({ bucket: row.bucket, ...toPercentiles(row) })),
  };
}

/** Per workflow type: counts from the hourly view and durations from the events, most failures first. */
export async function readTypeSummaries(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
  window: ReportWindow,
): Promise<TypeSummary[]> {
  const { rows } = await db.query<{
    workflow_type: string | null;
    started: string;
    ended: string;
    failed: string;
    timed_out: string;
    completed: string | null;
    p: number[] | null;
  }>(
    `WITH counts AS (
       SELECT workflow_type, sum(started)::bigint AS started, sum(closed - continued_as_new)::bigint AS ended,
              sum(failed)::bigint AS failed, sum(timed_out)::bigint AS timed_out
       FROM ${qualified(schema, 'workflow_stats_hourly')}
       WHERE namespace = $1 AND bucket >= $2 AND bucket < $3 GROUP BY workflow_type
     ), durations AS (
       SELECT workflow_type, count(*) AS completed, ${PERCENTILES}
       FROM ${qualified(schema, 'workflow_event')} WHERE ${COMPLETED_IN_WINDOW} GROUP BY workflow_type
     )
     SELECT c.*, d.completed, d.p FROM counts c
     LEFT JOIN durations d ON d.workflow_type IS NOT DISTINCT FROM c.workflow_type
     ORDER BY c.failed + c.timed_out DESC, c.ended DESC, c.workflow_type`,
    windowParams(namespace, window),
  );
  return rows.map((row) => {
    const [ended, failed, timedOut] = [Number(row.ended), Number(row.failed), Number(row.timed_out)];
    return {
      workflowType: row.workflow_type,
      started: Number(row.started),
      ended,
      failed,
      timedOut,
      failureRate: ended === 0 ? null : (failed + timedOut) / ended,
      completed: Number(row.completed ?? 0),
      ...toPercentiles(row),
    };
  });
}
