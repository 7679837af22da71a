import type pg from 'pg';
import { qualified } from './identifiers';

export type SyncRunStatus = 'running' | 'completed' | 'failed' | 'cancelled';

export interface BeginRunInput {
  namespace: string;
  workflowId: string;
  runId: string;
  mode: string;
  streams: string[];
}

/**
 * Inserts the run's row, or returns the existing one when a retried activity calls again, so a
 * run is recorded once. The start time is the database's clock: passes compare synced_at with it.
 */
export async function beginRun(
  db: pg.Pool,
  schema: string,
  run: BeginRunInput,
): Promise<{ id: string; startedAt: Date }> {
  const { rows } = await db.query<{ id: string; started_at: Date }>(
    `INSERT INTO ${qualified(schema, 'sync_run')} (namespace, workflow_id, run_id, mode, streams, status)
     VALUES ($1, $2, $3, $4, $5, 'running')
     ON CONFLICT (workflow_id, run_id) DO UPDATE SET mode = excluded.mode
     RETURNING id, started_at`,
    [run.namespace, run.workflowId, run.runId, run.mode, run.streams],
  );
  const row = rows[0]!;
  return { id: String(row.id), startedAt: row.started_at };
}

export interface FinishRunInput {
  id: string;
  status: Exclude<SyncRunStatus, 'running'>;
  rowsPerStream: Record<string, number>;
  pagesPerStream: Record<string, number>;
  deletedPerStream: Record<string, number>;
  error: string | null;
}

export async function finishRun(db: pg.Pool, schema: string, run: FinishRunInput): Promise<void> {
  await db.query(
    `UPDATE ${qualified(schema, 'sync_run')} SET status = $2, finished_at = now(),
       rows_per_stream = $3, pages_per_stream = $4, deleted_per_stream = $5, error = $6
     WHERE id = $1`,
    [
      run.id,
      run.status,
      JSON.stringify(run.rowsPerStream),
      JSON.stringify(run.pagesPerStream),
      JSON.stringify(run.deletedPerStream),
      run.error === null ? null : run.error.replaceAll('\u0000', ''),
    ],
  );
}
