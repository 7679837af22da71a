import { spawn, type ChildProcessByStdio } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { childEnv } from '../../scripts/child-env';
import { waitFor } from './wait';

const ROOT = path.resolve(__dirname, '../..');

export interface WorkerProcess {
  pid: number;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Sends a signal and waits for the process to exit; resolves with its exit code (null when killed). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
  /** The port of /metrics, /healthz and /readyz, read from the ready line (the worker picks a free one). */
  httpPort(): number;
}

/**
 * Only what the worker needs: the test's own TEMPORAL_* and DATABASE_URL never leak in from the shell.
 * Its metrics and health server listens on a free loopback port, so workers of parallel runs never
 * clash, and a server that is not there fails it at once unless the test sets
 * TEMPORAL_SYNC_STARTUP_WAIT_SECONDS itself.
 */
const baseEnv = () =>
  childEnv({
    TEMPORAL_SYNC_METRICS_PORT: '0',
    TEMPORAL_SYNC_METRICS_HOST: '127.0.0.1',
    TEMPORAL_SYNC_STARTUP_WAIT_SECONDS: '0',
  });

/** Runs `src/worker.ts`, the real entry point, as a child process of its own. */
export function spawnWorker(env: Record<string, string>): WorkerProcess {
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'src/worker.ts')],
    { cwd: ROOT, env: { ...baseEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  return {
    pid: child.pid!,
    output: () => output,
    exited,
    async waitForOutput(pattern, timeoutMs = 90_000) {
      await waitFor(
        `worker output ${pattern}`,
        () => {
          if (pattern.test(output)) return true;
          if (!running) throw new Error(`worker exited early:\n${output}`);
          return undefined;
        },
        { timeoutMs },
      );
    },
    httpPort() {
      const match = /metrics and health on http:\/\/[^:\s]+:(\d+)/.exec(output);
      if (!match) throw new Error(`the worker has not said where it serves metrics:\n${output}`);
      return Number(match[1]);
    },
    async stop(signal = 'SIGTERM') {
      if (running) process.kill(child.pid!, signal);
      return exited;
    },
  };
}
