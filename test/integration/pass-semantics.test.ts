import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRowWriter } from '../../src/db/rows';
import { advanceCursor } from '../../src/db/sync-state';
import { inTransaction } from '../../src/db/transaction';
import { workflowTable } from '../../src/db/workflow-rows';
import type { WorkflowRow } from '../../src/source/executions';
import type { SyncProgress, SyncSummary } from '../../src/workflows/sync-workflow';
import { comparable, keyed, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, type TestDatabase } from '../helpers/postgres';
import { countRuns, expectedWorkflowRows, seedMixedExecutions, seedSchedules } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { runSync, SEED_TASK_QUEUE, startSeedWorker, startSyncWorker, type RunningWorker } from '../helpers/workers';
import { slowWrites } from '../helpers/write-gate';

async function assertTablesEqualServer(temporal: TestTemporal, db: TestDatabase): Promise<void> {
  const expected = await expectedWorkflowRows(temporal.sourceClient);
  const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
  const live = [...stored.values()].filter((row) => row.deleted_at === null);
  assert.equal(live.length, expected.length);
  for (const row of expected) assert.deepEqual(comparable(stored.get(workflowKey(row as never))!), comparable(row));
}

describe('what a pass promises', () => {
  let temporal: TestTemporal;
  let seedWorker: RunningWorker;

  before(async () => {
    temporal = await startTemporal();
    seedWorker = await startSeedWorker(temporal);
    await seedMixedExecutions(temporal.sourceClient, 'semantics', 10);
  });
  after(async () => {
    await seedWorker?.stop();
    await temporal?.stop();
  });

  describe('with a database of its own', () => {
    let db: TestDatabase;
    let worker: RunningWorker;
    before(async () => {
      db = await createTestDatabase('semantics');
      worker = await startSyncWorker(temporal, db);
    });
    after(async () => {
      await worker?.stop();
      await db?.dispose();
    });

    it('marks a deleted schedule and a deleted execution with deleted_at, keeps the rows, and clears it when one comes back', async () => {
      const client = temporal.sourceClient;
      const scheduleIds = await seedSchedules(client, 'deletion');
      await runSync(temporal, worker, { mode: 'full' });

      const gone = await client.workflow.start('completes', {
        taskQueue: SEED_TASK_QUEUE,
        workflowId: 'to be deleted',
        args: [],
      });
      await gone.result();
      await runSync(temporal, worker, { mode: 'full' });

      await client.schedule.getHandle(`deletion-paused`).delete();
      await client.workflowService.deleteWorkflowExecution({
        namespace: SOURCE_NAMESPACE,
        workflowExecution: { workflowId: gone.workflowId, runId: gone.firstExecutionRunId },
      });
      // Wait for this run to leave the listing, not for a total: the seeded schedules may start runs meanwhile.
      await waitFor(
        'the deletion to reach visibility',
        async () => ((await countRuns(client, `WorkflowId = 'to be deleted'`)) === 0 ? true : undefined),
        { timeoutMs: 90_000 },
      );

      const deletedAt = async () => {
        const { rows } = await db.pool.query<{ id: string; deleted_at: Date | null }>(
          `SELECT schedule_id AS id, deleted_at FROM "${db.schema}".schedule WHERE schedule_id = 'deletion-paused'
           UNION ALL SELECT workflow_id, deleted_at FROM "${db.schema}".workflow WHERE workflow_id = 'to be deleted'`,
        );
        return Object.fromEntries(rows.map((row) => [row.id, row.deleted_at]));
      };

      const incremental = await runSync(temporal, worker, { mode: 'incremental' });
      assert.equal(incremental.streams.schedules?.deleted, 1, 'schedules are listed in full every run');
      assert.equal(incremental.streams.workflows?.deleted, 0, 'an incremental pass cannot tell what is gone');
      let marks = await deletedAt();
      assert.ok(marks['deletion-paused'] instanceof Date);
      assert.equal(marks['to be deleted'], null);

      const full = await runSync(temporal, worker, { mode: 'full' });
      assert.equal(full.streams.workflows?.deleted, 1);
      marks = await deletedAt();
      assert.ok(marks['to be deleted'] instanceof Date, 'the execution is marked, not dropped');
      assert.ok(marks['deletion-paused'] instanceof Date, 'the schedule row is still there');
      await assertTablesEqualServer(temporal, db);

      await client.schedule.create({
        scheduleId: 'deletion-paused',
        spec: { intervals: [{ every: '1 day' }] },
        action: { type: 'startWorkflow', workflowType: 'completes', taskQueue: SEED_TASK_QUEUE, args: [] },
      });
      await runSync(temporal, worker, { streams: ['schedules'] });
      marks = await deletedAt();
      assert.equal(marks['deletion-paused'], null, 'a schedule that comes back is live again');
      const { rows } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${db.schema}".schedule WHERE deleted_at IS NULL`,
      );
      assert.equal(rows[0]!.n, scheduleIds.length);
    });
  });

  it('ends with the same tables as one sync when a full, a full and an incremental sync run at once', async () => {
    const db = await createTestDatabase('concurrent');
    const worker = await startSyncWorker(temporal, db);
    try {
      await runSync(temporal, worker, { mode: 'full' });
      const inputs = [
        { mode: 'full' as const, pageSize: 7 },
        { mode: 'full' as const, pageSize: 11 },
        { mode: 'incremental' as const, pageSize: 5, lookbackSeconds: 3600 },
      ];
      const summaries = await Promise.all(inputs.map((input) => runSync(temporal, worker, input)));
      for (const summary of summaries) assert.ok(summary.streams.workflows!.rows > 0);
      await assertTablesEqualServer(temporal, db);
      const { rows: runs } = await db.pool.query<{ status: string; started_at: Date }>(
        `SELECT status, started_at FROM "${db.schema}".sync_run ORDER BY started_at`,
      );
      assert.deepEqual(
        runs.map((run) => run.status),
        ['completed', 'completed', 'completed', 'completed'],
        'sync_run shows each run',
      );
      const { rows: state } = await db.pool.query<{ cursor: Date }>(
        `SELECT cursor FROM "${db.schema}".sync_state WHERE stream = 'workflows'`,
      );
      assert.equal(
        state[0]!.cursor.getTime(),
        runs.at(-1)!.started_at.getTime(),
        'the cursor is the latest pass start',
      );
    } finally {
      await worker.stop();
      await db.dispose();
    }
  });

  it('keeps the later read of a running run whatever the write order, never lets a running view overwrite a closed one, nor an older pass move the cursor back', async () => {
    const db = await createTestDatabase('guard');
    try {
      const writer = createRowWriter(db.schema, workflowTable);
      const upsertRows = (rows: WorkflowRow[], syncRunId: string) =>
        inTransaction(db.pool, (client) => writer.write(client, rows, syncRunId));
      const closed: WorkflowRow = {
        ...(await expectedWorkflowRows(temporal.sourceClient)).find((row) => row.status === 'COMPLETED')!,
      };
      const running = { ...closed, status: 'RUNNING', close_time: null, history_length: null };
      const readAt = (minute: number) => `2026-06-01T00:${String(minute).padStart(2, '0')}:00.000Z`;
      const storedRow = async () => (await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE))[0]!;

      // Two overlapping passes saw the run while it ran; the one that read it later writes first.
      const laterRunningView = { ...running, search_attributes: { Stage: 'shipped' }, read_at: readAt(2) };
      const earlierRunningView = { ...running, search_attributes: { Stage: 'packed' }, read_at: readAt(1) };
      await upsertRows([laterRunningView], '1');
      await upsertRows([earlierRunningView], '2');
      assert.deepEqual((await storedRow()).search_attributes, { Stage: 'shipped' }, 'the later read wins');
      assert.equal((await storedRow()).sync_run_id, 2, 'the older view still confirms the row was seen');
      await upsertRows([{ ...running, search_attributes: { Stage: 'delivered' }, read_at: readAt(3) }], '3');
      assert.deepEqual((await storedRow()).search_attributes, { Stage: 'delivered' }, 'a newer read replaces it');

      // Once closed, no running view replaces it, however late it was read.
      await upsertRows([{ ...closed, read_at: readAt(4) }], '4');
      await upsertRows([{ ...running, read_at: readAt(5) }], '5');
      const stored = await storedRow();
      assert.equal(stored.status, 'COMPLETED');
      assert.deepEqual(comparable(stored), comparable(closed));

      const later = new Date('2026-06-01T00:00:00Z');
      const moveCursor = (to: Date) =>
        inTransaction(db.pool, (client) =>
          advanceCursor(client, db.schema, { namespace: SOURCE_NAMESPACE, stream: 'workflows', full: false, to }),
        );
      await moveCursor(later);
      await moveCursor(new Date('2026-01-01T00:00:00Z'));
      const { rows } = await db.pool.query<{ cursor: Date }>(`SELECT cursor FROM "${db.schema}".sync_state`);
      assert.equal(rows[0]!.cursor.getTime(), later.getTime());
    } finally {
      await db.dispose();
    }
  });

  it('continues as new on a long pass, carrying its position, and answers the progress query meanwhile', async () => {
    const db = await createTestDatabase('continue');
    const worker = await startSyncWorker(temporal, db);
    try {
      const slow = await slowWrites(db.pool, db.schema, 'workflow', 0, 30);
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue: worker.taskQueue,
        workflowId: 'long-pass',
        args: [
          {
            mode: 'full',
            streams: ['workflows'],
            pageSize: 20,
            activityMaxSeconds: 0,
            continueAsNewAfterActivities: 4,
          },
        ],
      });
      const progress = await waitFor('progress with pages', async () => {
        const seen = await temporal.client.workflow.getHandle('long-pass').query<SyncProgress>('progress');
        return (seen.streams.workflows?.pages ?? 0) > 0 ? seen : undefined;
      });
      assert.equal(progress.mode, 'full');
      assert.ok(progress.syncRunId);
      const summary = (await handle.result()) as SyncSummary;
      await slow.remove();
      const total = await countRuns(temporal.sourceClient);
      assert.ok(summary.continuedAsNew >= 3, `continued as new ${summary.continuedAsNew} times`);
      assert.equal(summary.streams.workflows?.rows, total);
      assert.equal(summary.streams.workflows?.pages, Math.ceil(total / 20));
      const { rows } = await db.pool.query<{ status: string; rows_per_stream: Record<string, number> }>(
        `SELECT status, rows_per_stream FROM "${db.schema}".sync_run WHERE workflow_id = 'long-pass'`,
      );
      assert.equal(rows.length, 1, 'one run, whatever the number of continuations');
      assert.equal(rows[0]!.status, 'completed');
      assert.equal(rows[0]!.rows_per_stream.workflows, total);
      await assertTablesEqualServer(temporal, db);
    } finally {
      await worker.stop();
      await db.dispose();
    }
  });
});
