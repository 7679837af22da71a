import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { DEFAULT_SCHEDULES } from '../../src/schedules/defaults';
import type { StatusReport } from '../../src/status/types';
import { runEntryPoint } from '../helpers/command';
import { createTestDatabase, tableRows, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { workflowBundleFile } from '../helpers/workers';

const NAMESPACE = 'payments-prod';

/**
 * A Temporal profile (TOML, as the temporal CLI and Temporal's SDKs read it) whose namespace is
 * payments-prod, on a dev server that has it; no TEMPORAL_ADDRESS or TEMPORAL_NAMESPACE is set.
 */
describe("a Temporal profile's namespace", () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let payments: Client;
  let directory: string;
  let env: Record<string, string>;
  let worker: WorkerProcess | undefined;
  const taskQueue = `profile-${process.pid}`;

  before(async () => {
    [temporal, db] = await Promise.all([startTemporal(['--namespace', NAMESPACE]), createTestDatabase('profile')]);
    payments = new Client({ connection: temporal.env.connection, namespace: NAMESPACE });
    directory = mkdtempSync(path.join(os.tmpdir(), 'temporal-sync-profile-'));
    const file = path.join(directory, 'temporal.toml');
    writeFileSync(
      file,
      `[profile.default]\naddress = "127.0.0.1:1"\n\n[profile.payments]\naddress = "${temporal.address}"\nnamespace = "${NAMESPACE}"\n`,
    );
    env = {
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'payments',
      DATABASE_URL: TEST_DATABASE_URL,
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_SYNC_TASK_QUEUE: taskQueue,
      TEMPORAL_SYNC_WORKFLOW_BUNDLE: await workflowBundleFile(),
      TEMPORAL_SYNC_LOG_FORMAT: 'pretty',
    };
    await payments.workflow.start('neverRuns', { taskQueue: 'nobody', workflowId: 'a-payment-in-payments-prod' });
  });
  after(async () => {
    await worker?.stop('SIGKILL');
    await runEntryPoint('schedules', ['delete', '--all'], env).catch(() => undefined);
    rmSync(directory, { recursive: true, force: true });
    await db?.dispose();
    await temporal?.stop();
  });

  it('is the namespace the worker polls and syncs', async () => {
    worker = spawnWorker(env);
    await worker.waitForOutput(/worker ready|worker failed|temporal-sync worker: /);
    assert.match(
      worker.output(),
      new RegExp(
        `polling task queue "${taskQueue}" in namespace "${NAMESPACE}" at ${temporal.address}; ` +
          `syncing namespace "${NAMESPACE}" into schema "${db.schema}"`,
      ),
    );
  });

  it('is where npm run sync starts the sync, which the worker completes into rows of that namespace', async () => {
    const result = await runEntryPoint('sync', ['--mode', 'full', '--streams', 'workflows', '--wait'], env, 90_000);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, new RegExp(`in namespace "${NAMESPACE}"`));
    assert.match(result.stdout, new RegExp(`/namespaces/${NAMESPACE}/workflows/temporal-sync-manual-full-`));
    const rows = await tableRows(db.pool, db.schema, 'workflow', NAMESPACE);
    assert.ok(
      rows.some((row) => row.workflow_id === 'a-payment-in-payments-prod'),
      'the execution of payments-prod is in the table, under its namespace',
    );
  });

  it('is where npm run schedules manages the schedules, and where npm run status looks for them', async () => {
    const applied = await runEntryPoint('schedules', ['apply'], env);
    assert.equal(applied.code, 0, applied.stderr);
    assert.match(applied.stdout, new RegExp(`^schedules in namespace "${NAMESPACE}"`, 'm'));
    const ids: string[] = [];
    await waitFor('the schedules to be listed in payments-prod', async () => {
      ids.length = 0;
      for await (const schedule of payments.schedule.list()) ids.push(schedule.scheduleId);
      return ids.length >= DEFAULT_SCHEDULES.length ? true : undefined;
    });
    assert.deepEqual(ids.sort(), DEFAULT_SCHEDULES.map((schedule) => schedule.id).sort());

    const status = await runEntryPoint('status', ['--json'], env);
    const report = JSON.parse(status.stdout) as StatusReport;
    assert.equal(report.temporal.namespace, NAMESPACE);
    assert.ok(report.temporal.reachable, status.stderr);
    assert.deepEqual(report.temporal.schedules.map((schedule) => schedule.scheduleId).sort(), ids);
  });
});
