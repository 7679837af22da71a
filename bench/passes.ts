import os from 'node:os';
import { parseArgs } from 'node:util';
import { migrate } from '../src/db/migrate';
import { createPool } from '../src/db/pool';
import type { SyncInput } from '../src/workflows/input';
import type { SyncSummary } from '../src/workflows/sync-workflow';
import { closeWriteGate } from '../test/helpers/write-gate';
import { waitFor } from '../test/helpers/wait';
import { buildWorker } from './support/build';
import { CountChecks, resetSyncTables, tableCounts } from './support/checks';
import { addChangedExecutions, removeChangedExecutions } from './support/churn';
import { countExecutions, expectedRunning, SCHEDULES, seedExecutions, seedSchedules } from './support/seed';
import { namespaceFor, startBenchServer } from './support/server';
import { runBench, writeResults } from './support/main';
import { log } from './support/stats';
import { startCompiledWorker, type CompiledWorker } from './support/worker';

const HELP = `Usage: npm run bench:passes [-- --executions 5000] [--changes 50] [--kill-page-size 100] [--no-build]

Counts what a sync reads, on the bench's seeded namespace bench-<N> (seeded once, then reused):
  1. a full pass into empty tables: pages and rows per stream;
  2. an incremental pass after --changes new closed executions: pages and rows it read;
  3. a full pass (page size --kill-page-size) whose worker is killed with SIGKILL midway, with a
     write in flight; a second worker takes over: the page it resumed at, and the pages in all.
After each, the tables are checked against the source (no row lost, none doubled); any mismatch
makes it exit 1. Postgres: DATABASE_URL, else postgres://root@127.0.0.1:5432/test, schema
bench_passes (dropped at the end). Results: printed, and written as JSON to bench/results/.`;

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';
const SCHEMA = 'bench_passes';
const TASK_QUEUE = 'bench-passes';
const LOOKBACK_SECONDS = 5;

interface Options {
  executions: number;
  changes: number;
  killPageSize: number;
  build: boolean;
}

