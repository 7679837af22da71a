import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { SHUTDOWN_MARGIN_SECONDS } from '../../src/config';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { seedMixedExecutions } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { startSeedWorker, workflowBundleFile, type RunningWorker } from '../helpers/workers';
import { slowWrites } from '../helpers/write-gate';

const GRACE_SECONDS = 3;
/** What a platform waits after SIGTERM before it kills: Fly's kill_timeout, Kubernetes' terminationGracePeriodSeconds. */
const KILL_AFTER_MS = (GRACE_SECONDS + SHUTDOWN_MARGIN_SECONDS) * 1000;

describe('a worker told to stop while Postgres hangs', () => {
  let temporal: TestTemporal;
  let seedWorker: RunningWorker;
  let db: TestDatabase;
  let proxy: TcpProxy;
  let worker: WorkerProcess | undefined;

  before(async () => {
    [temporal, db] = await Promise.all([startTemporal(), createTestDatabase('shutdown_hang')]);
    seedWorker = await startSeedWorker(temporal);
    await seedMixedExecutions(temporal.sourceClient, 'hang', 2);
    proxy = await startTcpProxy('127.0.0.1', 5432);
  });
  after(async () => {
    await worker?.stop('SIGKILL');
    await proxy?.close();
    await seedWorker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  it('exits within the grace time plus the margin, and says why', async (t) => {
    const taskQueue = `hang-${db.schema}`;
    worker = spawnWorker({
      DATABASE_URL: `postgres://root@${proxy.address}/test`,
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_SYNC_SOURCE_NAMESPACE: SOURCE_NAMESPACE,
      TEMPORAL_SYNC_TASK_QUEUE: taskQueue,
      TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
      TEMPORAL_SYNC_WORKFLOW_BUNDLE: await workflowBundleFile(),
      TEMPORAL_SYNC_LOG_FORMAT: 'pretty',
    });
    await worker.waitForOutput(/worker ready/);
    const slow = await slowWrites(db.pool, db.schema, 'workflow', 0, 200);
    try {
      await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue,
        workflowId: `hang-${db.schema}`,
        args: [{ mode: 'full', streams: ['workflows'], pageSize: 5, heartbeatTimeoutSeconds: 60 }],
      });
      await waitFor('a few pages written', async () => {
        const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db.schema}".workflow`);
        return rows[0]!.n >= 10 ? true : undefined;
      });
      proxy.hang();
      // The page in flight and the next statements now wait on a database that does not answer.
      await sleep(500);
      const signalled = Date.now();
      process.kill(worker.pid, 'SIGTERM');
      const outcome = await Promise.race([
        worker.exited.then((code) => ({ code })),
        sleep(KILL_AFTER_MS + 5_000).then(() => 'still running' as const),
      ]);
      const elapsed = Date.now() - signalled;
      t.diagnostic(`exited ${elapsed} ms after SIGTERM; a platform kills after ${KILL_AFTER_MS} ms`);
      assert.notEqual(
        outcome,
        'still running',
        `still running ${elapsed} ms after SIGTERM (a platform kills after ${KILL_AFTER_MS} ms):\n${worker.output().slice(-3000)}`,
      );
      assert.ok(
        elapsed <= KILL_AFTER_MS,
        `exited ${elapsed} ms after SIGTERM, after the platform's kill at ${KILL_AFTER_MS} ms`,
      );
      assert.equal(outcome !== 'still running' && outcome.code, 1, 'not a clean drain: the exit code says so');
      assert.match(worker.output(), /SIGTERM: draining/);
      assert.match(
        worker.output(),
        /shutdown: the worker did not drain within 8 s of the signal \(grace time plus half the margin/,
      );
      assert.match(worker.output(), /shutdown: the Postgres pool did not close within 3 s; exiting without it/);
    } finally {
      proxy.restore();
      await slow.remove();
    }
  });
});
