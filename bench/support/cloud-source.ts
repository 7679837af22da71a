import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { z } from 'zod';
import { temporalCliCacheDir } from '../../scripts/temporal-cli-binary';

const run = promisify(execFile);
/** The Go module of the source (its own go.mod). */
export const CLOUD_SOURCE_DIR = path.resolve(__dirname, '../cloud-source');
const SOURCE_DIR = CLOUD_SOURCE_DIR;
const BINARY_PREFIX = 'cloud-source-';

/** The Go program's sources in a stable order: what its binary is built from. */
function sourceFiles(directory = SOURCE_DIR): string[] {
  return readdirSync(directory)
    .flatMap((entry) => {
      const full = path.join(directory, entry);
      if (statSync(full).isDirectory()) return sourceFiles(full);
      const isSource =
        (entry.endsWith('.go') && !entry.endsWith('_test.go')) || entry === 'go.mod' || entry === 'go.sum';
      return isSource ? [full] : [];
    })
    .sort();
}

function sourceDigest(): string {
  const hash = createHash('sha256');
  for (const file of sourceFiles())
    hash.update(path.relative(SOURCE_DIR, file)).update('\0').update(readFileSync(file));
  return hash.digest('hex').slice(0, 16);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `go` from PATH, else the usual install location. */
export function goCommand(): string {
  const fallback = '/usr/local/go/bin/go';
  const onPath = (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir && isExecutable(path.join(dir, 'go')));
  return onPath || !isExecutable(fallback) ? 'go' : fallback;
}

let building: Promise<string> | undefined;

/**
 * The cloud-source binary, built once per machine into the cache outside the repository, named by
 * a digest of its sources: a change to them builds a new one. Older builds stay (other worktrees
 * on the machine may still use them); delete ~/.cache/temporal-sync/bin/cloud-source-* to reclaim.
 */
export function buildCloudSource(): Promise<string> {
  // One build per process, however many sources a test starts at once.
  building ??= build().catch((error: unknown) => {
    building = undefined;
    throw error;
  });
  return building;
}

async function build(): Promise<string> {
  const directory = temporalCliCacheDir();
  const binary = path.join(directory, `${BINARY_PREFIX}${sourceDigest()}`);
  if (isExecutable(binary)) return binary;
  mkdirSync(directory, { recursive: true });
  process.stderr.write(`building the cloud-like source (go build, once per source change) into ${binary}\n`);
  const partial = `${binary}.${process.pid}.partial`;
  try {
    await run(goCommand(), ['build', '-trimpath', '-o', partial, '.'], {
      cwd: SOURCE_DIR,
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    rmSync(partial, { force: true });
    const { stderr } = error as { stderr?: string };
    throw new Error(`could not build bench/cloud-source with go build: ${stderr?.trim() || (error as Error).message}`);
  }
  // Atomic: a process of another worktree building the same sources at once gets a whole file either way.
  renameSync(partial, binary);
  return binary;
}

export interface ReadyProcess {
  pid: number;
  /** The ready line's match. */
  ready: RegExpExecArray;
  output(): string;
  /** SIGTERM by PID, SIGKILL if it has not exited 5 s later. */
  stop(): Promise<void>;
}

/** Starts `binary args` and waits for a stdout line matching `ready`; fails with its output if it exits first. */
export async function startUntilReady(
  binary: string,
  args: string[],
  ready: RegExp,
  timeoutMs = 120_000,
): Promise<ReadyProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let running = true;
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  void exited.then(() => (running = false));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${path.basename(binary)} was not ready within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      const found = ready.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${path.basename(binary)} ${args.join(' ')} exited before it was ready:\n${output}`));
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${binary}: ${error.message}`));
    });
  });
  const pid = child.pid!;
  return {
    pid,
    ready: match,
    output: () => output,
    async stop() {
      if (!running) return;
      process.kill(pid, 'SIGTERM');
      const killer = setTimeout(() => running && process.kill(pid, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
  };
}

const countsByNamespace = z.record(z.string(), z.record(z.string(), z.number()));

const statsSchema = z.object({
  since: z.string(),
  seconds: z.number(),
  config: z.object({ latencyMs: z.number(), visibilityRps: z.number(), visibilityBurst: z.number() }),
  /** Every call that arrived, per method and namespace (rejected ones included). */
  calls: countsByNamespace,
  /** Visibility calls answered RESOURCE_EXHAUSTED. */
  rejected: countsByNamespace,
  /** Executions (ListWorkflowExecutions) and schedules (ListSchedules) returned. */
  rowsServed: countsByNamespace,
  visibility: z.record(
    z.string(),
    z.object({
      calls: z.number(),
      rejected: z.number(),
      /** Most visibility calls that arrived within any one second. */
      peakPerSecond: z.number(),
      /** Most that were let through within any one second. */
      peakAdmittedPerSecond: z.number(),
      /** The calls of the first busiest second: when each arrived, and its method and query. */
      busiestSecond: z
        .array(z.object({ at: z.string(), label: z.string() }))
        .nullable()
        .optional(),
    }),
  ),
  namespaces: z.record(
    z.string(),
    z.object({
      generated: z.number(),
      started: z.number(),
      expired: z.number(),
      closedByMutations: z.number(),
      visible: z.number(),
      open: z.number(),
      schedules: z.number(),
    }),
  ),
});
export type CloudSourceStats = z.infer<typeof statsSchema>;

const mutationSchema = z.object({ closed: z.number(), started: z.number(), expired: z.number(), at: z.string() });
export type MutationResult = z.infer<typeof mutationSchema>;
const budgetSchema = statsSchema.shape.config;
export type Budget = z.infer<typeof budgetSchema>;

export interface Mutation {
  namespace: string;
  /** Open executions to close now, spread over the open ones. */
  close?: number;
  /** New running executions to start now. */
  start?: number;
  /** Oldest executions to drop, as retention does. */
  expire?: number;
  /** When the changes happen; default now. */
  at?: Date;
}

export interface CloudSourceOptions {
  /** Namespace name → number of generated executions. */
  namespaces: Record<string, number>;
  seed?: number;
  latencyMs?: number;
  /** Per-namespace visibility calls per second; 0 for no limit (default 30, Cloud's). */
  visibilityRps?: number;
  visibilityBurst?: number;
  /** Any other `cloud-source serve` flags, e.g. ['--open-share', '0.05']. */
  extraArgs?: string[];
}

export interface CloudSource {
  /** host:port of its gRPC WorkflowService. */
  address: string;
  httpUrl: string;
  statsUrl: string;
  pid: number;
  stats(): Promise<CloudSourceStats>;
  resetStats(): Promise<void>;
  /** Changes latency or rate limit while it runs. */
  configure(budget: Partial<Budget>): Promise<Budget>;
  mutate(mutation: Mutation): Promise<MutationResult>;
  stop(): Promise<void>;
}

async function call<T>(url: string, schema: z.ZodType<T>, body?: unknown): Promise<T> {
  const response = await fetch(url, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  const json: unknown = await response.json();
  if (!response.ok) throw new Error(`${url}: ${response.status} ${JSON.stringify(json)}`);
  return schema.parse(json);
}

function serveArgs(options: CloudSourceOptions): string[] {
  const names = Object.entries(options.namespaces).map(([name, executions]) => `${name}=${executions}`);
  return [
    'serve',
    ...['--namespaces', names.join(','), '--grpc-port', '0', '--http-port', '0'],
    ...['--seed', String(options.seed ?? 1), '--latency', `${options.latencyMs ?? 0}ms`],
    ...['--visibility-rps', String(options.visibilityRps ?? 30)],
    ...(options.visibilityBurst === undefined ? [] : ['--visibility-burst', String(options.visibilityBurst)]),
    ...(options.extraArgs ?? []),
  ];
}

/** Starts the cloud-like source on free loopback ports (building it first if needed) and waits until it serves. */
export async function startCloudSource(options: CloudSourceOptions): Promise<CloudSource> {
  const binary = await buildCloudSource();
  const child = await startUntilReady(binary, serveArgs(options), /cloud-source ready: grpc (\S+) http (\S+) /);
  const [, address, httpUrl] = child.ready as unknown as [string, string, string];
  return {
    address,
    httpUrl,
    statsUrl: `${httpUrl}/stats`,
    pid: child.pid,
    stats: () => call(`${httpUrl}/stats`, statsSchema),
    resetStats: async () => {
      await call(`${httpUrl}/reset`, z.object({ reset: z.literal(true) }), {});
    },
    configure: (budget) => call(`${httpUrl}/config`, budgetSchema, budget),
    mutate: ({ at, ...rest }) => call(`${httpUrl}/mutate`, mutationSchema, { ...rest, at: at?.toISOString() }),
    stop: () => child.stop(),
  };
}
