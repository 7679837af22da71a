import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SyncSummary } from '../../src/workflows/sync-workflow';
import { freeLoopbackPort } from '../../src/observability/core-metrics';
import { SYNC_METRIC_NAMES } from '../../src/observability/metrics';
import { comparable, keyed, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { expectedWorkflowRows, seedMixedExecutions } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { startSeedWorker, workflowBundleFile, type RunningWorker } from '../helpers/workers';
import { slowWrites } from '../helpers/write-gate';

/** The dev server answers RESOURCE_EXHAUSTED past this many visibility calls per second per namespace, as Cloud does past 30. */
const SERVER_VISIBILITY_RPS = 4;
const PAGE_SIZE = 5;

/** One sample of a Prometheus text exposition, summed over the series whose labels include `labels`. */
function sampleSum(text: string, name: string, labels: string[]): number {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && labels.every((label) => line.includes(label)))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

async function assertTablesEqualServer(temporal: TestTemporal, db: TestDatabase): Promise<number> {
  const expected = await expectedWorkflowRows(temporal.sourceClient);
  const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
  assert.equal(
    stored.size,
    expected.length,
    'one row per listed execution: nothing lost, nothing doubled, nothing extra',
  );
  for (const row of expected) {
    const actual = stored.get(workflowKey(row as never));
    assert.ok(actual, `missing ${row.workflow_id}`);
    assert.deepEqual(comparable(actual), comparable(row));
  }
  return expected.length;
}

interface PartitionRow {
  partition: number;
  query: string;
  pages: number;
  rows: number;
  done: boolean;
  resumed_at_pages: number[];
}

describe('a pass split into partitions, read by two worker processes within a visibility budget', () => {
  let temporal: TestTemporal;
  let seed: RunningWorker;
  let metricsUrl: string;
  const workers: WorkerProcess[] = [];

  before(async () => {
    const metricsPort = await freeLoopbackPort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    temporal = await startTemporal([
      '--metrics-port',
      String(metricsPort),
      '--dynamic-config-value',
      `frontend.namespaceRPS.visibility=${SERVER_VISIBILITY_RPS}`,
      '--dynamic-config-value',
      'frontend.namespaceBurstRatio.visibility=1',
    ]);
    seed = await startSeedWorker(temporal);
    await seedMixedExecutions(temporal.sourceClient, 'partitions', 4);
  });
  after(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    await seed?.stop();
    await temporal?.stop();
  });

  /** Two replicas of one deployment: the same schema and task queue, as a platform runs them. */
  async function deployTwice(db: TestDatabase): Promise<{ taskQueue: string; replicas: WorkerProcess[] }> {
    const taskQueue = `partitions-${db.schema}`;
    const env = {
      DATABASE_URL: TEST_DATABASE_URL,
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_SYNC_SOURCE_NAMESPACE: SOURCE_NAMESPACE,
      TEMPORAL_SYNC_TASK_QUEUE: taskQueue,
      TEMPORAL_SYNC_WORKFLOW_BUNDLE: await workflowBundleFile(),
      TEMPORAL_SYNC_LOG_FORMAT: 'json',
    };
    const replicas = [spawnWorker(env), spawnWorker(env)];
    workers.push(...replicas);
    await Promise.all(replicas.map((worker) => worker.waitForOutput(/worker ready/)));
    return { taskQueue, replicas };
  }

  const partitionsOf = async (db: TestDatabase): Promise<PartitionRow[]> =>
    (
      await db.pool.query<PartitionRow>(
        `SELECT partition, query, pages, rows::int AS rows, done, resumed_at_pages
         FROM "${db.schema}".sync_partition ORDER BY partition`,
      )
    ).rows;

  const serverMetrics = async () => (await fetch(metricsUrl)).text();
  /** The server's metrics name namespaces with '-' as '_'. */
  const serverNamespace = `namespace="${SOURCE_NAMESPACE.replace(/[^a-zA-Z0-9_]/g, '_')}"`;
  const exhausted = async () =>
    sampleSum(await serverMetrics(), 'service_errors_resource_exhausted', [serverNamespace]);
  const visibilityCalls = async () => {
    const text = await serverMetrics();
    return ['ListWorkflowExecutions', 'CountWorkflowExecutions'].reduce(
      (sum, operation) => sum + sampleSum(text, 'service_requests', [serverNamespace, `operation="${operation}"`]),
      0,
    );
  };

  const input = (extra: Record<string, unknown> = {}) => ({
    mode: 'full',
    streams: ['workflows'],
    pageSize: PAGE_SIZE,
    partitions: 4,
    minRowsPerPartition: 20,
    visibilityRps: SERVER_VISIBILITY_RPS,
    heartbeatTimeoutSeconds: 3,
    ...extra,
  });

  it('equals the server listing row for row, with every partition read once, across both replicas, within the budget', async () => {
    const db = await createTestDatabase('partitioned');
    try {
      const { taskQueue } = await deployTwice(db);
      const exhaustedBefore = await exhausted();
      const callsBefore = await visibilityCalls();
      const started = Date.now();
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue,
        workflowId: 'partitioned-full',
        args: [input()],
      });
      const summary = (await handle.result()) as SyncSummary;
      const seconds = (Date.now() - started) / 1000;

      const rows = await assertTablesEqualServer(temporal, db);
      const partitions = await partitionsOf(db);
      assert.ok(partitions.length >= 4, `at least 4 partitions (${partitions.length})`);
      assert.ok(
        partitions.every((p) => p.done && p.resumed_at_pages.length === 0),
        'each partition read once, none resumed',
      );
      assert.equal(
        partitions.reduce((n, p) => n + p.rows, 0),
        rows,
        'the partitions together wrote each row once',
      );
      assert.deepEqual(summary.streams.workflows?.partitions, { done: partitions.length, total: partitions.length });
      assert.equal(summary.streams.workflows?.rows, rows);
      assert.equal(
        summary.streams.workflows?.pages,
        partitions.reduce((n, p) => n + p.pages, 0),
      );

      const history = await handle.fetchHistory();
      const identities = new Set(
        (history.events ?? []).flatMap((event) => event.activityTaskStartedEventAttributes?.identity ?? []),
      );
      assert.equal(identities.size, 2, `both replicas ran the run's activities (${[...identities].join(', ')})`);

      // The server's limiter allows the budget and no burst over it: had any second held more calls than
      // the budget, it would have refused one. Its counters reach /metrics within a few seconds.
      const calls = await waitFor('the server to count the calls', async () => {
        const counted = (await visibilityCalls()) - callsBefore;
        return counted >= summary.streams.workflows!.pages ? counted : undefined;
      });
      assert.equal((await exhausted()) - exhaustedBefore, 0, 'the server never had to refuse a call');
      assert.ok(
        calls / seconds <= SERVER_VISIBILITY_RPS,
        `${calls} calls in ${seconds.toFixed(1)} s: within the budget`,
      );
    } finally {
      await db.dispose();
    }
  });

  it('after a SIGKILL of one replica mid-pass, the other finishes: no page re-read, none lost, none doubled', async () => {
    const db = await createTestDatabase('partitions_kill');
    const slow = await slowWrites(db.pool, db.schema, 'workflow', 0, 150);
    try {
      const { taskQueue, replicas } = await deployTwice(db);
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue,
        workflowId: 'partitioned-kill',
        args: [input({ visibilityRps: 20 })],
      });
      await waitFor('a third of the pages committed', async () => {
        const partitions = await partitionsOf(db);
        const pages = partitions.reduce((n, p) => n + p.pages, 0);
        return partitions.length >= 4 && pages >= 25 ? true : undefined;
      });
      // The replica to kill is one that holds a chunk right now (its PID is in the activity's worker identity).
      const victim = await waitFor('a chunk running on a replica', async () => {
        const pending = (await handle.describe()).raw.pendingActivities ?? [];
        const running = pending.filter((activity) => activity.lastWorkerIdentity && activity.lastStartedTime);
        return replicas.find((worker) =>
          running.some((activity) => activity.lastWorkerIdentity!.startsWith(`${worker.pid}@`)),
        );
      });
      const survivor = replicas.find((worker) => worker !== victim)!;
      assert.equal(await victim.stop('SIGKILL'), null, 'killed');
      // What had committed when it died: a retried attempt must start exactly after it. Its partitions
      // wait out the heartbeat timeout (3 s) before another replica takes them; by 1 s its backends have
      // rolled back whatever page they held.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const atKill = new Map((await partitionsOf(db)).map((p) => [p.partition, p.pages]));
      await slow.remove();
      const summary = (await handle.result()) as SyncSummary;

      await assertTablesEqualServer(temporal, db);
      const partitions = await partitionsOf(db);
      const resumed = partitions.filter((p) => p.resumed_at_pages.length > 0);
      assert.ok(resumed.length > 0, 'the killed replica had partitions in flight, which the other picked up');
      for (const p of resumed) {
        assert.deepEqual(
          p.resumed_at_pages,
          [atKill.get(p.partition)! + 1],
          `partition ${p.partition} resumed after its last committed page`,
        );
      }
      assert.equal(
        summary.streams.workflows?.rows,
        partitions.reduce((n, p) => n + p.rows, 0),
      );
      assert.match(survivor.output(), /resuming from the committed checkpoint/);
    } finally {
      await slow.remove();
      await db.dispose();
    }
  });

  it('slows down on RESOURCE_EXHAUSTED from the server, counts it, and completes with every row', async () => {
    const db = await createTestDatabase('partitions_throttled');
    try {
      const { taskQueue, replicas } = await deployTwice(db);
      const exhaustedBefore = await exhausted();
      // A budget five times what the server allows: the server refuses, the run waits and carries on.
      const summary = (await temporal.client.workflow.execute('SyncWorkflow', {
        taskQueue,
        workflowId: 'partitioned-throttled',
        args: [input({ visibilityRps: SERVER_VISIBILITY_RPS * 5 })],
      })) as SyncSummary;
      await assertTablesEqualServer(temporal, db);
      await waitFor('the server to count its refusals', async () =>
        (await exhausted()) - exhaustedBefore > 0 ? true : undefined,
      );
      const throttled = (
        await Promise.all(
          replicas.map(async (worker) => {
            const text = await (await fetch(`http://127.0.0.1:${worker.httpPort()}/metrics`)).text();
            return sampleSum(text, SYNC_METRIC_NAMES.throttled, [`namespace="${SOURCE_NAMESPACE}"`]);
          }),
        )
      ).reduce((a, b) => a + b, 0);
      assert.ok(throttled > 0, `the replicas counted the refusals (${throttled})`);
      assert.equal(summary.streams.workflows?.partitions.done, summary.streams.workflows?.partitions.total);
    } finally {
      await db.dispose();
    }
  });
});
