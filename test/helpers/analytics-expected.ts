import type { SeedFire, SeedRun } from './analytics-seed';

/**
 * What the analytics views should say, computed from the seeded rows in plain TypeScript, with no
 * SQL: the definitions docs/analytics.md gives, written a second time, independently.
 */

export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** Start of the UTC bucket of a width that divides a day (the views' date_bin origin is 2000-01-01 UTC). */
export const bucketOf = (time: Date, widthMs: number): number => Math.floor(time.getTime() / widthMs) * widthMs;

/** Linear interpolation between closest ranks: what Postgres's percentile_cont computes. */
export function percentileCont(values: readonly number[], fraction: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const position = fraction * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export interface ExpectedStats {
  started: number;
  closed: number;
  completed: number;
  failed: number;
  timed_out: number;
  canceled: number;
  terminated: number;
  continued_as_new: number;
  failure_rate: number | null;
  p50_seconds: number | null;
  p95_seconds: number | null;
  p99_seconds: number | null;
}

const STATUS_COLUMN: Record<string, keyof ExpectedStats> = {
  COMPLETED: 'completed',
  FAILED: 'failed',
  TIMED_OUT: 'timed_out',
  CANCELED: 'canceled',
  TERMINATED: 'terminated',
  CONTINUED_AS_NEW: 'continued_as_new',
};

function emptyStats(): ExpectedStats & { durations: number[] } {
  return {
    started: 0,
    closed: 0,
    completed: 0,
    failed: 0,
    timed_out: 0,
    canceled: 0,
    terminated: 0,
    continued_as_new: 0,
    failure_rate: null,
    p50_seconds: null,
    p95_seconds: null,
    p99_seconds: null,
    durations: [],
  };
}

/** Stats per `keyOf(event bucket, run)`: starts count where they started, closes where they closed. */
export function expectedStats(
  runs: readonly SeedRun[],
  widthMs: number,
  keyOf: (bucket: number, run: SeedRun) => string | null = (bucket, run) =>
    JSON.stringify([bucket, run.namespace, run.workflow_type, run.task_queue]),
): Map<string, ExpectedStats> {
  const groups = new Map<string, ExpectedStats & { durations: number[] }>();
  const group = (key: string) => groups.get(key) ?? groups.set(key, emptyStats()).get(key)!;
  for (const run of runs) {
    const startKey = keyOf(bucketOf(run.start_time, widthMs), run);
    if (startKey !== null) group(startKey).started++;
    if (run.close_time === null) continue;
    const closeKey = keyOf(bucketOf(run.close_time, widthMs), run);
    if (closeKey === null) continue;
    const stats = group(closeKey);
    stats.closed++;
    const column = STATUS_COLUMN[run.status];
    if (column) (stats[column] as number)++;
    if (run.status === 'COMPLETED') stats.durations.push(run.execution_time_seconds!);
  }
  const result = new Map<string, ExpectedStats>();
  for (const [key, { durations, ...stats }] of groups) {
    const ended = stats.closed - stats.continued_as_new;
    result.set(key, {
      ...stats,
      failure_rate: ended === 0 ? null : (stats.failed + stats.timed_out) / ended,
      p50_seconds: percentileCont(durations, 0.5),
      p95_seconds: percentileCont(durations, 0.95),
      p99_seconds: percentileCont(durations, 0.99),
    });
  }
  return result;
}

/** Open as the views mean it: not closed, and still on the server (not deleted). */
export const isOpen = (run: SeedRun): boolean => run.close_time === null && run.deleted_at === null;

export function ageBand(ageSeconds: number): string {
  if (ageSeconds < 3600) return 'under 1 hour';
  if (ageSeconds < 86400) return '1 hour to 1 day';
  if (ageSeconds < 604800) return '1 to 7 days';
  if (ageSeconds < 2592000) return '7 to 30 days';
  return 'over 30 days';
}

export type Timeliness = 'on_time' | 'late' | 'missed' | 'pending';

export function timeliness(fire: SeedFire, now: Date): Timeliness {
  if (fire.actual_start_time !== null) {
    return fire.actual_start_time.getTime() - fire.scheduled_time.getTime() <= 60_000 ? 'on_time' : 'late';
  }
  return fire.scheduled_time.getTime() < now.getTime() - 60_000 ? 'missed' : 'pending';
}

/** Numbers from Postgres (double precision) against ours: equal to 1e-9 relative, nulls equal. */
export function close(actual: number | null, expected: number | null, what: string): string | null {
  if (actual === null || expected === null) return actual === expected ? null : `${what}: ${actual} != ${expected}`;
  const tolerance = 1e-9 * Math.max(1, Math.abs(expected));
  return Math.abs(actual - expected) <= tolerance ? null : `${what}: ${actual} != ${expected}`;
}

/** A row of workflow_stats_hourly or workflow_stats_daily, as pg returns it. */
export type StatsRow = ExpectedStats & {
  bucket: Date;
  namespace: string;
  workflow_type: string | null;
  task_queue: string | null;
};

/** Every difference between a stats view's rows and the expected stats, so a failure names all of them at once. */
export function compareStats(rows: StatsRow[], expected: Map<string, ExpectedStats>): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const row of rows) {
    const key = JSON.stringify([row.bucket.getTime(), row.namespace, row.workflow_type, row.task_queue]);
    seen.add(key);
    const want = expected.get(key);
    if (!want) {
      problems.push(`unexpected row ${key}`);
      continue;
    }
    for (const column of Object.keys(want) as Array<keyof ExpectedStats>) {
      const problem = close(row[column], want[column], `${key} ${column}`);
      if (problem) problems.push(problem);
    }
  }
  for (const key of expected.keys()) if (!seen.has(key)) problems.push(`missing row ${key}`);
  return problems;
}
