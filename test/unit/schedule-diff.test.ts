import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ScheduleDescription } from '@temporalio/client';
import { diffShapes, planApply, type ExistingSchedule } from '../../src/schedules/diff';
import { buildDefinitions } from '../../src/schedules/load';
import { shapeOfDefinition, shapeOfDescription } from '../../src/schedules/shape';

const definitionsFrom = (inline?: string) => buildDefinitions({ inline }, { taskQueue: 'temporal-sync' });
const defaults = definitionsFrom();
const [hourly] = defaults;
const STALENESS = 'temporal-sync-staleness-check';

const onServer = (inline?: string, managed = true): ExistingSchedule[] =>
  definitionsFrom(inline).map((definition) => ({
    scheduleId: definition.id,
    managed,
    shape: shapeOfDefinition(definition),
  }));

describe('planning apply', () => {
  it('creates what is missing', () => {
    const plan = planApply(defaults, [], { prune: false });
    assert.deepEqual(
      plan.changes.map((change) => [change.kind, change.scheduleId]),
      [
        ['create', 'temporal-sync-hourly-incremental'],
        ['create', 'temporal-sync-daily-full'],
        ['create', STALENESS],
      ],
    );
  });

  it('changes nothing when the server already holds the definitions', () => {
    const plan = planApply(defaults, onServer(), { prune: true });
    assert.deepEqual(plan, {
      changes: [],
      unchanged: ['temporal-sync-hourly-incremental', 'temporal-sync-daily-full', STALENESS],
      conflicts: [],
    });
  });

  it('updates a changed definition in place, naming each field with its old and new value', () => {
    const changed = definitionsFrom(
      'schedules: [{ id: temporal-sync-daily-full, spec: { cron: "0 4 * * *", jitter: 5m }, policies: { catchupWindow: 2h } }]',
    );
    const plan = planApply(changed, onServer(), { prune: false });
    assert.deepEqual(plan.changes, [
      {
        kind: 'update',
        scheduleId: 'temporal-sync-daily-full',
        fields: [
          { field: 'spec.cron', from: '30 3 * * *', to: '0 4 * * *' },
          { field: 'policies.catchupWindow', from: '6h', to: '2h' },
        ],
      },
    ]);
    assert.deepEqual(plan.unchanged, ['temporal-sync-hourly-incremental', STALENESS]);
  });

  it('never touches a schedule it did not create: a defined ID taken by one is a conflict', () => {
    const plan = planApply([hourly!], onServer(undefined, false), { prune: true });
    assert.deepEqual(plan, { changes: [], unchanged: [], conflicts: ['temporal-sync-hourly-incremental'] });
  });

  it('prunes only managed schedules that are no longer defined, and only when asked', () => {
    const existing: ExistingSchedule[] = [
      ...onServer(),
      { scheduleId: 'old-managed', managed: true, shape: {} },
      { scheduleId: 'made-by-hand', managed: false, shape: {} },
    ];
    assert.deepEqual(planApply(defaults, existing, { prune: false }).changes, []);
    assert.deepEqual(planApply(defaults, existing, { prune: true }).changes, [
      { kind: 'delete', scheduleId: 'old-managed' },
    ]);
  });
});

/** describe() as the SDK decodes it, for the hourly default after the server compiled its cron. */
function describedHourly(overrides: { hour?: Array<{ start: number; end: number; step: number }> } = {}) {
  const all = <T>(start: T, end: T) => [{ start, end, step: 1 }];
  return {
    scheduleId: 'temporal-sync-hourly-incremental',
    spec: {
      calendars: [
        {
          second: [{ start: 0, end: 0, step: 1 }],
          minute: [{ start: 0, end: 0, step: 1 }],
          hour: overrides.hour ?? all(0, 23),
          dayOfMonth: all(1, 31),
          month: all('JANUARY' as const, 'DECEMBER' as const),
          year: [],
          dayOfWeek: all('SUNDAY' as const, 'SATURDAY' as const),
          comment: '',
        },
      ],
      intervals: [],
      skip: [],
      jitter: 60_000,
      timezone: 'UTC',
    },
    action: {
      type: 'startWorkflow',
      workflowId: 'temporal-sync-hourly-incremental',
      workflowType: 'SyncWorkflow',
      taskQueue: 'temporal-sync',
      args: [{ mode: 'incremental' }],
      retry: {
        initialInterval: 60_000,
        backoffCoefficient: 2,
        maximumInterval: 600_000,
        maximumAttempts: 3,
        nonRetryableErrorTypes: [...hourly!.workflow.retry.nonRetryableErrorTypes].reverse(),
      },
      workflowExecutionTimeout: 3_600_000,
    },
    policies: { overlap: 'SKIP', catchupWindow: 3_600_000, pauseOnFailure: false },
    memo: { 'temporal-sync-managed': true },
  } as unknown as ScheduleDescription;
}

describe('comparing with what the server holds', () => {
  it('sees the compiled calendar of "0 * * * *" as equal to the cron text', () => {
    assert.deepEqual(diffShapes(shapeOfDescription(describedHourly()), shapeOfDefinition(hourly!)), []);
  });

  it('sees a calendar changed on the server (e.g. in the Web UI) as a difference', () => {
    const edited = describedHourly({ hour: [{ start: 8, end: 18, step: 2 }] });
    assert.deepEqual(diffShapes(shapeOfDescription(edited), shapeOfDefinition(hourly!)), [
      { field: 'spec.cron', from: '0 8-18/2 * * *', to: '0 * * * *' },
    ]);
  });
});
