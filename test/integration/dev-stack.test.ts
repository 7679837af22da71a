import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pg from 'pg';
import { waitFor } from '../helpers/wait';

const ROOT = path.resolve(__dirname, '../..');

interface DevRun {
  pid: number;
  output(): string;
  exited: Promise<number | null>;
}

/** `npm run dev`'s entry as a child process, with none of the shell's DATABASE_URL or TEMPORAL_*. */
function runDev(args: string[]): DevRun {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'XDG_CACHE_HOME'];
  const env = Object.fromEntries(keep.flatMap((name) => (process.env[name] ? [[name, process.env[name]!]] : [])));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/dev.ts'), ...args], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { pid: child.pid!, output: () => output, exited };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits for the stack to be up and reads what it printed: the psql URL, the counts, the PIDs it started. */
async function waitUntilUp(run: DevRun, dataDir: string) {
  let exitCode: number | null | undefined;
  void run.exited.then((code) => (exitCode = code));
  await waitFor(
    'the dev stack to print its counts',
    async () => {
      if (/Press Ctrl-C to stop everything/.test(run.output())) return true;
      if (exitCode !== undefined) throw new Error(`dev stack exited with ${exitCode}:\n${run.output()}`);
      return undefined;
    },
    { timeoutMs: 240_000, intervalMs: 500 },
  );
  const output = run.output();
  const psql = /Postgres\s+psql (\S+)/.exec(output)?.[1];
  const tables = /tables\s+(.+) \(schema (\w+)\)/.exec(output);
  assert.ok(psql && tables, `no connection string or counts in:\n${output}`);
  const counts = Object.fromEntries(
    tables[1]!.split(' ').map((pair) => {
      const [table, count] = pair.split('=');
      return [table!, Number(count)];
    }),
  );
  const started = [...output.matchAll(/started (.+?) \(pid (\d+)/g)].map((match) => ({
    name: match[1]!,
    pid: Number(match[2]),
  }));
  const pidsFile = JSON.parse(readFileSync(path.join(dataDir, 'pids.json'), 'utf8')) as Record<string, number>;
  return { psql, schema: tables[2]!, counts, started, pidsFile };
}

async function countsInDatabase(databaseUrl: string, schema: string): Promise<Record<string, number>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const counts: Record<string, number> = {};
    for (const table of ['workflow', 'schedule', 'sync_run', 'sync_state']) {
      const { rows } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM "${schema}"."${table}"`);
      counts[table] = Number(rows[0]!.count);
    }
    return counts;
  } finally {
    await client.end();
  }
}

/** Statuses of the dev stack's own first syncs, oldest first; scheduled runs are left out. */
async function devSyncStatuses(databaseUrl: string, schema: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ status: string }>(
      `SELECT status FROM "${schema}".sync_run WHERE workflow_id = 'temporal-sync-dev-full-sync' ORDER BY id`,
    );
    return rows.map((row) => row.status);
  } finally {
    await client.end();
  }
}

async function stopAndCheckNothingLeft(
  run: DevRun,
  started: Array<{ name: string; pid: number }>,
  signal: NodeJS.Signals,
) {
  process.kill(run.pid, signal);
  let timer: NodeJS.Timeout | undefined;
  const code = await Promise.race([
    run.exited,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error('dev stack did not stop in 60 s')), 60_000);
    }),
  ]).finally(() => clearTimeout(timer));
  assert.equal(code, 0, run.output());
  for (const { name, pid } of started) assert.equal(isAlive(pid), false, `${name} (pid ${pid}) still running`);
  assert.equal(isAlive(run.pid), false);
}

describe('npm run dev', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'temporal-sync-dev-test-'));
  const leftovers: number[] = [];
  after(() => {
    // Only reached with processes left if an assertion failed: stop them by PID so nothing lingers.
    for (const pid of leftovers) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('--help says what it does and exits 0', async () => {
    const run = runDev(['--help']);
    assert.equal(await run.exited, 0);
    assert.match(run.output(), /Usage: npm run dev/);
    assert.match(run.output(), /--postgres-port/);
  });

  test('a port already taken: one line naming it and how to change it, nothing started', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const blockedDir = path.join(dataDir, 'blocked');
      const run = runDev([
        '--data-dir',
        blockedDir,
        '--temporal-port',
        String(taken),
        '--ui-port',
        String(await freePort()),
      ]);
      assert.equal(await run.exited, 1);
      const errorLines = run
        .output()
        .split('\n')
        .filter((line) => line.includes(String(taken)));
      assert.equal(errorLines.length, 1, run.output());
      assert.match(errorLines[0]!, /port \d+ \(Temporal gRPC\) is already in use .*--temporal-port/);
      assert.equal(existsSync(path.join(blockedDir, 'temporal.db')), false);
      assert.equal(existsSync(path.join(blockedDir, 'postgres')), false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  test('with no DATABASE_URL: embedded Postgres, first sync fills the tables, Ctrl-C stops everything; a second run carries on, SIGTERM stops it', async () => {
    const ports = [
      '--temporal-port',
      await freePort(),
      '--ui-port',
      await freePort(),
      '--postgres-port',
      await freePort(),
    ];
    const args = ['--data-dir', dataDir, ...ports.map(String)];

    const first = runDev(args);
    leftovers.push(first.pid);
    const up = await waitUntilUp(first, dataDir);
    leftovers.push(...up.started.map((child) => child.pid));
    assert.deepEqual(
      up.started.map((child) => child.name),
      ['Temporal dev server', 'embedded Postgres', 'worker'],
    );
    assert.deepEqual(Object.values(up.pidsFile).sort(), [first.pid, ...up.started.map((child) => child.pid)].sort());
    assert.match(up.psql, /^postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);

    assert.deepEqual(await countsInDatabase(up.psql, up.schema), up.counts);
    // The first sync saw itself running in the namespace and the three schedules applied before it,
    // recorded its run, and finished both streams. (A schedule firing meanwhile adds a run of its own.)
    assert.ok(up.counts.workflow! >= 1, JSON.stringify(up.counts));
    assert.equal(up.counts.schedule, 3);
    assert.equal(up.counts.sync_state, 2);
    assert.match(first.output(), /created schedule temporal-sync-hourly-incremental/);
    assert.deepEqual(await devSyncStatuses(up.psql, up.schema), ['completed']);

    await stopAndCheckNothingLeft(first, up.started, 'SIGINT');
    assert.equal(existsSync(path.join(dataDir, 'pids.json')), false);

    // Same data folder: Temporal's history and the tables are still there, and the new sync adds to them.
    const second = runDev(args);
    leftovers.push(second.pid);
    const again = await waitUntilUp(second, dataDir);
    leftovers.push(...again.started.map((child) => child.pid));
    assert.deepEqual(await devSyncStatuses(again.psql, again.schema), ['completed', 'completed']);
    assert.match(second.output(), /schedules already in place/);
    assert.ok(
      again.counts.workflow! > up.counts.workflow!,
      `${JSON.stringify(again.counts)} after ${JSON.stringify(up.counts)}`,
    );
    assert.deepEqual(await countsInDatabase(again.psql, again.schema), again.counts);
    await stopAndCheckNothingLeft(second, again.started, 'SIGTERM');
  });
});
