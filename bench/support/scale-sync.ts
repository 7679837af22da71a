import os from 'node:os';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { qualified } from '../../src/db/identifiers';
import type { SyncInput } from '../../src/workflows/input';
import type { SyncSummary } from '../../src/workflows/sync-workflow';
import type { CountChecks } from './checks';
import type { CloudSource, CloudSourceStats } from './cloud-source';
import { sampleCpu } from './cpu-sampler';
import { watchPostgres, type PostgresCpu } from './pg-cpu';
import type { Replicas } from './replicas';
import { round2 } from './stats';

export interface SyncTarget {
  client: Client;
  taskQueue: string;
  pool: pg.Pool;
  schema: string;
  source: CloudSource;
  namespace: string;
  replicas: Replicas;
  /** Processes whose connections reach Postgres for the workers (the workers, or the delay proxy). */
  postgresClients: () => number[];
  /** Other processes whose CPU the figures show (the source, the dev server, the proxy). */
  watched: Record<string, number | undefined>;
  checks: CountChecks;
  log: (line: string) => void;
}

/** Committed progress of a run, read from Postgres (the workflow's own numbers move only when a chunk ends). */
export interface Committed {
  syncRunId: string | undefined;
  pages: number;
  rows: number;
  partitions: number;
  done: number;
}

export async function committed(target: Pick<SyncTarget, 'pool' | 'schema'>, workflowId: string): Promise<Committed> {
  const { rows } = await target.pool.query<{ id: string | null; pages: string; rows: string; n: string; done: string }>(
    `SELECT max(r.id)::text AS id, coalesce(sum(p.pages), 0) AS pages, coalesce(sum(p.rows), 0) AS rows,
            count(p.*) AS n, count(p.*) FILTER (WHERE p.done) AS done
     FROM ${qualified(target.schema, 'sync_run')} r
     LEFT JOIN ${qualified(target.schema, 'sync_partition')} p ON p.sync_run_id = r.id
     WHERE r.workflow_id = $1`,
    [workflowId],
  );
  const row = rows[0]!;
  return {
    syncRunId: row.id ?? undefined,
    pages: Number(row.pages),
    rows: Number(row.rows),
    partitions: Number(row.n),
    done: Number(row.done),
  };
}

export interface SourceCalls {
  list: number;
  count: number;
  rejected: number;
  /** Most visibility calls that arrived within any one second (the source's sliding window). */
  peakPerSecond: number;
  /** Who made the calls of that second: per call kind and query, how many, and their smallest gap. */
  busiestSecond: Array<{ call: string; calls: number; smallestGapMs: number | null }>;
}

/** "ListWorkflowExecutions StartTime >= '…' AND StartTime < '…'" → "List [2025-12-20T10:00, 2025-12-21T04:00)". */
function shortLabel(label: string): string {
  const [method = '', ...rest] = label.split(' ');
  const query = rest.join(' ');
  const from = /StartTime >= '([^']{16})/.exec(query)?.[1] ?? '…';
  const to = /StartTime < '([^']{16})/.exec(query)?.[1] ?? '…';
  const kind = method.replace('WorkflowExecutions', '');
  return query.includes('StartTime') ? `${kind} [${from}, ${to})` : `${kind} ${query || "''"}`;
}

function busiest(arrivals: ReadonlyArray<{ at: string; label: string }>): SourceCalls['busiestSecond'] {
  const byLabel = new Map<string, number[]>();
  for (const { at, label } of arrivals) byLabel.set(label, [...(byLabel.get(label) ?? []), Date.parse(at)]);
  return [...byLabel].map(([label, times]) => {
    const gaps = times.slice(1).map((time, i) => time - times[i]!);
    return { call: shortLabel(label), calls: times.length, smallestGapMs: gaps.length ? Math.min(...gaps) : null };
  });
}

export function sourceCalls(stats: CloudSourceStats, namespace: string): SourceCalls {
  return {
    list: stats.calls.ListWorkflowExecutions?.[namespace] ?? 0,
    count: stats.calls.CountWorkflowExecutions?.[namespace] ?? 0,
    rejected: stats.visibility[namespace]?.rejected ?? 0,
    peakPerSecond: stats.visibility[namespace]?.peakPerSecond ?? 0,
    busiestSecond: busiest(stats.visibility[namespace]?.busiestSecond ?? []),
  };
}

export interface SyncFigures {
  label: string;
  input: SyncInput;
  workflowId: string;
  ms: number;
  rows: number;
  rowsPerSecond: number;
  /** Seconds from the start until planning had written the partitions. */
  plannedAfterS: number | undefined;
  partitions: number;
  summary: SyncSummary;
  calls: SourceCalls;
  /** CPU over the run, as a share of one core (1.0 = one core busy the whole time). */
  cores: Record<string, number>;
  /** CPU per row written, in µs of one core. */
  cpuUsPerRow: Record<string, number>;
  postgres: PostgresCpu;
  machineBusy: number;
  loadAverage: { before: number[]; after: number[] };
  /** Peak resident memory (VmHWM) of each replica at the end, in MB. */
  peakRssMb: number[];
}

let runs = 0;

const loadAverage = () => os.loadavg().map((value) => round2(value));

/**
 * Runs SyncWorkflow once on the replicas and measures it: wall time, the source's calls (its stats are
 * reset first), CPU of every process involved and Postgres's for the workers' connections. `midway` is
 * called once when the committed rows pass `at` of `expectedRows` (for the fault benches).
 */
