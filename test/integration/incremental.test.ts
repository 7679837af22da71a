import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { readRollupState } from '../../src/db/analytics-rollup';
import { comparable, keyed, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, type TestDatabase } from '../helpers/postgres';
import { countRuns, expectedWorkflowRows, seedMixedExecutions, seedSchedules, waitForSettled } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { runSync, SEED_TASK_QUEUE, startSeedWorker, startSyncWorker, type RunningWorker } from '../helpers/workers';

describe('an incremental sync after a full one', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let seedWorker: RunningWorker;
  let syncWorker: RunningWorker;

  before(async () => {
    temporal = await startTemporal();
    db = await createTestDatabase('incremental');
    seedWorker = await startSeedWorker(temporal);
    syncWorker = await startSyncWorker(temporal, db);
  });
  after(async () => {
    await syncWorker?.stop();
    await seedWorker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  it('reads only new, newly closed and changed runs, and leaves the tables equal to the server', async () => {
    const client = temporal.sourceClient;
    const seeded = await seedMixedExecutions(client, 'incr', 2);
    const full = await runSync(temporal, syncWorker, { mode: 'full', pageSize: 10 });
    assert.equal(full.streams.workflows?.rows, seeded.runs);

    const start = (type: string, id: string) =>
      client.workflow.start(type, {
        taskQueue: SEED_TASK_QUEUE,
        workflowId: id,
        args: type === 'completes' ? ['new'] : [],
      });
    const running: WorkflowHandle[] = [];
    for await (const info of client.workflow.list({ query: "ExecutionStatus = 'Running'" })) {
      running.push(client.workflow.getHandle(info.workflowId, info.runId));
    }
    assert.equal(running.length, seeded.running);
    // After the full pass: 5 runs start and close, 4 start and keep running, 2 running ones close,
    // and 2 running ones change a search attribute.
    for (let i = 0; i < 5; i += 1) await (await start('completes', `new closed ${i}`)).result();
    for (let i = 0; i < 4; i += 1) await start('waits', `new running ${i}`);
    await running[0]!.signal('finish');
    await running[1]!.signal('finish');
    await running[2]!.signal('setKeyword', 'changed after the full pass');
    await running[3]!.signal('setKeyword', 'changed after the full pass');
    await waitForSettled(client, { runs: seeded.runs + 9, running: seeded.running + 4 - 2 });
    await waitForAttributes(temporal, 2);

    const incremental = await runSync(temporal, syncWorker, { mode: 'incremental', pageSize: 10, lookbackSeconds: 0 });
    // Open runs are always re-read (they can change without closing); closed runs only when they closed
    // after the cursor. Nothing else.
    const expectedReads = seeded.running + 4 - 2 + 5 + 2;
    assert.equal(incremental.mode, 'incremental');
    assert.equal(incremental.streams.workflows?.full, false);
    assert.equal(incremental.streams.workflows?.rows, expectedReads);
    assert.equal(incremental.streams.workflows?.pages, Math.ceil(expectedReads / 10));
    assert.ok(
      incremental.streams.workflows.pages < full.streams.workflows.pages / 2,
      'far fewer pages than a full pass',
    );

    const expected = await expectedWorkflowRows(client);
    const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
    assert.equal(stored.size, expected.length);
    for (const row of expected) {
      assert.deepEqual(comparable(stored.get(workflowKey(row as never))!), comparable(row), row.workflow_id);
    }
    const changed = [...stored.values()].filter(
      (row) =>
        (row.search_attributes as Record<string, unknown> | null)?.CustomKeyword !== undefined &&
        JSON.stringify((row.search_attributes as Record<string, unknown>).CustomKeyword).includes('changed after'),
    );
    assert.equal(changed.length, 2, 'the changed search attributes are in the table');
    const closedLater = [...stored.values()].filter((row) => String(row.workflow_id).startsWith('new closed'));
    assert.equal(closedLater.length, 5);
  });

  it('moves the cursor only forward, and only after a complete pass', async () => {
    const { rows } = await db.pool.query<{ cursor: Date; last_full_sync_at: Date }>(
      `SELECT cursor, last_full_sync_at FROM "${db.schema}".sync_state WHERE namespace = $1 AND stream = 'workflows'`,
      [SOURCE_NAMESPACE],
    );
    const runs = await db.pool.query<{ started_at: Date; mode: string }>(
      `SELECT started_at, mode FROM "${db.schema}".sync_run WHERE status = 'completed' ORDER BY id`,
    );
    assert.equal(rows[0]!.cursor.getTime(), runs.rows.at(-1)!.started_at.getTime(), 'cursor = start of the last pass');
    assert.equal(rows[0]!.last_full_sync_at.getTime(), runs.rows[0]!.started_at.getTime());
  });

  it('rolls the analytics up when each workflows pass completes: every bucket after the full one, from its since after the incremental one', async () => {
    const { rows: passes } = await db.pool.query<{
      full_pass: boolean;
      since: Date | null;
      started_at: Date;
      completed_at: Date;
    }>(
      `SELECT p.full_pass, p.since, r.started_at, p.completed_at FROM "${db.schema}".sync_pass p
       JOIN "${db.schema}".sync_run r ON r.id = p.sync_run_id
       WHERE p.stream = 'workflows' AND r.status = 'completed' ORDER BY r.id`,
    );
    assert.deepEqual(
      passes.map((pass) => pass.full_pass),
      [true, false],
    );
    assert.equal(passes[0]!.since, null);
    // The incremental pass lists closed runs from the cursor (the full pass's start) less its look-back (0 here).
    assert.equal(passes[1]!.since?.getTime(), passes[0]!.started_at.getTime());
    // The full pass rolled up to the hour it completed in; the incremental one recomputed from its since,
    // or from that hour if earlier (the buckets after it were live until then).
    const hourOf = (time: Date) => Math.floor(time.getTime() / 3_600_000) * 3_600_000;
    const state = await readRollupState(db.pool, db.schema, SOURCE_NAMESPACE);
    assert.equal(
      state?.refreshedFrom?.getTime(),
      Math.min(passes[1]!.since.getTime(), hourOf(passes[0]!.completed_at)),
    );
    assert.equal(state?.through.getTime(), hourOf(passes[1]!.completed_at));
    for (const view of ['workflow_stats_hourly', 'workflow_stats_daily']) {
      const { rows } = await db.pool.query<{ n: number; total: number; runs: number }>(
        `SELECT (SELECT count(*)::int FROM (
                  (SELECT * FROM "${db.schema}".${view} EXCEPT ALL SELECT * FROM "${db.schema}".${view}_live)
                  UNION ALL
                  (SELECT * FROM "${db.schema}".${view}_live EXCEPT ALL SELECT * FROM "${db.schema}".${view})) d) AS n,
                (SELECT sum(started)::int FROM "${db.schema}".${view} WHERE namespace = $1) AS total,
                (SELECT count(*)::int FROM "${db.schema}".workflow WHERE namespace = $1) AS runs`,
        [SOURCE_NAMESPACE],
      );
      assert.equal(rows[0]!.n, 0, `${view} equals the live aggregation`);
      assert.ok(rows[0]!.runs > 0);
      assert.equal(rows[0]!.total, rows[0]!.runs, `${view} counts every run's start`);
    }
  });

  const scheduleRow = async (scheduleId: string) =>
    (
      await db.pool.query<{ paused: boolean; action: string; sync_run_id: string }>(
        `SELECT paused, schedule_action::text AS action, sync_run_id FROM "${db.schema}".schedule WHERE schedule_id = $1`,
        [scheduleId],
      )
    ).rows[0]!;
  const syncRunIdOf = async (workflowId: string) =>
    (await db.pool.query<{ id: string }>(`SELECT id FROM "${db.schema}".sync_run WHERE workflow_id = $1`, [workflowId]))
      .rows[0]!.id;
  const changeArgs = (scheduleId: string, arg: string) =>
    temporal.sourceClient.schedule.getHandle(scheduleId).update((previous) => ({
      ...previous,
      action: { ...previous.action, args: [arg] },
    }));

  it('with TEMPORAL_SYNC_SCHEDULE_REDESCRIBE_SECONDS=0, describes every schedule in every pass, so a change its list entry does not show is in at once', async () => {
    const everyPass = await startSyncWorker(temporal, db, { streamSettings: { scheduleRedescribeSeconds: 0 } });
    try {
      await seedSchedules(temporal.sourceClient, 'listed');
      await runSync(temporal, everyPass, { mode: 'full', streams: ['schedules'] });
      await changeArgs('listed-interval', 'changed after the full pass');
      await runSync(temporal, everyPass, { mode: 'incremental', streams: ['schedules'] });
      assert.match((await scheduleRow('listed-interval')).action, /changed after the full pass/);
    } finally {
      await everyPass.stop();
    }
  });

  it('describes a schedule whose list entry changed at once, and the others once their describe is older than the redescribe age', async () => {
    const client = temporal.sourceClient;
    const redescribeSeconds = 8;
    const worker = await startSyncWorker(temporal, db, {
      streamSettings: { scheduleRedescribeSeconds: redescribeSeconds },
    });
    try {
      await runSync(temporal, worker, { mode: 'full', streams: ['schedules'] });
      const describedAt = Date.now();
      const actionBefore = (await scheduleRow('listed-interval')).action;

      // Pausing shows in the schedule's list entry; a new workflow argument does not.
      await client.schedule.getHandle('listed-cron').pause('paused after the full pass');
      await changeArgs('listed-interval', 'changed again');
      await waitFor('the pause to show in the schedule list', async () => {
        for await (const listed of client.schedule.list()) {
          if (listed.scheduleId === 'listed-cron' && listed.state.paused) return true;
        }
        return undefined;
      });

      await runSync(temporal, worker, { mode: 'incremental', streams: ['schedules'] }, 'listed-incremental');
      assert.ok(Date.now() - describedAt < redescribeSeconds * 1000, 'the incremental ran within the redescribe age');
      const incrementalRun = await syncRunIdOf('listed-incremental');
      assert.equal((await scheduleRow('listed-cron')).paused, true, 'a changed entry is described again');
      const untouched = await scheduleRow('listed-interval');
      assert.equal(untouched.action, actionBefore, 'an unchanged, recently described entry is not described');
      assert.equal(untouched.sync_run_id, incrementalRun, 'but the pass records that it saw it');
      const { rows: live } = await db.pool.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM "${db.schema}".schedule WHERE schedule_id LIKE 'listed-%' AND deleted_at IS NULL AND sync_run_id = $1`,
        [incrementalRun],
      );
      assert.equal(live[0]!.n, 5, 'every listed schedule is seen by the pass, so none is marked deleted');

      await new Promise((resolve) =>
        setTimeout(resolve, Math.max(0, describedAt + redescribeSeconds * 1000 - Date.now()) + 500),
      );
      await runSync(temporal, worker, { mode: 'incremental', streams: ['schedules'] });
      assert.match(
        (await scheduleRow('listed-interval')).action,
        /changed again/,
        'described again once its describe is old',
      );
    } finally {
      await worker.stop();
    }
  });
});

async function waitForAttributes(temporal: TestTemporal, expected: number): Promise<void> {
  await waitFor('updated search attributes to be visible', async () =>
    (await countRuns(temporal.sourceClient, "CustomKeyword = 'changed after the full pass'")) === expected
      ? true
      : undefined,
  );
}
