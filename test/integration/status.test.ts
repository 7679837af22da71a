import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { StatusReport } from '../../src/status/types';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { countRuns } from '../helpers/seed';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
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
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'XDG_CACHE_HOME'];
  const base = Object.fromEntries(keep.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  const child = spawn('npm', ['run', '--silent', 'status', '--', ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
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
    assert.match(
      stdout,
      /^ {2}workflows {2}last success: run \d+ \(full\) finished \S+ \(3h 0m ago\), 7 rows in 42s$/m,
    );
    assert.match(stdout, /^verdict: STALE$/m);
    assert.match(stdout, /^ {2}- namespace "archive", workflows: last successful sync 3h 0m ago \(limit 1h 0m\)$/m);
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
      /^status failed: cannot read the tables in schema "never_migrated": .* \(run npm run migrate/m,
    );
  });
});
