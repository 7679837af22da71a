import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ScheduleOverlapPolicy, type ScheduleDescription, type ScheduleOptions } from '@temporalio/client';
import { scheduleToRow } from '../../src/source/schedules';
import {
  BOOKKEEPING_COLUMNS,
  canonicalTimestamp,
  comparable,
  keyed,
  scheduleKey,
  workflowKey,
} from '../helpers/compare';
import { createTestDatabase, tableRows, type TestDatabase } from '../helpers/postgres';
import { expectedWorkflowRows, seedMixedExecutions, seedSchedules, waitForSettled } from '../helpers/seed';
import { SOURCE_NAMESPACE, searchAttributes, startTemporal, type TestTemporal } from '../helpers/temporal';
import { runSync, SEED_TASK_QUEUE, startSeedWorker, startSyncWorker, type RunningWorker } from '../helpers/workers';
import { waitFor } from '../helpers/wait';

/**
 * One schedule besides the seeded ones, with what they leave unset: a cron with a time zone and
 * bounds, an action with arguments, memo, attributes, retry and timeouts, a limit on its actions, and
 * a workflow it started that is still running.
 */
const LIMITED_ID = 'core-limited "running"';
const limitedSchedule: ScheduleOptions = {
  scheduleId: LIMITED_ID,
  spec: {
    cronExpressions: ['15 8 * * *'],
    timezone: 'Asia/Tokyo',
    startAt: new Date('2025-01-01T00:00:00.000Z'),
    endAt: new Date('2035-06-30T12:00:00.000Z'),
  },
  action: {
    type: 'startWorkflow',
    workflowType: 'waits',
    taskQueue: SEED_TASK_QUEUE,
    workflowId: 'core-limited-wf',
    args: [{ order: 42, label: 'ünïcødé "q"' }, 'second'],
    memo: { purpose: 'keeps running' },
    typedSearchAttributes: [{ key: searchAttributes.keyword, value: 'from-schedule' }],
    retry: { maximumAttempts: 3, initialInterval: '2 seconds', backoffCoefficient: 1.5 },
    workflowRunTimeout: '1 hour',
    workflowTaskTimeout: '20 seconds',
  },
  policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: '2 minutes', pauseOnFailure: false },
  state: { remainingActions: 5 },
};

type RawTimestamp = { seconds?: { toString(): string } | number | null; nanos?: number | null } | null | undefined;
/** Milliseconds of a protobuf Timestamp read straight from the describe response. */
const rawMs = (ts: RawTimestamp): number | null =>
  ts ? Number(String(ts.seconds ?? 0)) * 1000 + Math.floor((ts.nanos ?? 0) / 1_000_000) : null;
const rawSeconds = (duration: RawTimestamp): number | null =>
  duration ? Number(String(duration.seconds ?? 0)) + (duration.nanos ?? 0) / 1e9 : null;
/** A protobuf Timestamp from the describe response as UTC text to the microsecond, what timestamptz holds. */
const rawMicros = (ts: RawTimestamp): string | null => {
  if (!ts) return null;
  const whole = new Date(Number(String(ts.seconds ?? 0)) * 1000).toISOString().slice(0, 19);
  return `${whole}.${String(Math.floor((ts.nanos ?? 0) / 1000)).padStart(6, '0')}Z`;
};
const rawNumber = (value: { toString(): string } | number | null | undefined): number => Number(String(value ?? 0));
/** A timestamp as the table holds it (text in to_jsonb) in milliseconds; null stays null. */
const timeOf = (value: unknown): number | null => {
  if (value === null) return null;
  assert.ok(typeof value === 'string', `a stored timestamp is text, not ${typeof value}`);
  return Date.parse(value);
};
const range = <T>(start: T, end: T = start) => [{ start, end, step: 1 }];
/** A structured calendar as the server keeps one: every field written out, unset ones at their defaults. */
const calendar = (fields: { minute: number; hour: number; dayOfWeek?: [string, string] }) => ({
  second: range(0),
  minute: range(fields.minute),
  hour: range(fields.hour),
  dayOfMonth: range(1, 31),
  month: range('JANUARY', 'DECEMBER'),
  year: [],
  dayOfWeek: range(...(fields.dayOfWeek ?? ['SUNDAY', 'SATURDAY'])),
  comment: '',
});

