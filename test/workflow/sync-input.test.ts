import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal as proto } from '@temporalio/proto';
import { STREAM_NAMES } from '../../src/streams/registry';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { runSync, startSyncWorker, type RunningWorker } from '../helpers/workers';

describe('SyncWorkflow input from the UI or the CLI', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let worker: RunningWorker;

  before(async () => {
    temporal = await startTemporal();
    db = await createTestDatabase('input');
    worker = await startSyncWorker(temporal, db);
  });
  after(async () => {
    await worker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  const badInputs: Array<[string, unknown, RegExp]> = [
    ['a misspelt mode', { mode: 'fulll' }, /mode: .*\(got "fulll"\)/],
    ['a page size over the server maximum', { pageSize: 5000 }, /pageSize: .*\(got 5000\)/],
    ['a page size that is text', { pageSize: '100' }, /pageSize: .*\(got "100"\)/],
    [
      'an unknown stream',
      { streams: ['tasks'] },
      /streams\.0: unknown stream "tasks" \(the streams are workflows, schedules, schedule_fires, stuck_workflows\)/,
    ],
    ['an unknown field', { mdoe: 'full' }, /unknown field "mdoe"/],
    ['a bare string', 'full', /\(input\): .*\(got "full"\)/],
  ];
  for (const [what, input, expected] of badInputs) {
    it(`fails at once, without retrying, on ${what}`, async () => {
      const workflowId = `bad-input-${what.replaceAll(' ', '-')}`;
      const started = Date.now();
      const error = await temporal.client.workflow
        .execute('SyncWorkflow', { taskQueue: worker.taskQueue, workflowId, args: [input] })
        .then(
          () => undefined,
          (failure: unknown) => failure,
        );
      assert.ok(error instanceof WorkflowFailedError, 'the workflow fails');
      assert.ok(error.cause instanceof ApplicationFailure);
      assert.equal(error.cause.type, 'InvalidSyncInput');
      assert.equal(error.cause.nonRetryable, true);
      assert.match(error.cause.message, expected);
      assert.ok(Date.now() - started < 10_000, 'it fails fast');
      const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
      const types = history.events?.map((event) => event.eventType) ?? [];
      const { EventType } = proto.api.enums.v1;
      assert.ok(!types.includes(EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED), 'no workflow task was retried');
      const activities = (history.events ?? []).flatMap(
        (event) => event.activityTaskScheduledEventAttributes?.activityType?.name ?? [],
      );
      const bookkeeping = ['planSyncRun', 'reconcileRuns', 'recordRejectedRun', 'decideOnOutcome'];
      assert.deepEqual(
        activities.filter((type) => !bookkeeping.includes(type)),
        [],
        `nothing was synced, only the refusal recorded (${activities.join(', ')})`,
      );
      const { rows } = await db.pool.query<{ status: string; error: string }>(
        `SELECT status, error FROM "${db.schema}".sync_run WHERE workflow_id = $1`,
        [workflowId],
      );
      assert.equal(rows[0]?.status, 'failed', 'the refused run is recorded as failed, for status and alerts');
      assert.match(rows[0].error, expected);
    });
  }

  it('runs with defaults from {} and from no input at all', async () => {
    const first = await runSync(temporal, worker, {});
    assert.deepEqual(Object.keys(first.streams).sort(), [...STREAM_NAMES].sort());
    assert.equal(first.streams.workflows?.full, true, 'with no cursor yet, the first pass reads everything');
    const second = await runSync(temporal, worker, undefined);
    assert.deepEqual(Object.keys(second.streams).sort(), [...STREAM_NAMES].sort());
    assert.equal(second.streams.workflows?.full, false, 'then it is incremental from the cursor');
    const { rows } = await db.pool.query(
      `SELECT mode, status FROM "${db.schema}".sync_run WHERE mode <> 'rejected' ORDER BY id`,
    );
    assert.deepEqual(rows, [
      { mode: 'incremental', status: 'completed' },
      { mode: 'incremental', status: 'completed' },
    ]);
  });
});
