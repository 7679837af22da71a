import os from 'node:os';
import { parseArgs } from 'node:util';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { migrate } from '../src/db/migrate';
import { createPool } from '../src/db/pool';
import { executionToRow, type WorkflowRow } from '../src/source/executions';
import type { SyncInput } from '../src/workflows/input';
import type { SyncSummary } from '../src/workflows/sync-workflow';
import { measureBaseline, measurePageWrites, measureRowWrites } from './support/baseline';
import { buildWorker } from './support/build';
import { CountChecks, resetSyncTables, tableCounts } from './support/checks';
import { addChangedExecutions, removeChangedExecutions } from './support/churn';
import { childPids, watchCpu, type CpuShares } from './support/cpu';
import { countExecutions, SCHEDULES, seedExecutions, seedSchedules } from './support/seed';
import { namespaceFor, startBenchServer, type BenchServer } from './support/server';
import { encodeForCopy, measureCopy } from './support/sink';
import { measureDescribes } from './support/schedules';
import { listAll, measureListing, measureSplitListing, startTimeRanges, startTimeSpan } from './support/source';
import { runBench, writeResults } from './support/main';
import { log, median, round2, summarise, timed, type Measurement } from './support/stats';
import {
  BENCH_DATABASE_URL,
  benchWorkerEnv,
  productionNodeFlags,
  startCompiledWorker,
  type CompiledWorker,
} from './support/worker';

const HELP = `Usage: npm run bench [-- --executions 20000] [--repeats 3] [--skip-x5] [--no-build]

Measures the sync against the source's and the database's own limits, on one dev server:
  1. source ceiling: listing every execution with the raw visibility API (page size 1000), writing
     nothing; also disjoint StartTime ranges listed at once (2 and 4 streams);
  2. sink ceiling: COPY of the same rows into an empty workflow table;
  3. full sync: SyncWorkflow end to end through the compiled worker (node dist/worker.js), into
     empty tables, and again over loaded tables;
  4. incremental sync with no changes (also of the workflows and schedules streams alone, to weigh
     the fire log and stuck workflows; and on a worker that describes every schedule every pass),
     and with 1% of N new executions;
  5. baseline: one upsert statement per row, awaited one after another (the seed connector's way);
then the worker's peak RSS after syncing N, and after a full sync of 5×N in a fresh worker.
Each is run --repeats times; medians are reported. Every run's row counts are checked against the
source; any mismatch makes the bench exit 1.

The dev server keeps its SQLite file in ~/.cache/temporal-sync/bench/seed.sqlite: each seed
(namespace bench-<N>: N executions of mixed status with memo and search attributes, 200 schedules)
is made once and reused; the 5×N seed is namespace bench-<5N>. Postgres: DATABASE_URL, else postgres://root@127.0.0.1:5432/test;
the bench uses the schemas bench_sink, bench_baseline, bench_sync and bench_sync_x5 and drops them
at the end. Results: printed, and written as JSON to bench/results/.

Options:
  --executions N  executions to seed and sync (default 20000)
  --repeats R     runs of each measurement (default 3)
  --skip-x5       skip seeding and syncing 5×N (no memory-growth figure)
  --no-build      use dist/ as it is instead of running npm run build first
  --seed-only     seed (N, and 5×N unless --skip-x5) and stop
  --worker-node-options "<flags>"
                  node flags for the worker instead of npm start's (${productionNodeFlags().join(' ') || 'none'});
                  "" runs it with Node's defaults`;

const SCHEMAS = { sink: 'bench_sink', baseline: 'bench_baseline', sync: 'bench_sync', syncX5: 'bench_sync_x5' };
const INCREMENTAL_LOOKBACK_SECONDS = 5;

interface Options {
  executions: number;
  repeats: number;
  skipX5: boolean;
  build: boolean;
  seedOnly: boolean;
  /** Node flags of the worker process. */
  workerNodeFlags: string[];
}

