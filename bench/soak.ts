import { readFileSync } from 'node:fs';
import { isDeepStrictEqual, parseArgs } from 'node:util';
import { comparable, keyed, workflowKey } from '../test/helpers/compare';
import { createTestDatabase, tableRows, TEST_DATABASE_URL } from '../test/helpers/postgres';
import { countRuns, expectedWorkflowRows, seedMixedExecutions } from '../test/helpers/seed';
import { SOURCE_NAMESPACE, startTemporal } from '../test/helpers/temporal';
import { spawnWorker } from '../test/helpers/worker-process';
import { runBench } from './support/main';
import { SEED_TASK_QUEUE, startSeedWorker } from '../test/helpers/workers';

const HELP = `Usage: npm run soak [-- --runs 50]

Opt-in soak run: a dev server of its own, a worker process, and --runs consecutive incremental
syncs while executions keep starting and closing. Prints each run and, at the end, whether the
tables equal the server, how many runs failed, and the worker's memory (RSS) over time. Exits 1
if a run failed, a row differs, or memory grew by more than 20% from the first tenth of the runs
to the last.`;

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return Math.round(kb / 102.4) / 10;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '50' }, help: { type: 'boolean' } } });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 10) throw new Error('--runs must be a whole number of at least 10');

  const temporal = await startTemporal();
  const db = await createTestDatabase('soak');
  const seed = await startSeedWorker(temporal);
  const taskQueue = `soak-${db.schema}`;
  const worker = spawnWorker({
    DATABASE_URL: TEST_DATABASE_URL,
    TEMPORAL_SYNC_SCHEMA: db.schema,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_SYNC_SOURCE_NAMESPACE: SOURCE_NAMESPACE,
    TEMPORAL_SYNC_TASK_QUEUE: taskQueue,
  });
  let churning = true;
  let started = 0;
  try {
    await worker.waitForOutput(/worker ready/);
    await seedMixedExecutions(temporal.sourceClient, 'soak', 5);
    const churn = (async () => {
      while (churning) {
        const id = `churn ${started++}`;
        const waiting = await temporal.sourceClient.workflow.start('waits', {
          taskQueue: SEED_TASK_QUEUE,
          workflowId: id,
        });
        await temporal.sourceClient.workflow.start('completes', {
          taskQueue: SEED_TASK_QUEUE,
          workflowId: `${id} done`,
        });
        if (started % 2 === 0) await waiting.signal('finish');
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    })();

    const rss: number[] = [];
    let failed = 0;
    for (let run = 1; run <= runs; run += 1) {
      const began = Date.now();
      try {
        const summary = (await temporal.client.workflow.execute('SyncWorkflow', {
          taskQueue,
          workflowId: `soak-${run}`,
          args: [{ mode: 'incremental', lookbackSeconds: 30 }],
        })) as { streams: { workflows?: { rows: number; pages: number } } };
        rss.push(rssMb(worker.pid));
        process.stdout.write(
          `run ${String(run).padStart(3)}: ${summary.streams.workflows?.rows ?? 0} rows, ` +
            `${Date.now() - began} ms, worker RSS ${rss.at(-1)} MB\n`,
        );
      } catch (error) {
        failed += 1;
        process.stdout.write(`run ${run}: FAILED ${(error as Error).message}\n`);
      }
    }
    churning = false;
    await churn;
    // One last pass after the churn stops, then the tables must equal the server.
    const total = await countRuns(temporal.sourceClient);
    await temporal.client.workflow.execute('SyncWorkflow', {
      taskQueue,
      workflowId: 'soak-final',
      args: [{ mode: 'incremental', lookbackSeconds: 120 }],
    });
    const expected = await expectedWorkflowRows(temporal.sourceClient);
    const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
    let differing = 0;
    for (const row of expected) {
      const actual = stored.get(workflowKey(row as never));
      // jsonb orders object keys its own way: compare values, not text.
      if (!actual || !isDeepStrictEqual(comparable(actual), comparable(row))) differing += 1;
    }
    const tenth = Math.max(1, Math.floor(rss.length / 10));
    const early = median(rss.slice(0, tenth));
    const late = median(rss.slice(-tenth));
    process.stdout.write(
      `\nsoak: ${runs} incremental syncs, ${failed} failed; executions started meanwhile: ${started * 2}\n` +
        `rows compared: ${expected.length} (server lists ${total}); rows missing or different: ${differing}; ` +
        `rows in the table: ${stored.size}\n` +
        `worker RSS: first tenth ${early} MB, last tenth ${late} MB, peak ${Math.max(...rss)} MB ` +
        `(growth ${Math.round((late / early - 1) * 100)}%)\n`,
    );
    return failed === 0 && differing === 0 && stored.size === expected.length && late <= early * 1.2 ? 0 : 1;
  } finally {
    churning = false;
    await worker.stop('SIGTERM');
    await seed.stop();
    await db.dispose();
    await temporal.stop();
  }
}

runBench(main);
