import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScheduleOverlapPolicy, type ScheduleDescription } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType, TypedSearchAttributes } from '@temporalio/common';
import { scheduleRowKey, scheduleToRow, type ScheduleRow } from '../../src/source/schedules';

// Every expected value below is written out by hand: none is computed by the code under test.

const bytes = (text: string) => new TextEncoder().encode(text);
/** A payload as it sits in DescribeScheduleResponse.memo / .searchAttributes, before any decoding. */
const rawPayload = (encoding: string, data: string | Uint8Array, extra: Record<string, string> = {}) => ({
  metadata: Object.fromEntries(
    Object.entries({ encoding, ...extra }).map(([key, value]) => [key, bytes(value)] as const),
  ),
  data: typeof data === 'string' ? bytes(data) : data,
});

const keyword = defineSearchAttributeKey('CustomKeyword', SearchAttributeType.KEYWORD);
const range = <T>(start: T, end: T = start, step = 1) => ({ start, end, step });

/** A schedule with everything set, shaped as the SDK's describe() returns it. */
function activeDescription(): ScheduleDescription {
  return {
    scheduleId: 'nightly-report "EU" ü',
    spec: {
      // What the server compiles the cron '15 2 * * MON-FRI' into.
      calendars: [
        {
          second: [range(0)],
          minute: [range(15)],
          hour: [range(2)],
          dayOfMonth: [range(1, 31)],
          month: [range('JANUARY' as const, 'DECEMBER' as const)],
          year: [],
          dayOfWeek: [range('MONDAY' as const, 'FRIDAY' as const)],
          comment: 'weekday nights',
        },
      ],
      intervals: [{ every: 5_400_000, offset: 600_000 }],
      skip: [
        {
          second: [range(0)],
          minute: [range(0)],
          hour: [range(0, 23)],
          dayOfMonth: [range(25)],
          month: [range('DECEMBER' as const)],
          year: [],
          dayOfWeek: [range('SUNDAY' as const, 'SATURDAY' as const)],
        },
      ],
      startAt: new Date('2025-01-01T00:00:00.000Z'),
      endAt: new Date('2030-12-31T23:59:59.999Z'),
      jitter: 30_000,
      timezone: 'Europe/Berlin',
    },
    action: {
      type: 'startWorkflow',
      workflowId: 'nightly-report-wf',
      workflowType: 'GenerateReport',
      taskQueue: 'reports',
      args: [
        { region: 'eu', days: 7 },
        'full',
        3,
        null,
        // A binary/plain argument: the SDK decodes it to bytes.
        new Uint8Array([0xde, 0xad, 0xbe, 0xef]),
        // An encrypted argument, as the source client's lenient codec hands it on.
        { _encoding: 'binary/encrypted', _base64: 'c2VjcmV0' },
      ],
      memo: { requestedBy: 'ops', limits: { rows: 1000 } },
      retry: {
        backoffCoefficient: 2,
        maximumAttempts: 5,
        maximumInterval: 60_000,
        initialInterval: 1_000,
        nonRetryableErrorTypes: ['BadInput'],
      },
      searchAttributes: { CustomKeyword: ['reports'] },
      typedSearchAttributes: new TypedSearchAttributes([{ key: keyword, value: 'reports' }]),
      workflowExecutionTimeout: 86_400_000,
      workflowRunTimeout: 3_600_000,
      workflowTaskTimeout: 10_000,
      staticSummary: 'Nightly report',
      staticDetails: 'Runs the **nightly** report',
      priority: { priorityKey: 2, fairnessKey: undefined, fairnessWeight: undefined },
    },
    policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: 90_000, pauseOnFailure: true },
    // The SDK's decoding of the schedule's own memo and attributes; the row is built from `raw`.
    memo: { owner: { team: 'data' } },
    searchAttributes: { CustomKeyword: ['reports'] },
    typedSearchAttributes: new TypedSearchAttributes([{ key: keyword, value: 'reports' }]),
    state: { paused: false, note: '', remainingActions: 12 },
    info: {
      recentActions: [
        {
          scheduledAt: new Date('2025-06-02T00:15:00.000Z'),
          takenAt: new Date('2025-06-02T00:15:00.412Z'),
          action: {
            type: 'startWorkflow',
            workflow: { workflowId: 'nightly-report-wf-2025-06-02T00:15:00Z', firstExecutionRunId: 'run-a1' },
          },
        },
        {
          scheduledAt: new Date('2025-06-03T00:15:17.250Z'),
          takenAt: new Date('2025-06-03T00:15:17.301Z'),
          action: {
            type: 'startWorkflow',
            workflow: { workflowId: 'nightly-report-wf-2025-06-03T00:15:17Z', firstExecutionRunId: 'run-b2' },
          },
        },
      ],
      nextActionTimes: [new Date('2025-06-04T00:15:00.000Z'), new Date('2025-06-04T01:40:00.000Z')],
      numActionsTaken: 41,
      numActionsMissedCatchupWindow: 2,
      numActionsSkippedOverlap: 3,
      createdAt: new Date('2025-01-01T09:30:00.123Z'),
      lastUpdatedAt: new Date('2025-05-20T14:00:00.456Z'),
      runningActions: [
        {
          type: 'startWorkflow',
          workflow: { workflowId: 'nightly-report-wf-2025-06-03T00:15:17Z', firstExecutionRunId: 'run-b2' },
        },
      ],
    },
    raw: {
      memo: {
        fields: {
          owner: rawPayload('json/plain', '{"team":"data","oncall":["ana","bo"]}'),
          secret: rawPayload('binary/encrypted', new Uint8Array([1, 2, 3])),
          broken: rawPayload('json/plain', '{oops'),
        },
      },
      searchAttributes: {
        indexedFields: {
          CustomKeyword: rawPayload('json/plain', '"reports"', { type: 'Keyword' }),
          CustomInt: rawPayload('json/plain', '42', { type: 'Int' }),
          CustomKeywordList: rawPayload('json/plain', '["a","b"]', { type: 'KeywordList' }),
          CustomDatetime: rawPayload('json/plain', '"2025-01-01T00:00:00Z"', { type: 'Datetime' }),
        },
      },
    },
  };
}

