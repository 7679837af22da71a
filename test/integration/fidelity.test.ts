import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import type { google } from '@temporalio/proto';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { runSync, SEED_TASK_QUEUE, startSyncWorker, type RunningWorker } from '../helpers/workers';

const bytes = (text: string) => new TextEncoder().encode(text);
const BIG = '9007199254740993'; // 2^53 + 1: a JS number would store 9007199254740992

/** A protobuf Timestamp as UTC text to the microsecond: what timestamptz can hold of it. */
function micros(timestamp: google.protobuf.ITimestamp | null | undefined): string {
  const seconds = Number(String(timestamp?.seconds ?? 0));
  const iso = new Date(seconds * 1000).toISOString().slice(0, 19);
  return `${iso}.${String(Math.floor((timestamp?.nanos ?? 0) / 1000)).padStart(6, '0')}Z`;
}

describe('what the source reports is stored exactly', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let worker: RunningWorker;
  const scheduleId = 'fidelity-schedule';

  before(async () => {
    temporal = await startTemporal();
    db = await createTestDatabase('fidelity');
    worker = await startSyncWorker(temporal, db);
    // Started through the raw API so the memo and attribute carry integers no JS number can hold.
    await temporal.sourceClient.workflowService.startWorkflowExecution({
      namespace: SOURCE_NAMESPACE,
      workflowId: 'big-numbers',
      workflowType: { name: 'neverRuns' },
      taskQueue: { name: 'nobody' },
      requestId: randomUUID(),
      memo: {
        fields: {
          big: { metadata: { encoding: bytes('json/plain') }, data: bytes(BIG) },
          nested: { metadata: { encoding: bytes('json/plain') }, data: bytes(`{"ids":[${BIG},-${BIG}],"small":1.5}`) },
        },
      },
      searchAttributes: {
        indexedFields: {
          CustomInt: { metadata: { encoding: bytes('json/plain'), type: bytes('Int') }, data: bytes(BIG) },
        },
      },
    });
    await temporal.sourceClient.schedule.create({
      scheduleId,
      spec: { intervals: [{ every: '1 hour' }], startAt: new Date('2099-01-01T00:00:00Z') },
      action: {
        type: 'startWorkflow',
        workflowType: 'completes',
        taskQueue: SEED_TASK_QUEUE,
        workflowId: `${scheduleId}-wf`,
        args: [],
        workflowExecutionTimeout: '1 day',
        retry: { initialInterval: '2 seconds', maximumInterval: '1 minute', maximumAttempts: 4 },
      },
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '10 minutes' },
    });
    await waitFor('the run to be listed', async () => {
      const { executions } = await temporal.sourceClient.workflowService.listWorkflowExecutions({
        namespace: SOURCE_NAMESPACE,
        query: `WorkflowId = 'big-numbers'`,
      });
      return executions.length === 1 ? true : undefined;
    });
    await runSync(temporal, worker, { mode: 'full' });
  });
  after(async () => {
    await worker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  it('keeps memo and search-attribute integers beyond 2^53 exactly, as the server lists them', async () => {
    const { executions } = await temporal.sourceClient.workflowService.listWorkflowExecutions({
      namespace: SOURCE_NAMESPACE,
      query: `WorkflowId = 'big-numbers'`,
    });
    // The dev server's SQLite visibility keeps Int attributes as doubles: the listing itself says ...992.
    // What it lists is what the table must hold, digit for digit.
    const listed = Buffer.from(executions[0]!.searchAttributes!.indexedFields!.CustomInt!.data!).toString();
    const { rows } = await db.pool.query<{ big: string; ids: string; small: string; attribute: string }>(
      `SELECT memo->'big' #>> '{}' AS big, memo->'nested'->'ids' #>> '{}' AS ids,
              memo->'nested'->'small' #>> '{}' AS small, search_attributes->'CustomInt' #>> '{}' AS attribute
       FROM "${db.schema}".workflow WHERE workflow_id = 'big-numbers'`,
    );
    assert.deepEqual(rows[0], { big: BIG, ids: `[${BIG}, -${BIG}]`, small: '1.5', attribute: listed });
  });

  it("keeps a schedule's times to the microsecond, as the server reports them", async () => {
    const raw = await temporal.sourceClient.workflowService.describeSchedule({
      namespace: SOURCE_NAMESPACE,
      scheduleId,
    });
    const { rows } = await db.pool.query<{ created_at: string; next: string }>(
      `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_at,
              next_action_times->>0 AS next
       FROM "${db.schema}".schedule WHERE schedule_id = $1`,
      [scheduleId],
    );
    assert.equal(rows[0]!.created_at, micros(raw.info?.createTime));
    assert.equal(rows[0]!.next, micros(raw.info?.futureActionTimes?.[0]));
  });

  it('stores schedule_action in its documented shape: seconds for durations, null for unset, no SDK wrappers', async () => {
    const { rows } = await db.pool.query<{ action: Record<string, unknown> }>(
      `SELECT schedule_action AS action FROM "${db.schema}".schedule WHERE schedule_id = $1`,
      [scheduleId],
    );
    assert.deepEqual(rows[0]!.action, {
      type: 'startWorkflow',
      workflowType: 'completes',
      workflowId: `${scheduleId}-wf`,
      taskQueue: SEED_TASK_QUEUE,
      args: [],
      memo: null,
      searchAttributes: null,
      workflowExecutionTimeoutSeconds: 86400,
      workflowRunTimeoutSeconds: null,
      workflowTaskTimeoutSeconds: null,
      retry: {
        initialIntervalSeconds: 2,
        // Unset on the schedule: the server's default applies when it runs.
        backoffCoefficient: null,
        maximumIntervalSeconds: 60,
        maximumAttempts: 4,
        nonRetryableErrorTypes: [],
      },
      priority: null,
    });
  });
});
