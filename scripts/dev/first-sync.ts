import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type pg from 'pg';
import { qualified } from '../../src/db/identifiers';
import type { SyncSummary } from '../../src/workflows/sync-workflow';

export const DEV_NAMESPACE = 'default';
/** The dev server's namespaces, all synced by the one worker: the feature of a deployment for many namespaces. */
export const DEV_NAMESPACES = [DEV_NAMESPACE, 'orders-demo'] as const;
/** The namespaces definition the dev worker and schedules get (TEMPORAL_SYNC_NAMESPACES). */
export const DEV_NAMESPACES_DEFINITION = `namespaces: [${DEV_NAMESPACES.map((namespace) => `{ namespace: ${namespace} }`).join(', ')}]`;
const DEMO_TASK_QUEUE = 'temporal-sync-demo';
const DEMO_RUNS = 3;
export const DEV_TASK_QUEUE = 'temporal-sync';
/** One ID for the dev stack's own sync: a run left open by an interrupted start is waited for, not doubled. */
export const FIRST_SYNC_WORKFLOW_ID = 'temporal-sync-dev-full-sync';

export const TABLES = ['workflow', 'schedule', 'sync_run', 'sync_state'] as const;
export type TableCounts = Record<(typeof TABLES)[number], number>;

/**
 * A few demo runs in each namespace, so the first sync has something to show: they wait on a task
 * queue no worker polls (RUNNING), the first of each is terminated. Started once: a restart finds them.
 */
export async function seedDemoRuns(address: string): Promise<number> {
  const connection = await Connection.connect({ address });
  let started = 0;
  try {
    for (const namespace of DEV_NAMESPACES) {
      const client = new Client({ connection, namespace });
      for (let i = 0; i < DEMO_RUNS; i += 1) {
        const workflowId = `demo-${namespace}-${i}`;
        try {
          const handle = await client.workflow.start('DemoWorkflow', {
            taskQueue: DEMO_TASK_QUEUE,
            workflowId,
            // Once ever: the default policy would start a closed ID (the terminated demo run) again on every restart.
            workflowIdReusePolicy: 'REJECT_DUPLICATE',
            memo: { demo: true, i },
          });
          if (i === 0) await handle.terminate('a demo of a terminated run');
          started += 1;
        } catch (error) {
          if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        }
      }
    }
    return started;
  } finally {
    await connection.close();
  }
}

/** Starts a full SyncWorkflow of each dev namespace on the worker's task queue and waits for their summaries. */
export async function runFullSyncs(
  address: string,
  timeoutMs: number,
): Promise<Array<SyncSummary & { namespace: string }>> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace: DEV_NAMESPACE });
    const runs = DEV_NAMESPACES.map(async (namespace) => {
      const handle = await client.workflow.start('SyncWorkflow', {
        taskQueue: DEV_TASK_QUEUE,
        workflowId: `${FIRST_SYNC_WORKFLOW_ID}--${namespace}`,
        args: [{ mode: 'full', namespace }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowExecutionTimeout: `${Math.ceil(timeoutMs / 1000)} seconds`,
      });
      return { ...((await handle.result()) as SyncSummary), namespace };
    });
    return await Promise.all(runs);
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
