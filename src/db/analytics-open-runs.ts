import type pg from 'pg';
import type { OpenRun } from '../report/model';
import { qualified } from './identifiers';

/** Open runs of a namespace right now (as of the last sync): how many, by age band, the oldest. */
export async function readOpenRuns(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
  oldestLimit: number,
) {
  const { rows: bands } = await db.query<{ age_band: string; runs: string }>(
    `SELECT age_band, sum(runs)::bigint AS runs FROM ${qualified(schema, 'workflow_open_age')}
     WHERE namespace = $1 GROUP BY age_band, band_order ORDER BY band_order`,
    [namespace],
  );
  const { rows: oldest } = await db.query<{
    workflow_id: string;
    run_id: string;
    workflow_type: string | null;
    task_queue: string | null;
    start_time: Date;
    age_seconds: number;
  }>(
    `SELECT workflow_id, run_id, workflow_type, task_queue, start_time, age_seconds
     FROM ${qualified(schema, 'workflow_open_runs')} WHERE namespace = $1
     ORDER BY start_time, workflow_id LIMIT $2`,
    [namespace, oldestLimit],
  );
  const runs = bands.map((band) => ({ band: band.age_band, runs: Number(band.runs) }));
  return {
    total: runs.reduce((sum, band) => sum + band.runs, 0),
    bands: runs,
    oldest: oldest.map((row): OpenRun => ({
      workflowId: row.workflow_id,
      runId: row.run_id,
      workflowType: row.workflow_type,
      taskQueue: row.task_queue,
      startTime: row.start_time,
      ageSeconds: row.age_seconds,
    })),
  };
}
