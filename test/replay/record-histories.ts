import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { DEFAULT_ALERT_SETTINGS } from '../../src/alerts/settings';
import { createTestDatabase } from '../helpers/postgres';
import { seedMixedExecutions } from '../helpers/seed';
import { startTemporal } from '../helpers/temporal';
import { startSeedWorker, startSyncWorker } from '../helpers/workers';
import { slowWrites } from '../helpers/write-gate';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver } from '../helpers/webhook-receiver';

/**
 * The set the current workflow code records: its files are named `<set>-<name>.json`, beside those of
 * the code before it (`streams-*`, and before the stream contract no prefix), which stay as they were
 * recorded and keep proving old runs replay.
 */
const RECORDING_SET = 'lanes';
const HELP = `Usage: npm run record-histories [-- <name>...]

Runs SyncWorkflow on a fresh dev server in the ways that matter (full, incremental, continued as
new, partitioned, cancelled, a failure that alerts, the same failure under a retry policy, the
recovery after it, bad input), StalenessCheckWorkflow and AlertWorkflow, and writes each run's event
history to test/replay/histories/${RECORDING_SET}-<name>.json. The replay test replays every recorded
history, of this code and of the code before it, against the current workflow code on every test run.

With names, only those histories are written (the others are still run, as the later ones need
them): add histories for a new path without re-recording the old ones, which are what proves that
runs recorded before a change still replay.

Record again only for a change that is meant to be incompatible before any release; once syncs
run in production, keep the old histories and guard the change with patched() instead.`;

const OUT = path.join(__dirname, 'histories');

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const temporal = await startTemporal();
  const db = await createTestDatabase('record');
  const seed = await startSeedWorker(temporal);
  const receiver = await startWebhookReceiver();
  const worker = await startSyncWorker(temporal, db, {
    alerts: { ...DEFAULT_ALERT_SETTINGS, webhookUrl: receiver.url, stalenessSeconds: 1, httpTimeoutMs: 1000 },
  });
  mkdirSync(OUT, { recursive: true });
  const save = async (name: string, workflowId: string, runId?: string) => {
    if (only.length > 0 && !only.includes(name)) return;
    const history = await temporal.client.workflow.getHandle(workflowId, runId).fetchHistory();
    writeFileSync(path.join(OUT, `${RECORDING_SET}-${name}.json`), `${historyToJSON(history)}\n`);
    process.stdout.write(`recorded ${RECORDING_SET}-${name} (${history.events?.length ?? 0} events)\n`);
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
    // A pass split into StartTime partitions, read a few at once.
    await run('partitioned', {
      mode: 'full',
      streams: ['workflows'],
      pageSize: 5,
      partitions: 3,
      minRowsPerPartition: 5,
    });
    await save('partitioned', 'partitioned');

    const slow = await slowWrites(db.pool, db.schema, 'workflow', 0, 200);
    await db.pool.query(`TRUNCATE "${db.schema}".workflow`);
    const cancelled = await temporal.client.workflow.start('SyncWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId: 'cancelled',
      args: [{ mode: 'full', pageSize: 5, heartbeatTimeoutSeconds: 2 }],
    });
    await waitFor('pages written', async () => {
      const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db.schema}".workflow`);
      return rows[0]!.n >= 10 ? true : undefined;
    });
    await cancelled.cancel();
    await cancelled.result().catch(() => undefined);
    await slow.remove();
    await save('cancelled', 'cancelled');

    // A failure that opens an incident (and starts an alert whose first attempt finds the webhook
    // down), then the success that closes it, then a staleness check that finds the data stale.
    await db.pool.query(`
      CREATE FUNCTION "${db.schema}".deny_writes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'permission denied for table workflow' USING ERRCODE = '42501'; END $$;
      CREATE TRIGGER deny_writes BEFORE INSERT ON "${db.schema}".workflow
        FOR EACH STATEMENT EXECUTE FUNCTION "${db.schema}".deny_writes();`);
    await receiver.down();
    await run('failed-alerted', { mode: 'full' });
    await save('failed-alerted', 'failed-alerted');
    // The same failure in a run with a retry policy, as the schedules start them: it ends at its first attempt.
    const withRetries = await temporal.client.workflow.start('SyncWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId: 'failed-retry-policy',
      args: [{ mode: 'full' }],
      retry: { maximumAttempts: 3, initialInterval: '1 second' },
    });
    await withRetries.result().catch(() => undefined);
    await save('failed-retry-policy', 'failed-retry-policy');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await receiver.up();
    const alertId = `temporal-sync-alert/${db.schema}/sync-source/1/opened`;
    await temporal.client.workflow.getHandle(alertId).result();
    await save('alert-delivered', alertId);
    await db.pool.query(`DROP TRIGGER deny_writes ON "${db.schema}".workflow`);
    await run('recovered-alerted', { mode: 'full' });
    await save('recovered-alerted', 'recovered-alerted');
    // A refused input is recorded as a failed run and opens an incident of its own (the last one closed).
    await run('bad-input', { mode: 'fulll', pageSize: 0 });
    await save('failed-bad-input', 'bad-input');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await temporal.client.workflow.execute('StalenessCheckWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId: 'staleness-check',
    });
    await save('staleness-check', 'staleness-check');
  } finally {
    await receiver.close();
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
