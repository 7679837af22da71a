import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from '../../test/helpers/wait';

const ROOT = path.resolve(__dirname, '../..');

export interface CompiledWorker {
  pid: number;
  /** Peak resident memory so far (VmHWM), in MB. */
  peakRssMb(): number;
  rssMb(): number;
  output(): string;
  stop(): Promise<void>;
}

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? Number.NaN);
  return Math.round(kb / 102.4) / 10;
}

/** The worker as production runs it: the compiled entry point (npm run build), prebuilt workflow bundle. */
export async function startCompiledWorker(env: Record<string, string>): Promise<CompiledWorker> {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'XDG_CACHE_HOME'];
  const base = Object.fromEntries(keep.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/worker.js')], {
    cwd: ROOT,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let running = true;
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exited.then(() => (running = false));
  const pid = child.pid!;
  await waitFor(
    'the compiled worker to report ready',
    async () => {
      if (/worker ready/.test(output)) return true;
      if (!running) throw new Error(`worker exited early:\n${output}`);
      return undefined;
    },
    { timeoutMs: 60_000, intervalMs: 100 },
  );
  return {
    pid,
    peakRssMb: () => statusField(pid, 'VmHWM'),
    rssMb: () => statusField(pid, 'VmRSS'),
    output: () => output,
    async stop() {
      if (running) process.kill(pid, 'SIGTERM');
      await exited;
    },
  };
}
