import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HTTP_ROUTES } from '../../src/observability/http-server';
import { SYNC_METRIC_NAMES } from '../../src/observability/metrics';
import type { SyncSummary } from '../../src/workflows/sync-workflow';
import { comparable, keyed, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { expectedWorkflowRows, seedMixedExecutions } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { startSeedWorker, workflowBundleFile, type RunningWorker } from '../helpers/workers';
import { closeWriteGate, slowWrites } from '../helpers/write-gate';

const PAGE_SIZE = 10;

async function countRows(db: TestDatabase): Promise<number> {
  const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db.schema}".workflow`);
  return rows[0]!.n;
}

async function assertTablesEqualServer(temporal: TestTemporal, db: TestDatabase): Promise<void> {
  const expected = await expectedWorkflowRows(temporal.sourceClient);
  const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
  assert.equal(stored.size, expected.length, 'nothing missing, nothing extra');
  for (const row of expected) {
    const actual = stored.get(workflowKey(row as never));
    assert.ok(actual, `missing ${row.workflow_id}`);
    assert.deepEqual(comparable(actual), comparable(row));
  }
}

/** One sample's value from a Prometheus text exposition, or undefined when the series is absent. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

/** The worker's JSON log lines (its stderr start-up errors are not JSON and are skipped). */
function jsonLines(output: string): Array<Record<string, unknown>> {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('the production worker (a child process, as deployed)', () => {
  let temporal: TestTemporal;
  let seedWorker: RunningWorker;
  let runs: number;
  const started: WorkerProcess[] = [];

  before(async () => {
    temporal = await startTemporal();
    seedWorker = await startSeedWorker(temporal);
    runs = (await seedMixedExecutions(temporal.sourceClient, 'prod', 4)).runs;
  });
  after(async () => {
    for (const worker of started) await worker.stop('SIGKILL');
    await seedWorker?.stop();
    await temporal?.stop();
  });

  const envFor = async (db: TestDatabase, extra: Record<string, string> = {}) => ({
    DATABASE_URL: TEST_DATABASE_URL,
    TEMPORAL_SYNC_SCHEMA: db.schema,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_SYNC_SOURCE_NAMESPACE: SOURCE_NAMESPACE,
    TEMPORAL_SYNC_TASK_QUEUE: `prod-${db.schema}`,
    TEMPORAL_SYNC_WORKFLOW_BUNDLE: await workflowBundleFile(),
    TEMPORAL_SYNC_LOG_FORMAT: 'json',
    ...extra,
  });
  const spawn = (env: Record<string, string>) => {
    const worker = spawnWorker(env);
    started.push(worker);
    return worker;
  };

  it('on SIGTERM lets the page being written finish, exits 0, and the sync completes on the next worker', async () => {
    const db = await createTestDatabase('sigterm');
    const gate = await closeWriteGate(db.pool, db.schema, 'workflow', 3 * PAGE_SIZE);
    try {
      const env = await envFor(db, { TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS: '30' });
      const first = spawn(env);
      await first.waitForOutput(/worker ready/);
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue: env.TEMPORAL_SYNC_TASK_QUEUE,
        workflowId: 'sigterm-drain',
        // A long heartbeat timeout: if the drain relied on a retry, the test would wait for it and time out.
        args: [{ mode: 'full', streams: ['workflows'], pageSize: PAGE_SIZE, heartbeatTimeoutSeconds: 120 }],
      });
      await gate.waitUntilBlocked();
      const before = await countRows(db);
      assert.equal(before, 3 * PAGE_SIZE, 'three pages written, the fourth held at the gate');

      process.kill(first.pid, 'SIGTERM');
      await first.waitForOutput(/SIGTERM: draining/);
      const port = first.httpPort();
      const draining = await waitFor('/readyz 503 while draining', async () => {
        const response = await get(port, HTTP_ROUTES.readiness);
        return response.status === 503 ? response : undefined;
      });
      const readiness = JSON.parse(draining.body) as { checks: { worker: string } };
      assert.match(readiness.checks.worker, /not polling/, 'a platform stops routing to it');
      assert.equal((await get(port, HTTP_ROUTES.liveness)).status, 200, 'but it is alive: no restart');
      assert.equal(await countRows(db), before, 'nothing written while the page is held');
      await gate.open();

      assert.equal(await first.exited, 0, 'the draining worker exits 0');
      assert.equal(await countRows(db), before + PAGE_SIZE, 'the page in flight was written, and no page after it');
      const stopped = jsonLines(first.output()).find((line) =>
        /chunk stopped at a page boundary/.test(String(line.msg)),
      );
      assert.ok(stopped, 'the activity said where it stopped');
      assert.equal(stopped.workflowId, 'sigterm-drain', 'activity log lines carry the workflow context');
      assert.equal(stopped.activityType, 'syncPartition');
      assert.equal(stopped.pagesWritten, 4);
      assert.equal((await handle.describe()).status.name, 'RUNNING', 'the sync waits for a worker');

      const second = spawn(env);
      await second.waitForOutput(/worker ready/);
      const summary = (await handle.result()) as SyncSummary;
      const workflows = summary.streams.workflows!;
      assert.equal(workflows.rows, runs, 'every run written once');
      assert.equal(workflows.pages, Math.ceil(runs / PAGE_SIZE), 'no page read twice');
      assert.deepEqual(workflows.resumedAtPages, [], 'no attempt was retried: the chunk handed its position back');
      await assertTablesEqualServer(temporal, db);
      assert.equal(await second.stop('SIGTERM'), 0);
    } finally {
      await gate.remove();
      await db.dispose();
    }
  });

  it('serves /healthz and /readyz, and /metrics shows the sync moving while it runs', async () => {
    const db = await createTestDatabase('metrics');
    const slow = await slowWrites(db.pool, db.schema, 'workflow', 0, 250);
    try {
      const env = await envFor(db);
      const worker = spawn(env);
      await worker.waitForOutput(/worker ready/);
      const port = worker.httpPort();

      assert.equal((await get(port, HTTP_ROUTES.liveness)).status, 200);
      const ready = await waitFor('/readyz 200', async () => {
        const response = await get(port, HTTP_ROUTES.readiness);
        return response.status === 200 ? response : undefined;
      });
      assert.deepEqual(JSON.parse(ready.body), {
        ready: true,
        checks: { worker: 'ok', database: 'ok', temporal: 'ok' },
      });
      assert.equal((await get(port, '/nothing-here')).status, 404);

      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue: env.TEMPORAL_SYNC_TASK_QUEUE,
        workflowId: 'metrics-sync',
        args: [{ mode: 'full', streams: ['workflows'], pageSize: PAGE_SIZE }],
      });
      const rowsSeen = new Set<number>();
      let finished = false;
      const done = handle.result().finally(() => (finished = true));
      while (!finished) {
        const metrics = (await get(port, HTTP_ROUTES.metrics)).body;
        const rows = sample(metrics, SYNC_METRIC_NAMES.rows, 'namespace="sync-source",stream="workflows"');
        if (rows !== undefined && rows > 0 && rows < runs) rowsSeen.add(rows);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const summary = (await done) as SyncSummary;
      assert.ok(rowsSeen.size >= 2, `rows upserted seen rising during the sync: ${[...rowsSeen].join(', ')}`);

      const final = (await get(port, HTTP_ROUTES.metrics)).body;
      assert.equal(sample(final, SYNC_METRIC_NAMES.rows, 'namespace="sync-source",stream="workflows"'), runs);
      assert.equal(
        sample(final, SYNC_METRIC_NAMES.pages, 'namespace="sync-source",stream="workflows"'),
        summary.streams.workflows!.pages,
      );
      assert.equal(
        sample(
          final,
          `${SYNC_METRIC_NAMES.passDuration}_count`,
          'namespace="sync-source",stream="workflows",full="true"',
        ),
        1,
      );
      const lag = sample(final, SYNC_METRIC_NAMES.lag, 'namespace="sync-source",stream="workflows"');
      assert.ok(lag !== undefined && lag >= 0 && lag < 60, `lag since the pass began: ${lag}`);
      assert.match(final, /^temporal_num_pollers\{/m, "the SDK's own metrics are in the same scrape");
      assert.match(final, /^process_resident_memory_bytes /m, 'and the process metrics');
      assert.equal(await worker.stop('SIGTERM'), 0);
    } finally {
      await slow.remove();
      await db.dispose();
    }
  });
});