export async function measureSync(
  target: SyncTarget,
  label: string,
  input: SyncInput,
  expectedRows: number,
  midway?: { at: number; run: (workflowId: string) => Promise<void> },
): Promise<SyncFigures> {
  const workflowId = `bench-scale-${label.replace(/\W+/g, '-')}-${Date.now()}-${++runs}`;
  await target.source.resetStats();
  const before = loadAverage();
  const cpu = sampleCpu(() => ({ ...target.watched, ...replicaNames(target.replicas) }));
  const postgres = watchPostgres(target.pool, target.postgresClients);
  const started = Date.now();
  const handle = await target.client.workflow.start('SyncWorkflow', {
    taskQueue: target.taskQueue,
    workflowId,
    args: [input],
  });
  let plannedAfterS: number | undefined;
  let fired = false;
  let lastLine = started;
  const result = handle.result() as Promise<SyncSummary>;
  let finished = false;
  void result.finally(() => (finished = true)).catch(() => {});
  while (!finished) {
    await Promise.race([result.catch(() => {}), new Promise((resolve) => setTimeout(resolve, 250))]);
    if (finished) break;
    const now = await committed(target, workflowId).catch(() => undefined);
    if (!now) continue;
    if (plannedAfterS === undefined && now.partitions > 0) plannedAfterS = round2((Date.now() - started) / 1000);
    if (midway && !fired && now.rows >= midway.at * expectedRows) {
      fired = true;
      await midway.run(workflowId);
    }
    if (Date.now() - lastLine >= 10_000) {
      lastLine = Date.now();
      const seconds = (Date.now() - started) / 1000;
      target.log(
        `    ${label}: ${now.rows.toLocaleString('en-US')}/${expectedRows.toLocaleString('en-US')} rows committed, ` +
          `partitions ${now.done}/${now.partitions} done, ${Math.round(now.rows / seconds).toLocaleString('en-US')} rows/s so far`,
      );
    }
  }
  const summary = await result;
  const ms = Date.now() - started;
  const shares = cpu.stop();
  const pg = await postgres.stop();
  const calls = sourceCalls(await target.source.stats(), target.namespace);
  const rows = summary.streams.workflows?.rows ?? 0;
  const perRow = (cpuMs: number) => round2((cpuMs * 1000) / Math.max(1, rows));
  const cpuUsPerRow = Object.fromEntries(Object.entries(shares.ms).map(([name, value]) => [name, perRow(value)]));
  cpuUsPerRow['postgres backends'] = perRow(pg.backendsMs);
  const cores: Record<string, number> = { ...shares.cores, 'postgres backends': round2(pg.backendsMs / ms) };
  cores['postgres background'] = round2(pg.backgroundMs / ms);
  return {
    label,
    input,
    workflowId,
    ms,
    rows,
    rowsPerSecond: Math.round((rows / ms) * 1000),
    plannedAfterS,
    partitions: summary.streams.workflows?.partitions.total ?? 0,
    summary,
    calls,
    cores,
    cpuUsPerRow,
    postgres: pg,
    machineBusy: shares.machineBusy,
    loadAverage: { before, after: loadAverage() },
    peakRssMb: target.replicas.peakRssMb(),
  };
}

function replicaNames(replicas: Replicas): Record<string, number | undefined> {
  return Object.fromEntries(replicas.workers.map((worker, index) => [`worker ${index + 1}`, worker?.pid]));
}

/** The run's tables against the source: every execution once, none lost, none extra, none written twice. */
export async function checkSync(target: SyncTarget, figures: SyncFigures, full: boolean): Promise<void> {
  const stats = await target.source.stats();
  const expected = stats.namespaces[target.namespace]?.visible ?? -1;
  const table = qualified(target.schema, 'workflow');
  const { rows } = await target.pool.query<{ live: string; seen: string; deleted: string; partition_rows: string }>(
    `SELECT (SELECT count(*) FROM ${table} WHERE namespace = $1 AND deleted_at IS NULL) AS live,
            (SELECT count(*) FROM ${table} WHERE namespace = $1 AND synced_at >= $2 AND sync_run_id = $3) AS seen,
            (SELECT count(*) FROM ${table} WHERE namespace = $1 AND deleted_at IS NOT NULL) AS deleted,
            (SELECT coalesce(sum(rows), 0) FROM ${qualified(target.schema, 'sync_partition')} WHERE sync_run_id = $3) AS partition_rows`,
    [target.namespace, figures.summary.startedAt, figures.summary.syncRunId],
  );
  const counts = rows[0]!;
  const what = figures.label;
  const { checks } = target;
  checks.expect(`${what}: live workflow rows vs the source's executions`, Number(counts.live), expected);
  checks.expect(`${what}: rows marked deleted`, Number(counts.deleted), 0);
  if (full) {
    checks.expect(`${what}: rows this pass wrote vs the source's executions`, Number(counts.seen), expected);
    checks.expect(`${what}: rows the workflow reports vs the source's`, figures.rows, expected);
    // A page written twice would count its rows twice here, but could not add a row to the table.
    checks.expect(`${what}: sum of partition rows vs table rows`, Number(counts.partition_rows), Number(counts.live));
  }
  checks.expect(`${what}: calls the source rejected (RESOURCE_EXHAUSTED)`, figures.calls.rejected, 0);
}

/** Empties the sync's tables (and its run records) for the next full pass into empty tables. */
export async function resetTables(pool: pg.Pool, schema: string): Promise<void> {
  const tables = ['workflow', 'schedule', 'sync_state', 'sync_run'].map((name) => qualified(schema, name));
  await pool.query(`TRUNCATE ${tables.join(', ')} CASCADE`);
}
