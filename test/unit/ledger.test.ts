import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PartitionProgress, RunPlan } from '../../src/activities/types';
import { RunLedger } from '../../src/workflows/ledger';

const open = (partition: number): PartitionProgress => ({
  partition,
  pages: 0,
  rows: 0,
  done: false,
  resumedAtPages: [],
});

/** A run as planning returns it: an incremental workflows pass in 3 partitions, a full schedules pass in 1. */
function twoStreamPlan(): RunPlan {
  return {
    syncRunId: '42',
    destination: '6f1c1d2e-8a5b-4c3d-9e0f-112233445566',
    namespace: 'payments',
    mode: 'incremental',
    startedAt: '2026-03-01T10:00:00.000Z',
    continuedAsNew: 2,
    settings: { pageSize: 100, partitions: 4, minRowsPerPartition: 10_000, visibilityRps: 10, lookbackSeconds: 300 },
    streams: [
      { stream: 'workflows', full: false, deleted: 0, completed: false, partitions: [open(0), open(1), open(2)] },
      { stream: 'schedules', full: true, deleted: 0, completed: false, partitions: [open(0)] },
    ],
  };
}

describe('RunLedger: the numbers of one sync run', () => {
  it('starts from the plan: every partition open, nothing counted, nothing complete', () => {
    const ledger = new RunLedger(twoStreamPlan());
    assert.deepEqual(ledger.names(), ['workflows', 'schedules']);
    assert.deepEqual(ledger.openPartitions('workflows'), [0, 1, 2]);
    assert.deepEqual(ledger.openPartitions('schedules'), [0]);
    assert.equal(ledger.partitionDone('workflows', 1), false);
    assert.equal(ledger.readyToComplete('workflows'), false);
    assert.equal(ledger.readyToComplete('schedules'), false);
    assert.equal(ledger.done(), false);
    assert.deepEqual(ledger.numbers(), {
      workflows: {
        full: false,
        pages: 0,
        rows: 0,
        deleted: 0,
        done: false,
        partitions: { done: 0, total: 3 },
        resumedAtPages: [],
      },
      schedules: {
        full: true,
        pages: 0,
        rows: 0,
        deleted: 0,
        done: false,
        partitions: { done: 0, total: 1 },
        resumedAtPages: [],
      },
    });
  });

  it('counts what partitions report, and a stream is ready to complete only once all its partitions are done', () => {
    const ledger = new RunLedger(twoStreamPlan());
    ledger.record('workflows', { partition: 0, pages: 3, rows: 250, done: false, resumedAtPages: [] });
    ledger.record('workflows', { partition: 2, pages: 5, rows: 480, done: true, resumedAtPages: [4] });
    assert.deepEqual(ledger.openPartitions('workflows'), [0, 1]);
    assert.equal(ledger.partitionDone('workflows', 2), true);
    assert.equal(ledger.readyToComplete('workflows'), false, '2 of 3 partitions are still open');

    // A later report of a partition replaces its earlier one (the activity reports totals, not increments).
    ledger.record('workflows', { partition: 0, pages: 7, rows: 690, done: true, resumedAtPages: [] });
    assert.equal(ledger.readyToComplete('workflows'), false, 'partition 1 is still open');
    ledger.record('workflows', { partition: 1, pages: 2, rows: 101, done: true, resumedAtPages: [2] });
    assert.deepEqual(ledger.openPartitions('workflows'), []);
    assert.equal(ledger.readyToComplete('workflows'), true);
    assert.equal(ledger.readyToComplete('schedules'), false, 'one stream being done says nothing of the other');

    assert.deepEqual(ledger.numbers().workflows, {
      full: false,
      pages: 14,
      rows: 1271,
      deleted: 0,
      done: false,
      partitions: { done: 3, total: 3 },
      resumedAtPages: [2, 4],
    });
    assert.equal(ledger.done(), false, 'done partitions are not a completed pass');
  });

  it('completes a stream once, with its deletions, and is done when every stream is complete', () => {
    const ledger = new RunLedger(twoStreamPlan());
    for (const partition of [0, 1, 2]) {
      ledger.record('workflows', { partition, pages: 1, rows: 10, done: true, resumedAtPages: [] });
    }
    ledger.complete('workflows', 7);
    assert.equal(ledger.readyToComplete('workflows'), false, 'a completed stream is not completed again');
    assert.equal(ledger.numbers().workflows?.deleted, 7);
    assert.equal(ledger.numbers().workflows?.done, true);
    assert.equal(ledger.done(), false, 'schedules is not complete yet');

    ledger.record('schedules', { partition: 0, pages: 2, rows: 15, done: true, resumedAtPages: [] });
    assert.equal(ledger.readyToComplete('schedules'), true);
    ledger.complete('schedules', 1);
    assert.equal(ledger.done(), true);
  });

  it('shows progress and a summary with the sums, the plan run facts and the duration', () => {
    const ledger = new RunLedger(twoStreamPlan());
    ledger.record('workflows', { partition: 0, pages: 4, rows: 400, done: true, resumedAtPages: [3] });
    ledger.record('workflows', { partition: 1, pages: 2, rows: 150, done: true, resumedAtPages: [] });
    ledger.record('workflows', { partition: 2, pages: 6, rows: 575, done: true, resumedAtPages: [2, 5] });
    ledger.complete('workflows', 0);
    ledger.record('schedules', { partition: 0, pages: 1, rows: 12, done: true, resumedAtPages: [] });
    ledger.complete('schedules', 3);

    const workflows = {
      full: false,
      pages: 12,
      rows: 1125,
      deleted: 0,
      done: true,
      partitions: { done: 3, total: 3 },
      resumedAtPages: [3, 2, 5],
    };
    const schedules = {
      full: true,
      pages: 1,
      rows: 12,
      deleted: 3,
      done: true,
      partitions: { done: 1, total: 1 },
      resumedAtPages: [],
    };
    assert.deepEqual(ledger.progress(), {
      syncRunId: '42',
      mode: 'incremental',
      startedAt: '2026-03-01T10:00:00.000Z',
      continuedAsNew: 2,
      streams: { workflows, schedules },
    });
    assert.deepEqual(ledger.summary(Date.parse('2026-03-01T10:01:30.250Z')), {
      syncRunId: '42',
      mode: 'incremental',
      streams: { workflows, schedules },
      startedAt: '2026-03-01T10:00:00.000Z',
      durationMs: 90_250,
      continuedAsNew: 2,
    });
  });

  it("calls a run 'full' only when every stream's pass read everything", () => {
    const oneIncremental = new RunLedger(twoStreamPlan());
    assert.equal(oneIncremental.summary(Date.parse('2026-03-01T10:00:01Z')).mode, 'incremental');

    const bothFull = twoStreamPlan();
    bothFull.mode = 'incremental'; // what was asked; a stream with no cursor yet reads everything anyway
    bothFull.streams[0]!.full = true;
    assert.equal(new RunLedger(bothFull).summary(Date.parse('2026-03-01T10:00:01Z')).mode, 'full');

    const neither = twoStreamPlan();
    neither.streams[1]!.full = false;
    assert.equal(new RunLedger(neither).summary(Date.parse('2026-03-01T10:00:01Z')).mode, 'incremental');
  });

  it('never changes the plan it was built from', () => {
    const plan = twoStreamPlan();
    const ledger = new RunLedger(plan);
    ledger.record('workflows', { partition: 1, pages: 9, rows: 900, done: true, resumedAtPages: [8] });
    ledger.record('schedules', { partition: 0, pages: 1, rows: 3, done: true, resumedAtPages: [] });
    ledger.complete('schedules', 2);
    assert.deepEqual(plan, twoStreamPlan());
  });

  it('keeps a plan that a continued run read back from Postgres (partitions already under way)', () => {
    const plan = twoStreamPlan();
    plan.streams[0]!.partitions = [
      { partition: 0, pages: 5, rows: 500, done: true, resumedAtPages: [] },
      { partition: 1, pages: 2, rows: 200, done: false, resumedAtPages: [2] },
      { partition: 2, pages: 0, rows: 0, done: false, resumedAtPages: [] },
    ];
    plan.streams[1] = {
      ...plan.streams[1]!,
      completed: true,
      deleted: 4,
      partitions: [{ partition: 0, pages: 1, rows: 6, done: true, resumedAtPages: [] }],
    };
    const ledger = new RunLedger(plan);
    assert.deepEqual(ledger.openPartitions('workflows'), [1, 2]);
    assert.equal(ledger.readyToComplete('schedules'), false, 'its pass was completed before the run continued');
    assert.deepEqual(ledger.numbers().workflows?.pages, 7);
    assert.deepEqual(ledger.numbers().schedules?.deleted, 4);
    // Recording into the ledger leaves the plan's nested arrays alone.
    ledger.record('workflows', { partition: 1, pages: 3, rows: 300, done: true, resumedAtPages: [2, 3] });
    assert.deepEqual(plan.streams[0]!.partitions[1], {
      partition: 1,
      pages: 2,
      rows: 200,
      done: false,
      resumedAtPages: [2],
    });
  });

  it('refuses a stream the run does not have, by name', () => {
    const ledger = new RunLedger(twoStreamPlan());
    assert.throws(() => ledger.record('tasks', open(0)), /the run has no tasks stream/);
    assert.throws(() => ledger.openPartitions('tasks'), /the run has no tasks stream/);
  });
});