/** A paused schedule with a note and nothing optional: no memo, attributes, limit, update or actions. */
function pausedDescription(): ScheduleDescription {
  return {
    scheduleId: 'paused-one',
    spec: { calendars: [], intervals: [{ every: 86_400_000, offset: 0 }], skip: [] },
    action: {
      type: 'startWorkflow',
      workflowId: 'paused-one-wf',
      workflowType: 'completes',
      taskQueue: 'seed',
      args: [],
      memo: undefined,
      retry: undefined,
      searchAttributes: {},
      typedSearchAttributes: new TypedSearchAttributes(),
      workflowExecutionTimeout: undefined,
      workflowRunTimeout: undefined,
      workflowTaskTimeout: undefined,
      staticSummary: undefined,
      staticDetails: undefined,
      priority: undefined,
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: 1_500, pauseOnFailure: false },
    memo: undefined,
    searchAttributes: {},
    typedSearchAttributes: new TypedSearchAttributes(),
    state: { paused: true, note: 'paused for maintenance "until Monday"', remainingActions: undefined },
    info: {
      recentActions: [],
      nextActionTimes: [],
      numActionsTaken: 0,
      numActionsMissedCatchupWindow: 0,
      numActionsSkippedOverlap: 0,
      createdAt: new Date('2025-03-04T05:06:07.089Z'),
      lastUpdatedAt: undefined,
      runningActions: [],
    },
    raw: { memo: { fields: {} }, searchAttributes: null },
  };
}

