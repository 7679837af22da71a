import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { temporal } from '@temporalio/proto';
import Long from 'long';
import { scheduleTable, type ScheduleRow } from '../../src/db/schedule-rows';
import { copyText } from '../../src/db/rows';
import { LosslessInteger } from '../../src/json';
import { scheduleToRow, type DescribeFacts, type RawScheduleDescription } from '../../src/source/schedules';

// Every expected value below is written out by hand: none is computed by the code under test.
// Epoch seconds were read off `date -u -d <ISO time> +%s`.

const Response = temporal.api.workflowservice.v1.DescribeScheduleResponse;
const Overlap = temporal.api.enums.v1.ScheduleOverlapPolicy;
type Payload = temporal.api.common.v1.IPayload;

const bytes = (text: string) => new TextEncoder().encode(text);
/** A payload as it sits in a DescribeScheduleResponse, before any decoding. */
const rawPayload = (encoding: string, data: string | Uint8Array, extra: Record<string, string> = {}): Payload => ({
  metadata: Object.fromEntries(
    Object.entries({ encoding, ...extra }).map(([key, value]) => [key, bytes(value)] as const),
  ),
  data: typeof data === 'string' ? bytes(data) : data,
});
const json = (text: string) => rawPayload('json/plain', text);
/** A protobuf Timestamp or Duration: both are seconds (int64, a Long) and nanos. */
const time = (seconds: number, nanos = 0) => ({ seconds: Long.fromNumber(seconds), nanos });
const range = (start: number, end = 0, step = 0) => ({ start, end, step });

/**
 * What the client's gRPC stack hands over: the message after a trip through the wire, with int64s as
 * Longs and every unset field at its protobuf default.
 */
const asReceived = (raw: RawScheduleDescription): RawScheduleDescription =>
  Response.decode(Response.encode(Response.create(raw)).finish());

const facts: DescribeFacts = { list_fingerprint: 'fp-3f2a', described_at: '2025-06-05T10:00:00.000Z' };

