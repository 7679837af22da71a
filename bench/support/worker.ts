import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { childEnv } from '../../scripts/child-env';
import { waitFor } from '../../test/helpers/wait';

const ROOT = path.resolve(__dirname, '../..');

export interface CompiledWorker {
  pid: number;
  /** Peak resident memory so far (VmHWM), in MB. */
  peakRssMb(): number;
  rssMb(): number;
  output(): string;
  /** How the process ended, once it has; undefined while it runs. */
  exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGTERM: the worker drains at a page boundary and exits. */
  stop(): Promise<void>;
  /** SIGKILL: the worker dies wherever it is, as in a crash. */
  kill(): Promise<void>;
}

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 102.4) / 10;
}

/** The destination every bench writes to. */
export const BENCH_DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

/**
 * A bench worker's settings: it polls `taskQueue` in the dev server's `default` namespace and syncs
 * `sourceNamespace` into `schema`. Its metrics port is picked free, so workers side by side (and
 * anything else on the machine) never contend for 9464.
 */
export function benchWorkerEnv(
  server: { address: string },
  target: { schema: string; sourceNamespace: string; taskQueue: string },
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    TEMPORAL_SYNC_METRICS_PORT: '0',
    ...extra,
    DATABASE_URL: BENCH_DATABASE_URL,
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_SYNC_SOURCE_NAMESPACE: target.sourceNamespace,
    TEMPORAL_SYNC_SCHEMA: target.schema,
    TEMPORAL_SYNC_TASK_QUEUE: target.taskQueue,
  };
}

/** The node flags npm start gives the worker (package.json's start script), e.g. its heap cap. */
export function productionNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    scripts: { start: string };
  };
  const words = scripts.start.trim().split(/\s+/);
  if (words[0] !== 'node' || words.at(-1) !== 'dist/worker.js')
    throw new Error(`npm start is not "node [flags] dist/worker.js": ${scripts.start}`);
  return words.slice(1, -1);
}

/**
 * The worker as production runs it: the compiled entry point (npm run build), prebuilt workflow
 * bundle, npm start's node flags unless `nodeFlags` replaces them.
 */
export async function startCompiledWorker(
  env: Record<string, string>,
  nodeFlags: string[] = productionNodeFlags(),
): Promise<CompiledWorker> {
  const child = spawn(process.execPath, [...nodeFlags, path.join(ROOT, 'dist/worker.js')], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let running = true;
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exited = new Promise<void>((resolve) =>
    child.on('exit', (code, signal) => {
      ended = { code, signal };
      running = false;
      resolve();
    }),
  );
  const pid = child.pid!;
  // A replica that has exited (killed, or crashed on its own) keeps the figures last read from it.
  const last = { VmHWM: 0, VmRSS: 0 };
  const memory = (field: 'VmHWM' | 'VmRSS') => {
    if (running) {
      try {
        last[field] = statusField(pid, field);
      } catch {
        // It exited between the check and the read.
      }
    }
    return last[field];
  };
  await waitFor(
    'the compiled worker to report ready',
    () => {
      if (/worker ready/.test(output)) return true;
      if (!running) throw new Error(`worker exited early:\n${output}`);
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  return {
    pid,
    peakRssMb: () => memory('VmHWM'),
    rssMb: () => memory('VmRSS'),
    output: () => output,
    exit: () => ended,
    async stop() {
      if (running) process.kill(pid, 'SIGTERM');
      await exited;
    },
    async kill() {
      if (running) process.kill(pid, 'SIGKILL');
      await exited;
    },
  };
}
