import { spawn } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '../../helpers/wait';

export const ROOT = path.resolve(__dirname, '../../..');
/** runc instead of crun and ulimits podman may set here: see the file's comments. */
export const CONTAINERS_CONF = path.join(ROOT, 'scripts/deploy/containers.conf');

export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a command to its end and collects its output; killed by PID if it outlives `timeoutMs`. Never throws. */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number; cwd?: string } = {},
): Promise<Result> {
  const started = Date.now();
  const child = spawn(command, args, {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, CONTAINERS_CONF, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(options.input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: `${stderr}${error.message}`, ms: Date.now() - started });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** podman's noise when no systemd runs here to schedule health checks; it changes nothing. */
const SYSTEMD_NOISE = /^.*unable to get systemd connection.*\n?/gm;

/** Runs podman; rejects with its stderr on a non-zero exit, resolves with its stdout. */
export async function podman(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const result = await run('podman', args, options);
  if (result.code !== 0) {
    throw new Error(
      `podman ${args.join(' ')} exited ${result.code}: ${result.stderr.replace(SYSTEMD_NOISE, '').trim()}`,
    );
  }
  return result.stdout;
}

/** The hardening every platform file asks for, and an arbitrary UID's worth of proof that nothing needs more. */
export const HARDENED = [
  '--read-only',
  '--read-only-tmpfs=false',
  '--cap-drop',
  'ALL',
  '--security-opt',
  'no-new-privileges',
];

export interface Container {
  name: string;
  logs(): Promise<string>;
  waitForLog(pattern: RegExp, timeoutMs?: number): Promise<void>;
  /** Waits for the container to stop; resolves with its exit code. */
  wait(timeoutMs?: number): Promise<number>;
  remove(): Promise<void>;
}

export function containerHandle(name: string): Container {
  const logs = async () => {
    const result = await run('podman', ['logs', name]);
    return `${result.stdout}${result.stderr}`.replace(SYSTEMD_NOISE, '');
  };
  return {
    name,
    logs,
    async waitForLog(pattern, timeoutMs = 90_000) {
      await waitFor(
        `${name} to log ${pattern}`,
        async () => {
          const text = await logs();
          if (pattern.test(text)) return true;
          const state = (await podman(['inspect', '--format', '{{.State.Status}}', name])).trim();
          if (state === 'exited') throw new Error(`${name} exited:\n${text}`);
          return undefined;
        },
        { timeoutMs, intervalMs: 250 },
      );
    },
    async wait(timeoutMs = 60_000) {
      return Number((await podman(['wait', name], { timeoutMs })).trim());
    },
    async remove() {
      await run('podman', ['rm', '--force', '--time', '0', name]);
    },
  };
}

/** Starts a container in the background, on the host's network (it reaches the test's dev server and Postgres on 127.0.0.1). */
export async function startContainer(options: {
  name: string;
  image: string;
  env: Record<string, string>;
  podmanArgs?: string[];
  command?: string[];
}): Promise<Container> {
  const env = Object.entries(options.env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  await podman([
    'run',
    '--detach',
    '--name',
    options.name,
    '--network',
    'host',
    ...env,
    ...(options.podmanArgs ?? []),
    options.image,
    ...(options.command ?? []),
  ]);
  return containerHandle(options.name);
}

/** Runs a command in a fresh container of the image to its end (`podman run --rm`). */
export function runInImage(
  image: string,
  env: Record<string, string>,
  podmanArgs: string[],
  command: string[],
  timeoutMs = 120_000,
): Promise<Result> {
  const flags = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  return run('podman', ['run', '--rm', '--network', 'host', ...flags, ...podmanArgs, image, ...command], { timeoutMs });
}

/** What `npm run test:deploy` built and found; a live test run any other way stops here with the reason. */
export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the deploy checks with npm run test:deploy`);
  return value;
}

export const uniqueName = (label: string) => `ts-deploy-${label}-${process.pid}-${Date.now().toString(36)}`;