describe('mapping a schedule description to its row', () => {
  const row: ScheduleRow = scheduleToRow('prod', activeDescription());

  it('keys the row by namespace and schedule ID', () => {
    assert.equal(row.namespace, 'prod');
    assert.equal(row.schedule_id, 'nightly-report "EU" ü');
    assert.equal(scheduleRowKey(row), '["prod","nightly-report \\"EU\\" ü"]');
    assert.notEqual(
      scheduleRowKey(scheduleToRow('a","b', pausedDescription())),
      scheduleRowKey({ ...scheduleToRow('a', pausedDescription()), schedule_id: 'b","paused-one' }),
      'a quote in a namespace or ID cannot make two keys collide',
    );
  });

  it('stores state and policies', () => {
    assert.equal(row.paused, false);
    assert.equal(row.note, null, 'an empty note is NULL');
    assert.equal(row.overlap_policy, 'BUFFER_ALL');
    assert.equal(row.catchup_window_seconds, 90);
    assert.equal(row.pause_on_failure, true);
    assert.equal(row.remaining_actions, 12);
  });

  it('stores the counters and times of info', () => {
    assert.equal(row.num_actions_taken, 41);
    assert.equal(row.num_actions_missed_catchup_window, 2);
    assert.equal(row.num_actions_skipped_overlap, 3);
    assert.equal(row.created_at, '2025-01-01T09:30:00.123Z');
    assert.equal(row.last_updated_at, '2025-05-20T14:00:00.456Z');
    assert.deepEqual(row.next_action_times, ['2025-06-04T00:15:00.000Z', '2025-06-04T01:40:00.000Z']);
  });

  it('stores recent actions and running workflows by workflow and first run ID', () => {
    assert.deepEqual(row.recent_actions, [
      {
        scheduled_at: '2025-06-02T00:15:00.000Z',
        taken_at: '2025-06-02T00:15:00.412Z',
        workflow_id: 'nightly-report-wf-2025-06-02T00:15:00Z',
        first_execution_run_id: 'run-a1',
      },
      {
        scheduled_at: '2025-06-03T00:15:17.250Z',
        taken_at: '2025-06-03T00:15:17.301Z',
        workflow_id: 'nightly-report-wf-2025-06-03T00:15:17Z',
        first_execution_run_id: 'run-b2',
      },
    ]);
    assert.deepEqual(row.running_workflows, [
      { workflow_id: 'nightly-report-wf-2025-06-03T00:15:17Z', first_execution_run_id: 'run-b2' },
    ]);
  });

  it('stores the spec with calendars, intervals, skips, bounds, jitter and time zone', () => {
    assert.deepEqual(row.schedule_spec, {
      calendars: [
        {
          second: [{ start: 0, end: 0, step: 1 }],
          minute: [{ start: 15, end: 15, step: 1 }],
          hour: [{ start: 2, end: 2, step: 1 }],
          dayOfMonth: [{ start: 1, end: 31, step: 1 }],
          month: [{ start: 'JANUARY', end: 'DECEMBER', step: 1 }],
          year: [],
          dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY', step: 1 }],
          comment: 'weekday nights',
        },
      ],
      intervals: [{ every: 5400000, offset: 600000 }],
      skip: [
        {
          second: [{ start: 0, end: 0, step: 1 }],
          minute: [{ start: 0, end: 0, step: 1 }],
          hour: [{ start: 0, end: 23, step: 1 }],
          dayOfMonth: [{ start: 25, end: 25, step: 1 }],
          month: [{ start: 'DECEMBER', end: 'DECEMBER', step: 1 }],
          year: [],
          dayOfWeek: [{ start: 'SUNDAY', end: 'SATURDAY', step: 1 }],
        },
      ],
      startAt: '2025-01-01T00:00:00.000Z',
      endAt: '2030-12-31T23:59:59.999Z',
      jitter: 30000,
      timezone: 'Europe/Berlin',
    });
  });

  it('stores the action without its static summary and details, bytes as base64, raw payloads as they came', () => {
    assert.deepEqual(row.schedule_action, {
      type: 'startWorkflow',
      workflowId: 'nightly-report-wf',
      workflowType: 'GenerateReport',
      taskQueue: 'reports',
      args: [
        { region: 'eu', days: 7 },
        'full',
        3,
        null,
        '3q2+7w==',
        { _encoding: 'binary/encrypted', _base64: 'c2VjcmV0' },
      ],
      memo: { requestedBy: 'ops', limits: { rows: 1000 } },
      retry: {
        backoffCoefficient: 2,
        maximumAttempts: 5,
        maximumInterval: 60000,
        initialInterval: 1000,
        nonRetryableErrorTypes: ['BadInput'],
      },
      searchAttributes: { CustomKeyword: ['reports'] },
      // The SDK class's own fields, as they are stored today.
      typedSearchAttributes: { searchAttributes: { CustomKeyword: { _type: 'KEYWORD', _value: 'reports' } } },
      workflowExecutionTimeout: 86400000,
      workflowRunTimeout: 3600000,
      workflowTaskTimeout: 10000,
      priority: { priorityKey: 2 },
    });
  });

  it("decodes the schedule's own memo and search attributes from the raw payloads, keeping undecodable ones", () => {
    assert.deepEqual(row.memo, {
      owner: { team: 'data', oncall: ['ana', 'bo'] },
      secret: { _encoding: 'binary/encrypted', _base64: 'AQID' },
      broken: { _encoding: 'json/plain', _base64: 'e29vcHM=' },
    });
    assert.deepEqual(row.search_attributes, {
      CustomKeyword: 'reports',
      CustomInt: 42,
      CustomKeywordList: ['a', 'b'],
      CustomDatetime: '2025-01-01T00:00:00Z',
    });
  });

  it('maps a paused schedule with a note and nothing optional', () => {
    assert.deepEqual(scheduleToRow('sync-source', pausedDescription()), {
      namespace: 'sync-source',
      schedule_id: 'paused-one',
      paused: true,
      note: 'paused for maintenance "until Monday"',
      next_action_times: [],
      recent_actions: [],
      schedule_spec: { calendars: [], intervals: [{ every: 86400000, offset: 0 }], skip: [] },
      schedule_action: {
        type: 'startWorkflow',
        workflowId: 'paused-one-wf',
        workflowType: 'completes',
        taskQueue: 'seed',
        args: [],
        searchAttributes: {},
        typedSearchAttributes: { searchAttributes: {} },
      },
      search_attributes: null,
      memo: null,
      overlap_policy: 'SKIP',
      catchup_window_seconds: 1.5,
      pause_on_failure: false,
      remaining_actions: null,
      num_actions_taken: 0,
      num_actions_missed_catchup_window: 0,
      num_actions_skipped_overlap: 0,
      running_workflows: [],
      created_at: '2025-03-04T05:06:07.089Z',
      last_updated_at: null,
    } satisfies ScheduleRow);
  });

  it('keeps a limit of zero remaining actions as 0, not NULL', () => {
    const description = pausedDescription();
    description.state.remainingActions = 0;
    assert.equal(scheduleToRow('ns', description).remaining_actions, 0);
  });

  it('replaces NUL, which jsonb cannot hold, in the spec and action', () => {
    const description = pausedDescription();
    description.spec.timezone = 'Bad\u0000Zone';
    description.action.args = ['a\u0000b'];
    const mapped = scheduleToRow('ns', description);
    assert.equal((mapped.schedule_spec as { timezone: string }).timezone, 'Bad\u2400Zone');
    assert.deepEqual((mapped.schedule_action as { args: string[] }).args, ['a\u2400b']);
  });

  it('leaves the description it was given unchanged', () => {
    const description = activeDescription();
    scheduleToRow('ns', description);
    assert.equal(description.action.staticSummary, 'Nightly report');
    assert.equal(description.action.staticDetails, 'Runs the **nightly** report');
  });
});
