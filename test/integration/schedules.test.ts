import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, ScheduleNotFoundError, type ScheduleDescription } from '@temporalio/client';
import { applySchedules } from '../../src/schedules/apply';
import { UnmanagedScheduleError } from '../../src/schedules/errors';
import { loadScheduleDefinitions } from '../../src/schedules/load';
import { STREAM_NAMES } from '../../src/streams/registry';
import type { SyncSummary } from '../../src/workflows/sync-workflow';
import { runCli, runTemporalCli, type CommandResult } from '../helpers/command';
import { assertCompletedRows, createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { countRuns } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { SEED_TASK_QUEUE, startSeedWorker, startSyncWorker, type RunningWorker } from '../helpers/workers';
import { waitFor } from '../helpers/wait';

const HOURLY = 'temporal-sync-hourly-incremental';
const DAILY = 'temporal-sync-daily-full';

/** A command's stderr is exactly one line. */
function oneLine(result: CommandResult): string {
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `expected one line, got:\n${result.stderr}`);
  return lines[0]!;
}

describe('the schedules and sync commands on a real dev server', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let seedWorker: RunningWorker;
  let syncWorker: RunningWorker;
  let env: Record<string, string>;
  const seededIds = ['seeded-a', 'seeded-b', 'seeded-c'];

  const describeSchedule = (id: string) => temporal.client.schedule.getHandle(id).describe();
  const schedules = (args: string[], extraEnv: Record<string, string> = {}) =>
    runCli('schedules', args, { ...env, ...extraEnv });

  before(async () => {
    temporal = await startTemporal();
    db = await createTestDatabase('schedules');
    seedWorker = await startSeedWorker(temporal);
    syncWorker = await startSyncWorker(temporal, db);
    for (const workflowId of seededIds) {
      await temporal.sourceClient.workflow.execute('completes', { taskQueue: SEED_TASK_QUEUE, workflowId, args: [] });
    }
    env = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_SYNC_TASK_QUEUE: syncWorker.taskQueue,
    };
  });

  after(async () => {
    await syncWorker?.stop();
    await seedWorker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  it('apply creates the hourly and daily schedules with their spec, policies, action and marker', async () => {
    const result = await schedules(['apply']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^\\+ ${HOURLY}: created$`, 'm'));
    assert.match(result.stdout, new RegExp(`^\\+ ${DAILY}: created$`, 'm'));
    assert.match(result.stdout, /^\+ temporal-sync-staleness-check: created$/m);

    const hourly = await describeSchedule(HOURLY);
    assert.deepEqual(hourly.spec.calendars?.[0]?.minute, [{ start: 0, end: 0, step: 1 }]);
    assert.deepEqual(hourly.spec.calendars?.[0]?.hour, [{ start: 0, end: 23, step: 1 }]);
    assert.equal(hourly.spec.timezone, 'UTC');
    assert.equal(hourly.spec.jitter, 60_000);
    assert.deepEqual(hourly.policies, { overlap: 'SKIP', catchupWindow: 3_600_000, pauseOnFailure: false });
    assert.equal(hourly.action.workflowType, 'SyncWorkflow');
    assert.equal(hourly.action.taskQueue, syncWorker.taskQueue);
    assert.equal(hourly.action.workflowId, HOURLY);
    assert.deepEqual(hourly.action.args, [{ mode: 'incremental' }]);
    assert.equal(hourly.action.workflowExecutionTimeout, 3_600_000);
    assert.deepEqual(
      { ...hourly.action.retry, nonRetryableErrorTypes: undefined },
      {
        initialInterval: 60_000,
        backoffCoefficient: 2,
        maximumInterval: 600_000,
        maximumAttempts: 3,
        nonRetryableErrorTypes: undefined,
      },
    );
    assert.ok(hourly.action.retry?.nonRetryableErrorTypes?.includes('InvalidSyncInput'));
    assert.deepEqual(hourly.memo, { 'temporal-sync-managed': true });
    assert.equal(hourly.state.paused, false);

    const daily = await describeSchedule(DAILY);
    assert.deepEqual(daily.spec.calendars?.[0]?.minute, [{ start: 30, end: 30, step: 1 }]);
    assert.deepEqual(daily.spec.calendars?.[0]?.hour, [{ start: 3, end: 3, step: 1 }]);
    assert.deepEqual(daily.action.args, [{ mode: 'full' }]);
    assert.equal(daily.action.workflowExecutionTimeout, 12 * 3_600_000);
    assert.equal(daily.policies.catchupWindow, 6 * 3_600_000);
  });

  it('a second apply changes nothing', async () => {
    const before = await describeSchedule(HOURLY);
    const result = await schedules(['apply']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`^= ${HOURLY}: unchanged$`, 'm'));
    assert.match(result.stdout, new RegExp(`^= ${DAILY}: unchanged$`, 'm'));
    assert.match(result.stdout, /^nothing to change$/m);
    assert.deepEqual((await describeSchedule(HOURLY)).info.lastUpdatedAt, before.info.lastUpdatedAt);
  });

  it('the temporal CLI, which we did not write, sees the applied schedules', async () => {
    const describeWithCli = async (id: string) => {
      const { stdout } = await runTemporalCli(temporal.address, [
        'schedule',
        'describe',
        '--schedule-id',
        id,
        '--output',
        'json',
      ]);
      return JSON.parse(stdout) as {
        schedule: {
          spec: { structuredCalendar: Array<Record<string, unknown>>; jitter: string; timezoneName: string };
          action: { startWorkflow: { workflowType: { name: string }; taskQueue: { name: string }; input: unknown } };
          policies: { overlapPolicy: string; catchupWindow: string };
        };
        info: { futureActionTimes: string[] };
        memo: { fields: Record<string, { data: string }> };
      };
    };
    const daily = await describeWithCli(DAILY);
    assert.equal(daily.schedule.action.startWorkflow.workflowType.name, 'SyncWorkflow');
    assert.equal(daily.schedule.action.startWorkflow.taskQueue.name, syncWorker.taskQueue);
    assert.equal(daily.schedule.policies.overlapPolicy, 'SCHEDULE_OVERLAP_POLICY_SKIP');
    assert.equal(daily.schedule.policies.catchupWindow, '21600s');
    assert.equal(daily.schedule.spec.jitter, '300s');
    assert.equal(daily.schedule.spec.timezoneName, 'UTC');
    assert.equal(Buffer.from(daily.memo.fields['temporal-sync-managed']!.data, 'base64').toString(), 'true');
    // What "30 3 * * *" with 5 minutes of jitter means: every day between 03:30 and 03:35 UTC.
    assert.ok(daily.info.futureActionTimes.length >= 3);
    for (const time of daily.info.futureActionTimes) {
      const date = new Date(time);
      assert.equal(date.getUTCHours(), 3, time);
      assert.ok(date.getUTCMinutes() >= 30 && date.getUTCMinutes() < 35, time);
    }
    const hourly = await describeWithCli(HOURLY);
    const hours = hourly.info.futureActionTimes.map((time) => new Date(time).getTime());
    for (let i = 1; i < hours.length; i += 1) {
      assert.ok(Math.abs(hours[i]! - hours[i - 1]! - 3_600_000) < 60_000, 'an hour apart, give or take the jitter');
    }
  });

  it('a changed definition: --dry-run shows the difference and changes nothing; apply updates it in place', async () => {
    await temporal.client.schedule.getHandle(DAILY).pause('paused before the update');
    const original = await describeSchedule(DAILY);
    const changed = {
      TEMPORAL_SYNC_SCHEDULES: JSON.stringify({
        schedules: [{ id: DAILY, spec: { cron: '0 4 * * *', jitter: '5m' }, policies: { overlap: 'BUFFER_ONE' } }],
      }),
    };
    const dryRun = await schedules(['apply', '--dry-run'], changed);
    assert.equal(dryRun.code, 0, dryRun.stderr);
    assert.match(dryRun.stdout, new RegExp(`^~ ${DAILY}: would be updated$`, 'm'));
    assert.match(dryRun.stdout, /^ {4}spec\.cron: 30 3 \* \* \* → 0 4 \* \* \*$/m);
    assert.match(dryRun.stdout, /^ {4}policies\.overlap: SKIP → BUFFER_ONE$/m);
    assert.match(dryRun.stdout, new RegExp(`^= ${HOURLY}: unchanged$`, 'm'));
    assert.match(dryRun.stdout, /^1 change\(s\) not made \(dry run\)$/m);
    assert.deepEqual((await describeSchedule(DAILY)).spec, original.spec, 'the dry run changed nothing');
    const diffed = await schedules(['diff'], changed);
    assert.equal(diffed.code, 1, `diff exits 1 when something differs: ${diffed.stderr}`);
    assert.equal(diffed.stdout, dryRun.stdout, 'diff prints what apply --dry-run prints');
    assert.deepEqual((await describeSchedule(DAILY)).info.lastUpdatedAt, original.info.lastUpdatedAt);

    const applied = await schedules(['apply'], changed);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, new RegExp(`^~ ${DAILY}: updated$`, 'm'));
    const updated = await describeSchedule(DAILY);
    assert.deepEqual(updated.spec.calendars?.[0]?.hour, [{ start: 4, end: 4, step: 1 }]);
    assert.deepEqual(updated.spec.calendars?.[0]?.minute, [{ start: 0, end: 0, step: 1 }]);
    assert.equal(updated.policies.overlap, 'BUFFER_ONE');
    assert.deepEqual(updated.info.createdAt, original.info.createdAt, 'the same schedule, updated in place');
    assert.deepEqual(updated.memo, { 'temporal-sync-managed': true });
    assert.equal(updated.state.paused, true, "the operator's pause survives apply");
    assert.equal(updated.state.note, 'paused before the update');
    const same = await schedules(['diff'], changed);
    assert.equal(same.code, 0, `diff exits 0 when nothing differs: ${same.stderr}`);
    assert.match(same.stdout, /^nothing to change$/m);
    const described = await schedules(['describe', DAILY]);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^ {4}state: paused \(note: paused before the update\)$/m);
    assert.match(described.stdout, /^ {4}spec\.cron: 0 4 \* \* \*$/m);

    const definitions = loadScheduleDefinitions({
      taskQueue: syncWorker.taskQueue,
      inline: changed.TEMPORAL_SYNC_SCHEDULES,
    });
    assert.deepEqual(await applySchedules({ client: temporal.client, definitions }), [], 'applied once, then nothing');
  });

  it('pause and unpause round-trip with their notes', async () => {
    const paused = await schedules(['pause', HOURLY, '--note', 'warehouse maintenance until 14:00']);
    assert.equal(paused.code, 0, paused.stderr);
    let state = (await describeSchedule(HOURLY)).state;
    assert.deepEqual([state.paused, state.note], [true, 'warehouse maintenance until 14:00']);

    const unpaused = await schedules(['unpause', HOURLY, '--note', 'maintenance done']);
    assert.equal(unpaused.code, 0, unpaused.stderr);
    state = (await describeSchedule(HOURLY)).state;
    assert.deepEqual([state.paused, state.note], [false, 'maintenance done']);
  });

  it('trigger starts a sync that completes and writes rows', async () => {
    const triggeredAfter = new Date();
    const result = await schedules(['trigger', HOURLY]);
    assert.equal(result.code, 0, result.stderr);
    const action = await waitFor('the triggered run', async () =>
      (await describeSchedule(HOURLY)).info.recentActions.find((recent) => recent.takenAt >= triggeredAfter),
    );
    const workflowId = action.action.workflow.workflowId;
    assert.match(workflowId, new RegExp(`^${HOURLY}-`));
    const summary = (await temporal.client.workflow.getHandle(workflowId).result()) as SyncSummary;
    assert.ok(summary.streams.workflows!.rows >= seededIds.length);

    await assertCompletedRows(db, SOURCE_NAMESPACE, seededIds);
    const { rows: runs } = await db.pool.query(
      `SELECT status, mode, streams FROM "${db.schema}".sync_run WHERE workflow_id = $1`,
      [workflowId],
    );
    assert.deepEqual(runs, [{ status: 'completed', mode: 'incremental', streams: [...STREAM_NAMES] }]);
  });

  it('backfill over a two-hour window starts one run per hour in it', async () => {
    // Half past the hour at both ends, so exactly two full hours fall inside, whatever the time now.
    const end = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 60_000);
    const start = new Date(end.getTime() - 2 * 3_600_000);
    const result = await schedules(['backfill', HOURLY, '--start', start.toISOString(), '--end', end.toISOString()]);
    assert.equal(result.code, 0, result.stderr);
    // The server names each run after the time it stands for.
    const runsInWindow = async () =>
      (await describeSchedule(HOURLY)).info.recentActions
        .map((action) => action.action.workflow.workflowId)
        .filter((id) => {
          const time = new Date(id.slice(HOURLY.length + 1)).getTime();
          return time >= start.getTime() && time <= end.getTime();
        })
        .sort();
    const expected = [1, 2].map(
      (hour) => `${HOURLY}-${new Date(start.getTime() + (hour - 0.5) * 3_600_000).toISOString().replace('.000Z', 'Z')}`,
    );
    await waitFor('the backfilled runs', async () => ((await runsInWindow()).length >= 2 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    assert.deepEqual(await runsInWindow(), expected, 'one run per hour, no more');
    for (const id of expected) {
      const summary = (await temporal.client.workflow.getHandle(id).result()) as SyncSummary;
      assert.equal(summary.mode, 'incremental');
    }
  });

  it('delete and prune remove only managed schedules', async () => {
    await temporal.client.schedule.create({
      scheduleId: 'made-by-hand',
      spec: { intervals: [{ every: '1 day' }] },
      action: { type: 'startWorkflow', workflowType: 'SyncWorkflow', taskQueue: 'elsewhere', args: [] },
    });
    // Another tool's schedule, written through an encrypting codec: its memo and arguments cannot be
    // decoded here, and must not stop listing, pruning or deleting.
    const encrypting = new Client({
      connection: temporal.client.connection,
      namespace: 'default',
      dataConverter: {
        payloadCodecs: [
          {
            encode: (payloads) =>
              Promise.resolve(
                payloads.map((payload) => ({
                  metadata: { encoding: Buffer.from('binary/encrypted') },
                  data: Buffer.from(payload.data ?? []).reverse(),
                })),
              ),
            decode: (payloads) => Promise.resolve(payloads),
          },
        ],
      },
    });
    await encrypting.schedule.create({
      scheduleId: 'encrypted-memo',
      spec: { intervals: [{ every: '1 day' }] },
      action: { type: 'startWorkflow', workflowType: 'X', taskQueue: 'elsewhere', args: [{ secret: 1 }] },
      memo: { owner: 'another tool' },
    });
    const withExtra = loadScheduleDefinitions({
      taskQueue: syncWorker.taskQueue,
      inline: 'schedules: [{ id: extra-managed, spec: { interval: { every: 6h } } }]',
    });
    await applySchedules({ client: temporal.client, definitions: withExtra });
    // Pruning finds managed schedules through the list, which is eventually consistent.
    await waitFor('the new schedule to be listed', async () => {
      for await (const summary of temporal.client.schedule.list())
        if (summary.scheduleId === 'extra-managed') return true;
      return undefined;
    });

    const pruned = await schedules(['apply', '--prune']);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /^- extra-managed: deleted \(managed, no longer defined\)$/m);
    await assert.rejects(describeSchedule('extra-managed'), ScheduleNotFoundError);
    await describeSchedule('made-by-hand');

    const refused = await schedules(['delete', 'made-by-hand']);
    assert.equal(refused.code, 1);
    assert.match(oneLine(refused), /schedule "made-by-hand" exists but was not created by temporal-sync/);
    const taken = loadScheduleDefinitions({
      taskQueue: syncWorker.taskQueue,
      inline: 'schedules: [{ id: made-by-hand, spec: { cron: "@hourly" } }]',
    });
    await assert.rejects(applySchedules({ client: temporal.client, definitions: taken }), UnmanagedScheduleError);
    const untouched: ScheduleDescription = await describeSchedule('made-by-hand');
    assert.equal(untouched.action.taskQueue, 'elsewhere');

    const listed = await schedules(['list', '--all']);
    assert.match(listed.stdout, /^ID\s+STATE\s+WORKFLOW\s+NEXT RUN\s+MANAGED$/m);
    assert.match(listed.stdout, /^made-by-hand\s+active\s+SyncWorkflow\s+\S+\s+no$/m);
    assert.match(listed.stdout, /^encrypted-memo\s+active\s+X\s+\S+\s+no$/m);
    assert.match(listed.stdout, new RegExp(`^${HOURLY}\\s+active\\s+SyncWorkflow\\s+\\S+\\s+yes$`, 'm'));

    const deleted = await schedules(['delete', '--all']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, new RegExp(`^deleted ${DAILY}$`, 'm'));
    assert.match(deleted.stdout, new RegExp(`^deleted ${HOURLY}$`, 'm'));
    await assert.rejects(describeSchedule(HOURLY), ScheduleNotFoundError);
    await assert.rejects(describeSchedule(DAILY), ScheduleNotFoundError);
    await describeSchedule('made-by-hand');
    await temporal.client.workflowService.describeSchedule({ namespace: 'default', scheduleId: 'encrypted-memo' });
  });

  it('says in one line what to fix, with a non-zero exit, for each kind of mistake', async () => {
    const badFile = await schedules(['apply', '--file', 'test/fixtures/bad-schedules.yaml']);
    assert.equal(badFile.code, 2);
    assert.equal(
      oneLine(badFile),
      'schedules: test/fixtures/bad-schedules.yaml: schedules[1].policies.catchupWindow: must be at least 10s',
    );

    const unknown = await schedules(['pause', 'no-such-schedule']);
    assert.equal(unknown.code, 1);
    assert.equal(
      oneLine(unknown),
      `schedules: schedule "no-such-schedule" not found in namespace "default": check the ID with 'npm run schedules -- list --all'`,
    );

    const unreachable = await schedules(['list'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(unreachable.code, 1);
    assert.match(oneLine(unreachable), /^schedules: cannot reach Temporal at 127\.0\.0\.1:1 .*check TEMPORAL_ADDRESS/);
    assert.ok(unreachable.ms < 15_000, `gave up after ${unreachable.ms} ms`);
    const diffUnreachable = await schedules(['diff'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(diffUnreachable.code, 2, 'diff cannot tell: 2, never the 1 of "differs"');
    assert.match(oneLine(diffUnreachable), /^schedules: cannot reach Temporal at 127\.0\.0\.1:1 /);
    const diffBadFile = await schedules(['diff', '--file', 'test/fixtures/bad-schedules.yaml']);
    assert.equal(diffBadFile.code, 2);

    const badNamespace = await runCli('sync', [], { ...env, TEMPORAL_NAMESPACE: 'no-such-namespace' });
    assert.equal(badNamespace.code, 1);
    assert.equal(
      oneLine(badNamespace),
      `sync: namespace "no-such-namespace" not found at ${temporal.address}: check TEMPORAL_NAMESPACE`,
    );

    const badInput = await runCli('sync', ['--mode', 'fulll'], env);
    assert.equal(badInput.code, 2);
    assert.match(oneLine(badInput), /^sync: bad SyncWorkflow input: mode: .*\(got "fulll"\)/);
  });

  it('npm run sync starts a sync, links it in the Web UI and with --wait prints the summary', async () => {
    const result = await runCli('sync', ['--mode', 'full', '--wait'], env);
    assert.equal(result.code, 0, result.stderr);
    const [started, link, completed] = result.stdout.split('\n');
    const workflowId = /^started SyncWorkflow (\S+) \(full\)/.exec(started!)?.[1];
    assert.ok(workflowId, started);
    assert.match(workflowId, /^temporal-sync-manual-full-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ-[0-9a-f]{4}$/);
    assert.equal(link, `http://localhost:8233/namespaces/default/workflows/${workflowId}`);
    assert.match(completed!, /^completed: full sync in [\d.]+s \(sync_run \d+\)$/);
    assert.match(result.stdout, /^ {2}workflows: \d+ row\(s\) in 1 page\(s\), full pass$/m);
    const { rows } = await db.pool.query(`SELECT status FROM "${db.schema}".sync_run WHERE mode = 'full'`);
    assert.deepEqual(rows, [{ status: 'completed' }]);
  });

  it('npm run sync --wait prints a failure with its cause and exits non-zero', async () => {
    const broken = await startSyncWorker(temporal, db, { namespace: 'no-such-source-namespace' });
    try {
      const result = await runCli('sync', ['--wait'], { ...env, TEMPORAL_SYNC_TASK_QUEUE: broken.taskQueue });
      assert.equal(result.code, 1);
      assert.match(
        oneLine(result),
        /^sync: temporal-sync-manual-incremental-\S+ failed: .*\[SourceNamespaceNotFound\]/,
      );
    } finally {
      await broken.stop();
    }
  });

  it('a sync started with `temporal workflow start` (no input, {}, {"mode":"full"}) completes and writes rows', async () => {
    const cases: Array<{ name: string; input: string[]; mode: 'incremental' | 'full' }> = [
      { name: 'no-input', input: [], mode: 'incremental' },
      { name: 'empty-object', input: ['--input', '{}'], mode: 'incremental' },
      { name: 'full', input: ['--input', '{"mode":"full"}'], mode: 'full' },
    ];
    for (const { name, input, mode } of cases) {
      // A new execution for each run, so the rows it must write are its own.
      const sourceId = `started-with-cli-${name}`;
      await temporal.sourceClient.workflow.execute('completes', {
        taskQueue: SEED_TASK_QUEUE,
        workflowId: sourceId,
        args: [],
      });
      await waitFor(`${sourceId} to be listed`, async () =>
        (await countRuns(temporal.sourceClient, `WorkflowId = '${sourceId}' AND ExecutionStatus = 'Completed'`)) === 1
          ? true
          : undefined,
      );
      const workflowId = `sync-from-temporal-cli-${name}`;
      const started = await runTemporalCli(temporal.address, [
        'workflow',
        'start',
        '--type',
        'SyncWorkflow',
        '--task-queue',
        syncWorker.taskQueue,
        '--workflow-id',
        workflowId,
        ...input,
      ]);
      assert.match(started.stdout, new RegExp(workflowId), `${name}: ${started.stdout}${started.stderr}`);
      const summary = (await temporal.client.workflow.getHandle(workflowId).result()) as SyncSummary;
      assert.equal(summary.mode, mode, name);
      assert.equal(summary.streams.workflows?.full, mode === 'full', name);
      // The schedules stream always lists everything; only its describes are incremental.
      assert.equal(summary.streams.schedules?.full, true, name);
      if (mode === 'full') {
        assert.equal(
          summary.streams.workflows?.rows,
          await countRuns(temporal.sourceClient),
          'a full pass reads every run',
        );
      } else {
        assert.ok((summary.streams.workflows?.rows ?? 0) >= 1, `${name}: ${JSON.stringify(summary)}`);
      }

      const { rows: runs } = await db.pool.query<{ id: string; status: string; mode: string; streams: string[] }>(
        `SELECT id::text AS id, status, mode, streams FROM "${db.schema}".sync_run WHERE workflow_id = $1`,
        [workflowId],
      );
      assert.deepEqual(runs, [{ id: summary.syncRunId, status: 'completed', mode, streams: [...STREAM_NAMES] }], name);
      const { rows: written } = await db.pool.query(
        `SELECT status, sync_run_id::text AS sync_run_id, deleted_at FROM "${db.schema}".workflow
         WHERE namespace = $1 AND workflow_id = $2`,
        [SOURCE_NAMESPACE, sourceId],
      );
      assert.deepEqual(written, [{ status: 'COMPLETED', sync_run_id: summary.syncRunId, deleted_at: null }], name);
    }
    // The full pass re-read every execution: every seeded row was written by it, none marked deleted.
    const { rows: seeded } = await db.pool.query(
      `SELECT workflow_id, sync_run_id::text AS sync_run_id, deleted_at FROM "${db.schema}".workflow
       WHERE namespace = $1 AND workflow_id = ANY($2) ORDER BY workflow_id`,
      [SOURCE_NAMESPACE, seededIds],
    );
    const fullRun = (
      await db.pool.query<{ id: string }>(`SELECT id::text AS id FROM "${db.schema}".sync_run WHERE workflow_id = $1`, [
        'sync-from-temporal-cli-full',
      ])
    ).rows[0]!.id;
    assert.deepEqual(
      seeded,
      seededIds.map((workflowId) => ({ workflow_id: workflowId, sync_run_id: fullRun, deleted_at: null })),
    );
  });

  describe('trigger --overlap, and delete of one schedule', () => {
    const STUCK = 'cli-stuck';
    const definitions = {
      TEMPORAL_SYNC_SCHEDULES: JSON.stringify({
        useDefaults: false,
        schedules: [
          // Its runs go to a task queue nobody polls, so one stays running: what overlap is about.
          { id: STUCK, spec: { cron: '@yearly' }, taskQueue: 'nobody-polls-this', policies: { overlap: 'ALLOW_ALL' } },
          { id: 'cli-keep', spec: { cron: '@yearly' } },
          { id: 'cli-drop', spec: { cron: '@yearly' } },
        ],
      }),
    };
    const stuckInfo = async () => (await describeSchedule(STUCK)).info;

    before(async () => {
      const applied = await schedules(['apply'], definitions);
      assert.equal(applied.code, 0, applied.stderr);
      assert.match(applied.stdout, /^\+ cli-drop: created$/m);
    });

    it('trigger --overlap SKIP starts a run when none is going, and skips one while it is', async () => {
      const first = await schedules(['trigger', STUCK, '--overlap', 'SKIP']);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /^triggered cli-stuck \(overlap SKIP\); its run shows at \S+\/schedules\/cli-stuck$/m);
      const running = await waitFor('the triggered run', async () => {
        const info = await stuckInfo();
        return info.runningActions.length === 1 ? info.runningActions[0]! : undefined;
      });
      assert.match(running.workflow.workflowId, /^cli-stuck-/);
      const started = await temporal.client.workflow.getHandle(running.workflow.workflowId).describe();
      assert.equal(started.type, 'SyncWorkflow');
      assert.equal(started.status.name, 'RUNNING');

      const skipped = await schedules(['trigger', STUCK, '--overlap', 'SKIP']);
      assert.equal(skipped.code, 0, skipped.stderr);
      await waitFor('the second trigger to be skipped', async () =>
        (await stuckInfo()).numActionsSkippedOverlap === 1 ? true : undefined,
      );
      let info = await stuckInfo();
      assert.equal(info.recentActions.length, 1, 'SKIP started nothing while a run was going');
      assert.equal(info.runningActions.length, 1);

      // Without the flag (ALLOW_ALL) a second run starts next to the first: the flag made the difference.
      const allowed = await schedules(['trigger', STUCK]);
      assert.equal(allowed.code, 0, allowed.stderr);
      assert.match(allowed.stdout, /^triggered cli-stuck \(overlap ALLOW_ALL\)/m);
      info = await waitFor('the second run', async () => {
        const current = await stuckInfo();
        return current.recentActions.length === 2 ? current : undefined;
      });
      assert.equal(info.numActionsSkippedOverlap, 1);
      const second = info.recentActions
        .map((recent) => recent.action.workflow.workflowId)
        .find((id) => id !== running.workflow.workflowId);
      assert.ok(second, 'a second workflow');
      assert.equal((await temporal.client.workflow.getHandle(second).describe()).status.name, 'RUNNING');

      const bad = await schedules(['trigger', STUCK, '--overlap', 'SOMETIMES']);
      assert.equal(bad.code, 2);
      assert.equal(
        oneLine(bad),
        'schedules: --overlap must be one of SKIP, BUFFER_ONE, BUFFER_ALL, CANCEL_OTHER, TERMINATE_OTHER, ALLOW_ALL (see npm run schedules -- --help)',
      );
      assert.equal(bad.stdout, '');
      info = await stuckInfo();
      assert.equal(info.recentActions.length, 2, 'the refused trigger started nothing');
      assert.equal(info.numActionsSkippedOverlap, 1);

      for (const action of info.recentActions) {
        await temporal.client.workflow.getHandle(action.action.workflow.workflowId).terminate('test done');
      }
    });

    it('delete <id> deletes exactly that managed schedule and leaves the others', async () => {
      const deleted = await schedules(['delete', 'cli-drop']);
      assert.equal(deleted.code, 0, deleted.stderr);
      assert.equal(deleted.stdout, 'deleted cli-drop\n');
      await assert.rejects(describeSchedule('cli-drop'), ScheduleNotFoundError);
      for (const id of ['cli-keep', STUCK]) {
        assert.deepEqual((await describeSchedule(id)).memo, { 'temporal-sync-managed': true }, id);
      }
      await describeSchedule('made-by-hand');
      // The list lags; read it raw, since another tool's encrypted memo cannot be decoded here.
      await waitFor('the list to drop cli-drop', async () => {
        const { schedules: listed } = await temporal.client.workflowService.listSchedules({
          namespace: 'default',
          maximumPageSize: 1000,
        });
        return listed.some((entry) => entry.scheduleId === 'cli-drop') ? undefined : true;
      });
      const listed = await schedules(['list']);
      assert.equal(listed.code, 0, listed.stderr);
      const ids = listed.stdout
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.split(/\s+/)[0]);
      assert.deepEqual(ids, ['cli-keep', STUCK]);
    });
  });

  it('--help of schedules and of sync exits 0 and lists the verbs and options', async () => {
    const schedulesHelp = await runCli('schedules', ['--help'], {});
    assert.equal(schedulesHelp.code, 0, schedulesHelp.stderr);
    assert.equal(schedulesHelp.stderr, '');
    assert.match(schedulesHelp.stdout, /^Usage: npm run schedules -- <verb> \[options\]$/m);
    for (const verb of ['apply', 'diff', 'delete', 'list', 'describe', 'pause', 'unpause', 'trigger', 'backfill']) {
      assert.match(schedulesHelp.stdout, new RegExp(`^ {2}${verb} `, 'm'), verb);
    }
    for (const option of ['--dry-run', '--prune', '--file', '--all', '--note', '--overlap POLICY', '--start T']) {
      assert.ok(schedulesHelp.stdout.includes(option), option);
    }
    assert.match(
      schedulesHelp.stdout,
      /^POLICY is one of SKIP, BUFFER_ONE, BUFFER_ALL, CANCEL_OTHER, TERMINATE_OTHER, ALLOW_ALL\.$/m,
    );

    const syncHelp = await runCli('sync', ['--help'], {});
    assert.equal(syncHelp.code, 0, syncHelp.stderr);
    assert.equal(syncHelp.stderr, '');
    assert.match(syncHelp.stdout, /^Usage: npm run sync -- \[--mode full\|incremental\]/m);
    for (const option of ['--mode M', '--streams S', '--input JSON', '--id ID', '--wait', '-h, --help']) {
      assert.match(syncHelp.stdout, new RegExp(`^ {2}${option} `, 'm'), option);
    }
  });

  it('schedules against a namespace that does not exist says in one line what to fix, exit 1', async () => {
    for (const args of [['list'], ['apply']]) {
      const result = await schedules(args, { TEMPORAL_NAMESPACE: 'no-such-namespace' });
      assert.equal(result.code, 1, args.join(' '));
      assert.equal(
        oneLine(result),
        `schedules: namespace "no-such-namespace" not found at ${temporal.address}: check TEMPORAL_NAMESPACE`,
      );
      assert.equal(result.stdout, '', args.join(' '));
    }
  });
});