describe('a full sync of a namespace', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let seedWorker: RunningWorker;
  let syncWorker: RunningWorker;
  let scheduleIds: string[];
  let schedulesCreatedFrom: number;
  let schedulesCreatedUntil: number;

  before(async () => {
    temporal = await startTemporal();
    db = await createTestDatabase('full_sync');
    seedWorker = await startSeedWorker(temporal);
    syncWorker = await startSyncWorker(temporal, db);
    const counts = await seedMixedExecutions(temporal.sourceClient, 'core', 10);
    schedulesCreatedFrom = Date.now();
    scheduleIds = await seedSchedules(temporal.sourceClient, 'core');
    await temporal.sourceClient.schedule.create(limitedSchedule);
    schedulesCreatedUntil = Date.now();
    scheduleIds.push(LIMITED_ID);
    // One action taken, so recent_actions has something to show.
    const triggered = temporal.sourceClient.schedule.getHandle(scheduleIds[0]!);
    await triggered.trigger();
    // Not under ALLOW_ALL (trigger's default): the server tracks a schedule's running workflows only
    // for starts that obey an overlap policy.
    const limited = temporal.sourceClient.schedule.getHandle(LIMITED_ID);
    await limited.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
    await waitFor('the triggered actions to be recorded', async () =>
      (await triggered.describe()).info.recentActions.length === 1 &&
      (await limited.describe()).info.recentActions.length === 1
        ? true
        : undefined,
    );
    // The limited schedule's workflow runs on (it waits for a signal).
    await waitForSettled(temporal.sourceClient, { runs: counts.runs + 2, running: counts.running + 1 });
  });

  after(async () => {
    await syncWorker?.stop();
    await seedWorker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  it('writes one row for every execution the server lists, equal to what it reports, and nothing else', async () => {
    const summary = await runSync(temporal, syncWorker, { mode: 'full', pageSize: 50 });
    const expected = await expectedWorkflowRows(temporal.sourceClient);
    assert.ok(expected.length >= 300, `seeded ${expected.length} runs`);
    assert.equal(summary.streams.workflows?.rows, expected.length);
    assert.equal(summary.streams.workflows?.pages, Math.ceil(expected.length / 50));

    const actual = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
    assert.equal(actual.size, expected.length, 'one row per listed run, no more');
    for (const row of expected) {
      const stored = actual.get(workflowKey(row as unknown as Record<string, unknown>));
      assert.ok(stored, `no row for ${row.workflow_id} / ${row.run_id}`);
      assert.deepEqual(comparable(stored), comparable(row), `row of ${row.workflow_id}`);
      assert.equal(stored.deleted_at, null);
    }
    const statuses = new Set([...actual.values()].map((row) => row.status));
    for (const status of [
      'COMPLETED',
      'FAILED',
      'TERMINATED',
      'CANCELED',
      'TIMED_OUT',
      'RUNNING',
      'CONTINUED_AS_NEW',
    ]) {
      assert.ok(statuses.has(status), `a ${status} run is stored`);
    }
  });

  it("agrees with the SDK's own decoding of every execution", async () => {
    const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
    let checked = 0;
    for await (const info of temporal.sourceClient.workflow.list()) {
      const row = stored.get(`${info.workflowId}\u0001${info.runId}`);
      assert.ok(row, `row for ${info.workflowId}`);
      assert.equal(row.workflow_type, info.type);
      assert.equal(row.status, info.status.name === 'CANCELLED' ? 'CANCELED' : info.status.name);
      assert.equal(row.task_queue, info.taskQueue);
      assert.equal(Date.parse(String(row.start_time)), info.startTime.getTime());
      assert.equal(timeOf(row.close_time), info.closeTime?.getTime() ?? null);
      if (info.closeTime) {
        assert.equal(row.history_length, info.historyLength);
        // The SDK floors times to milliseconds; the table keeps microseconds.
        const sdkSeconds = (info.closeTime.getTime() - info.startTime.getTime()) / 1000;
        assert.ok(Math.abs(Number(row.execution_time_seconds) - sdkSeconds) < 0.002, `duration of ${info.workflowId}`);
      } else {
        assert.equal(row.history_length, null, 'counters of a running run are unknown, not 0');
      }
      assert.deepEqual(row.memo ?? undefined, info.memo && Object.keys(info.memo).length > 0 ? info.memo : undefined);
      assert.equal(row.parent_workflow_id, info.parentExecution?.workflowId ?? null);
      const attributes = (row.search_attributes ?? {}) as Record<string, unknown>;
      for (const pair of info.typedSearchAttributes.getAll()) {
        const value = attributes[pair.key.name];
        if (pair.value instanceof Date) assert.equal(Date.parse(String(value)), pair.value.getTime());
        else assert.deepEqual(value, pair.value, `${pair.key.name} of ${info.workflowId}`);
      }
      checked += 1;
    }
    assert.equal(checked, stored.size);
    const children = [...stored.values()].filter((row) => row.parent_workflow_id !== null);
    assert.ok(children.length >= 15, 'child runs name their parent');
  });

  it('writes every schedule as describe reports it', async () => {
    const stored = keyed(await tableRows(db.pool, db.schema, 'schedule', SOURCE_NAMESPACE), scheduleKey);
    assert.equal(stored.size, scheduleIds.length);
    for (const scheduleId of scheduleIds) {
      const description = await temporal.sourceClient.schedule.getHandle(scheduleId).describe();
      const row = stored.get(scheduleId);
      assert.ok(row, `row for schedule ${scheduleId}`);
      assert.deepEqual(
        comparable(row),
        comparable(
          scheduleToRow(SOURCE_NAMESPACE, scheduleId, description.raw, { list_fingerprint: null, described_at: '' }),
        ),
      );
      // And in terms a user checks by hand:
      assert.equal(row.paused, description.state.paused);
      assert.equal(row.note, description.state.note || null, 'no note is stored as NULL');
      assert.equal((row.next_action_times as string[]).length, description.info.nextActionTimes.length);
      assert.equal((row.recent_actions as unknown[]).length, description.info.recentActions.length);
    }
    const paused = stored.get('core-paused');
    assert.equal(paused?.paused, true);
    assert.equal(paused?.note, 'paused for maintenance "until Monday"');
    assert.deepEqual(stored.get('core-with-memo')?.memo, { owner: 'platform team', tags: ['a', 'b'] });
    assert.equal(stored.get('core-with-memo')?.overlap_policy, 'BUFFER_ONE');
    assert.equal(stored.get('core-with-memo')?.catchup_window_seconds, 600);
    assert.equal((stored.get('core-cron')?.recent_actions as unknown[]).length, 1);
  });

  /** The stored rows and describe() of every schedule the test made, read once for the checks below. */
  let scheduleState: Promise<{
    rows: Map<string, Record<string, unknown>>;
    described: Map<string, ScheduleDescription>;
  }>;
  const schedulesAsStoredAndDescribed = () =>
    (scheduleState ??= (async () => {
      const rows = keyed(await tableRows(db.pool, db.schema, 'schedule', SOURCE_NAMESPACE), scheduleKey);
      const described = new Map<string, ScheduleDescription>();
      for (const id of scheduleIds) described.set(id, await temporal.sourceClient.schedule.getHandle(id).describe());
      return { rows, described };
    })());
  const byId = (pick: (row: Record<string, unknown>) => unknown, rows: Map<string, Record<string, unknown>>) =>
    Object.fromEntries(scheduleIds.map((id) => [id, pick(rows.get(id) ?? {})]));

  it('stores each schedule_spec as it was created and as the server reports it', async () => {
    const { rows, described } = await schedulesAsStoredAndDescribed();
    const none = { calendars: [], intervals: [], skip: [], timezone: '' };
    assert.deepEqual(
      byId((row) => row.schedule_spec, rows),
      {
        'core-cron': { ...none, calendars: [calendar({ minute: 0, hour: 12, dayOfWeek: ['MONDAY', 'FRIDAY'] })] },
        'core-interval': {
          ...none,
          intervals: [{ every: 3_600_000, offset: 300_000 }],
          startAt: '2099-01-01T00:00:00.000Z',
        },
        'core-calendar "quoted" ü': {
          ...none,
          calendars: [calendar({ minute: 30, hour: 3, dayOfWeek: ['MONDAY', 'MONDAY'] })],
          jitter: 30_000,
          timezone: 'Europe/Berlin',
        },
        // A zero offset is absent from the response, and so from the row.
        'core-paused': { ...none, intervals: [{ every: 86_400_000 }] },
        'core-with-memo': { ...none, calendars: [calendar({ minute: 30, hour: 4 })] },
        [LIMITED_ID]: {
          ...none,
          calendars: [calendar({ minute: 15, hour: 8 })],
          startAt: '2025-01-01T00:00:00.000Z',
          endAt: '2035-06-30T12:00:00.000Z',
          timezone: 'Asia/Tokyo',
        },
      },
    );
    for (const id of scheduleIds) {
      const spec = rows.get(id)!.schedule_spec as Record<string, unknown> & {
        calendars: Array<{ hour: Array<{ start: number }> }>;
        intervals: Array<{ every: number; offset?: number }>;
      };
      const raw = described.get(id)!.raw.schedule!.spec!;
      assert.equal(spec.timezone, raw.timezoneName ?? '', `time zone of ${id}`);
      assert.equal(spec.jitter ?? null, rawMs(raw.jitter), `jitter of ${id}`);
      assert.equal(timeOf(spec.startAt ?? null), rawMs(raw.startTime), `start of ${id}`);
      assert.equal(timeOf(spec.endAt ?? null), rawMs(raw.endTime), `end of ${id}`);
      assert.deepEqual(
        spec.intervals.map((interval) => [interval.every, interval.offset ?? 0]),
        (raw.interval ?? []).map((interval) => [rawMs(interval.interval), rawMs(interval.phase) ?? 0]),
        `intervals of ${id}`,
      );
      assert.deepEqual(
        spec.calendars.map((calendar) => calendar.hour[0]!.start),
        (raw.structuredCalendar ?? []).map((calendar) => calendar.hour?.[0]?.start ?? 0),
        `calendar hours of ${id}`,
      );
      // Whatever the server keeps as cron text or unstructured calendars must not be lost.
      for (const cron of raw.cronString ?? [])
        assert.ok(JSON.stringify(spec).includes(cron), `cron "${cron}" of ${id}`);
      assert.equal(raw.calendar?.length ?? 0, 0, `unstructured calendars of ${id} are not stored`);
    }
  });

  it('stores each schedule_action in its documented shape, with the options it was created with', async () => {
    const { rows, described } = await schedulesAsStoredAndDescribed();
    const unset = {
      memo: null,
      searchAttributes: null,
      workflowExecutionTimeoutSeconds: null,
      workflowRunTimeoutSeconds: null,
      workflowTaskTimeoutSeconds: null,
      retry: null,
      priority: null,
    };
    const seeded = (id: string) => ({
      type: 'startWorkflow',
      workflowId: `${id}-wf`,
      workflowType: 'completes',
      taskQueue: 'seed',
      args: [],
      ...unset,
    });
    assert.deepEqual(
      byId((row) => row.schedule_action, rows),
      {
        ...Object.fromEntries(scheduleIds.filter((id) => id !== LIMITED_ID).map((id) => [id, seeded(id)])),
        [LIMITED_ID]: {
          type: 'startWorkflow',
          workflowId: 'core-limited-wf',
          workflowType: 'waits',
          taskQueue: 'seed',
          args: [{ order: 42, label: 'ünïcødé "q"' }, 'second'],
          ...unset,
          memo: { purpose: 'keeps running' },
          retry: {
            initialIntervalSeconds: 2,
            backoffCoefficient: 1.5,
            maximumIntervalSeconds: null,
            maximumAttempts: 3,
            nonRetryableErrorTypes: [],
          },
          // Decoded as the workflow table's search_attributes are: the value, not the SDK's one-item list.
          searchAttributes: { CustomKeyword: 'from-schedule' },
          workflowRunTimeoutSeconds: 3600,
          workflowTaskTimeoutSeconds: 20,
        },
      },
    );
    for (const id of scheduleIds) {
      const action = rows.get(id)!.schedule_action as Record<string, unknown>;
      const raw = described.get(id)!.raw.schedule!.action!.startWorkflow!;
      assert.equal(action.workflowType, raw.workflowType?.name, `workflow type of ${id}`);
      assert.equal(action.taskQueue, raw.taskQueue?.name, `task queue of ${id}`);
      assert.equal(action.workflowId, raw.workflowId, `workflow ID of ${id}`);
      assert.deepEqual(
        action.args,
        (raw.input?.payloads ?? []).map(
          (payload) => JSON.parse(Buffer.from(payload.data!).toString('utf8')) as unknown,
        ),
        `arguments of ${id}`,
      );
      assert.equal(action.workflowRunTimeoutSeconds, rawSeconds(raw.workflowRunTimeout), `run timeout of ${id}`);
      assert.equal(action.workflowTaskTimeoutSeconds, rawSeconds(raw.workflowTaskTimeout), `task timeout of ${id}`);
      const retry = action.retry as Record<string, unknown> | null;
      assert.equal(retry?.maximumAttempts ?? null, raw.retryPolicy?.maximumAttempts || null, `retry of ${id}`);
    }
  });

  it("stores each schedule's own search attributes and memo as the server reports them", async () => {
    const { rows, described } = await schedulesAsStoredAndDescribed();
    const nothing = Object.fromEntries(scheduleIds.map((id) => [id, null]));
    assert.deepEqual(
      byId((row) => row.search_attributes, rows),
      {
        ...nothing,
        'core-with-memo': { CustomKeyword: 'scheduled' },
      },
    );
    assert.deepEqual(
      byId((row) => row.memo, rows),
      {
        ...nothing,
        'core-with-memo': { owner: 'platform team', tags: ['a', 'b'] },
      },
    );
    for (const id of scheduleIds) {
      const description = described.get(id)!;
      const attributes = Object.fromEntries(
        description.typedSearchAttributes.getAll().map((pair) => [pair.key.name, pair.value]),
      );
      assert.deepEqual(rows.get(id)!.search_attributes ?? {}, attributes, `search attributes of ${id}`);
      assert.deepEqual(rows.get(id)!.memo ?? {}, description.memo ?? {}, `memo of ${id}`);
    }
  });

  it("stores each schedule's policies, limit, counters, running workflows and times as describe reports them", async () => {
    const { rows, described } = await schedulesAsStoredAndDescribed();
    const quiet = {
      pause_on_failure: false,
      remaining_actions: null,
      num_actions_taken: 0,
      num_actions_missed_catchup_window: 0,
      num_actions_skipped_overlap: 0,
      running_workflows: 0,
    };
    assert.deepEqual(
      byId(
        (row) => ({
          pause_on_failure: row.pause_on_failure,
          remaining_actions: row.remaining_actions,
          num_actions_taken: row.num_actions_taken,
          num_actions_missed_catchup_window: row.num_actions_missed_catchup_window,
          num_actions_skipped_overlap: row.num_actions_skipped_overlap,
          running_workflows: (row.running_workflows as unknown[]).length,
        }),
        rows,
      ),
      {
        'core-cron': { ...quiet, num_actions_taken: 1 },
        'core-interval': quiet,
        'core-calendar "quoted" ü': quiet,
        'core-paused': quiet,
        'core-with-memo': { ...quiet, pause_on_failure: true },
        [LIMITED_ID]: { ...quiet, remaining_actions: 5, num_actions_taken: 1, running_workflows: 1 },
      },
    );
    assert.equal(rows.get(LIMITED_ID)!.overlap_policy, 'BUFFER_ALL');
    assert.equal(rows.get(LIMITED_ID)!.catchup_window_seconds, 120);
    for (const id of scheduleIds) {
      const row = rows.get(id)!;
      const { info, state, policies, raw } = described.get(id)!;
      // The SDK's decoding and the raw response, neither through scheduleToRow.
      assert.equal(row.pause_on_failure, policies.pauseOnFailure, `pause_on_failure of ${id}`);
      assert.equal(row.pause_on_failure, raw.schedule!.policies?.pauseOnFailure === true, `pause_on_failure of ${id}`);
      assert.equal(row.remaining_actions, state.remainingActions ?? null, `remaining_actions of ${id}`);
      assert.equal(
        row.remaining_actions,
        raw.schedule!.state?.limitedActions ? rawNumber(raw.schedule!.state.remainingActions) : null,
        `remaining_actions of ${id}`,
      );
      assert.equal(row.overlap_policy, policies.overlap, `overlap_policy of ${id}`);
      assert.equal(row.catchup_window_seconds, policies.catchupWindow / 1000, `catchup_window_seconds of ${id}`);
      assert.equal(row.catchup_window_seconds, rawSeconds(raw.schedule!.policies?.catchupWindow) ?? 60, id);
      assert.equal(row.num_actions_taken, info.numActionsTaken, `num_actions_taken of ${id}`);
      assert.equal(row.num_actions_taken, rawNumber(raw.info?.actionCount), `num_actions_taken of ${id}`);
      assert.equal(row.num_actions_missed_catchup_window, info.numActionsMissedCatchupWindow, id);
      assert.equal(row.num_actions_missed_catchup_window, rawNumber(raw.info?.missedCatchupWindow), id);
      assert.equal(row.num_actions_skipped_overlap, info.numActionsSkippedOverlap, id);
      assert.equal(row.num_actions_skipped_overlap, rawNumber(raw.info?.overlapSkipped), id);
      assert.deepEqual(
        row.running_workflows,
        (raw.info?.runningWorkflows ?? []).map((run) => ({
          workflow_id: run.workflowId,
          first_execution_run_id: run.runId,
        })),
        `running_workflows of ${id}`,
      );
      assert.deepEqual(
        row.recent_actions,
        (raw.info?.recentActions ?? []).map((recent) => ({
          scheduled_at: rawMicros(recent.scheduleTime),
          taken_at: rawMicros(recent.actualTime),
          workflow_id: recent.startWorkflowResult?.workflowId,
          first_execution_run_id: recent.startWorkflowResult?.runId,
        })),
        `recent_actions of ${id}`,
      );
      // To the microsecond, and when the test made it.
      assert.equal(canonicalTimestamp(String(row.created_at)), rawMicros(raw.info?.createTime), `created_at of ${id}`);
      const createdAt = timeOf(row.created_at)!;
      assert.equal(Math.floor(createdAt), info.createdAt.getTime(), `created_at of ${id}`);
      assert.ok(createdAt >= schedulesCreatedFrom - 1000 && createdAt <= schedulesCreatedUntil + 1000, id);
      const updated =
        typeof row.last_updated_at === 'string' ? canonicalTimestamp(row.last_updated_at) : row.last_updated_at;
      assert.equal(updated, rawMicros(raw.info?.updateTime), `last_updated_at of ${id}`);
    }
    const [running] = rows.get(LIMITED_ID)!.running_workflows as Array<{ workflow_id: string }>;
    assert.ok(running?.workflow_id.startsWith('core-limited-wf'), 'the workflow the schedule started');
    const [recent] = rows.get('core-cron')!.recent_actions as Array<{ workflow_id: string }>;
    assert.ok(recent?.workflow_id.startsWith('core-cron-wf'), 'the workflow the trigger started');
  });

  it('a second full sync changes nothing but synced_at and sync_run_id, which names the second run', async () => {
    const before = await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE);
    const schedulesBefore = await tableRows(db.pool, db.schema, 'schedule', SOURCE_NAMESPACE);
    const second = await runSync(temporal, syncWorker, { mode: 'full' });
    const after = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
    assert.equal(after.size, before.length);
    for (const row of before) {
      const again = after.get(workflowKey(row));
      assert.ok(again);
      assert.deepEqual(comparable(again), comparable(row));
      assert.ok(Date.parse(String(again.synced_at)) > Date.parse(String(row.synced_at)), 'synced_at moves');
      assert.notEqual(String(row.sync_run_id), second.syncRunId);
      assert.equal(String(again.sync_run_id), second.syncRunId, 'sync_run_id names the run that last wrote it');
    }
    const schedulesAfter = keyed(await tableRows(db.pool, db.schema, 'schedule', SOURCE_NAMESPACE), scheduleKey);
    for (const row of schedulesBefore) {
      const again = schedulesAfter.get(scheduleKey(row));
      assert.ok(again);
      // next_action_times roll forward with the clock; the rest stands still.
      assert.deepEqual(
        comparable(again, [...BOOKKEEPING_COLUMNS, 'next_action_times']),
        comparable(row, [...BOOKKEEPING_COLUMNS, 'next_action_times']),
      );
      assert.equal(String(again.sync_run_id), second.syncRunId);
    }
    // Lineage joins: every row names a run recorded in sync_run, and that run completed.
    const { rows: orphans } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${db.schema}".workflow w
       LEFT JOIN "${db.schema}".sync_run r ON r.id = w.sync_run_id WHERE r.status IS DISTINCT FROM 'completed'`,
    );
    assert.equal(orphans[0]!.n, 0);
  });
});
