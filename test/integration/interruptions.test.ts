import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { CancelledFailure } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import type { SyncSummary } from '../../src/workflows/sync-workflow';
import { comparable, keyed, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { expectedWorkflowRows, seedMixedExecutions } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { runSync, startSeedWorker, startSyncWorker, type RunningWorker } from '../helpers/workers';
import { closeWriteGate, slowWrites } from '../helpers/write-gate';

async function assertTablesEqualServer(temporal: TestTemporal, db: TestDatabase): Promise<number> {
  const expected = await expectedWorkflowRows(temporal.sourceClient);
  const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
  assert.equal(stored.size, expected.length, 'no duplicates, nothing missing, nothing extra');
  for (const row of expected) {
    const actual = stored.get(workflowKey(row as never));
    assert.ok(actual, `missing ${row.workflow_id}`);
    assert.deepEqual(comparable(actual), comparable(row));
  }
  return expected.length;
}

const pageCount = (rows: number, pageSize: number) => Math.ceil(rows / pageSize);

describe('a sync that is interrupted', () => {
  let temporal: TestTemporal;
  let seedWorker: RunningWorker;
  let runs: number;
  const started: WorkerProcess[] = [];

  before(async () => {
    temporal = await startTemporal();
    seedWorker = await startSeedWorker(temporal);
    runs = (await seedMixedExecutions(temporal.sourceClient, 'interrupt', 10)).runs;
  });
  after(async () => {
    for (const worker of started) await worker.stop('SIGKILL');
    await seedWorker?.stop();
    await temporal?.stop();
  });

  it('resumes from its committed checkpoint after the worker is killed mid-pass (SIGKILL), losing nothing', async () => {
    const db = await createTestDatabase('crash');
    try {
      const env = {
        DATABASE_URL: TEST_DATABASE_URL,
        TEMPORAL_SYNC_SCHEMA: db.schema,
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_NAMESPACE: 'default',
        TEMPORAL_SYNC_SOURCE_NAMESPACE: SOURCE_NAMESPACE,
        TEMPORAL_SYNC_TASK_QUEUE: `crash-${db.schema}`,
      };
      const gate = await closeWriteGate(db.pool, db.schema, 'workflow', 150);
      const first = spawnWorker(env);
      started.push(first);
      await first.waitForOutput(/worker ready/);
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue: env.TEMPORAL_SYNC_TASK_QUEUE,
        workflowId: 'crash-resume',
        args: [{ mode: 'full', streams: ['workflows'], pageSize: 10, heartbeatTimeoutSeconds: 3 }],
      });
      await gate.waitUntilBlocked();
      // Heartbeats are throttled: wait until the server holds the checkpoint of the last written page.
      const checkpointPages = await waitFor('the checkpoint of page 15 on the server', async () => {
        const pending = (await handle.describe()).raw.pendingActivities?.[0];
        const payload = pending?.heartbeatDetails?.payloads?.[0];
        if (!payload?.data) return undefined;
        const details = JSON.parse(Buffer.from(payload.data).toString()) as { pages: number };
        return details.pages >= 15 ? details.pages : undefined;
      });
      assert.equal(await first.stop('SIGKILL'), null, 'killed');
      // The upsert that was in flight may still land after the worker died: re-writing it is harmless.
      await gate.remove();

      const second = spawnWorker(env);
      started.push(second);
      await second.waitForOutput(/worker ready/);
      const summary = (await handle.result()) as SyncSummary;
      assert.deepEqual(
        summary.streams.workflows?.resumedAtPages,
        [checkpointPages + 1],
        'resumed after the checkpoint',
      );
      assert.match(second.output(), /resuming from the committed checkpoint/);
      assert.equal(summary.streams.workflows?.pages, pageCount(runs, 10), 'no page counted twice');
      assert.equal(summary.streams.workflows?.rows, runs);
      assert.equal(await assertTablesEqualServer(temporal, db), runs);
      assert.equal(await second.stop('SIGTERM'), 0, 'the second worker shuts down cleanly');
    } finally {
      await db.dispose();
    }
  });

  it('stops at a page boundary when cancelled, records the run as cancelled, and the next run carries on', async () => {
    const db = await createTestDatabase('cancel');
    const worker = await startSyncWorker(temporal, db);
    try {
      const slow = await slowWrites(db.pool, db.schema, 'workflow', 50, 150);
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue: worker.taskQueue,
        workflowId: 'cancelled-sync',
        args: [{ mode: 'full', pageSize: 10, heartbeatTimeoutSeconds: 2 }],
      });
      await waitFor('some pages written', async () => {
        const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db.schema}".workflow`);
        return rows[0]!.n >= 60 ? true : undefined;
      });
      await handle.cancel();
      const error = await handle.result().then(
        () => undefined,
        (failure: unknown) => failure,
      );
      assert.ok(
        error instanceof WorkflowFailedError && error.cause instanceof CancelledFailure,
        'the sync ends cancelled',
      );
      await slow.remove();

      const history = await handle.fetchHistory();
      const types = new Set(history.events?.map((event) => event.eventType));
      assert.ok(types.has(proto.api.enums.v1.EventType.EVENT_TYPE_ACTIVITY_TASK_CANCELED), 'the activity stopped');
      const { rows: stored } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${db.schema}".workflow`,
      );
      const written = stored[0]!.n;
      assert.ok(written < runs, `stopped early (${written} of ${runs})`);
      assert.equal(written % 10, 0, 'only whole pages are written');
      const { rows: recorded } = await db.pool.query<{
        status: string;
        rows_per_stream: Record<string, number>;
        error: string | null;
      }>(`SELECT status, rows_per_stream, error FROM "${db.schema}".sync_run WHERE workflow_id = 'cancelled-sync'`);
      assert.equal(recorded[0]!.status, 'cancelled');
      assert.equal(recorded[0]!.rows_per_stream.workflows, written, 'the recorded count is exact');
      const { rows: state } = await db.pool.query(
        `SELECT cursor FROM "${db.schema}".sync_state WHERE stream = 'workflows'`,
      );
      assert.equal(state.length, 0, 'an unfinished pass does not move the cursor');

      const next = await runSync(temporal, worker, { pageSize: 50 });
      assert.equal(next.streams.workflows?.full, true, 'with no cursor, the next run reads everything');
      await assertTablesEqualServer(temporal, db);
    } finally {
      await worker.stop();
      await db.dispose();
    }
  });
});
