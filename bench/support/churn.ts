import type { Client } from '@temporalio/client';
import { mapWithConcurrency } from '../../src/source/concurrency';
import { waitFor } from '../../test/helpers/wait';
import { countExecutions } from './seed';
import { listAll } from './source';

const CHURN_PREFIX = 'churn-';

/**
 * Adds `count` new closed executions (started, then terminated: no worker needed), the change an
 * incremental sync has to pick up. Waits until visibility lists them.
 */
export async function addChangedExecutions(
  client: Client,
  round: number,
  count: number,
  expectedTotal: number,
): Promise<void> {
  await mapWithConcurrency(
    Array.from({ length: count }, (_, i) => i),
    32,
    async (i) => {
      const handle = await client.workflow.start('unpolled', {
        taskQueue: 'bench-churn',
        workflowId: `${CHURN_PREFIX}${round}-${i}`,
        memo: { churn: round, index: i },
      });
      await handle.terminate('bench change');
    },
  );
  await waitFor(
    `${expectedTotal} executions after adding changes`,
    async () => ((await countExecutions(client)) === expectedTotal ? true : undefined),
    { timeoutMs: 60_000, intervalMs: 200 },
  );
}

/** Deletes the executions earlier change rounds added, so the seed is N again for the next run. */
export async function removeChangedExecutions(client: Client, expectedTotal: number): Promise<void> {
  const namespace = client.options.namespace;
  const runs: Array<{ workflowId: string; runId: string }> = [];
  await listAll(client, `WorkflowId STARTS_WITH '${CHURN_PREFIX}'`, (executions) => {
    for (const execution of executions) {
      runs.push({ workflowId: execution.execution!.workflowId!, runId: execution.execution!.runId! });
    }
  });
  if (runs.length === 0) return;
  await mapWithConcurrency(runs, 32, (workflowExecution) =>
    client.workflowService.deleteWorkflowExecution({ namespace, workflowExecution }),
  );
  await waitFor(
    `${expectedTotal} executions after removing changes`,
    async () => ((await countExecutions(client)) === expectedTotal ? true : undefined),
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}