function parseOptions(): Options | undefined {
  const { values } = parseArgs({
    options: {
      executions: { type: 'string', default: '5000' },
      changes: { type: 'string', default: '50' },
      'kill-page-size': { type: 'string', default: '100' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const whole = (name: string, value: string, least: number) => {
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < least)
      throw new Error(`--${name} must be a whole number of at least ${least}`);
    return parsed;
  };
  const executions = whole('executions', values.executions, 100);
  const killPageSize = whole('kill-page-size', values['kill-page-size'], 1);
  if (killPageSize > 1000) throw new Error('--kill-page-size must be at most 1000 (the server caps pages there)');
  if (executions / killPageSize < 4)
    throw new Error('--kill-page-size must leave at least 4 pages, so the kill can land between the first and last');
  return { executions, changes: whole('changes', values.changes, 1), killPageSize, build: !values['no-build'] };
}

const fmt = (value: number) => value.toLocaleString('en-US');
const streamText = (summary: SyncSummary, stream: 'workflows' | 'schedules') => {
  const s = summary.streams[stream];
  return s ? `${fmt(s.pages)} page(s), ${fmt(s.rows)} rows` : 'not run';
};

async function main(): Promise<number> {
  const options = parseOptions();
  if (!options) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { executions: n, changes, killPageSize } = options;
  if (options.build) buildWorker();
  const namespace = namespaceFor(n);
  const server = await startBenchServer([namespace]);
  const source = server.sourceClient(namespace);
  const pool = createPool({ databaseUrl: DATABASE_URL, max: 4, onIdleError: () => {} });
  const checks = new CountChecks();
  const workers: CompiledWorker[] = [];
  const env = {
    DATABASE_URL,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_SYNC_SOURCE_NAMESPACE: namespace,
    TEMPORAL_SYNC_SCHEMA: SCHEMA,
    TEMPORAL_SYNC_TASK_QUEUE: TASK_QUEUE,
    TEMPORAL_SYNC_METRICS_PORT: '0',
  };
  const startWorker = async () => {
    const worker = await startCompiledWorker(env);
    workers.push(worker);
    return worker;
  };
  let syncs = 0;
  const execute = (input: SyncInput) =>
    server.client.workflow.execute('SyncWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: `bench-passes-${Date.now()}-${++syncs}`,
      args: [input],
    }) as Promise<SyncSummary>;
  const checkTables = async (what: string, summary: SyncSummary, expected: number) => {
    const counts = await tableCounts(pool, SCHEMA, summary.startedAt);
    checks.expect(`${what}: live workflow rows vs source`, counts.workflows, expected);
    checks.expect(`${what}: source executions`, await countExecutions(source), expected);
    const { rows } = await pool.query<{ doubled: string }>(
      `SELECT count(*) - count(DISTINCT (namespace, workflow_id, run_id)) AS doubled FROM "${SCHEMA}".workflow`,
    );
    checks.expect(`${what}: rows doubled`, Number(rows[0]!.doubled), 0);
  };

  try {
    await pool.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await migrate(pool, SCHEMA);
    await removeChangedExecutions(source, n);
    await seedExecutions(server, source, n);
    await seedSchedules(source);
    let worker = await startWorker();

    log(`\n1. full pass of ${fmt(n)} executions and ${SCHEDULES} schedules (page size 1000)`);
    const began = Date.now();
    const full = await execute({ mode: 'full' });
    const fullMs = Date.now() - began;
    log(`  workflows: ${streamText(full, 'workflows')}; schedules: ${streamText(full, 'schedules')}; ${fullMs} ms`);
    await checkTables('full pass', full, n);
    checks.expect('full pass: rows the summary reports', full.streams.workflows?.rows ?? -1, n);

    // Let the full pass's start fall outside the look-back, as between two scheduled syncs.
    await new Promise((resolve) => setTimeout(resolve, (LOOKBACK_SECONDS + 1) * 1000));
    log(`\n2. incremental pass after ${fmt(changes)} new closed executions (look-back ${LOOKBACK_SECONDS} s)`);
    await addChangedExecutions(source, 0, changes, n + changes);
    const incremental = await execute({ mode: 'incremental', lookbackSeconds: LOOKBACK_SECONDS });
    const running = expectedRunning(n);
    log(
      `  workflows: ${streamText(incremental, 'workflows')} (${fmt(running)} still running + ${fmt(changes)} changed); ` +
        `schedules: ${streamText(incremental, 'schedules')}`,
    );
    await checkTables('incremental pass', incremental, n + changes);
    checks.expect('incremental pass: rows read', incremental.streams.workflows?.rows ?? -1, running + changes);

    const total = n + changes;
    // The server hands out a next-page token after every full page, so a listing that ends on a full
    // page has one more, empty page: 5,000 rows at 1000 a page are 6 pages.
    const expectedPages = Math.floor(total / killPageSize) + 1;
    log(`\n3. full pass at page size ${killPageSize} (${expectedPages} pages), worker killed (SIGKILL) halfway`);
    await resetSyncTables(pool, SCHEMA);
    const half = Math.floor(expectedPages / 2) * killPageSize;
    const gate = await closeWriteGate(pool, SCHEMA, 'workflow', half);
    const handle = await server.client.workflow.start('SyncWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: `bench-passes-killed-${Date.now()}`,
      args: [{ mode: 'full', streams: ['workflows'], pageSize: killPageSize, heartbeatTimeoutSeconds: 3 }],
    });
    await gate.waitUntilBlocked();
    // Heartbeats are throttled: kill once the server holds the checkpoint of the last page written.
    const checkpointed = await waitFor('the checkpoint of the last written page on the server', async () => {
      const payload = (await handle.describe()).raw.pendingActivities?.[0]?.heartbeatDetails?.payloads?.[0];
      if (!payload?.data) return undefined;
      const details = JSON.parse(Buffer.from(payload.data).toString()) as { pages: number };
      return details.pages >= half / killPageSize ? details.pages : undefined;
    });
    const killedAt = Date.now();
    await worker.kill();
    await gate.remove();
    worker = await startWorker();
    const resumed = (await handle.result()) as SyncSummary;
    const recoveredMs = Date.now() - killedAt;
    const resumedAt = resumed.streams.workflows?.resumedAtPages ?? [];
    log(
      `  killed with page ${checkpointed} checkpointed and page ${checkpointed + 1} being written; ` +
        `the next worker resumed at page ${resumedAt.join(', ') || 'none'} (${recoveredMs} ms after the kill, ` +
        `heartbeat timeout 3 s); ${streamText(resumed, 'workflows')} in all`,
    );
    await checkTables('killed pass', resumed, total);
    checks.expect('killed pass: resumed once, after the checkpoint', resumedAt[0] ?? -1, checkpointed + 1);
    checks.expect('killed pass: no page counted twice', resumed.streams.workflows?.pages ?? -1, expectedPages);

    await removeChangedExecutions(source, n);
    log(`\ncount checks: ${checks.passed} passed, ${checks.failures.length} failed`);
    const results = {
      startedAt: new Date(began).toISOString(),
      executions: n,
      cores: os.cpus().length,
      full: { ms: fullMs, streams: full.streams },
      incremental: { changes, streams: incremental.streams },
      killed: {
        pageSize: killPageSize,
        checkpointedPages: checkpointed,
        resumedAt,
        recoveredMs,
        streams: resumed.streams,
      },
      countFailures: checks.failures,
    };
    writeResults(`passes-n${n}`, results);
    return checks.failures.length === 0 ? 0 : 1;
  } finally {
    for (const worker of workers) await worker.stop();
    await pool.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => {});
    await pool.end();
    await server.stop();
  }
}

runBench(main);
