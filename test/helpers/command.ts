import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { childEnv } from '../../scripts/child-env';
import { findTemporalCli } from '../../scripts/temporal-cli-binary';

const ROOT = path.resolve(__dirname, '../..');

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Only what the command needs: the test's own TEMPORAL_* and DATABASE_URL never leak in from the
 * shell. A server that is not there fails the command at once (no start-up wait) unless the test
 * sets TEMPORAL_SYNC_STARTUP_WAIT_SECONDS itself.
 */
export const commandEnv = (env: Record<string, string>) =>
  childEnv({ TEMPORAL_SYNC_STARTUP_WAIT_SECONDS: '0', ...env });

/** The entry points users run: `npm run <name>` (`src/cli/<name>.ts`), and the worker (`src/worker.ts`). */
export type EntryPoint = 'schedules' | 'sync' | 'migrate' | 'status' | 'worker';

const entryFile = (name: EntryPoint) => path.join(ROOT, name === 'worker' ? 'src/worker.ts' : `src/cli/${name}.ts`);

/**
 * Runs one of our entry points as a child process and collects its output. Killed by PID if it
 * outlives `timeoutMs` (its code is then null).
 */
export function runEntryPoint(
  name: EntryPoint,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CommandResult> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', entryFile(name), ...args], {
    cwd: ROOT,
    env: commandEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

/** Runs `npm run schedules` or `npm run sync` (see runEntryPoint). */
export function runCli(
  name: 'schedules' | 'sync',
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CommandResult> {
  return runEntryPoint(name, args, env, timeoutMs);
}

/**
 * Runs the `temporal` CLI, which no code of ours wrote, against a server's `default` namespace, with
 * the same plain environment as our commands; rejects on a non-zero exit.
 */
export function runTemporalCli(address: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  const cli = findTemporalCli();
  if (!cli) throw new Error('a temporal CLI is needed (npm run temporal-cli)');
  return promisify(execFile)(cli.path, [...args, '--address', address, '--namespace', 'default'], {
    env: childEnv(),
  });
}
