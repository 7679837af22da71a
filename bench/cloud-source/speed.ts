import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { parseArgs, promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { buildCloudSource, startCloudSource, type CloudSource } from '../support/cloud-source';
import { processCpuMs } from '../support/cpu';
import { runBench, writeResults } from '../support/main';
import { listAll } from '../support/source';
import { log, median, round1, round2 } from '../support/stats';

const run = promisify(execFile);

const HELP = `Usage: npm run bench:cloud-source [-- --executions 1000000] [--big 10000000] [--skip-big]

How fast the cloud-like source (bench/cloud-source) serves, so that figures measured against it
can be trusted to measure the worker: at page size 1000, 0 ms latency and no rate limit,
  1. one and four concurrent listers of --executions executions, each of the four listing a
     quarter of the span by StartTime: first Go listers that do not decode rows (the source's own
     ceiling), then @temporalio/client listers (what a Node worker receives, protobuf decoding
     included); rows/s, and the source's CPU (from /proc) per row and as a share of one core;
  2. CountWorkflowExecutions over a StartTime range and with the incremental query: median time;
  3. at --big executions: start-up time, resident memory idle and its peak while four Go listers
     read everything, and the same counts.
Results: printed, and written as JSON to bench/results/.`;

const SPAN_START = '2025-12-02T00:00:00Z'; // the source's defaults: 30 days ending 2026-01-01
const SPAN_END = '2026-01-01T00:00:00Z';

function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return round1(kb / 1024);
}

function quarters(): string[] {
  const [from, to] = [Date.parse(SPAN_START), Date.parse(SPAN_END)];
  const at = (k: number) => new Date(from + ((to - from) * k) / 4).toISOString();
  return [0, 1, 2, 3].map((k) => `StartTime >= '${at(k)}' AND StartTime < '${at(k + 1)}'`);
}

interface Throughput {
  lister: 'go' | 'node';
  listers: number;
  rows: number;
  rowsPerSecond: number;
  sourceCpuSeconds: number;
  sourceCores: number;
  sourceMicrosPerRow: number;
  listerCpuSeconds: number;
}

/** Runs `list` while watching the source's CPU; `list` returns rows and its own CPU seconds. */
async function measure(
  source: CloudSource,
  lister: Throughput['lister'],
  listers: number,
  list: () => Promise<{ rows: number; listerCpuSeconds: number }>,
): Promise<Throughput> {
  const cpuBefore = processCpuMs(source.pid);
  const started = performance.now();
  const { rows, listerCpuSeconds } = await list();
  const seconds = (performance.now() - started) / 1000;
  const sourceCpuSeconds = (processCpuMs(source.pid) - cpuBefore) / 1000;
  const result: Throughput = {
    lister,
    listers,
    rows,
    rowsPerSecond: Math.round(rows / seconds),
    sourceCpuSeconds: round2(sourceCpuSeconds),
    sourceCores: round2(sourceCpuSeconds / seconds),
    sourceMicrosPerRow: round2((sourceCpuSeconds * 1e6) / rows),
    listerCpuSeconds: round2(listerCpuSeconds),
  };
  log(
    `${lister} listers=${listers}: ${rows} rows in ${seconds.toFixed(1)} s = ${result.rowsPerSecond} rows/s; ` +
      `source CPU ${result.sourceCpuSeconds} s (${result.sourceCores} of a core, ${result.sourceMicrosPerRow} µs/row); ` +
      `listers' CPU ${result.listerCpuSeconds} s`,
  );
  return result;
}

async function goListers(binary: string, source: CloudSource, namespace: string, listers: number): Promise<Throughput> {
  return measure(source, 'go', listers, async () => {
    const args = ['list-bench', '--address', source.address, '--namespace', namespace, '--listers', String(listers)];
    const { stdout } = await run(binary, [...args, '--from', SPAN_START, '--to', SPAN_END]);
    const result = JSON.parse(stdout) as { rows: number; cpuSeconds: number };
    return { rows: result.rows, listerCpuSeconds: result.cpuSeconds };
  });
}

