import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { childEnv } from '../../scripts/child-env';
import type { StatusReport } from '../../src/status/types';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { countRuns } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { runSync, startSyncWorker, type RunningWorker } from '../helpers/workers';

const ROOT = path.resolve(__dirname, '../..');

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run status` as an operator (or a monitoring check) runs it: a process of its own. */
function status(env: Record<string, string>, ...args: string[]): Promise<Outcome> {
  const child = spawn('npm', ['run', '--silent', 'status', '--', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('npm run status', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let worker: RunningWorker;
  let env: Record<string, string>;

  before(async () => {
    temporal = await startTemporal();
    db = await createTestDatabase('status');
    worker = await startSyncWorker(temporal, db);
    env = {
      DATABASE_URL: db.databaseUrl,
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_SYNC_STALENESS_SECONDS: '3600',
    };
    for (const id of ['status-1', 'status-2', 'status-3']) {
      await temporal.sourceClient.workflow.start('neverRuns', { taskQueue: 'nobody', workflowId: id });
    }
    await waitFor('the executions to be listed', async () =>
      (await countRuns(temporal.sourceClient)) >= 3 ? true : undefined,
    );
    // Two schedules the setup command would manage (memo marker), one it would not.
    const action = {
      type: 'startWorkflow' as const,
      workflowType: 'SyncWorkflow',
      taskQueue: worker.taskQueue,
      args: [],
    };
    await temporal.client.schedule.create({
      scheduleId: 'temporal-sync-hourly',
      spec: { intervals: [{ every: '1 hour' }] },
      action: { ...action, workflowId: 'hourly' },
      memo: { 'temporal-sync-managed': true },
    });
    await temporal.client.schedule.create({
      scheduleId: 'temporal-sync-daily',
      spec: { intervals: [{ every: '1 day' }] },
      action: { ...action, workflowId: 'daily' },
      memo: { 'temporal-sync-managed': true },
      state: { paused: true, note: 'paused for the migration' },
    });
    await temporal.client.schedule.create({
      scheduleId: 'someone-elses',
      spec: { intervals: [{ every: '1 day' }] },
      action: { ...action, workflowId: 'other' },
    });
    await waitFor('the schedules to be listed', async () => {
      let n = 0;
      for await (const _ of temporal.client.schedule.list()) n += 1;
      return n === 3 ? true : undefined;
    });
  });
  after(async () => {
    await worker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  it('says ok, exit 0, after a successful sync, with the managed schedules', async () => {
    const summary = await runSync(temporal, worker, { mode: 'full' });
    const { code, stdout } = await status(env);
    assert.equal(code, 0, stdout);
    assert.match(stdout, /^namespace sync-source$/m);
    assert.match(
      stdout,
      new RegExp(
        `^  workflows  last success: run ${summary.syncRunId} \\(full\\) finished \\S+ \\(\\d+s ago\\), 3 rows in \\d+s$`,
        'm',
      ),
    );
    assert.match(stdout, /^ {13}cursor \S+ \(\d+s old\); rows: 3 live, 0 deleted$/m);
    assert.match(stdout, /^ {2}last failure: none$/m);
    assert.match(stdout, /^ {2}temporal-sync-daily {3}SyncWorkflow, paused \(paused for the migration\)$/m);
    assert.match(stdout, /^ {2}temporal-sync-hourly {2}SyncWorkflow, active, next \d{4}-\d\d-\d\dT/m);
    assert.doesNotMatch(stdout, /someone-elses/);
    assert.match(stdout, /^verdict: OK$/m);
  });

  it('in JSON, says ok, exit 0: each stream with its last success, cursor and age, live and deleted rows; the schedules', async () => {
    // A fourth execution, synced, then deleted in Temporal: the next full sync marks its row deleted.
    await temporal.sourceClient.workflow.start('neverRuns', { taskQueue: 'nobody', workflowId: 'status-4' });
    await waitFor('the fourth execution to be listed', async () =>
      (await countRuns(temporal.sourceClient)) === 4 ? true : undefined,
    );
    await runSync(temporal, worker, { mode: 'full' });
    await temporal.sourceClient.workflowService.deleteWorkflowExecution({
      namespace: SOURCE_NAMESPACE,
      workflowExecution: { workflowId: 'status-4' },
    });
    await waitFor('the deleted execution to be gone from the list', async () =>
      (await countRuns(temporal.sourceClient)) === 3 ? true : undefined,
    );
    const summary = await runSync(temporal, worker, { mode: 'full' });
    assert.equal(summary.streams.workflows?.deleted, 1);

    const { code, stdout, stderr } = await status(env, '--json');
    assert.equal(code, 0, stdout + stderr);
    const report = JSON.parse(stdout) as StatusReport;
    assert.deepEqual(report.verdict, { status: 'ok', reasons: [] });
    assert.equal(report.stalenessSeconds, 3600);
    const checkedAt = Date.parse(report.checkedAt);
    assert.deepEqual(
      report.namespaces.map((ns) => ns.namespace),
      [SOURCE_NAMESPACE],
    );
    const source = report.namespaces[0]!;
    assert.equal(source.lastFailure, null);
    assert.deepEqual(source.lastFinished, {
      syncRunId: summary.syncRunId,
      status: 'completed',
      finishedAt: source.streams[0]?.lastSuccess?.finishedAt,
    });
    assert.equal(source.running, 0);
    assert.deepEqual(source.openIncidents, []);
    assert.deepEqual(
      source.streams.map((stream) => [stream.stream, stream.rows]),
      [
        ['workflows', { live: 3, deleted: 1 }],
        ['schedules', { live: 0, deleted: 0 }],
        ['schedule_fires', { live: 0, deleted: 0 }],
        ['stuck_workflows', { live: 0, deleted: 0 }],
      ],
    );
    for (const stream of source.streams) {
      const success = stream.lastSuccess;
      assert.ok(success, stream.stream);
      assert.equal(success.syncRunId, summary.syncRunId, stream.stream);
      assert.equal(success.mode, 'full', stream.stream);
      assert.equal(success.rows, stream.stream === 'workflows' ? 3 : 0, stream.stream);
      // The cursor is where the last complete pass began: inside that run, and seconds old.
      assert.ok(stream.cursor, `${stream.stream} has a cursor`);
      const cursor = Date.parse(stream.cursor);
      assert.ok(
        cursor >= Date.parse(success.startedAt) && cursor <= Date.parse(success.finishedAt),
        `${stream.stream}: cursor ${stream.cursor} within run ${success.startedAt}..${success.finishedAt}`,
      );
      const age = checkedAt - cursor;
      assert.ok(age >= 0 && age < 120_000, `${stream.stream}: cursor ${age} ms old`);
      // stuck_workflows only reads incrementally: it never has a full pass.
      const full = stream.stream === 'stuck_workflows' ? null : stream.cursor;
      assert.equal(stream.lastFullSyncAt, full, 'a full pass: the full-sync time moved with the cursor');
    }
    assert.ok(report.temporal.reachable);
    assert.equal(report.temporal.namespace, 'default');
    const [daily, hourly] = report.temporal.schedules;
    assert.deepEqual(
      report.temporal.schedules.map((schedule) => schedule.scheduleId),
      ['temporal-sync-daily', 'temporal-sync-hourly'],
    );
    assert.deepEqual(
      [daily!.paused, daily!.note, daily!.workflowType],
      [true, 'paused for the migration', 'SyncWorkflow'],
    );
    assert.deepEqual([hourly!.paused, hourly!.note, hourly!.workflowType], [false, null, 'SyncWorkflow']);
    // Every hour: the next action is within the coming hour.
    assert.ok(hourly!.nextActionAt, 'the active schedule has a next action');
    const untilNext = Date.parse(hourly!.nextActionAt) - checkedAt;
    assert.ok(untilNext > -5_000 && untilNext <= 3_600_000, `next action in ${untilNext} ms`);
  });

  it('says unknown, exit 3, when Temporal is unreachable, and still shows the tables', async () => {
    const { code, stdout } = await status({ ...env, TEMPORAL_ADDRESS: '127.0.0.1:1' });
    assert.equal(code, 3, stdout);
    assert.match(stdout, /^namespace sync-source$/m);
    assert.match(stdout, /managed schedules \(namespace default\): Temporal unreachable: 127\.0\.0\.1:1: /);
    assert.match(stdout, /^verdict: UNKNOWN$/m);
  });

  it('says stale, exit 1, when a namespace has no successful sync within the window', async () => {
    // A second namespace whose last success was three hours ago, as a stopped worker leaves it.
    await db.pool.query(
      `INSERT INTO "${db.schema}".sync_run (namespace, workflow_id, run_id, mode, streams, status, started_at, finished_at, rows_per_stream)
       VALUES ('archive', 'old-sync', 'r1', 'full', '{workflows}', 'completed',
               now() - interval '3 hours 42 seconds', now() - interval '3 hours', '{"workflows": 7}')`,
    );
    const { code, stdout } = await status(env);
    assert.equal(code, 1, stdout);
    assert.match(stdout, /^namespace archive$/m);
    assert.match(stdout, /^ {2}workflows {2}last success: run \d+ \(full\) finished \S+ \(3h ago\), 7 rows in 42s$/m);
    assert.match(stdout, /^verdict: STALE$/m);
    assert.match(stdout, /^ {2}- namespace "archive", workflows: last successful sync 3h ago \(limit 1h\)$/m);
  });

  it('in JSON, says stale, exit 1, naming the stale stream, and still reports the fresh namespace and the schedules', async () => {
    const { code, stdout, stderr } = await status(env, '--json');
    assert.equal(code, 1, stdout + stderr);
    const report = JSON.parse(stdout) as StatusReport;
    assert.deepEqual(report.verdict, {
      status: 'stale',
      reasons: ['namespace "archive", workflows: last successful sync 3h ago (limit 1h)'],
    });
    const checkedAt = Date.parse(report.checkedAt);
    assert.deepEqual(
      report.namespaces.map((ns) => ns.namespace),
      ['archive', SOURCE_NAMESPACE],
    );
    const [archive, source] = report.namespaces;
    assert.equal(archive!.streams.length, 1);
    const stale = archive!.streams[0]!;
    assert.equal(stale.stream, 'workflows');
    assert.equal(stale.lastSuccess?.workflowId, 'old-sync');
    assert.equal(stale.lastSuccess?.mode, 'full');
    assert.equal(stale.lastSuccess?.rows, 7);
    assert.equal(stale.lastSuccess?.durationMs, 42_000);
    const age = checkedAt - Date.parse(stale.lastSuccess.finishedAt);
    assert.ok(age >= 3 * 3_600_000 && age < 3 * 3_600_000 + 120_000, `finished ${age} ms ago`);
    assert.equal(stale.cursor, null, 'the archive run left no cursor');
    assert.equal(stale.lastFullSyncAt, null);
    assert.deepEqual(stale.rows, { live: 0, deleted: 0 });
    assert.equal(archive!.lastFailure, null);
    assert.equal(archive!.lastFinished?.status, 'completed');

    const workflows = source!.streams.find((stream) => stream.stream === 'workflows')!;
    assert.deepEqual(workflows.rows, { live: 3, deleted: 1 });
    assert.ok(workflows.cursor);
    const cursorAge = checkedAt - Date.parse(workflows.cursor);
    assert.ok(cursorAge >= 0 && cursorAge < 300_000, `cursor ${cursorAge} ms old`);

    assert.ok(report.temporal.reachable);
    assert.deepEqual(
      report.temporal.schedules.map((schedule) => [schedule.scheduleId, schedule.paused, schedule.note]),
      [
        ['temporal-sync-daily', true, 'paused for the migration'],
        ['temporal-sync-hourly', false, null],
      ],
    );
    const next = Date.parse(report.temporal.schedules[1]?.nextActionAt ?? '') - checkedAt;
    assert.ok(next > -5_000 && next <= 3_600_000, `the hourly schedule's next action in ${next} ms`);
  });

  it('says failing, exit 2, when the latest run failed, in text and JSON, with the error and the incident', async () => {
    await db.pool.query(`
      CREATE FUNCTION "${db.schema}".deny_writes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'permission denied for table workflow' USING ERRCODE = '42501'; END $$;
      CREATE TRIGGER deny_writes BEFORE INSERT ON "${db.schema}".workflow
        FOR EACH STATEMENT EXECUTE FUNCTION "${db.schema}".deny_writes();`);
    const failure = await runSync(temporal, worker, { mode: 'full' }).catch((error: unknown) => error);
    assert.ok(failure instanceof WorkflowFailedError);

    const text = await status(env);
    assert.equal(text.code, 2, text.stdout);
    assert.match(
      text.stdout,
      /^ {2}last failure: run \d+ \(the latest run\) at \S+ \(\d+s ago\): .*permission denied for table workflow/m,
    );
    assert.match(text.stdout, /^ {2}open incident \d+: sync_failed since \S+, 1 occurrence\(s\), no alert delivered/m);
    assert.match(text.stdout, /^verdict: FAILING$/m);

    const json = await status(env, '--json');
    assert.equal(json.code, 2);
    const report = JSON.parse(json.stdout) as StatusReport;
    assert.equal(report.verdict.status, 'failing');
    assert.equal(report.verdict.reasons.length, 2, 'failing here, stale there');
    const source = report.namespaces.find((ns) => ns.namespace === 'sync-source')!;
    assert.match(source.lastFailure?.error ?? '', /permission denied/);
    assert.equal(source.lastFinished?.status, 'failed');
    const workflows = source.streams.find((stream) => stream.stream === 'workflows')!;
    assert.equal(workflows.rows.live, 3);
    assert.equal(workflows.lastSuccess?.mode, 'full');
    assert.equal(workflows.lastSuccess?.rows, 3);
    assert.equal(source.openIncidents[0]?.kind, 'sync_failed');
    assert.ok(report.temporal.reachable);
    assert.deepEqual(
      report.temporal.schedules.map((schedule) => [schedule.scheduleId, schedule.paused]),
      [
        ['temporal-sync-daily', true],
        ['temporal-sync-hourly', false],
      ],
    );
  });

  it('prints its usage with --help, refuses an unknown argument, and says unknown when the tables are missing', async () => {
    const help = await status({}, '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: npm run status/);
    const bad = await status(env, '--jsno');
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /unknown argument --jsno/);
    const missing = await status({ ...env, TEMPORAL_SYNC_SCHEMA: 'never_migrated' });
    assert.equal(missing.code, 3);
    assert.match(
      missing.stderr,
      /^status: cannot read the tables in schema "never_migrated": .* \(run npm run migrate/m,
    );
  });
});
