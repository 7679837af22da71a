import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { migrate } from '../src/db/migrate';
import { createPool } from '../src/db/pool';
import { lenientDecodingCodec } from '../src/source/lenient-codec';
import type { SyncInput } from '../src/workflows/input';
import { startTemporal, type TestTemporal } from '../test/helpers/temporal';
import { measureBaselineSample } from './support/baseline';
import { buildWorker } from './support/build';
import { CountChecks } from './support/checks';
import { startCloudSource, type CloudSource } from './support/cloud-source';
import { childPids } from './support/cpu';
import { startDelayProxy, throughProxy, type DelayProxy } from './support/delay-proxy';
import { runBench, writeResults } from './support/main';
import { profileShares, profilesIn } from './support/profile';
import { Replicas } from './support/replicas';
import { copyTextMatchesReference, listSample, oddValuesMatchReference, type Sample } from './support/sample';
import {
  installCommitLog,
  killMidPass,
  removeCommitLog,
  restartPostgresMidPass,
  type FaultFigures,
} from './support/scale-faults';
import { budgetCap, fmt, loadText, syncLines, targetLines, workerSplit, type Target } from './support/scale-report';
import { checkSync, measureSync, resetTables, type SyncFigures, type SyncTarget } from './support/scale-sync';
import { log, round2 } from './support/stats';
import { BENCH_DATABASE_URL, benchWorkerEnv, productionNodeFlags } from './support/worker';
import { measureWriter, type WriterFigures } from './support/writer-ratio';

const NAMESPACE = 'bench';
const NAMESPACE_10M = 'bench10m';
/** A smaller namespace for the profiled run (profiling slows the workers a little; its figures are shares). */
const NAMESPACE_PROFILE = 'profile';
const PROFILE_ROWS = 200_000;
/** One task queue per destination: a worker refuses a queue that a worker of another destination polls. */
const taskQueueFor = (schema: string) => schema.replace(/_/g, '-');
const SCHEMAS = {
  sync: 'bench_scale',
  copy: 'bench_scale_copy',
  writer: 'bench_scale_writer',
  baseline: 'bench_scale_baseline',
  tenMillion: 'bench_scale_10m',
  profile: 'bench_scale_profile',
};
const SOURCE_BUDGET = { latencyMs: 50, visibilityRps: 30 };

const HELP = `Usage: npm run bench:scale [-- --executions 1000000] [--smoke] [--with-10m] [--partitions 5]
       [--writer-rows 100000] [--repeats 5] [--baseline-rows 3000] [--skip-faults] [--skip-pg-restart]
       [--skip-proxy] [--skip-profile] [--worker-node-options "<flags>"] [--no-build]

Measures the sync at scale against the cloud-like source (bench/cloud-source: generated executions,
50 ms per call, 30 visibility calls/s per namespace answering RESOURCE_EXHAUSTED past it), with two
compiled worker replicas (node dist/worker.js) on one task queue of a Temporal dev server:
  1. the COPY ceiling: rows listed from the source through our client and executionToRow, pre-encoded,
     COPY into an empty workflow table;
  2. the page writer alone on the same rows (createRowWriter + inTransaction, pages of 1000), interleaved
     with 1 --repeats times, its ratio to 1, and where a page write spends its time;
  3. a full sync at budget 30 (visibilityRps 30, the source's limit) and at budget 10: rows/s, the
     source's busiest second and its RESOURCE_EXHAUSTED answers;
  4. an incremental pass with no changes, its time over the full pass's;
  5. through a 2 ms delay proxy to Postgres: the full sync against the seed's way (one upsert per row,
     autocommit) on a sample of --baseline-rows rows;
  6. with --with-10m: a full sync of 10M executions, every row counted, the replicas' peak RSS against 1M's;
  7. a replica SIGKILLed mid-pass, then the machine's Postgres restarted mid-pass (pg_ctlcluster
     restart: it is shared; --skip-pg-restart leaves it alone): pages re-read, rows lost and duplicated;
  8. a full sync of ${fmt(PROFILE_ROWS)} executions with the replicas under node --cpu-prof: where a
     worker's CPU goes (garbage collection, protobuf decode, gRPC, mapping, COPY text, pg, the SDK);
with the CPU of each replica, of Postgres (the replicas' backends and its background processes), of the
source and of the dev server for each figure. Figures against the cloud-like source measure our worker,
not Temporal. Every count is checked against the source; any mismatch makes it exit 1. Targets are
reported as met or missed (they do not change the exit code). --worker-node-options replaces npm
start's node flags (${productionNodeFlags().join(' ')}) for the replicas.

--smoke: N = 20,000, budget 30, two replicas, the partitioned path (20 partitions), counts checked: the
full and incremental passes only, for CI.
Postgres: DATABASE_URL, else postgres://root@127.0.0.1:5432/test; schemas bench_scale* (dropped at the
end). Results: printed, and written as JSON to bench/results/.`;