async function nodeListers(client: Client, source: CloudSource, listers: number): Promise<Throughput> {
  return measure(source, 'node', listers, async () => {
    const cpu = process.cpuUsage();
    const parts = await Promise.all((listers === 1 ? [''] : quarters()).map((query) => listAll(client, query)));
    const used = process.cpuUsage(cpu);
    return { rows: parts.reduce((sum, part) => sum + part.rows, 0), listerCpuSeconds: (used.user + used.system) / 1e6 };
  });
}

/** Median milliseconds of 21 counts of each query the sync plans with. */
async function countTimes(client: Client): Promise<Record<string, number>> {
  const queries = {
    startTimeRange: quarters()[1]!,
    incremental: `ExecutionStatus = 'Running' OR CloseTime >= '2025-12-31T00:00:00.000Z'`,
    groupByStatus: 'GROUP BY ExecutionStatus',
  };
  const times: Record<string, number> = {};
  for (const [name, query] of Object.entries(queries)) {
    const samples: number[] = [];
    for (let i = 0; i < 21; i++) {
      const started = performance.now();
      await client.workflowService.countWorkflowExecutions({ namespace: client.options.namespace, query });
      samples.push(performance.now() - started);
    }
    times[name] = round2(median(samples));
  }
  log(`count, median ms: ${JSON.stringify(times)}`);
  return times;
}

async function withSource<T>(namespace: string, executions: number, body: (s: CloudSource, c: Client) => Promise<T>) {
  const started = performance.now();
  const source = await startCloudSource({ namespaces: { [namespace]: executions }, visibilityRps: 0 });
  const readyMs = Math.round(performance.now() - started);
  const connection = await Connection.connect({ address: source.address });
  try {
    return { readyMs, value: await body(source, new Client({ connection, namespace })) };
  } finally {
    await connection.close();
    await source.stop();
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      executions: { type: 'string', default: '1000000' },
      big: { type: 'string', default: '10000000' },
      'skip-big': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    log(HELP);
    return 0;
  }
  const [executions, big] = [Number(values.executions), Number(values.big)];
  if (!Number.isInteger(executions) || executions < 1 || !Number.isInteger(big) || big < 1)
    throw new Error('--executions and --big must be whole numbers >= 1');
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg().map(round2) };
  log(`machine: ${machine.cpus} cores (${machine.model}), load average ${machine.loadAverage.join(' ')}`);
  const binary = await buildCloudSource();
  log(`listing ${executions} executions (page size 1000, 0 ms latency, no rate limit)`);
  const small = await withSource('bench', executions, async (source, client) => {
    const throughput: Throughput[] = [];
    for (const listers of [1, 4]) throughput.push(await goListers(binary, source, 'bench', listers));
    for (const listers of [1, 4]) throughput.push(await nodeListers(client, source, listers));
    return { throughput, counts: await countTimes(client), rssMb: memoryMb(source.pid, 'VmHWM') };
  });
  const results: Record<string, unknown> = { machine, executions, ...small.value, readyMs: small.readyMs };
  if (!values['skip-big']) {
    log(`at ${big} executions`);
    const large = await withSource('big', big, async (source, client) => {
      const idleRssMb = memoryMb(source.pid, 'VmRSS');
      const throughput = await goListers(binary, source, 'big', 4);
      return { idleRssMb, peakRssMb: memoryMb(source.pid, 'VmHWM'), throughput, counts: await countTimes(client) };
    });
    log(
      `${big} executions: ready in ${large.readyMs} ms, RSS ${large.value.idleRssMb} MB idle, ${large.value.peakRssMb} MB peak`,
    );
    results.big = { executions: big, readyMs: large.readyMs, ...large.value };
  }
  writeResults('cloud-source', results);
  return 0;
}

runBench(main);
