import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { createPool } from '../../src/db/pool';
import { lenientDecodingCodec } from '../../src/source/lenient-codec';
import type { SyncSummary } from '../../src/workflows/sync-workflow';
import { comparable, keyed, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { expectedWorkflowRows, seedMixedExecutions } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { startTcpProxy } from '../helpers/tcp-proxy';
import { waitFor } from '../helpers/wait';
import { startSeedWorker, startSyncWorker, type RunningWorker, type SyncWorkerOverrides } from '../helpers/workers';
import { slowWrites } from '../helpers/write-gate';

const PAGE_SIZE = 10;

describe('a sync meets faults', () => {
  let temporal: TestTemporal;
  let seedWorker: RunningWorker;
  let runs: number;

  before(async () => {
    temporal = await startTemporal();
    seedWorker = await startSeedWorker(temporal);
    runs = (await seedMixedExecutions(temporal.sourceClient, 'faults', 10)).runs;
  });
  after(async () => {
    await seedWorker?.stop();
    await temporal?.stop();
  });

  /** Runs a slowed full sync, injects `fault` once 100 rows are in, and checks the outcome. */
  async function syncThrough(
    label: string,
    overrides: (db: TestDatabase) => Promise<SyncWorkerOverrides & { cleanup?: () => Promise<void> }>,
    fault: (db: TestDatabase) => Promise<void>,
    { expectActivityRetry = true } = {},
  ): Promise<void> {
    const db = await createTestDatabase(label);
    const { cleanup, ...workerOverrides } = await overrides(db);
    const worker = await startSyncWorker(temporal, db, workerOverrides);
    try {
      const slow = await slowWrites(db.pool, db.schema, 'workflow', 0, 40);
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue: worker.taskQueue,
        workflowId: `fault-${label}`,
        args: [{ mode: 'full', streams: ['workflows'], pageSize: PAGE_SIZE, heartbeatTimeoutSeconds: 5 }],
      });
      await waitFor('100 rows written', async () => {
        const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db.schema}".workflow`);
        return rows[0]!.n >= 100 ? true : undefined;
      });
      await fault(db);
      const summary = (await handle.result()) as SyncSummary;
      await slow.remove();

      const history = await handle.fetchHistory();
      const attempts = (history.events ?? []).flatMap(
        (event) => event.activityTaskStartedEventAttributes?.attempt ?? [],
      );
      if (expectActivityRetry) {
        assert.ok(Math.max(...attempts) > 1, `an activity was retried (attempts ${attempts.join(',')})`);
      }
      assert.equal(summary.streams.workflows?.rows, runs);
      const expected = await expectedWorkflowRows(temporal.sourceClient);
      const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
      assert.equal(stored.size, expected.length, 'nothing lost, nothing doubled');
      for (const row of expected) assert.deepEqual(comparable(stored.get(workflowKey(row as never))!), comparable(row));
    } finally {
      await worker.stop();
      await cleanup?.();
      await db.dispose();
    }
  }

  it("completes when the worker's database connections are killed mid-pass, as in a server restart", async () => {
    await syncThrough(
      'pg_restart',
      () => {
        // Idle clients killed here raise 'error' on the pool: without the listener the process would crash.
        const pool = createPool({ databaseUrl: TEST_DATABASE_URL, max: 4, onIdleError: () => {} });
        return Promise.resolve({ pool, cleanup: () => pool.end() });
      },
      async (db) => {
        // 57P01 admin_shutdown: what every client sees when Postgres restarts. Until one was caught
        // in the middle of a statement, so the fault reaches a page being written, not only idle ones.
        await waitFor(
          'a connection killed mid-statement',
          async () => {
            const { rowCount } = await db.pool.query(
              `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
             WHERE application_name = 'temporal-sync' AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE $1`,
              [`%${db.schema}%`],
            );
            return (rowCount ?? 0) > 0 ? true : undefined;
          },
          { intervalMs: 20 },
        );
      },
    );
  });

  it('completes when Postgres is unreachable for a while mid-pass', async () => {
    const proxy = await startTcpProxy('127.0.0.1', 5432);
    await syncThrough(
      'pg_down',
      () => {
        const url = new URL(TEST_DATABASE_URL);
        url.host = proxy.address;
        const pool = createPool({ databaseUrl: url.toString(), max: 4, onIdleError: () => {} });
        return Promise.resolve({ pool, cleanup: async () => (await pool.end(), await proxy.close()) });
      },
      async () => {
        proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 4000));
        proxy.restore();
      },
    );
  });

  it('completes when the source Temporal server is unreachable for a while mid-pass', async () => {
    const [host, port] = temporal.address.split(':');
    const proxy = await startTcpProxy(host!, Number(port));
    await syncThrough(
      'source_down',
      async () => {
        const connection = await Connection.connect({ address: proxy.address });
        const source = new Client({
          connection,
          namespace: SOURCE_NAMESPACE,
          dataConverter: { payloadCodecs: [lenientDecodingCodec] },
        });
        return { source, cleanup: async () => (await connection.close(), await proxy.close()) };
      },
      async () => {
        proxy.cut();
        await new Promise((resolve) => setTimeout(resolve, 4000));
        proxy.restore();
      },
      // The client's own gRPC retries ride out a short outage, so the activity need not fail at all.
      { expectActivityRetry: false },
    );
    assert.ok(proxy.refused() > 0, 'the source was really unreachable and the client kept trying');
  });

  async function failureOf(worker: RunningWorker, workflowId: string): Promise<ApplicationFailure> {
    const error = await temporal.client.workflow
      .execute('SyncWorkflow', { taskQueue: worker.taskQueue, workflowId, args: [{ mode: 'full' }] })
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    assert.ok(error instanceof WorkflowFailedError);
    let cause: unknown = error.cause;
    while (cause instanceof Error && !(cause instanceof ApplicationFailure)) cause = cause.cause;
    assert.ok(cause instanceof ApplicationFailure, 'an application failure is the root cause');
    return cause;
  }

  it('fails fast, without retrying, on a source namespace that does not exist, and says what to fix', async () => {
    const db = await createTestDatabase('no_namespace');
    const worker = await startSyncWorker(temporal, db, { namespace: 'no-such-namespace' });
    try {
      const started = Date.now();
      const failure = await failureOf(worker, 'no-namespace');
      assert.equal(failure.type, 'SourceNamespaceNotFound');
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, /TEMPORAL_SYNC_SOURCE_NAMESPACE/);
      assert.ok(Date.now() - started < 15_000);
      const { rows } = await db.pool.query<{ status: string; error: string | null }>(
        `SELECT status, error FROM "${db.schema}".sync_run`,
      );
      assert.equal(rows[0]!.status, 'failed');
      assert.match(rows[0]!.error ?? '', /SourceNamespaceNotFound|not found/i);
    } finally {
      await worker.stop();
      await db.dispose();
    }
  });

  it('fails fast on tables that are missing, and says to run the migrations', async () => {
    const db = await createTestDatabase('no_tables');
    const worker = await startSyncWorker(temporal, db);
    try {
      // CASCADE: the run's passes and the analytics view sync_freshness depend on sync_run.
      await db.pool.query(`DROP TABLE "${db.schema}".sync_run CASCADE`);
      const failure = await failureOf(worker, 'no-tables');
      assert.equal(failure.type, 'DatabaseSchemaMissing');
      assert.equal(failure.nonRetryable, true);
      assert.match(failure.message, /npm run migrate/);
      const history = await temporal.client.workflow.getHandle('no-tables').fetchHistory();
      const { EventType } = proto.api.enums.v1;
      const retried = (history.events ?? []).some(
        (event) =>
          event.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED &&
          (event.activityTaskStartedEventAttributes?.attempt ?? 1) > 1,
      );
      assert.equal(retried, false, 'not retried');
    } finally {
      await worker.stop();
      await db.dispose();
    }
  });
});
