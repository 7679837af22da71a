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
 * Runs one of our commands (`src/cli/<name>.ts`, what `npm run <name>` runs) as a child process
 * and collects its output. Killed by PID if it outlives `timeoutMs`.
 */
export function runCli(
  name: 'schedules' | 'sync',
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CommandResult> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, `src/cli/${name}.ts`), ...args], {
    cwd: ROOT,
    env: childEnv(env),
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
