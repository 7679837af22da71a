import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { scheduleToRow } from '../../src/source/schedules';
import { BOOKKEEPING_COLUMNS, comparable, keyed, scheduleKey, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, type TestDatabase } from '../helpers/postgres';
import { expectedWorkflowRows, seedMixedExecutions, seedSchedules, waitForSettled } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { runSync, startSeedWorker, startSyncWorker, type RunningWorker } from '../helpers/workers';
import { waitFor } from '../helpers/wait';

describe('a full sync of a namespace', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let seedWorker: RunningWorker;
  let syncWorker: RunningWorker;
  let scheduleIds: string[];

  before(async () => {
    temporal = await startTemporal();
    db = await createTestDatabase('full_sync');
    seedWorker = await startSeedWorker(temporal);
    syncWorker = await startSyncWorker(temporal, db);
    const counts = await seedMixedExecutions(temporal.sourceClient, 'core', 10);
    scheduleIds = await seedSchedules(temporal.sourceClient, 'core');
    // One action taken, so recent_actions has something to show.
    const triggered = temporal.sourceClient.schedule.getHandle(scheduleIds[0]!);
    await triggered.trigger();
    await waitFor('the triggered action to be recorded', async () =>
      (await triggered.describe()).info.recentActions.length === 1 ? true : undefined,
    );
    await waitForSettled(temporal.sourceClient, { ...counts, runs: counts.runs + 1 });
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
      assert.equal(
        row.close_time === null ? null : Date.parse(String(row.close_time)),
        info.closeTime?.getTime() ?? null,
      );
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
      assert.deepEqual(comparable(row), comparable(scheduleToRow(SOURCE_NAMESPACE, description)));
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
    const { rows: orphans } = await db.pool.query(
      `SELECT count(*)::int AS n FROM "${db.schema}".workflow w
       LEFT JOIN "${db.schema}".sync_run r ON r.id = w.sync_run_id WHERE r.status IS DISTINCT FROM 'completed'`,
    );
    assert.equal(orphans[0].n, 0);
  });
});