interface Options {
  executions: number;
  smoke: boolean;
  with10m: boolean;
  partitions: number;
  writerRows: number;
  repeats: number;
  baselineRows: number;
  faults: boolean;
  pgRestart: boolean;
  proxy: boolean;
  profile: boolean;
  build: boolean;
  workerNodeFlags: string[];
}

function parseOptions(): Options | undefined {
  const { values } = parseArgs({
    options: {
      executions: { type: 'string' },
      smoke: { type: 'boolean', default: false },
      'with-10m': { type: 'boolean', default: false },
      partitions: { type: 'string', default: '5' },
      'writer-rows': { type: 'string', default: '100000' },
      repeats: { type: 'string', default: '5' },
      'baseline-rows': { type: 'string', default: '3000' },
      'skip-faults': { type: 'boolean', default: false },
      'skip-pg-restart': { type: 'boolean', default: false },
      'skip-proxy': { type: 'boolean', default: false },
      'skip-profile': { type: 'boolean', default: false },
      'worker-node-options': { type: 'string' },
      'no-build': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const whole = (name: string, value: string, least: number, most = Number.MAX_SAFE_INTEGER) => {
    const parsed = Number(value.replace(/_/g, ''));
    if (!Number.isInteger(parsed) || parsed < least || parsed > most)
      throw new Error(`--${name} must be a whole number from ${fmt(least)} to ${fmt(most)}`);
    return parsed;
  };
  const smoke = values.smoke;
  const executions = whole('executions', values.executions ?? (smoke ? '20000' : '1000000'), 10_000, 50_000_000);
  return {
    executions,
    smoke,
    with10m: values['with-10m'],
    partitions: whole('partitions', values.partitions, 1, 30),
    writerRows: Math.min(executions, whole('writer-rows', values['writer-rows'], 1000, 1_000_000)),
    repeats: smoke ? 1 : whole('repeats', values.repeats, 1, 20),
    baselineRows: whole('baseline-rows', values['baseline-rows'], 100, 100_000),
    faults: !smoke && !values['skip-faults'],
    pgRestart: !smoke && !values['skip-faults'] && !values['skip-pg-restart'],
    proxy: !smoke && !values['skip-proxy'],
    profile: !smoke && !values['skip-profile'],
    build: !values['no-build'],
    workerNodeFlags:
      values['worker-node-options'] === undefined
        ? productionNodeFlags()
        : values['worker-node-options'].split(/\s+/).filter((flag) => flag !== ''),
  };
}

/** Every full pass reads the workflows stream (schedules are 200 rows and describes, not a scale figure). */
function syncInput(options: Options, mode: 'full' | 'incremental', visibilityRps: number): SyncInput {
  return {
    mode,
    streams: ['workflows'],
    visibilityRps,
    partitions: options.partitions,
    // The default (10,000) at 1M; smaller at smoke sizes, so the smoke still runs 4 partitions per lane.
    minRowsPerPartition: Math.min(10_000, Math.floor(options.executions / (4 * options.partitions))),
    heartbeatTimeoutSeconds: 10,
  };
}

interface Context {
  options: Options;
  source: CloudSource;
  temporal: TestTemporal;
  pool: ReturnType<typeof createPool>;
  checks: CountChecks;
  results: Record<string, unknown>;
}

async function writerStep(context: Context): Promise<{ sample: Sample; writer: WriterFigures }> {
  const { options, source, pool } = context;
  log(
    `\n1-2. COPY ceiling and the page writer on the first ${fmt(options.writerRows)} rows ` +
      `(listed through @temporalio/client with the source's latency and limit lifted; load ${os.loadavg()[0]!.toFixed(2)})`,
  );
  await source.configure({ latencyMs: 0, visibilityRps: 0 });
  const sample = await listSample(source.address, NAMESPACE, options.writerRows);
  await source.configure(SOURCE_BUDGET);
  const { cost } = sample;
  log(
    `  listed ${fmt(sample.rows.length)} rows in ${round2(sample.listMs / 1000)} s; per row, µs of one core: ` +
      `receive through @temporalio/client ${cost.clientUs} (protobuf decode alone ${cost.decodeUs}), ` +
      `executionToRow ${cost.mapUs}, COPY text ${cost.copyTextUs} (the writer's text before this change: ${cost.referenceCopyTextUs})`,
  );
  const odd = oddValuesMatchReference(sample.rows[0]!);
  for (const value of odd) log(`  COPY text differs from the reference for ${value}`);
  context.checks.expect('COPY text of odd values that differs from the reference', odd.length, 0);
  context.checks.expect(
    'COPY text equals the reference text, byte for byte (pages)',
    copyTextMatchesReference(sample.rows) ? 1 : 0,
    1,
  );
  const writer = await measureWriter(
    pool,
    { copy: SCHEMAS.copy, writer: SCHEMAS.writer },
    sample.rows,
    options.repeats,
    log,
  );
  context.checks.expect('page writer: rows that differ from the COPY of the same rows', writer.differingRows, 0);
  const a = writer.anatomyEmpty;
  const b = writer.anatomyLoaded;
  log(
    `  COPY ceiling ${fmt(writer.copy.median)} rows/s; page writer ${fmt(writer.writer.median)} rows/s; ratio ${writer.ratio} ` +
      `(runs ${writer.ratioRuns.join(', ')}); over loaded rows ${fmt(writer.writerOverLoaded.median)} rows/s, ` +
      `the same without the stale guard ${fmt(writer.writerOverLoadedNoGuard.median)} rows/s`,
  );
  for (const [what, x] of [
    ['into an empty table', a],
    ['over loaded rows', b],
  ] as const)
    log(
      `  a page write ${what}, µs per row: total ${x.totalUs} = pool ${x.poolUs} + BEGIN ${x.beginUs} + key probe ${x.probeUs} ` +
        `+ savepoint/staging table ${x.savepointUs} + COPY ${x.copyUs} + merge ${x.mergeUs} + COMMIT ${x.commitUs} ` +
        `(Postgres backend CPU ${x.postgresCpuUs})`,
    );
  sample.rows.length = 0;
  return { sample, writer };
}

function syncTarget(context: Context, replicas: Replicas, namespace: string, schema: string): SyncTarget {
  return {
    client: context.temporal.client,
    taskQueue: taskQueueFor(schema),
    pool: context.pool,
    schema,
    source: context.source,
    namespace,
    replicas,
    postgresClients: () => replicas.pids(),
    watched: { source: context.source.pid, 'dev server': childPids(/temporal/)[0] },
    checks: context.checks,
    log,
  };
}

function workerEnv(context: Context, namespace: string, schema: string, databaseUrl = BENCH_DATABASE_URL) {
  return {
    ...benchWorkerEnv(
      context.temporal,
      { schema, sourceNamespace: namespace, taskQueue: taskQueueFor(schema) },
      {
        TEMPORAL_SYNC_SOURCE_ADDRESS: context.source.address,
      },
    ),
    DATABASE_URL: databaseUrl,
  };
}

async function fullSync(target: SyncTarget, label: string, input: SyncInput, expected: number): Promise<SyncFigures> {
  await resetTables(target.pool, target.schema);
  const figures = await measureSync(target, label, input, expected);
  await checkSync(target, figures, true);
  const cap = budgetCap(Number(input.visibilityRps), Number(input.partitions), figures.partitions);
  for (const line of syncLines(figures, cap)) log(line);
  return figures;
}

async function syncSteps(context: Context, replicas: Replicas) {
  const { options } = context;
  const n = options.executions;
  const target = syncTarget(context, replicas, NAMESPACE, SCHEMAS.sync);
  log(`\n3. full sync of ${fmt(n)} executions at budget 30 (the source's limit), two replicas`);
  const full30 = await fullSync(target, 'full @30', syncInput(options, 'full', 30), n);
  const rss1m = replicas.peakRssMb();
  log(`    replicas' peak RSS (VmHWM): ${rss1m.join(' MB, ')} MB`);

  log(`\n4. incremental pass with no changes (right after the full pass)`);
  const incremental = await measureSync(target, 'incremental @30', syncInput(options, 'incremental', 30), 0);
  await checkSync(target, incremental, false);
  const open = (await context.source.stats()).namespaces[NAMESPACE]!.open;
  context.checks.expect("incremental: rows read vs the source's running executions", incremental.rows, open);
  for (const line of syncLines(incremental, budgetCap(30, options.partitions, incremental.partitions))) log(line);
  log(`    time over the full pass's: ${round2(incremental.ms / full30.ms)}`);

  let full10: SyncFigures | undefined;
  if (!options.smoke) {
    log(`\n3b. the same full sync at budget 10`);
    full10 = await fullSync(target, 'full @10', syncInput(options, 'full', 10), n);
  }
  return { full30, rss1m, incremental, full10 };
}

async function faultSteps(context: Context, replicas: Replicas): Promise<FaultFigures[]> {
  const { options } = context;
  const n = options.executions;
  const target = syncTarget(context, replicas, NAMESPACE, SCHEMAS.sync);
  const faults: FaultFigures[] = [];
  const report = (figures: FaultFigures) => {
    for (const line of syncLines(figures.sync, budgetCap(30, options.partitions, figures.sync.partitions))) log(line);
    log(
      `    resumed: ${figures.resumed.map((p) => `partition ${p.partition} at page ${p.resumedAtPages.join(',')} (${p.committedAtFault} committed at the fault)`).join('; ') || 'none'}`,
    );
    log(
      `    pages fetched and never committed: ${figures.fetchedNotCommitted} (in flight at the fault: ${figures.snapshot.inFlight}); pages re-read: ${figures.pagesReRead}`,
    );
    faults.push(figures);
    // A worker is meant to ride out both faults: one that exited by itself is a defect to look at.
    const exited = replicas.exitedOnTheirOwn();
    for (const text of exited) log(`    ${text.replaceAll('\n', '\n      ')}`);
    context.checks.expect(`${figures.fault}: replicas that exited on their own`, exited.length, 0);
  };
  await installCommitLog(context.pool, SCHEMAS.sync);
  try {
    log(`\n7a. full sync at budget 30, the busiest replica SIGKILLed at 40% of the rows; the other finishes`);
    await resetTables(context.pool, SCHEMAS.sync);
    report(await killMidPass(target, syncInput(options, 'full', 30), n, 0.4));
    await replicas.restart(0);
    await replicas.restart(1);
    if (options.pgRestart) {
      log(`\n7b. full sync at budget 30, the machine's Postgres restarted at 40% of the rows`);
      await resetTables(context.pool, SCHEMAS.sync);
      report(await restartPostgresMidPass(target, syncInput(options, 'full', 30), n, 0.4));
    }
  } finally {
    await removeCommitLog(context.pool, SCHEMAS.sync);
  }
  return faults;
}

async function proxyStep(context: Context, replicas: Replicas) {
  const { options } = context;
  log(`\n5. Postgres 2 ms away (a TCP delay proxy each way): full sync vs the seed's way on a sample`);
  const proxy: DelayProxy = await startDelayProxy('127.0.0.1:5432', 2);
  const proxied = throughProxy(BENCH_DATABASE_URL, proxy);
  try {
    await replicas.start(workerEnv(context, NAMESPACE, SCHEMAS.sync, proxied));
    const target = { ...syncTarget(context, replicas, NAMESPACE, SCHEMAS.sync), postgresClients: () => [proxy.pid] };
    target.watched = { ...target.watched, proxy: proxy.pid };
    const sync = await fullSync(target, 'full @30 via 2 ms proxy', syncInput(options, 'full', 30), options.executions);
    await replicas.stop();
    const proxiedPool = createPool({ databaseUrl: proxied, max: 1, onIdleError: () => {} });
    const connection = await Connection.connect({ address: context.source.address });
    try {
      const client = new Client({
        connection,
        namespace: NAMESPACE,
        dataConverter: { payloadCodecs: [lenientDecodingCodec] },
      });
      const baseline = await measureBaselineSample(client, proxiedPool, SCHEMAS.baseline, options.baselineRows);
      context.checks.expect('baseline sample: rows written', baseline.rows, options.baselineRows);
      const rate = Math.round((baseline.rows / baseline.ms) * 1000);
      log(
        `  the seed's way (one upsert per row, autocommit) through the same proxy, on a sample of ${fmt(baseline.rows)} rows ` +
          `(at ${fmt(options.executions)} it would take ${round2(options.executions / rate / 3600)} h): ${fmt(rate)} rows/s; ` +
          `the sync: ${fmt(sync.rowsPerSecond)} rows/s = ${round2(sync.rowsPerSecond / rate)} × (rates compared, not times)`,
      );
      return { sync, baseline: { ...baseline, rowsPerSecond: rate } };
    } finally {
      await connection.close();
      await proxiedPool.end();
    }
  } finally {
    await proxy.stop();
  }
}

async function tenMillionStep(context: Context, rss1m: number[]) {
  const replicas = new Replicas(
    2,
    workerEnv(context, NAMESPACE_10M, SCHEMAS.tenMillion),
    context.options.workerNodeFlags,
  );
  log(`\n6. full sync of 10,000,000 executions at budget 30, two fresh replicas`);
  try {
    await replicas.start();
    const target = syncTarget(context, replicas, NAMESPACE_10M, SCHEMAS.tenMillion);
    const figures = await fullSync(target, 'full 10M @30', syncInput(context.options, 'full', 30), 10_000_000);
    const rss10m = replicas.peakRssMb();
    log(`    replicas' peak RSS (VmHWM) at 10M: ${rss10m.join(' MB, ')} MB (at 1M: ${rss1m.join(' MB, ')} MB)`);
    return { figures, rss10m };
  } finally {
    await replicas.stop();
    await context.pool.query(`DROP SCHEMA IF EXISTS "${SCHEMAS.tenMillion}" CASCADE`);
  }
}

async function profileStep(context: Context) {
  const rows = Math.min(context.options.executions, PROFILE_ROWS);
  const directory = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-profile-'));
  const flags = [...context.options.workerNodeFlags, '--cpu-prof', `--cpu-prof-dir=${directory}`];
  const replicas = new Replicas(2, workerEnv(context, NAMESPACE_PROFILE, SCHEMAS.profile), flags);
  log(
    `\n8. where a worker's CPU goes: a full sync of ${fmt(rows)} executions at budget 30 with the replicas under node --cpu-prof`,
  );
  try {
    await replicas.start();
    const target = syncTarget(context, replicas, NAMESPACE_PROFILE, SCHEMAS.profile);
    const figures = await fullSync(target, 'full @30, profiled', syncInput(context.options, 'full', 30), rows);
    await replicas.stop();
    const profiles = profilesIn(directory).map((file) => profileShares(file));
    const cpuMs = profiles.reduce((sum, p) => sum + p.cpuMs, 0);
    const shares: Record<string, number> = {};
    for (const p of profiles)
      for (const [name, share] of Object.entries(p.shares))
        shares[name] = (shares[name] ?? 0) + (share * p.cpuMs) / cpuMs;
    const perRow = Object.fromEntries(
      Object.entries(shares)
        .sort((a, b) => b[1] - a[1])
        .map(([name, share]) => [name, round2((share * cpuMs * 1000) / figures.rows)]),
    );
    log(`    the replicas' CPU per row by what ran, µs (${fmt(cpuMs)} ms profiled in ${profiles.length} threads):`);
    for (const [name, us] of Object.entries(perRow)) log(`      ${name.padEnd(52)} ${us}`);
    return { figures, profiledCpuMs: cpuMs, usPerRow: perRow };
  } finally {
    await replicas.stop();
    rmSync(directory, { recursive: true, force: true });
    await context.pool.query(`DROP SCHEMA IF EXISTS "${SCHEMAS.profile}" CASCADE`);
  }
}

type Steps = {
  writer: WriterFigures;
  sample: Sample;
  syncs: Awaited<ReturnType<typeof syncSteps>>;
  proxy?: Awaited<ReturnType<typeof proxyStep>>;
  faults: FaultFigures[];
  tenMillion?: Awaited<ReturnType<typeof tenMillionStep>>;
};

function targets(steps: Steps): Target[] {
  const { writer, syncs, proxy, faults, tenMillion } = steps;
  const ceiling = Math.min(30_000, writer.copy.median);
  const list: Target[] = [
    {
      target: 'page writer ≥ 0.7 × COPY of the same rows',
      measured: `${writer.ratio} (median of ${writer.ratioRuns.join(', ')})`,
      met: writer.ratio >= 0.7,
      limit: `a page write into an empty table, µs/row: key probe ${writer.anatomyEmpty.probeUs}, COPY ${writer.anatomyEmpty.copyUs}, merge ${writer.anatomyEmpty.mergeUs}, COMMIT ${writer.anatomyEmpty.commitUs}; Postgres backend CPU ${writer.anatomyEmpty.postgresCpuUs}`,
    },
    {
      target: 'full sync at budget 30 ≥ 0.8 × min(30,000, COPY ceiling)',
      measured: `${fmt(syncs.full30.rowsPerSecond)} rows/s = ${round2(syncs.full30.rowsPerSecond / ceiling)} × ${fmt(ceiling)}`,
      met: syncs.full30.rowsPerSecond >= 0.8 * ceiling,
      limit: `machine ${Math.round(syncs.full30.machineBusy * 100)}% busy; ${loadText(syncs.full30)}`,
    },
    budgetTarget(syncs.full30, 30),
  ];
  if (syncs.full10) {
    list.push({
      target: 'full sync at budget 10 ≥ 8,000 rows/s',
      measured: `${fmt(syncs.full10.rowsPerSecond)} rows/s`,
      met: syncs.full10.rowsPerSecond >= 8000,
      limit: `machine ${Math.round(syncs.full10.machineBusy * 100)}% busy; ${loadText(syncs.full10)}`,
    });
    list.push(budgetTarget(syncs.full10, 10));
  }
  const share = syncs.incremental.ms / syncs.full30.ms;
  list.push({
    target: 'incremental pass with no changes ≤ 0.02 × the full pass',
    measured: `${round2(syncs.incremental.ms / 1000)} s / ${round2(syncs.full30.ms / 1000)} s = ${round2(share)}`,
    met: share <= 0.02,
    limit: '',
  });
  if (proxy) {
    const times = proxy.sync.rowsPerSecond / proxy.baseline.rowsPerSecond;
    list.push({
      target: 'with 2 ms to Postgres: full sync ≥ 10 × the seed way',
      measured: `${fmt(proxy.sync.rowsPerSecond)} vs ${fmt(proxy.baseline.rowsPerSecond)} rows/s = ${round2(times)} ×`,
      met: times >= 10,
      limit: 'the seed way: one round trip per row',
    });
  }
  for (const fault of faults)
    list.push({
      target: `${fault.fault} mid-pass: pages re-read 0, rows lost 0, duplicated 0`,
      measured: `re-read ${fault.pagesReRead}, resumed ${fault.resumed.length} partition(s) exactly after their checkpoint; counts in the checks`,
      met: fault.pagesReRead === 0,
      limit: '',
    });
  if (tenMillion) list.push(...tenMillionTargets(tenMillion, syncs.rss1m));
  return list;
}

function budgetTarget(figures: SyncFigures, budget: number): Target {
  return {
    target: `calls over the budget at ${budget}: busiest second ≤ ${budget}, 0 RESOURCE_EXHAUSTED`,
    measured: `busiest second ${figures.calls.peakPerSecond}, rejected ${figures.calls.rejected}`,
    met: figures.calls.peakPerSecond <= budget && figures.calls.rejected === 0,
    limit: '',
  };
}

function tenMillionTargets(result: Awaited<ReturnType<typeof tenMillionStep>>, rss1m: number[]): Target[] {
  const peak10 = Math.max(...result.rss10m);
  const peak1 = Math.max(...rss1m);
  return [
    {
      target: '10M: completes, every row counted against the source',
      measured: `${fmt(result.figures.rows)} rows at ${fmt(result.figures.rowsPerSecond)} rows/s (counts in the checks)`,
      met: result.figures.rows === 10_000_000,
      limit: '',
    },
    {
      target: 'worker RSS at 10M ≤ 1.1 × at 1M and < 256 MB',
      measured: `${peak10} MB vs ${peak1} MB = ${round2(peak10 / peak1)} ×`,
      met: peak10 <= 1.1 * peak1 && peak10 < 256,
      limit: '',
    },
  ];
}

async function prepare(options: Options): Promise<Context> {
  if (options.build) buildWorker();
  const namespaces: Record<string, number> = { [NAMESPACE]: options.executions };
  if (options.with10m) namespaces[NAMESPACE_10M] = 10_000_000;
  if (options.profile) namespaces[NAMESPACE_PROFILE] = Math.min(options.executions, PROFILE_ROWS);
  const [source, temporal] = await Promise.all([startCloudSource({ namespaces, ...SOURCE_BUDGET }), startTemporal()]);
  const pool = createPool({ databaseUrl: BENCH_DATABASE_URL, max: 4, onIdleError: () => {} });
  for (const schema of Object.values(SCHEMAS)) {
    await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    if (schema !== SCHEMAS.tenMillion && schema !== SCHEMAS.profile) await migrate(pool, schema);
  }
  const results: Record<string, unknown> = {
    startedAt: new Date().toISOString(),
    executions: options.executions,
    options,
    machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
    node: process.version,
    source: { ...SOURCE_BUDGET, note: 'figures against the cloud-like source measure our worker, not Temporal' },
  };
  return { options, source, temporal, pool, checks: new CountChecks(), results };
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (!options) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  log(
    `bench:scale: ${fmt(options.executions)} executions, two replicas, ${options.partitions} partitions at once; ` +
      `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), load average ${os
        .loadavg()
        .map((v) => v.toFixed(2))
        .join(' ')}\n` +
      `figures against the cloud-like source (50 ms per call, 30 visibility calls/s) measure our worker, not Temporal`,
  );
  const context = await prepare(options);
  const replicas = new Replicas(2, workerEnv(context, NAMESPACE, SCHEMAS.sync), options.workerNodeFlags);
  const label = options.smoke ? 'scale-smoke' : `scale-n${options.executions}`;
  const results = context.results;
  try {
    const { sample, writer } = await writerStep(context);
    Object.assign(results, { costPerRow: sample.cost, writer });
    await replicas.start();
    log(
      `  two replicas ready: pids ${replicas.pids().join(', ')}; RSS ${replicas.workers.map((w) => w?.rssMb()).join(' MB, ')} MB`,
    );
    const syncs = await syncSteps(context, replicas);
    results.syncs = syncs;
    results.workerSplit = workerSplit(syncs.full30, sample.cost);
    log(`    the workers' CPU per row in the full pass at 30, µs: ${JSON.stringify(results.workerSplit)}`);
    const faults = options.faults ? await faultSteps(context, replicas) : [];
    results.faults = faults;
    const proxy = options.proxy ? await proxyStep(context, replicas) : undefined;
    results.proxy = proxy;
    await replicas.stop();
    results.profile = options.profile ? await profileStep(context) : undefined;
    const tenMillion = options.with10m ? await tenMillionStep(context, syncs.rss1m) : undefined;
    results.tenMillion = tenMillion;
    const list = targets({ writer, sample, syncs, proxy, faults, tenMillion });
    log(`\ntargets (this machine: ${os.cpus().length} cores; load average now ${os.loadavg()[0]!.toFixed(2)}):`);
    for (const line of targetLines(list)) log(line);
    log(`\ncount checks: ${context.checks.passed} passed, ${context.checks.failures.length} failed`);
    for (const failure of context.checks.failures) log(`  FAILED ${failure}`);
    writeResults(label, { ...results, targets: list, countFailures: context.checks.failures });
    return context.checks.failures.length === 0 ? 0 : 1;
  } catch (error) {
    process.stderr.write(`replicas' output:\n${replicas.output().slice(-4000)}\n`);
    writeResults(`${label}-failed`, {
      ...results,
      error: error instanceof Error ? error.message : String(error),
      countFailures: context.checks.failures,
    });
    throw error;
  } finally {
    await replicas.stop();
    for (const schema of Object.values(SCHEMAS))
      await context.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await context.pool.end();
    await context.source.stop();
    await context.temporal.stop();
  }
}

runBench(main);