function parseOptions(): Options | undefined {
  const { values } = parseArgs({
    options: {
      executions: { type: 'string', default: '20000' },
      repeats: { type: 'string', default: '3' },
      'skip-x5': { type: 'boolean', default: false },
      'no-build': { type: 'boolean', default: false },
      'seed-only': { type: 'boolean', default: false },
      'worker-node-options': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const executions = Number(values.executions);
  const repeats = Number(values.repeats);
  if (!Number.isInteger(executions) || executions < 100)
    throw new Error('--executions must be a whole number of at least 100');
  if (!Number.isInteger(repeats) || repeats < 1) throw new Error('--repeats must be a whole number of at least 1');
  return {
    executions,
    repeats,
    skipX5: values['skip-x5'],
    build: !values['no-build'] && !values['seed-only'],
    seedOnly: values['seed-only'],
    workerNodeFlags:
      values['worker-node-options'] === undefined
        ? productionNodeFlags()
        : values['worker-node-options'].split(/\s+/).filter((flag) => flag !== ''),
  };
}

interface SyncRun {
  ms: number;
  summary: SyncSummary;
}

let syncCounter = 0;

async function runSync(server: BenchServer, taskQueue: string, input: SyncInput): Promise<SyncRun> {
  const { ms, value } = await timed(
    () =>
      server.client.workflow.execute('SyncWorkflow', {
        taskQueue,
        workflowId: `bench-sync-${Date.now()}-${++syncCounter}`,
        args: [input],
      }) as Promise<SyncSummary>,
  );
  return { ms, summary: value };
}

/** Runs a sync and checks the tables against the source: every run listed once, none lost, none extra. */
async function checkedSync(
  what: string,
  context: {
    server: BenchServer;
    pool: pg.Pool;
    schema: string;
    taskQueue: string;
    source: Client;
    checks: CountChecks;
  },
  input: SyncInput,
  checkSchedules = true,
): Promise<SyncRun> {
  const run = await runSync(context.server, context.taskQueue, input);
  const sourceCount = await countExecutions(context.source);
  const counts = await tableCounts(context.pool, context.schema, run.summary.startedAt);
  context.checks.expect(`${what}: live workflow rows vs source`, counts.workflows, sourceCount);
  if (checkSchedules) context.checks.expect(`${what}: schedule rows`, counts.schedules, SCHEDULES);
  const workflowsSynced = input.streams === undefined || input.streams.includes('workflows');
  if (!workflowsSynced) return run;
  if (input.mode === 'full') {
    context.checks.expect(`${what}: rows confirmed by the pass vs source`, counts.workflowsSeenByPass, sourceCount);
    context.checks.expect(
      `${what}: rows the workflow reports vs source`,
      run.summary.streams.workflows?.rows ?? -1,
      sourceCount,
    );
  }
  context.checks.expect(`${what}: rows marked deleted`, run.summary.streams.workflows?.deleted ?? 0, 0);
  return run;
}

const fmt = (value: number) => value.toLocaleString('en-US');
const line = (label: string, m: Measurement, extra = '') =>
  log(
    `  ${label.padEnd(44)} ${fmt(m.rowsPerSecond).padStart(9)} rows/s  median ${fmt(Math.round(m.medianMs)).padStart(7)} ms  runs ${m.runsMs.map((ms) => Math.round(ms)).join(', ')}${extra}`,
  );
const cpuText = (cpu: CpuShares) =>
  `  cpu: ${Object.entries(cpu.cores)
    .map(([name, cores]) => `${name} ${cores}`)
    .join(', ')} cores; machine ${Math.round(cpu.machineBusy * 100)}% busy`;

async function main(): Promise<number> {
  const options = parseOptions();
  if (!options) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { executions: n, repeats } = options;
  if (options.build) buildWorker();
  const checks = new CountChecks();
  const results: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    executions: n,
    repeats,
    cores: os.cpus().length,
    node: process.version,
    workerNodeFlags: options.workerNodeFlags,
  };
  const NAMESPACE = namespaceFor(n);
  const NAMESPACE_X5 = namespaceFor(5 * n);
  const server = await startBenchServer(options.skipX5 ? [NAMESPACE] : [NAMESPACE, NAMESPACE_X5]);
  const serverPid = childPids(/temporal/)[0];
  const pool = createPool({ databaseUrl: BENCH_DATABASE_URL, max: 4, onIdleError: () => {} });
  let worker: CompiledWorker | undefined;
  try {
    for (const schema of Object.values(SCHEMAS)) {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await migrate(pool, schema);
    }
    const source = server.sourceClient(NAMESPACE);
    await removeChangedExecutions(source, n);
    await seedExecutions(server, source, n);
    await seedSchedules(source);
    if (options.seedOnly && !options.skipX5) {
      await seedExecutions(server, server.sourceClient(NAMESPACE_X5), 5 * n);
      await seedSchedules(server.sourceClient(NAMESPACE_X5));
    }
    if (options.seedOnly) return 0;
    const sourceCount = await countExecutions(source);
    checks.expect('seed: executions listed', sourceCount, n);

    log(`\nsource: ${fmt(n)} executions; does listing disjoint StartTime ranges at once raise the ceiling?`);
    const describes = await measureDescribes(source);
    log(
      `  schedules: describing all ${describes.schedules} at concurrency ${describes.concurrency} (as the sync does) ` +
        `takes ${Math.round(describes.ms)} ms${describes.failed > 0 ? ` (${describes.failed} failed)` : ''}`,
    );
    const span = await startTimeSpan(source);
    const split: Record<string, Measurement> = {};
    for (const parts of [2, 4]) {
      const ranges = startTimeRanges(span.first, span.last, parts);
      const runs: number[] = [];
      let cpu: CpuShares | undefined;
      for (let i = 0; i < repeats; i += 1) {
        const watch = watchCpu({ bench: process.pid, server: serverPid });
        const listing = await measureSplitListing(source, ranges);
        cpu = watch();
        runs.push(listing.ms);
        checks.expect(`split listing (${parts}): rows`, listing.result.rows, sourceCount);
        checks.expect(`split listing (${parts}): distinct runs`, listing.result.distinct, sourceCount);
      }
      split[parts] = summarise(runs, n);
      line(`${parts} StartTime ranges listed at once`, split[parts]);
      if (cpu) log(cpuText(cpu));
    }

    // 2. Sink ceiling.
    log(`\n2. sink ceiling: COPY of the same rows into an empty workflow table`);
    const rows: WorkflowRow[] = [];
    await listAll(source, '', (page) => page.forEach((execution) => rows.push(executionToRow(NAMESPACE, execution))));
    const chunks = encodeForCopy(rows);
    const copyMs: number[] = [];
    for (let i = 0; i < repeats; i += 1) {
      const copy = await measureCopy(pool, SCHEMAS.sink, chunks);
      copyMs.push(copy.ms);
      checks.expect('sink ceiling: rows copied', copy.rows, sourceCount);
    }
    const sinkCeiling = summarise(copyMs, n);
    line('COPY FROM STDIN (text), pre-encoded', sinkCeiling);

    log(`\n   writes alone, rows already listed (where the source is not the limit)`);
    const pageWriteMs: number[] = [];
    const rowWriteMs: number[] = [];
    for (let i = 0; i < repeats; i += 1) {
      const pages = await measurePageWrites(pool, SCHEMAS.baseline, rows);
      pageWriteMs.push(pages.ms);
      checks.expect('set-based writes: rows written', pages.rows, sourceCount);
      const single = await measureRowWrites(pool, SCHEMAS.baseline, rows);
      rowWriteMs.push(single.ms);
      checks.expect('row-at-a-time writes: rows written', single.rows, sourceCount);
    }
    const pageWrites = summarise(pageWriteMs, n);
    const rowWrites = summarise(rowWriteMs, n);
    line('set-based upsert, 1000 rows per statement', pageWrites);
    line('one upsert per row', rowWrites);
    rows.length = 0;
    chunks.length = 0;

    // 5. Baseline (run before the worker starts, so nothing else competes for the cores).
    log(`\n5. baseline: one upsert statement per row, awaited in turn`);
    const baselineMs: number[] = [];
    for (let i = 0; i < repeats; i += 1) {
      const baseline = await measureBaseline(source, pool, SCHEMAS.baseline);
      baselineMs.push(baseline.ms);
      checks.expect('baseline: rows written', baseline.rows, sourceCount);
    }
    const baseline = summarise(baselineMs, n);
    line('row-at-a-time upsert', baseline);

    // 3 and 4. The sync, through the compiled worker.
    log(
      `\n1 and 3, interleaved per repeat: raw listing (page size 1000, writing nothing), then SyncWorkflow end to end\n` +
        `through the compiled worker (node dist/worker.js) into empty tables, then again over the loaded tables`,
    );
    const taskQueue = 'bench-sync';
    worker = await startCompiledWorker(
      benchWorkerEnv(server, { schema: SCHEMAS.sync, sourceNamespace: NAMESPACE, taskQueue }),
      options.workerNodeFlags,
    );
    const idleRss = worker.rssMb();
    log(`  worker RSS once ready, before any sync: ${idleRss} MB`);
    const context = { server, pool, schema: SCHEMAS.sync, taskQueue, source, checks };
    // The machine is shared: each repeat lists, then syncs, back to back, so the ratio compares like with like.
    const listingMs: number[] = [];
    const fullMs: number[] = [];
    const resyncMs: number[] = [];
    const fullWorkflowsMs: number[] = [];
    const serverMsPerRow = { listing: [] as number[], full: [] as number[], resync: [] as number[] };
    let listingCpu: CpuShares | undefined;
    let fullCpu: CpuShares | undefined;
    let resyncCpu: CpuShares | undefined;
    for (let i = 0; i < repeats; i += 1) {
      let watch = watchCpu({ bench: process.pid, server: serverPid });
      const listing = await measureListing(source);
      listingCpu = watch();
      listingMs.push(listing.ms);
      serverMsPerRow.listing.push((listingCpu.ms.server ?? 0) / n);
      checks.expect('source ceiling: rows listed', listing.result.rows, sourceCount);
      checks.expect('source ceiling: distinct runs listed', listing.result.distinct, sourceCount);

      await resetSyncTables(pool, SCHEMAS.sync);
      watch = watchCpu({ bench: process.pid, server: serverPid, worker: worker.pid });
      fullMs.push((await checkedSync('full sync into empty tables', context, { mode: 'full' })).ms);
      fullCpu = watch();
      serverMsPerRow.full.push((fullCpu.ms.server ?? 0) / n);

      await resetSyncTables(pool, SCHEMAS.sync);
      fullWorkflowsMs.push(
        (await checkedSync('full sync, workflows only', context, { mode: 'full', streams: ['workflows'] }, false)).ms,
      );

      watch = watchCpu({ bench: process.pid, server: serverPid, worker: worker.pid });
      resyncMs.push((await checkedSync('full sync over loaded tables', context, { mode: 'full' })).ms);
      resyncCpu = watch();
      serverMsPerRow.resync.push((resyncCpu.ms.server ?? 0) / n);
      log(
        `  repeat ${i + 1}: listing ${Math.round(listing.ms)} ms, full ${Math.round(fullMs.at(-1)!)} ms, ` +
          `workflows stream alone ${Math.round(fullWorkflowsMs.at(-1)!)} ms, full over loaded ${Math.round(resyncMs.at(-1)!)} ms`,
      );
    }
    const sourceCeiling = summarise(listingMs, n);
    const full = summarise(fullMs, n);
    const resync = summarise(resyncMs, n);
    const fullWorkflows = summarise(fullWorkflowsMs, n);
    const perRow = (values: number[]) => `server CPU ${median(values).toFixed(2)} ms per row`;
    line('1. raw listing, one stream (source ceiling)', sourceCeiling);
    if (listingCpu) log(`${cpuText(listingCpu)}; ${perRow(serverMsPerRow.listing)}`);
    line('3. full sync, empty tables', full);
    if (fullCpu) log(`${cpuText(fullCpu)}; ${perRow(serverMsPerRow.full)}`);
    line('   full sync, workflows stream alone', fullWorkflows);
    line('   full sync, tables already loaded', resync);
    if (resyncCpu) log(`${cpuText(resyncCpu)}; ${perRow(serverMsPerRow.resync)}`);

    log(`\n4. incremental sync (look-back ${INCREMENTAL_LOOKBACK_SECONDS} s)`);
    const incremental: SyncInput = { mode: 'incremental', lookbackSeconds: INCREMENTAL_LOOKBACK_SECONDS };
    // Let the last full pass's start fall outside the look-back, as between two scheduled syncs.
    await new Promise((resolve) => setTimeout(resolve, (INCREMENTAL_LOOKBACK_SECONDS + 1) * 1000));
    // Every stream, and the two streams the product had before the fire log and stuck workflows, one
    // after the other in each repeat so that the machine's drift weighs on both alike.
    const noChangeRuns: SyncRun[] = [];
    const twoStreamRuns: SyncRun[] = [];
    for (let i = 0; i < repeats; i += 1) {
      noChangeRuns.push(await checkedSync('incremental, no change', context, incremental));
      twoStreamRuns.push(
        await checkedSync('incremental, no change, workflows and schedules', context, {
          ...incremental,
          streams: ['workflows', 'schedules'],
        }),
      );
    }
    const noChangeRows = median(noChangeRuns.map((run) => run.summary.streams.workflows?.rows ?? 0));
    // Rates of incremental runs count the rows they read, not N.
    const noChange = summarise(
      noChangeRuns.map((run) => run.ms),
      noChangeRows,
    );
    line('incremental, no change', noChange, `  (rows read: ${noChangeRows}, the running ones, and 200 schedules)`);
    const noChangeTwoStreams = summarise(
      twoStreamRuns.map((run) => run.ms),
      median(twoStreamRuns.map((run) => run.summary.streams.workflows?.rows ?? 0)),
    );
    line('incremental, no change, workflows and schedules', noChangeTwoStreams, '  (no fire log, no stuck workflows)');
    const workflowsOnlyRuns: SyncRun[] = [];
    for (let i = 0; i < repeats; i += 1)
      workflowsOnlyRuns.push(
        await checkedSync('incremental, no change, workflows only', context, {
          ...incremental,
          streams: ['workflows'],
        }),
      );
    const noChangeWorkflows = summarise(
      workflowsOnlyRuns.map((run) => run.ms),
      median(workflowsOnlyRuns.map((run) => run.summary.streams.workflows?.rows ?? 0)),
    );
    line('incremental, no change, workflows stream alone', noChangeWorkflows);
    // The same, on a worker that describes every schedule in every pass, as a pass does once the last
    // describes are older than TEMPORAL_SYNC_SCHEDULE_REDESCRIBE_SECONDS (e.g. the hourly sync).
    const everyDescribeQueue = 'bench-sync-redescribe';
    const everyDescribeWorker = await startCompiledWorker(
      benchWorkerEnv(
        server,
        { schema: SCHEMAS.sync, sourceNamespace: NAMESPACE, taskQueue: everyDescribeQueue },
        { TEMPORAL_SYNC_SCHEDULE_REDESCRIBE_SECONDS: '0' },
      ),
      options.workerNodeFlags,
    );
    const everyDescribeRuns: SyncRun[] = [];
    try {
      for (let i = 0; i < repeats; i += 1)
        everyDescribeRuns.push(
          await checkedSync(
            'incremental, no change, every schedule described',
            { ...context, taskQueue: everyDescribeQueue },
            incremental,
          ),
        );
    } finally {
      await everyDescribeWorker.stop();
    }
    const noChangeEveryDescribe = summarise(
      everyDescribeRuns.map((run) => run.ms),
      median(everyDescribeRuns.map((run) => run.summary.streams.workflows?.rows ?? 0)),
    );
    line('incremental, no change, every schedule described', noChangeEveryDescribe);
    const changed = Math.max(1, Math.round(n / 100));
    const changedRuns: SyncRun[] = [];
    for (let i = 0; i < repeats; i += 1) {
      await addChangedExecutions(source, i, changed, n + changed * (i + 1));
      changedRuns.push(await checkedSync('incremental, 1% changed', context, incremental));
    }
    const changedRows = median(changedRuns.map((run) => run.summary.streams.workflows?.rows ?? 0));
    const changedMeasurement = summarise(
      changedRuns.map((run) => run.ms),
      changedRows,
    );
    line(`incremental, ${fmt(changed)} new executions`, changedMeasurement, `  (rows read: ${changedRows})`);
    await removeChangedExecutions(source, n);

    const peakN = worker.peakRssMb();
    await worker.stop();
    worker = undefined;

    let peakX5: number | undefined;
    let fullX5: Measurement | undefined;
    if (!options.skipX5) {
      log(`\nmemory: a fresh worker syncs 5×N = ${fmt(5 * n)} executions`);
      const sourceX5 = server.sourceClient(NAMESPACE_X5);
      await seedExecutions(server, sourceX5, 5 * n);
      await seedSchedules(sourceX5);
      worker = await startCompiledWorker(
        benchWorkerEnv(server, { schema: SCHEMAS.syncX5, sourceNamespace: NAMESPACE_X5, taskQueue: 'bench-sync-x5' }),
        options.workerNodeFlags,
      );
      const contextX5 = { ...context, schema: SCHEMAS.syncX5, taskQueue: 'bench-sync-x5', source: sourceX5 };
      const run = await checkedSync('full sync of 5×N', contextX5, { mode: 'full' });
      await checkedSync('incremental of 5×N', contextX5, incremental);
      fullX5 = summarise([run.ms], 5 * n);
      line('full sync of 5×N, empty tables', fullX5);
      peakX5 = worker.peakRssMb();
      await worker.stop();
      worker = undefined;
    }

    const ratios = {
      fullToSourceCeiling: round2(full.rowsPerSecond / sourceCeiling.rowsPerSecond),
      fullToBaseline: round2(full.rowsPerSecond / baseline.rowsPerSecond),
      pageWritesToRowWrites: round2(pageWrites.rowsPerSecond / rowWrites.rowsPerSecond),
      incrementalNoChangeToFull: round2(noChange.medianMs / full.medianMs),
      fireLogAndStuckCost: round2(noChange.medianMs / noChangeTwoStreams.medianMs),
      incrementalNoChangeWorkflowsToFull: round2(noChangeWorkflows.medianMs / full.medianMs),
      incrementalNoChangeEveryDescribeToFull: round2(noChangeEveryDescribe.medianMs / full.medianMs),
      incrementalChangedToFull: round2(changedMeasurement.medianMs / full.medianMs),
      resyncToSourceCeiling: round2(resync.rowsPerSecond / sourceCeiling.rowsPerSecond),
      peakRssX5ToN: peakX5 === undefined ? null : round2(peakX5 / peakN),
    };
    log(
      `\nworker peak RSS (VmHWM): ${peakN} MB at N=${fmt(n)}` +
        (peakX5 === undefined ? '' : `, ${peakX5} MB at 5×N=${fmt(5 * n)}`),
    );
    log(`\nratios`);
    log(`  full / source ceiling           ${ratios.fullToSourceCeiling}  (target >= 0.8)`);
    log(`  full / baseline                 ${ratios.fullToBaseline}  (target >= 10)`);
    log(`  writes alone: set-based / per-row ${ratios.pageWritesToRowWrites}`);
    log(`  incremental no-change / full    ${ratios.incrementalNoChangeToFull}  (time; target <= 0.05)`);
    log(
      `  incremental no-change, every stream / workflows and schedules ${ratios.fireLogAndStuckCost}  (the fire log and stuck workflows; target <= 1.1)`,
    );
    log(`  incremental no-change, workflows stream alone / full ${ratios.incrementalNoChangeWorkflowsToFull}`);
    log(`  incremental no-change, every schedule described / full ${ratios.incrementalNoChangeEveryDescribeToFull}`);
    log(`  incremental 1% changed / full   ${ratios.incrementalChangedToFull}  (time)`);
    log(`  full over loaded / source ceil. ${ratios.resyncToSourceCeiling}`);
    if (ratios.peakRssX5ToN !== null)
      log(`  peak RSS 5×N / N               ${ratios.peakRssX5ToN}  (target <= 1.2, and < 300 MB)`);
    const targets = {
      fullVsSource: ratios.fullToSourceCeiling >= 0.8,
      fullVsBaseline: ratios.fullToBaseline >= 10,
      incrementalNoChange: ratios.incrementalNoChangeToFull <= 0.05,
      fireLogAndStuckCost: ratios.fireLogAndStuckCost <= 1.1,
      memory: peakX5 === undefined ? null : peakX5 <= 1.2 * peakN && peakX5 < 300,
      counts: checks.failures.length === 0,
    };
    log(
      `\ntargets: ${Object.entries(targets)
        .map(([name, met]) => `${name} ${met === null ? 'not measured' : met ? 'met' : 'MISSED'}`)
        .join(', ')}`,
    );
    log(`count checks: ${checks.passed} passed, ${checks.failures.length} failed`);

    Object.assign(results, {
      seedFile: server.dbFile,
      sourceCeiling: { ...sourceCeiling, cpu: listingCpu },
      serverCpuMsPerRow: serverMsPerRow,
      splitListing: split,
      sinkCeiling,
      writesAlone: { setBased: pageWrites, perRow: rowWrites },
      baseline,
      full: { ...full, cpu: fullCpu },
      fullOverLoaded: { ...resync, cpu: resyncCpu },
      incrementalNoChange: { ...noChange, rowsRead: noChangeRows },
      incrementalNoChangeTwoStreams: noChangeTwoStreams,
      incrementalNoChangeWorkflowsOnly: noChangeWorkflows,
      incrementalNoChangeEveryDescribe: noChangeEveryDescribe,
      fullWorkflowsOnly: fullWorkflows,
      scheduleDescribes: describes,
      incrementalChanged: { ...changedMeasurement, changedExecutions: changed, rowsRead: changedRows },
      fullX5,
      peakRssMb: { n: peakN, x5: peakX5 ?? null, idleAtStart: idleRss },
      ratios,
      targets,
      countFailures: checks.failures,
    });
    writeResults(`n${n}`, results);
    return checks.failures.length === 0 ? 0 : 1;
  } finally {
    await worker?.stop();
    for (const schema of Object.values(SCHEMAS))
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await pool.end();
    await server.stop();
  }
}

runBench(main);