/** A schedule with everything set. */
function activeSchedule(): RawScheduleDescription {
  return {
    schedule: {
      spec: {
        // What the server compiles the cron '15 2 * * MON-FRI' into; ranges leave end and step unset.
        structuredCalendar: [
          {
            second: [range(0)],
            minute: [range(15)],
            hour: [range(2)],
            dayOfMonth: [range(1, 31, 1)],
            month: [range(1, 12, 1)],
            year: [],
            dayOfWeek: [range(1, 5, 1)],
            comment: 'weekday nights',
          },
        ],
        interval: [{ interval: time(5400), phase: time(600) }],
        excludeStructuredCalendar: [
          {
            second: [range(0)],
            minute: [range(0, 30, 30)],
            hour: [range(0, 23)],
            dayOfMonth: [range(25)],
            month: [range(12)],
            year: [range(2025, 2026)],
            dayOfWeek: [range(0, 6)],
          },
        ],
        startTime: time(1_735_689_600), // 2025-01-01T00:00:00Z
        endTime: time(1_924_991_999, 999_999_999), // 2030-12-31T23:59:59.999999999Z
        jitter: time(30),
        timezoneName: 'Europe/Berlin',
      },
      action: {
        startWorkflow: {
          workflowId: 'nightly-report-wf',
          workflowType: { name: 'GenerateReport' },
          taskQueue: { name: 'reports' },
          input: {
            payloads: [
              json('{"region":"eu","days":7}'),
              json('"full"'),
              json('3'),
              rawPayload('binary/null', ''),
              rawPayload('binary/plain', new Uint8Array([0xde, 0xad, 0xbe, 0xef])),
              rawPayload('binary/encrypted', 'secret'),
              // An int64 ID from a Go worker: beyond what a JS number holds exactly.
              json('12345678901234567890'),
            ],
          },
          memo: { fields: { requestedBy: json('"ops"'), limits: json('{"rows":1000}') } },
          searchAttributes: {
            indexedFields: { CustomKeyword: rawPayload('json/plain', '"reports"', { type: 'Keyword' }) },
          },
          workflowExecutionTimeout: time(86_400),
          workflowRunTimeout: time(3_600),
          workflowTaskTimeout: time(10, 500_000_000),
          retryPolicy: {
            initialInterval: time(1),
            backoffCoefficient: 2,
            maximumInterval: time(60),
            maximumAttempts: 5,
            nonRetryableErrorTypes: ['BadInput'],
          },
          userMetadata: { summary: json('"Nightly report"'), details: json('"Runs the **nightly** report"') },
          priority: { priorityKey: 2 },
        },
      },
      policies: {
        overlapPolicy: Overlap.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL,
        catchupWindow: time(90),
        pauseOnFailure: true,
      },
      state: { notes: '', paused: false, limitedActions: true, remainingActions: Long.fromNumber(12) },
    },
    info: {
      actionCount: Long.fromNumber(41),
      missedCatchupWindow: Long.fromNumber(2),
      overlapSkipped: Long.fromNumber(3),
      bufferDropped: Long.fromNumber(2),
      runningWorkflows: [{ workflowId: 'nightly-report-wf-2025-06-03T00:15:17Z', runId: 'run-b2' }],
      recentActions: [
        {
          scheduleTime: time(1_748_823_300), // 2025-06-02T00:15:00Z
          actualTime: time(1_748_823_300, 412_345_678),
          startWorkflowResult: { workflowId: 'nightly-report-wf-2025-06-02T00:15:00Z', runId: 'run-a1' },
        },
        {
          scheduleTime: time(1_748_909_717, 250_000_000), // 2025-06-03T00:15:17.25Z
          actualTime: time(1_748_909_717, 301_000_001),
          startWorkflowResult: { workflowId: 'nightly-report-wf-2025-06-03T00:15:17Z', runId: 'run-b2' },
        },
      ],
      futureActionTimes: [
        time(1_748_996_100), // 2025-06-04T00:15:00Z
        time(1_749_001_200, 999_999_999), // 2025-06-04T01:40:00.999999999Z
      ],
      createTime: time(1_735_723_800, 123_456_789), // 2025-01-01T09:30:00.123456789Z
      updateTime: time(1_747_749_600, 456_000_000), // 2025-05-20T14:00:00.456Z
    },
    memo: {
      fields: {
        owner: json('{"team":"data","oncall":["ana","bo"]}'),
        secret: rawPayload('binary/encrypted', new Uint8Array([1, 2, 3])),
        broken: json('{oops'),
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
  };
}

/** A paused schedule with a note and nothing optional: no memo, attributes, limit, update, timeouts or actions. */
function pausedSchedule(): RawScheduleDescription {
  return {
    schedule: {
      spec: { interval: [{ interval: time(86_400) }] },
      action: {
        startWorkflow: {
          workflowId: 'paused-one-wf',
          workflowType: { name: 'completes' },
          taskQueue: { name: 'seed' },
        },
      },
      policies: { catchupWindow: time(1, 500_000_000) },
      state: { paused: true, notes: 'paused for maintenance "until Monday"' },
    },
    info: { createTime: time(1_741_064_767, 89_000_000) }, // 2025-03-04T05:06:07.089Z
  };
}

/** The paused schedule with its start-workflow action changed as `change` says. */
function pausedWithStart(
  change: (start: temporal.api.workflow.v1.INewWorkflowExecutionInfo) => void,
): RawScheduleDescription {
  const raw = pausedSchedule();
  change(raw.schedule!.action!.startWorkflow!);
  return raw;
}

type StartWorkflowJson = Record<string, unknown>;
const actionOf = (row: ScheduleRow) => row.schedule_action as StartWorkflowJson;

describe('mapping a raw schedule description to its row', () => {
  const row = scheduleToRow('prod', 'nightly-report "EU" ü', asReceived(activeSchedule()), facts);

  it('keys the row by namespace and schedule ID and records how it was read', () => {
    assert.equal(row.namespace, 'prod');
    assert.equal(row.schedule_id, 'nightly-report "EU" ü');
    assert.equal(row.list_fingerprint, 'fp-3f2a');
    assert.equal(row.described_at, '2025-06-05T10:00:00.000Z');
  });

  it('stores state and policies', () => {
    assert.equal(row.paused, false);
    assert.equal(row.note, null, 'an empty note is NULL');
    assert.equal(row.overlap_policy, 'BUFFER_ALL');
    assert.equal(row.catchup_window_seconds, 90);
    assert.equal(row.pause_on_failure, true);
    assert.equal(row.remaining_actions, 12);
  });

  it('stores the counters and times of info, every time to the microsecond', () => {
    assert.equal(row.num_actions_taken, 41);
    assert.equal(row.num_actions_missed_catchup_window, 2);
    assert.equal(row.num_actions_skipped_overlap, 3);
    assert.equal(row.num_actions_buffer_dropped, 2);
    assert.equal(row.created_at, '2025-01-01T09:30:00.123456Z');
    assert.equal(row.last_updated_at, '2025-05-20T14:00:00.456000Z');
    assert.deepEqual(
      row.next_action_times,
      ['2025-06-04T00:15:00.000000Z', '2025-06-04T01:40:00.999999Z'],
      'nanoseconds are cut to microseconds, never rounded into the next second',
    );
  });

  it('stores recent actions and running workflows by workflow and first run ID', () => {
    assert.deepEqual(row.recent_actions, [
      {
        scheduled_at: '2025-06-02T00:15:00.000000Z',
        taken_at: '2025-06-02T00:15:00.412345Z',
        workflow_id: 'nightly-report-wf-2025-06-02T00:15:00Z',
        first_execution_run_id: 'run-a1',
      },
      {
        scheduled_at: '2025-06-03T00:15:17.250000Z',
        taken_at: '2025-06-03T00:15:17.301000Z',
        workflow_id: 'nightly-report-wf-2025-06-03T00:15:17Z',
        first_execution_run_id: 'run-b2',
      },
    ]);
    assert.deepEqual(row.running_workflows, [
      { workflow_id: 'nightly-report-wf-2025-06-03T00:15:17Z', first_execution_run_id: 'run-b2' },
    ]);
  });

  it("stores the spec as the SDK's decodeScheduleSpec gives it: calendars, intervals, skips, bounds, jitter, zone", () => {
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
          minute: [{ start: 0, end: 30, step: 30 }],
          hour: [{ start: 0, end: 23, step: 1 }],
          dayOfMonth: [{ start: 25, end: 25, step: 1 }],
          month: [{ start: 'DECEMBER', end: 'DECEMBER', step: 1 }],
          year: [{ start: 2025, end: 2026, step: 1 }],
          dayOfWeek: [{ start: 'SUNDAY', end: 'SATURDAY', step: 1 }],
          // An unset comment arrives as the protobuf default.
          comment: '',
        },
      ],
      // The SDK's decoding: bounds to the millisecond, durations in milliseconds.
      startAt: '2025-01-01T00:00:00.000Z',
      endAt: '2030-12-31T23:59:59.999Z',
      jitter: 30000,
      timezone: 'Europe/Berlin',
    });
  });

  it('stores the action in its documented shape: seconds, decoded arguments, no metadata or SDK wrappers', () => {
    assert.deepEqual(row.schedule_action, {
      type: 'startWorkflow',
      workflowType: 'GenerateReport',
      workflowId: 'nightly-report-wf',
      taskQueue: 'reports',
      args: [
        { region: 'eu', days: 7 },
        'full',
        3,
        null,
        { _encoding: 'binary/plain', _base64: '3q2+7w==' },
        { _encoding: 'binary/encrypted', _base64: 'c2VjcmV0' },
        new LosslessInteger('12345678901234567890'),
      ],
      memo: { requestedBy: 'ops', limits: { rows: 1000 } },
      searchAttributes: { CustomKeyword: 'reports' },
      workflowExecutionTimeoutSeconds: 86400,
      workflowRunTimeoutSeconds: 3600,
      workflowTaskTimeoutSeconds: 10.5,
      retry: {
        initialIntervalSeconds: 1,
        backoffCoefficient: 2,
        maximumIntervalSeconds: 60,
        maximumAttempts: 5,
        nonRetryableErrorTypes: ['BadInput'],
      },
      priority: { priorityKey: 2, fairnessKey: null, fairnessWeight: null },
    });
  });

  it("decodes the schedule's own memo and search attributes, keeping undecodable payloads raw", () => {
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
    assert.deepEqual(
      scheduleToRow('sync-source', 'paused-one', asReceived(pausedSchedule()), {
        list_fingerprint: null,
        described_at: '2025-06-05T10:00:00.000Z',
      }),
      {
        namespace: 'sync-source',
        schedule_id: 'paused-one',
        paused: true,
        note: 'paused for maintenance "until Monday"',
        next_action_times: [],
        recent_actions: [],
        // An unset phase has no offset; an unset time zone arrives as the protobuf default.
        schedule_spec: { calendars: [], intervals: [{ every: 86400000 }], skip: [], timezone: '' },
        schedule_action: {
          type: 'startWorkflow',
          workflowType: 'completes',
          workflowId: 'paused-one-wf',
          taskQueue: 'seed',
          args: [],
          memo: null,
          searchAttributes: null,
          workflowExecutionTimeoutSeconds: null,
          workflowRunTimeoutSeconds: null,
          workflowTaskTimeoutSeconds: null,
          retry: null,
          priority: null,
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
        num_actions_buffer_dropped: 0,
        running_workflows: [],
        created_at: '2025-03-04T05:06:07.089000Z',
        last_updated_at: null,
        list_fingerprint: null,
        described_at: '2025-06-05T10:00:00.000Z',
      } satisfies ScheduleRow,
    );
  });

  it('maps the same plain object, as built by hand, as the message received from the wire', () => {
    const plain = scheduleToRow('sync-source', 'paused-one', pausedSchedule(), facts);
    assert.equal(plain.created_at, '2025-03-04T05:06:07.089000Z');
    assert.equal(plain.overlap_policy, 'SKIP');
    assert.equal(plain.remaining_actions, null);
    assert.equal(plain.num_actions_taken, 0);
    assert.deepEqual(plain.schedule_spec, { calendars: [], intervals: [{ every: 86400000 }], skip: [] });
    assert.equal(actionOf(plain).workflowRunTimeoutSeconds, null);
  });

  it('stores an unset run timeout as null while the others are set', () => {
    const raw = pausedWithStart((start) => {
      start.workflowExecutionTimeout = time(7_200);
      start.workflowTaskTimeout = time(0, 250_000_000);
    });
    const action = actionOf(scheduleToRow('ns', 'id', asReceived(raw), facts));
    assert.equal(action.workflowExecutionTimeoutSeconds, 7200);
    assert.equal(action.workflowRunTimeoutSeconds, null);
    assert.equal(action.workflowTaskTimeoutSeconds, 0.25);
  });

  it('stores the unset parts of a retry policy as null, and no limit on attempts as null', () => {
    const raw = pausedWithStart((start) => {
      start.retryPolicy = { maximumInterval: time(100) };
    });
    assert.deepEqual(actionOf(scheduleToRow('ns', 'id', asReceived(raw), facts)).retry, {
      initialIntervalSeconds: null,
      backoffCoefficient: null,
      maximumIntervalSeconds: 100,
      maximumAttempts: null,
      nonRetryableErrorTypes: [],
    });
  });

  it('stores a priority with nothing set as null, and one with a key set as the object', () => {
    const empty = pausedWithStart((start) => {
      start.priority = {};
    });
    assert.equal(actionOf(scheduleToRow('ns', 'id', asReceived(empty), facts)).priority, null);
    const fair = pausedWithStart((start) => {
      start.priority = { fairnessKey: 'tenant-a', fairnessWeight: 2.5 };
    });
    assert.deepEqual(actionOf(scheduleToRow('ns', 'id', asReceived(fair), facts)).priority, {
      priorityKey: null,
      fairnessKey: 'tenant-a',
      fairnessWeight: 2.5,
    });
  });

  it('stores an action other than starting a workflow as of unknown type', () => {
    const raw = pausedSchedule();
    raw.schedule!.action = {};
    assert.deepEqual(scheduleToRow('ns', 'id', asReceived(raw), facts).schedule_action, { type: 'unknown' });
  });

  it('names every overlap policy as the seed connector does, and UNSPECIFIED as the default SKIP', () => {
    const cases: Array<[temporal.api.enums.v1.ScheduleOverlapPolicy, string]> = [
      [Overlap.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED, 'SKIP'],
      [Overlap.SCHEDULE_OVERLAP_POLICY_SKIP, 'SKIP'],
      [Overlap.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE, 'BUFFER_ONE'],
      [Overlap.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL, 'BUFFER_ALL'],
      [Overlap.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER, 'CANCEL_OTHER'],
      [Overlap.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER, 'TERMINATE_OTHER'],
      [Overlap.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL, 'ALLOW_ALL'],
    ];
    for (const [policy, name] of cases) {
      const raw = pausedSchedule();
      raw.schedule!.policies!.overlapPolicy = policy;
      assert.equal(scheduleToRow('ns', 'id', asReceived(raw), facts).overlap_policy, name, `policy ${policy}`);
    }
  });

  it('names an overlap policy newer than these protos by its number, not as SKIP', () => {
    const raw = pausedSchedule();
    raw.schedule!.policies!.overlapPolicy = 99 as temporal.api.enums.v1.ScheduleOverlapPolicy;
    // As statusName in src/source/executions.ts names a status newer than the protos.
    assert.equal(scheduleToRow('ns', 'id', asReceived(raw), facts).overlap_policy, 'UNKNOWN_99');
  });

  it('keeps a limit of zero remaining actions as 0, not NULL', () => {
    const raw = pausedSchedule();
    raw.schedule!.state = { ...raw.schedule!.state, limitedActions: true, remainingActions: Long.fromNumber(0) };
    assert.equal(scheduleToRow('ns', 'id', asReceived(raw), facts).remaining_actions, 0);
  });

  it('refuses a description without a create time, which the row cannot do without', () => {
    const raw = pausedSchedule();
    raw.info = {};
    assert.throws(() => scheduleToRow('ns', 'id', asReceived(raw), facts), {
      message: 'the description has no create time',
    });
  });

  it('replaces NUL, which jsonb cannot hold, in the spec and action', () => {
    const raw = pausedWithStart((start) => {
      start.workflowId = 'wf\u0000id';
      start.input = { payloads: [json('"a\\u0000b"')] };
    });
    raw.schedule!.spec!.timezoneName = 'Bad\u0000Zone';
    const mapped = scheduleToRow('ns', 'id', asReceived(raw), facts);
    assert.equal((mapped.schedule_spec as { timezone: string }).timezone, 'Bad\u2400Zone');
    // The action's NUL is replaced on its way into Postgres, by the page writer's COPY text.
    const written = copyText(scheduleTable, [mapped]);
    assert.equal(written.includes('\u0000'), false);
    assert.ok(written.includes('"workflowId":"wf\u2400id"'), written);
    assert.ok(written.includes('"args":["a\u2400b"]'), written);
  });

  it('leaves the description it was given unchanged', () => {
    const raw = asReceived(activeSchedule());
    const before = Response.encode(raw).finish();
    scheduleToRow('ns', 'id', raw, facts);
    assert.deepEqual(Response.encode(raw).finish(), before);
    assert.equal(raw.schedule?.action?.startWorkflow?.userMetadata?.summary?.data?.length, 16);
  });
});
