import { Client, Connection } from '@temporalio/client';
import type pg from 'pg';
import { qualified } from '../../src/db/identifiers';
import type { SyncSummary } from '../../src/workflows/sync-workflow';

export const DEV_NAMESPACE = 'default';
export const DEV_TASK_QUEUE = 'temporal-sync';
/** One ID for the dev stack's own sync: a run left open by an interrupted start is waited for, not doubled. */
export const FIRST_SYNC_WORKFLOW_ID = 'temporal-sync-dev-full-sync';

export const TABLES = ['workflow', 'schedule', 'sync_run', 'sync_state'] as const;
export type TableCounts = Record<(typeof TABLES)[number], number>;

/** Starts a full SyncWorkflow on the worker's task queue and waits for its summary. */
export async function runFullSync(address: string, timeoutMs: number): Promise<SyncSummary> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: DEV_NAMESPACE });
    const handle = await client.workflow.start('SyncWorkflow', {
      taskQueue: DEV_TASK_QUEUE,
      workflowId: FIRST_SYNC_WORKFLOW_ID,
      args: [{ mode: 'full' }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowExecutionTimeout: `${Math.ceil(timeoutMs / 1000)} seconds`,
    });
    return (await handle.result()) as SyncSummary;
  } finally {
    await connection.close();
  }
}

/** Every row of each table, deleted-marked ones included: what `SELECT count(*)` shows a user. */
export async function countTables(pool: pg.Pool, schema: string): Promise<TableCounts> {
  const counts = {} as TableCounts;
  for (const table of TABLES) {
    const { rows } = await pool.query<{ count: string }>(`SELECT count(*) AS count FROM ${qualified(schema, table)}`);
    counts[table] = Number(rows[0]?.count ?? 0);
  }
  return counts;
}
