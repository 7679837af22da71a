import type pg from 'pg';

/** A workflow row as the analytics tests seed it: only the columns the views read. */
export interface SeedRun {
  namespace: string;
  workflow_id: string;
  run_id: string;
  workflow_type: string | null;
  task_queue: string | null;
  status: string;
  start_time: Date;
  close_time: Date | null;
  execution_time_seconds: number | null;
  deleted_at: Date | null;
}

export interface SeedFire {
  namespace: string;
  schedule_id: string;
  scheduled_time: Date;
  actual_start_time: Date | null;
  workflow_id: string;
  run_id: string | null;
  start_status: string | null;
}

export interface SeedSyncRun {
  namespace: string;
  workflow_id: string;
  mode: 'full' | 'incremental';
  streams: string[];
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  started_at: Date;
  finished_at: Date | null;
  rows_per_stream: Record<string, number>;
  error: string | null;
}

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed exactly. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Types a careless dashboard or report would break on: a quote, markup, non-ASCII. */
export const SEED_TYPES = ['OrderWorkflow', 'PaymentWorkflow', "Customer's <b>Sync</b>", 'Nightly-Report-日本', 'Fan'];
const STATUS_WEIGHTS: Array<[string, number]> = [
  ['COMPLETED', 0.7],
  ['FAILED', 0.08],
  ['TIMED_OUT', 0.04],
  ['CANCELED', 0.04],
  ['TERMINATED', 0.04],
  ['CONTINUED_AS_NEW', 0.04],
  ['RUNNING', 0.06],
];

function pick<T>(random: () => number, weighted: Array<[T, number]>): T {
  let r = random();
  for (const [value, weight] of weighted) {
    if ((r -= weight) < 0) return value;
  }
  return weighted[weighted.length - 1]![0];
}

/**
 * `count` runs started across the `hours` before `now`, each type with its own failure mix (the
 * first type fails most) and durations in whole milliseconds; one in twenty is marked deleted
 * (past retention). Runs still open keep their start time; closed ones close before `now`.
 */
export function makeRuns(namespace: string, count: number, now: Date, hours: number, seed = 1): SeedRun[] {
  const random = prng(seed);
  const runs: SeedRun[] = [];
  for (let i = 0; i < count; i++) {
    const typeIndex = Math.floor(random() * SEED_TYPES.length);
    const start = new Date(now.getTime() - Math.floor(random() * hours * 3_600_000));
    const failsMore = typeIndex === 0 && random() < 0.3;
    const status = failsMore ? 'FAILED' : pick(random, STATUS_WEIGHTS);
    const seconds = Math.round((0.05 + random() * random() * (typeIndex + 1) * 900) * 1000) / 1000;
    const closeMs = Math.min(start.getTime() + Math.round(seconds * 1000), now.getTime() - 1000);
    const open = status === 'RUNNING';
    runs.push({
      namespace,
      workflow_id: `${namespace}-wf-${i}`,
      run_id: `run-${seed}-${i}`,
      workflow_type: i % 97 === 5 ? null : SEED_TYPES[typeIndex]!,
      task_queue: i % 3 === 0 ? 'queue-b' : 'queue-a',
      status,
      start_time: start,
      close_time: open ? null : new Date(closeMs),
      execution_time_seconds: open ? null : (closeMs - start.getTime()) / 1000,
      deleted_at: i % 20 === 7 ? now : null,
    });
  }
  return runs;
}

/** Writes runs to the workflow table in one statement. */
export async function insertRuns(pool: pg.Pool, schema: string, runs: readonly SeedRun[]): Promise<void> {
  await pool.query(
    `INSERT INTO "${schema}".workflow (namespace, workflow_id, run_id, workflow_type, task_queue, status, start_time,
       close_time, execution_time_seconds, deleted_at)
     SELECT namespace, workflow_id, run_id, workflow_type, task_queue, status, start_time, close_time,
       execution_time_seconds, deleted_at
     FROM jsonb_to_recordset($1::jsonb) AS r(namespace text, workflow_id text, run_id text, workflow_type text,
       task_queue text, status text, start_time timestamptz, close_time timestamptz,
       execution_time_seconds double precision, deleted_at timestamptz)`,
    [JSON.stringify(runs)],
  );
}

export async function insertSyncRuns(pool: pg.Pool, schema: string, runs: readonly SeedSyncRun[]): Promise<void> {
  for (const [i, run] of runs.entries()) {
    await pool.query(
      `INSERT INTO "${schema}".sync_run (namespace, workflow_id, run_id, mode, streams, status, started_at,
         finished_at, rows_per_stream, error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        run.namespace,
        run.workflow_id,
        `sync-run-${i}`,
        run.mode,
        run.streams,
        run.status,
        run.started_at,
        run.finished_at,
        JSON.stringify(run.rows_per_stream),
        run.error,
      ],
    );
  }
}

export async function insertSyncState(
  pool: pg.Pool,
  schema: string,
  rows: ReadonlyArray<{ namespace: string; stream: string; cursor: Date }>,
): Promise<void> {
  for (const row of rows) {
    await pool.query(`INSERT INTO "${schema}".sync_state (namespace, stream, cursor) VALUES ($1, $2, $3)`, [
      row.namespace,
      row.stream,
      row.cursor,
    ]);
  }
}
