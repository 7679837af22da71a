import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { DEFAULT_ALERT_SETTINGS } from '../../src/alerts/settings';
import { decodePayload } from '../../src/source/payloads';
import { timestampToIso } from '../../src/source/time';
import { documentedQuery } from '../helpers/doc-queries';
import { createTestDatabase, tableRows, type TestDatabase } from '../helpers/postgres';
import { freezeDevServer, SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { runSync, SEED_TASK_QUEUE, startSeedWorker, startSyncWorker, type RunningWorker } from '../helpers/workers';

/** The runs a schedule started, as the server's workflow listing shows them. */
async function listedFires(client: Client, scheduleId: string) {
  const fires = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({
      namespace: SOURCE_NAMESPACE,
      pageSize: 1000,
      nextPageToken,
      query: `TemporalScheduledById = '${scheduleId}'`,
    });
    for (const info of page.executions) {
      const fields = info.searchAttributes?.indexedFields ?? {};
      const scheduledTime = decodePayload(fields.TemporalScheduledStartTime);
      assert.equal(typeof scheduledTime, 'string', 'the server lists each fire with its scheduled time');
      fires.push({
        workflow_id: info.execution!.workflowId!,
        run_id: info.execution!.runId!,
        scheduled_time: new Date(scheduledTime as string).toISOString(),
        actual_start_time: timestampToIso(info.startTime)!,
        closed: Boolean(info.closeTime?.seconds),
      });
    }
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return fires.sort((a, b) => a.workflow_id.localeCompare(b.workflow_id));
}

/** Postgres's microsecond text, as the server's ISO time: `2026-01-02T03:04:05.123456+00:00` → `…123456Z`. */
const isoOf = (text: unknown) => {
  const micros = /\.(\d+)/.exec(String(text))?.[1] ?? '';
  return `${new Date(String(text)).toISOString().slice(0, 19)}.${micros.padEnd(6, '0')}Z`;
};

describe('data no other tool keeps: schedule fires, missed and skipped fires, stuck workflows', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let seedWorker: RunningWorker;
  let worker: RunningWorker;
  let receiver: WebhookReceiver;

  const sync = (mode: 'full' | 'incremental') => runSync(temporal, worker, { mode });
  const alertsAbout = (subject: string) =>
    receiver.received.map((request) => request.json).filter((message) => message.subject === subject);
  const schedule = (id: string) => temporal.sourceClient.schedule.getHandle(id);
  const events = async (scheduleId: string) =>
    (
      await db.pool.query<{ kind: string; count: string; window_start: Date | null; window_end: Date }>(
        `SELECT kind, count, window_start, window_end FROM "${db.schema}".schedule_event WHERE schedule_id = $1 ORDER BY id`,
        [scheduleId],
      )
    ).rows;
  /** Creates a schedule and waits until ListSchedules shows it (the list is eventually consistent). */
  const createListed = async (options: Parameters<Client['schedule']['create']>[0]) => {
    await temporal.sourceClient.schedule.create(options);
    await waitFor('the schedule to be listed', async () => {
      for await (const listed of temporal.sourceClient.schedule.list())
        if (listed.scheduleId === options.scheduleId) return true;
      return undefined;
    });
  };
  const scheduleRow = async (scheduleId: string) =>
    (await tableRows(db.pool, db.schema, 'schedule', SOURCE_NAMESPACE)).find((row) => row.schedule_id === scheduleId)!;

  before(async () => {
    temporal = await startTemporal();
    receiver = await startWebhookReceiver();
    db = await createTestDatabase('fires_and_stuck');
    seedWorker = await startSeedWorker(temporal);
    worker = await startSyncWorker(temporal, db, {
      streamSettings: { stuckAfterSeconds: 1, stuckRedescribeSeconds: 0 },
      alerts: { ...DEFAULT_ALERT_SETTINGS, webhookUrl: receiver.url },
    });
  });
  after(async () => {
    await worker?.stop();
    await seedWorker?.stop();
    await db?.dispose();
    await receiver?.close();
    await temporal?.stop();
  });

  it('keeps every fire of a schedule that fired more than 10 times between two syncs, each once, as the listing shows it', async () => {
    const id = 'fires-every-second';
    await temporal.sourceClient.schedule.create({
      scheduleId: id,
      spec: { intervals: [{ every: '1s' }] },
      // Each fire continues as new once: two runs carry the schedule's search attributes, one is the fire.
      action: { type: 'startWorkflow', workflowType: 'continuesAsNew', taskQueue: SEED_TASK_QUEUE, args: [1] },
    });
    const first = await sync('full');
    const fired = async () =>
      new Set((await listedFires(temporal.sourceClient, id)).map((run) => run.workflow_id)).size;
    const firedBefore = await fired();
    await waitFor('11 more fires', async () => ((await fired()) >= firedBefore + 11 ? true : undefined));
    await schedule(id).pause('the test compares what fired');
    // Every fire listed and closed: the listing the rows are compared with no longer moves.
    const runs = await waitFor('the fires to be listed closed', async () => {
      const fires = await listedFires(temporal.sourceClient, id);
      return fires.every((fire) => fire.closed) ? fires : undefined;
    });
    // A fire is the first run of its workflow ID (the one the schedule started).
    const listed = [...new Map(runs.map((run) => [run.workflow_id, run])).values()].map(
      (last) =>
        runs
          .filter((run) => run.workflow_id === last.workflow_id)
          .sort((a, b) => a.actual_start_time.localeCompare(b.actual_start_time))[0]!,
    );
    assert.equal(runs.length, listed.length * 2, 'two runs listed per fire');
    await sync('incremental');

    const rows = (await tableRows(db.pool, db.schema, 'schedule_fire', SOURCE_NAMESPACE))
      .filter((row) => row.schedule_id === id)
      .map((row) => ({
        workflow_id: row.workflow_id,
        run_id: row.run_id,
        scheduled_time: new Date(String(row.scheduled_time)).toISOString(),
        actual_start_time: isoOf(row.actual_start_time),
        closed: row.start_status === 'CONTINUED_AS_NEW',
      }))
      .sort((a, b) => String(a.workflow_id).localeCompare(String(b.workflow_id)));
    assert.deepEqual(rows, listed);
    const sinceFirstSync = rows.filter((row) => Date.parse(row.actual_start_time) > Date.parse(first.startedAt));
    assert.ok(sinceFirstSync.length > 10, `${sinceFirstSync.length} fires between the two syncs`);
    // More than DescribeSchedule keeps: its recent actions are the last 10, all of them in the log.
    const recent = (await schedule(id).describe()).info.recentActions;
    assert.ok(recent.length <= 10 && rows.length > recent.length);
    for (const { action } of recent)
      assert.ok(
        rows.some(
          (row) => row.workflow_id === action.workflow.workflowId && row.run_id === action.workflow.firstExecutionRunId,
        ),
      );
    // The tables doc's answer to "how long each run of schedule X took": one line per fire, its chain's two runs.
    const took = await db.pool.query<{ runs: string; outcome: string; took: unknown }>(
      documentedQuery('how long each run of schedule', db.schema).replace("'nightly-export'", `'${id}'`),
    );
    assert.equal(took.rows.length, rows.length);
    for (const fire of took.rows)
      assert.deepEqual([fire.runs, fire.outcome, fire.took !== null], ['2', 'COMPLETED', true]);
    await schedule(id).delete();
  });

  it('records the fires an overlap policy skipped between two describes, and one alert naming the schedule, its count and policy', async () => {
    const id = 'skips-while-running';
    await createListed({
      scheduleId: id,
      spec: { intervals: [{ every: '1s' }] },
      policies: { overlap: 'SKIP' },
      action: { type: 'startWorkflow', workflowType: 'waits', taskQueue: SEED_TASK_QUEUE, args: [] },
    });
    await sync('incremental');
    const before = await scheduleRow(id);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const { syncRunId } = await sync('incremental');
    const after = await scheduleRow(id);
    const skipped = Number(after.num_actions_skipped_overlap) - Number(before.num_actions_skipped_overlap);
    assert.ok(skipped >= 2, `${skipped} skipped between the describes`);
    const [event, ...others] = (await events(id)).filter((e) => e.kind === 'skipped_overlap' && e.window_start);
    assert.equal(others.length, 0);
    assert.equal(Number(event!.count), skipped);
    assert.equal(event!.window_start!.toISOString(), new Date(String(before.described_at)).toISOString());
    assert.equal(event!.window_end.toISOString(), new Date(String(after.described_at)).toISOString());
    // The server's own counter agrees with the row the sync described.
    assert.ok(
      (await schedule(id).describe()).info.numActionsSkippedOverlap >= Number(after.num_actions_skipped_overlap),
    );

    const opened = await waitFor('the alert', () => (alertsAbout(id).length > 0 ? alertsAbout(id) : undefined));
    assert.equal(opened.length, 1);
    assert.equal(opened[0]!.kind, 'schedule_skipped');
    assert.equal(opened[0]!.namespace, SOURCE_NAMESPACE);
    assert.match(
      String(opened[0]!.summary),
      new RegExp(
        `^Schedule "${id}" in namespace "${SOURCE_NAMESPACE}": ${skipped} fires skipped by overlap policy SKIP`,
      ),
    );
    assert.equal((opened[0]!.syncRun as { id: string }).id, syncRunId);

    // Still skipping: the same incident, no second message.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await sync('incremental');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.equal(alertsAbout(id).length, 1);

    // It fires normally again once its runs finish quickly: the incident closes, with one message.
    await schedule(id).update((previous) => ({
      ...previous,
      action: { type: 'startWorkflow', workflowType: 'completes', taskQueue: SEED_TASK_QUEUE, args: [] },
    }));
    for (const running of (await schedule(id).describe()).info.runningActions)
      await temporal.sourceClient.workflow.getHandle(running.workflow.workflowId).terminate('the test lets it fire');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await sync('incremental');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await sync('incremental');
    const closed = await waitFor('the recovery', () => (alertsAbout(id).length > 1 ? alertsAbout(id) : undefined));
    assert.deepEqual(
      closed.map((message) => [message.event, message.kind]),
      [
        ['opened', 'schedule_skipped'],
        ['closed', 'schedule_skipped'],
      ],
    );
    assert.equal(closed[1]!.summary, `Schedule "${id}" in namespace "${SOURCE_NAMESPACE}" fires normally again`);
    await schedule(id).delete();
  });

  it('shows a run stuck on an always-failing activity, and one on a failing workflow task, with what the server reports; rows stay after the runs end', async () => {
    const activityRun = await temporal.sourceClient.workflow.start('retriesForever', {
      taskQueue: SEED_TASK_QUEUE,
      workflowId: 'stuck-on-activity',
    });
    const taskRun = await temporal.sourceClient.workflow.start('failsItsWorkflowTask', {
      taskQueue: SEED_TASK_QUEUE,
      workflowId: 'stuck-on-workflow-task',
    });
    await waitFor('the activity to fail a few times', async () => {
      const pending = (await activityRun.describe()).raw.pendingActivities?.[0];
      return (pending?.attempt ?? 0) >= 3 ? true : undefined;
    });
    await waitFor('the workflow task to fail twice', async () =>
      ((await taskRun.describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 2 ? true : undefined,
    );
    // Open longer than the stuck age (1 s) when the sync plans its pass.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const { syncRunId } = await sync('incremental');
    const server = (await activityRun.describe()).raw;
    const rows = await tableRows(db.pool, db.schema, 'stuck_workflow', SOURCE_NAMESPACE);
    const onActivity = rows.find((row) => row.workflow_id === 'stuck-on-activity')!;
    assert.equal(onActivity.stuck, true);
    assert.equal(onActivity.run_id, activityRun.firstExecutionRunId);
    assert.equal(onActivity.workflow_type, 'retriesForever');
    const [activity] = onActivity.pending_activities as Array<Record<string, unknown>>;
    const serverActivity = server.pendingActivities![0]!;
    assert.equal(activity!.activity_type, 'chargeCard');
    assert.equal(activity!.last_failure_message, 'card declined for order-7: insufficient funds');
    assert.equal(activity!.last_failure_message, serverActivity.lastFailure?.message);
    assert.equal(activity!.last_failure_type, 'CardDeclined');
    // Read a moment before the server's answer now: it has made at least 3 attempts, at most as many as now.
    assert.ok(Number(activity!.attempt) >= 3 && Number(activity!.attempt) <= serverActivity.attempt!);
    const onTask = rows.find((row) => row.workflow_id === 'stuck-on-workflow-task')!;
    assert.equal(onTask.stuck, true);
    assert.ok(Number(onTask.workflow_task_attempt) >= 2);
    // The tables doc's answer to "which activity types are failing in stuck runs right now".
    const failing = await db.pool.query<Record<string, unknown>>(
      documentedQuery('which activity types are failing in stuck runs right now', db.schema),
    );
    assert.deepEqual(
      failing.rows.map(({ workflow_type, activity_type, runs, a_failure }) => ({
        workflow_type,
        activity_type,
        runs,
        a_failure,
      })),
      [
        {
          workflow_type: 'retriesForever',
          activity_type: 'chargeCard',
          runs: '1',
          a_failure: 'card declined for order-7: insufficient funds',
        },
      ],
    );

    const opened = await waitFor('the stuck alerts', () =>
      alertsAbout('retriesForever').length > 0 && alertsAbout('failsItsWorkflowTask').length > 0 ? true : undefined,
    );
    assert.ok(opened);
    const [alert] = alertsAbout('retriesForever');
    assert.equal(alert!.kind, 'stuck_workflows');
    assert.equal((alert!.syncRun as { id: string }).id, syncRunId);
    assert.match(
      String(alert!.summary),
      /^Workflow type "retriesForever" in namespace "sync-source": 1 open run stuck; activity "chargeCard" failing at attempt \d+: card declined for order-7: insufficient funds$/,
    );

    await activityRun.terminate('the test ends it');
    await taskRun.terminate('the test ends it');
    await waitFor('the runs to list as terminated', async () =>
      (
        await temporal.sourceClient.workflow.count(
          `WorkflowId STARTS_WITH 'stuck-on-' AND ExecutionStatus = 'Terminated'`,
        )
      ).count === 2
        ? true
        : undefined,
    );
    await sync('incremental');
    const kept = await tableRows(db.pool, db.schema, 'stuck_workflow', SOURCE_NAMESPACE);
    assert.deepEqual(
      kept.find((row) => row.workflow_id === 'stuck-on-activity')?.pending_activities,
      onActivity.pending_activities,
    );
    await waitFor('the recoveries', () => (alertsAbout('retriesForever').length === 2 ? true : undefined));
    assert.equal(alertsAbout('retriesForever')[1]!.event, 'closed');
  });

  it('records fires missed while the server was down past the catch-up window, and one alert naming the schedule and its window', async () => {
    const id = 'misses-its-window';
    await createListed({
      scheduleId: id,
      spec: { intervals: [{ every: '1s' }] },
      policies: { overlap: 'ALLOW_ALL', catchupWindow: '10s' },
      action: { type: 'startWorkflow', workflowType: 'completes', taskQueue: SEED_TASK_QUEUE, args: [] },
    });
    await sync('incremental');
    const before = await scheduleRow(id);
    await freezeDevServer(temporal, 16_000);
    await waitFor('the scheduler to catch up', async () =>
      (await schedule(id).describe()).info.numActionsMissedCatchupWindow > 0 ? true : undefined,
    );
    await schedule(id).pause('the test compares the counters');
    await sync('incremental');
    const after = await scheduleRow(id);
    const missed = Number(after.num_actions_missed_catchup_window) - Number(before.num_actions_missed_catchup_window);
    assert.equal(
      Number(after.num_actions_missed_catchup_window),
      (await schedule(id).describe()).info.numActionsMissedCatchupWindow,
    );
    assert.ok(missed >= 3, `${missed} missed`);
    const missedEvents = (await events(id)).filter((e) => e.kind === 'missed_catchup_window');
    assert.deepEqual(
      missedEvents.map((e) => Number(e.count)),
      [missed],
    );

    const [alert, ...more] = await waitFor('the alert', () =>
      alertsAbout(id).length > 0 ? alertsAbout(id) : undefined,
    );
    assert.equal(more.length, 0);
    assert.equal(alert!.kind, 'schedule_missed');
    // The tables doc's answer to "which schedules missed runs this week, and why".
    const why = await db.pool.query<Record<string, unknown>>(
      documentedQuery('which schedules missed runs this week', db.schema),
    );
    assert.deepEqual(
      why.rows
        .filter((row) => row.schedule_id === id)
        .map(({ kind, fires, overlap_policy, catchup_window_seconds }) => ({
          kind,
          fires,
          overlap_policy,
          catchup_window_seconds,
        })),
      [
        {
          kind: 'missed_catchup_window',
          fires: String(missed),
          overlap_policy: 'ALLOW_ALL',
          catchup_window_seconds: 10,
        },
      ],
    );
    assert.ok(
      why.rows.some((row) => row.kind === 'skipped_overlap'),
      'the skipping schedule of the earlier test too',
    );
    assert.match(
      String(alert!.summary),
      new RegExp(
        `^Schedule "${id}" in namespace "${SOURCE_NAMESPACE}": ${missed} fires missed: due longer ago than the catch-up window \\(10s\\)`,
      ),
    );
  });
});
