import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { createTestDatabase } from '../helpers/postgres';
import { seedMixedExecutions } from '../helpers/seed';
import { startTemporal } from '../helpers/temporal';
import { startSeedWorker, startSyncWorker } from '../helpers/workers';
import { slowWrites } from '../helpers/write-gate';
import { waitFor } from '../helpers/wait';

const HELP = `Usage: npm run record-histories

Runs SyncWorkflow on a fresh dev server in the ways that matter (full, incremental, continued as
new, cancelled, bad input) and writes each run's event history to test/replay/histories/. The
replay test replays them against the current workflow code on every test run.

Record again only for a change that is meant to be incompatible before any release; once syncs
run in production, keep the old histories and guard the change with patched() instead.`;

const OUT = path.join(__dirname, 'histories');

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const temporal = await startTemporal();
  const db = await createTestDatabase('record');
  const seed = await startSeedWorker(temporal);
  const worker = await startSyncWorker(temporal, db);
  mkdirSync(OUT, { recursive: true });
  const save = async (name: string, workflowId: string, runId?: string) => {
    const history = await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
    writeFileSync(path.join(OUT, `${name}.json`), `${historyToJSON(history)}\n`);
    process.stdout.write(`recorded ${name} (${history.events?.length ?? 0} events)\n`);
  };
  const run = async (workflowId: string, input: unknown) => {
    const handle = await temporal.client.workflow.start('SyncWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId,
      args: input === undefined ? [] : [input],
    });
    await handle.result().catch(() => undefined);
    return handle;
  };
  try {
    await seedMixedExecutions(temporal.sourceClient, 'record', 1);
    await run('full', { mode: 'full', pageSize: 10 });
    await save('full', 'full');
    await run('incremental', undefined);
    await save('incremental', 'incremental');
    const long = await run('continued', {
      mode: 'full',
      pageSize: 5,
      activityMaxSeconds: 0,
      continueAsNewAfterActivities: 3,
    });
    await save('continued-as-new-first-run', 'continued', long.firstExecutionRunId);
    await save('continued-as-new-last-run', 'continued');
    await run('bad-input', { mode: 'fulll', pageSize: 0 });
    await save('failed-bad-input', 'bad-input');

    const slow = await slowWrites(db.pool, db.schema, 'workflow', 0, 200);
    await db.pool.query(`TRUNCATE "${db.schema}".workflow`);
    const cancelled = await temporal.client.workflow.start('SyncWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId: 'cancelled',
      args: [{ mode: 'full', pageSize: 5, heartbeatTimeoutSeconds: 2 }],
    });
    await waitFor('pages written', async () => {
      const { rows } = await db.pool.query(`SELECT count(*)::int AS n FROM "${db.schema}".workflow`);
      return rows[0].n >= 10 ? true : undefined;
    });
    await cancelled.cancel();
    await cancelled.result().catch(() => undefined);
    await slow.remove();
    await save('cancelled', 'cancelled');
  } finally {
    await worker.stop();
    await seed.stop();
    await db.dispose();
    await temporal.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
