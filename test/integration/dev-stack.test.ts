import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import pg from 'pg';
import { childEnv } from '../../scripts/child-env';
import { freeLoopbackPort } from '../../src/observability/core-metrics';
import { DEFAULT_SCHEDULES } from '../../src/schedules/defaults';
import { STREAM_NAMES } from '../../src/streams/registry';
import { expectedWorkflowRows } from '../helpers/seed';
import { waitFor } from '../helpers/wait';

const ROOT = path.resolve(__dirname, '../..');
/** The dev server's namespaces, as `npm run dev` prints them; one worker syncs them all. */
const DEV_NAMESPACES = ['default', 'orders-demo'] as const;
type DevNamespace = (typeof DEV_NAMESPACES)[number];
/** Where the worker, the schedules and every SyncWorkflow run, whichever namespace they sync. */
const HOME_NAMESPACE: DevNamespace = 'default';
/** The dev stack's own first sync of a namespace: one workflow ID per namespace. */
const devSyncWorkflowId = (namespace: string) => `temporal-sync-dev-full-sync--${namespace}`;
/** Each built-in SyncWorkflow schedule once per namespace (`<id>--<namespace>`), the staleness check once. */
const MANAGED_SCHEDULE_IDS = DEFAULT_SCHEDULES.flatMap((schedule) =>
  schedule.workflowType === 'SyncWorkflow'
    ? DEV_NAMESPACES.map((namespace) => `${schedule.id}--${namespace}`)
    : [schedule.id],
).sort();
/** The managed schedules a namespace holds: all of them in the home namespace, none elsewhere. */
const managedSchedulesIn = (namespace: string) => (namespace === HOME_NAMESPACE ? MANAGED_SCHEDULE_IDS : []);
const DEMO_RUNS_PER_NAMESPACE = 3;

interface DevRun {
  pid: number;
  output(): string;
  exited: Promise<number | null>;
}

/** `npm run dev`'s entry as a child process, with none of the shell's DATABASE_URL or TEMPORAL_*. */
function runDev(args: string[]): DevRun {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/dev.ts'), ...args], {
    cwd: ROOT,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { pid: child.pid!, output: () => output, exited };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface SyncSummaryLine {
  syncRunId: number;
  streams: Record<string, { rows: number; pages: number }>;
}

/** The first sync's lines, one per namespace, in the order printed, e.g.
 * "SyncWorkflow of default (sync_run 1): workflows 5 rows in 1 page(s), schedules 5 rows in 1 page(s)". */
function syncSummaries(output: string): Array<SyncSummaryLine & { namespace: string }> {
  return [...output.matchAll(/SyncWorkflow of (\S+) \(sync_run (\d+)\): (.+)$/gm)].map((line) => {
    const streams: SyncSummaryLine['streams'] = {};
    for (const part of line[3]!.split(', ')) {
      const stream = /^(\w+) (\d+) rows in (\d+) page\(s\)$/.exec(part);
      assert.ok(stream, `unreadable stream summary "${part}" in "${line[0]}"`);
      streams[stream[1]!] = { rows: Number(stream[2]), pages: Number(stream[3]) };
    }
    return { namespace: line[1]!, syncRunId: Number(line[2]), streams };
  });
}

/** Waits for the stack to be up and reads what it printed: the links, the counts, the first syncs' summaries, the PIDs it started. */
async function waitUntilUp(run: DevRun, dataDir: string) {
  let exitCode: number | null | undefined;
  void run.exited.then((code) => (exitCode = code));
  await waitFor(
    'the dev stack to print its counts',
    () => {
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
  const webUi = /^\s+Web UI\s+(\S+)$/m.exec(output)?.[1];
  const temporalAddress = /^\s+Temporal\s+(\S+) /m.exec(output)?.[1];
  const namespacesLine = /^\s+namespaces\s+(.+)$/m.exec(output)?.[1];
  assert.ok(
    webUi && temporalAddress && namespacesLine,
    `no Web UI link, Temporal address or namespaces in:\n${output}`,
  );
  const printed = syncSummaries(output);
  assert.deepEqual(
    printed.map((line) => line.namespace),
    [...DEV_NAMESPACES],
    `one sync summary line per namespace in:\n${output}`,
  );
  const summaries = Object.fromEntries(printed.map(({ namespace, ...line }) => [namespace, line])) as Record<
    DevNamespace,
    SyncSummaryLine
  >;
  return { psql, schema: tables[2]!, counts, started, pidsFile, webUi, temporalAddress, namespacesLine, summaries };
}

type StackUp = Awaited<ReturnType<typeof waitUntilUp>>;

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

/** The dev stack's own first syncs by workflow ID: the namespace each synced and its status, oldest first; scheduled runs are left out. */
async function devSyncRuns(
  databaseUrl: string,
  schema: string,
): Promise<Record<string, Array<{ namespace: string; status: string }>>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ workflow_id: string; namespace: string; status: string }>(
      `SELECT workflow_id, namespace, status FROM "${schema}".sync_run
        WHERE workflow_id LIKE 'temporal-sync-dev-full-sync%' ORDER BY id`,
    );
    const runs: Record<string, Array<{ namespace: string; status: string }>> = {};
    for (const row of rows) (runs[row.workflow_id] ??= []).push({ namespace: row.namespace, status: row.status });
    return runs;
  } finally {
    await client.end();
  }
}

/** What devSyncRuns must find after `runs` starts of the stack: each namespace's dev sync, all completed. */
const completedDevSyncs = (runs: number) =>
  Object.fromEntries(
    DEV_NAMESPACES.map((namespace) => [
      devSyncWorkflowId(namespace),
      Array.from({ length: runs }, () => ({ namespace, status: 'completed' })),
    ]),
  );

interface DatabaseSnapshot {
  workflows: Array<{ namespace: string; key: string; workflowId: string; status: string }>;
  schedules: Array<{ namespace: string; scheduleId: string }>;
  syncRuns: Array<{ id: number; namespace: string; key: string; workflowId: string; startedAtMs: number }>;
  syncStates: Array<{ namespace: string; stream: string }>;
}

const runKey = (workflowId: string, runId: string) => `${workflowId}/${runId}`;

/** The keys of what the tables hold, read in one go. */
async function databaseSnapshot(databaseUrl: string, schema: string): Promise<DatabaseSnapshot> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const workflows = await client.query<{ namespace: string; workflow_id: string; run_id: string; status: string }>(
      `SELECT namespace, workflow_id, run_id, status FROM "${schema}".workflow`,
    );
    const schedules = await client.query<{ namespace: string; schedule_id: string }>(
      `SELECT namespace, schedule_id FROM "${schema}".schedule`,
    );
    const syncRuns = await client.query<{
      id: string;
      namespace: string;
      workflow_id: string;
      run_id: string;
      started_ms: string;
    }>(
      `SELECT id, namespace, workflow_id, run_id, floor(extract(epoch FROM started_at) * 1000) AS started_ms
         FROM "${schema}".sync_run ORDER BY id`,
    );
    const syncStates = await client.query<{ namespace: string; stream: string }>(
      `SELECT namespace, stream FROM "${schema}".sync_state`,
    );
    return {
      workflows: workflows.rows.map((row) => ({
        namespace: row.namespace,
        key: runKey(row.workflow_id, row.run_id),
        workflowId: row.workflow_id,
        status: row.status,
      })),
      schedules: schedules.rows.map((row) => ({ namespace: row.namespace, scheduleId: row.schedule_id })),
      syncRuns: syncRuns.rows.map((row) => ({
        id: Number(row.id),
        namespace: row.namespace,
        key: runKey(row.workflow_id, row.run_id),
        workflowId: row.workflow_id,
        startedAtMs: Number(row.started_ms),
      })),
      syncStates: syncStates.rows,
    };
  } finally {
    await client.end();
  }
}

interface ServerExecution {
  key: string;
  workflowId: string;
  type: string | null;
  status: string;
  startMs: number;
}

interface NamespaceSnapshot {
  executions: ServerExecution[];
  schedules: string[];
}

/** What the dev server holds in one namespace: every execution (raw visibility API) and schedule. */
async function namespaceSnapshot(address: string, namespace: string): Promise<NamespaceSnapshot> {
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace });
    const executions = (await expectedWorkflowRows(client)).map((row) => ({
      key: runKey(row.workflow_id, row.run_id),
      workflowId: row.workflow_id,
      type: row.workflow_type,
      status: row.status,
      startMs: Date.parse(row.start_time!),
    }));
    const schedules: string[] = [];
    for await (const schedule of client.schedule.list()) schedules.push(schedule.scheduleId);
    return { executions, schedules: schedules.sort() };
  } finally {
    await connection.close();
  }
}

const show = (value: unknown) => JSON.stringify(value, null, 1);

/**
 * One namespace's rows against the dev server: the tables hold every execution the namespace held
 * when its (latest) dev sync began and nothing the server does not hold there; an execution started
 * after that (a schedule firing meanwhile) may or may not be in yet. Its schedules are the managed ones
 * (all in the home namespace, none elsewhere), on both sides; sync_state has one row per stream its
 * sync reported. Returns how many workflow rows the namespace must hold.
 */
function assertNamespaceMatchesServer(
  up: StackUp,
  db: DatabaseSnapshot,
  namespace: DevNamespace,
  servers: Record<DevNamespace, NamespaceSnapshot>,
  label: string,
): number {
  const where = `${label}, namespace ${namespace}`;
  const server = servers[namespace];
  const summary = up.summaries[namespace];
  const devRuns = db.syncRuns.filter((run) => run.workflowId === devSyncWorkflowId(namespace));
  const devRun = devRuns.at(-1);
  assert.ok(devRun, `${where}: no sync_run row for ${devSyncWorkflowId(namespace)}: ${show(db.syncRuns)}`);
  assert.equal(devRun.id, summary.syncRunId, `${where}: the printed sync_run is the latest dev sync's`);
  assert.deepEqual(
    devRuns.filter((run) => run.namespace !== namespace),
    [],
    `${where}: dev sync rows that name another namespace`,
  );

  const rows = db.workflows.filter((row) => row.namespace === namespace).map((row) => row.key);
  const inTables = new Set(rows);
  const heldAtStart = server.executions.filter((execution) => execution.startMs < devRun.startedAtMs);
  const startedSince = server.executions.filter((execution) => execution.startMs >= devRun.startedAtMs);
  const expected = [
    ...heldAtStart.map((execution) => execution.key),
    ...startedSince.filter((execution) => inTables.has(execution.key)).map((execution) => execution.key),
  ].sort();
  assert.deepEqual(
    rows.sort(),
    expected,
    `${where}: workflow rows against the ${server.executions.length} executions the dev server holds ` +
      `(sync began at ${new Date(devRun.startedAtMs).toISOString()}): ${show(server.executions)}`,
  );
  // The sync of the namespace it runs in lists itself; the others run elsewhere.
  if (namespace === HOME_NAMESPACE) {
    assert.ok(inTables.has(devRun.key), `${where}: the first sync did not record its own run ${devRun.key}`);
  }

  assert.deepEqual(
    devRuns.map((run) => run.key).sort(),
    servers[HOME_NAMESPACE].executions
      .filter((execution) => execution.workflowId === devSyncWorkflowId(namespace))
      .map((execution) => execution.key)
      .sort(),
    `${where}: one sync_run row per dev sync execution on the dev server`,
  );

  const scheduleRows = db.schedules.filter((row) => row.namespace === namespace).map((row) => row.scheduleId);
  assert.deepEqual(scheduleRows.sort(), managedSchedulesIn(namespace), `${where}: schedule rows`);
  assert.deepEqual(server.schedules, managedSchedulesIn(namespace), `${where}: schedules on the dev server`);
  assert.deepEqual(
    db.syncStates
      .filter((row) => row.namespace === namespace)
      .map((row) => row.stream)
      .sort(),
    Object.keys(summary.streams).sort(),
    `${where}: one sync_state row per stream`,
  );
  assert.equal(summary.streams.schedules?.rows, managedSchedulesIn(namespace).length, `${where}: ${show(summary)}`);
  // While no other sync of the namespace has run (a scheduled one would write rows too), the full listing wrote every row.
  if (db.syncRuns.every((run) => run.namespace !== namespace || run.workflowId === devSyncWorkflowId(namespace))) {
    assert.equal(
      summary.streams.workflows?.rows,
      expected.length,
      `${where}: rows the sync listed against the workflow table: ${show(summary)}`,
    );
  }
  return expected.length;
}

/**
 * The printed counts, the tables and the dev server agree exactly, namespace by namespace, and the
 * tables hold nothing of any other namespace; every sync_run row is a SyncWorkflow run on the server.
 */
async function assertTablesMatchServer(up: StackUp, label: string) {
  // The tables first: whatever they hold, the server already held, and still holds, when it is read next.
  const db = await databaseSnapshot(up.psql, up.schema);
  const servers = {} as Record<DevNamespace, NamespaceSnapshot>;
  for (const namespace of DEV_NAMESPACES) servers[namespace] = await namespaceSnapshot(up.temporalAddress, namespace);

  assert.deepEqual(
    {
      workflow: db.workflows.length,
      schedule: db.schedules.length,
      sync_run: db.syncRuns.length,
      sync_state: db.syncStates.length,
    },
    up.counts,
    `${label}: printed counts against the tables`,
  );
  let workflowRows = 0;
  for (const namespace of DEV_NAMESPACES) {
    workflowRows += assertNamespaceMatchesServer(up, db, namespace, servers, label);
  }
  assert.equal(up.counts.workflow, workflowRows, `${label}: workflow rows of namespaces the dev server does not have`);
  const known = new Set<string>(DEV_NAMESPACES);
  assert.deepEqual(
    [...db.schedules, ...db.syncRuns, ...db.syncStates].filter((row) => !known.has(row.namespace)),
    [],
    `${label}: rows of namespaces the dev server does not have`,
  );

  // Every SyncWorkflow runs in the home namespace, whichever namespace it syncs.
  const syncExecutions = new Set(
    servers[HOME_NAMESPACE].executions
      .filter((execution) => execution.type === 'SyncWorkflow')
      .map((execution) => execution.key),
  );
  assert.deepEqual(
    db.syncRuns.filter((run) => !syncExecutions.has(run.key)),
    [],
    `${label}: sync_run rows for runs that are not SyncWorkflow executions on the dev server`,
  );
}

/** The demo runs of each namespace in the workflow table, as "<workflow ID> <status>", sorted. */
async function demoRunRows(up: StackUp): Promise<Record<string, string[]>> {
  const db = await databaseSnapshot(up.psql, up.schema);
  return Object.fromEntries(
    DEV_NAMESPACES.map((namespace) => [
      namespace,
      db.workflows
        .filter((row) => row.namespace === namespace && row.workflowId.startsWith('demo-'))
        .map((row) => `${row.workflowId} ${row.status}`)
        .sort(),
    ]),
  );
}

/** Started once, whatever the restarts: demo-<namespace>-<i>, the first terminated, the others waiting on a queue no one polls. */
const EXPECTED_DEMO_RUNS = Object.fromEntries(
  DEV_NAMESPACES.map((namespace) => [
    namespace,
    Array.from(
      { length: DEMO_RUNS_PER_NAMESPACE },
      (_, i) => `demo-${namespace}-${i} ${i === 0 ? 'TERMINATED' : 'RUNNING'}`,
    ),
  ]),
);

/** The printed Web UI link is the dev server's UI for the default namespace, and it answers 200 there. */
async function assertWebUiAnswers(up: StackUp, uiPort: number) {
  const expected = `http://127.0.0.1:${uiPort}/namespaces/default/workflows`;
  assert.equal(up.webUi, expected, 'the printed Web UI link');
  const response = await fetch(expected, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
  const body = await response.text();
  assert.equal(response.status, 200, `GET ${expected}: ${response.status} ${body.slice(0, 200)}`);
}

interface ListeningSocket {
  owner: string;
  pid: number;
  address: string;
  port: number;
}

/** TCP sockets in LISTEN state from /proc/net/tcp{,6}, by inode; undefined where there is no /proc (not Linux). */
function listeningByInode(): Map<string, { address: string; port: number }> | undefined {
  const table = new Map<string, { address: string; port: number }>();
  let readAny = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    readAny = true;
    for (const line of text.trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[3] !== '0A') continue; // TCP_LISTEN
      const [hexAddress, hexPort] = fields[1]!.split(':');
      // Each 32-bit word is in host (little-endian) order.
      const bytes = hexAddress!.match(/.{8}/g)!.flatMap((word) => word.match(/../g)!.reverse());
      const address =
        bytes.length === 4
          ? bytes.map((byte) => parseInt(byte, 16)).join('.')
          : bytes
              .join('')
              .match(/.{4}/g)!
              .map((group) => group.replace(/^0{1,3}/, ''))
              .join(':');
      table.set(fields[9]!, { address, port: parseInt(hexPort!, 16) });
    }
  }
  return readAny ? table : undefined;
}

/** The processes and all their descendants, from /proc/<pid>/stat. */
function withDescendants(roots: Array<{ name: string; pid: number }>): Array<{ name: string; pid: number }> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // gone meanwhile
    }
  }
  const all: Array<{ name: string; pid: number }> = [];
  const visit = (name: string, pid: number) => {
    if (all.some((known) => known.pid === pid)) return;
    all.push({ name, pid });
    for (const child of children.get(pid) ?? []) visit(`${name} (child)`, child);
  };
  for (const root of roots) visit(root.name, root.pid);
  return all;
}

/** Every TCP port the processes (and their children) listen on; undefined where /proc cannot tell. */
function listeningSockets(processes: Array<{ name: string; pid: number }>): ListeningSocket[] | undefined {
  const table = listeningByInode();
  if (!table) return undefined;
  const sockets: ListeningSocket[] = [];
  for (const { name, pid } of withDescendants(processes)) {
    let fds: string[] = [];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      const listening = inode === undefined ? undefined : table.get(inode);
      if (listening) sockets.push({ owner: name, pid, ...listening });
    }
  }
  return sockets;
}

/** A loopback connect is refused, and a server can listen there again: nothing holds the port. */
async function assertPortFree(port: number, what: string) {
  const connectOutcome = await new Promise<string>((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('accepted');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  assert.equal(
    connectOutcome,
    'ECONNREFUSED',
    `${what} port ${port}: a connection to 127.0.0.1:${port} was not refused`,
  );
  const server = net.createServer();
  const listenOutcome = await new Promise<string>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve('listening'));
  });
  if (listenOutcome === 'listening') await new Promise((resolve) => server.close(resolve));
  assert.equal(listenOutcome, 'listening', `${what} port ${port}: cannot listen on 127.0.0.1:${port} again`);
}

interface PortsInUse {
  /** The ports the test chose for the stack, by what listens there. */
  chosen: Array<{ port: number; what: string }>;
  /** Every listening socket of the stack's processes while it was up (Linux), the chosen ones included. */
  sockets: ListeningSocket[] | undefined;
}

/** While the stack is up: it listens on the ports it was given, each in the process it belongs to. */
function portsInUse(run: DevRun, up: StackUp, ports: { temporal: number; ui: number; postgres: number }): PortsInUse {
  const chosen = [
    { port: ports.temporal, what: 'Temporal gRPC', owner: 'Temporal dev server' },
    { port: ports.ui, what: 'Temporal Web UI', owner: 'Temporal dev server' },
    { port: ports.postgres, what: 'embedded Postgres', owner: 'embedded Postgres' },
  ];
  const sockets = listeningSockets([...up.started, { name: 'dev command', pid: run.pid }]);
  if (sockets) {
    for (const { port, what, owner } of chosen) {
      assert.ok(
        sockets.some((socket) => socket.port === port && socket.owner === owner),
        `${what} port ${port} is not listened on by the ${owner}: ${JSON.stringify(sockets)}`,
      );
    }
  }
  return { chosen: chosen.map(({ port, what }) => ({ port, what })), sockets };
}

/** After the stop: no process listens on any port the stack used any more. */
async function assertPortsReleased(ports: PortsInUse) {
  for (const { port, what } of ports.chosen) await assertPortFree(port, what);
  if (!ports.sockets) return;
  const stillListening = new Map(
    [...(listeningByInode() ?? new Map<string, { address: string; port: number }>()).values()].map((entry) => [
      entry.port,
      entry,
    ]),
  );
  const held = ports.sockets.filter((socket) => stillListening.has(socket.port));
  assert.deepEqual(held, [], `ports of the stopped stack still listened on: ${JSON.stringify(held)}`);
}

async function stopAndCheckNothingLeft(
  run: DevRun,
  started: Array<{ name: string; pid: number }>,
  signal: NodeJS.Signals,
  ports: PortsInUse,
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
  await assertPortsReleased(ports);
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
        String(await freeLoopbackPort()),
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

  test('with no DATABASE_URL: embedded Postgres, first sync of each namespace fills the tables, Ctrl-C stops everything; a second run carries on, SIGTERM stops it', async () => {
    const ports = {
      temporal: await freeLoopbackPort(),
      ui: await freeLoopbackPort(),
      postgres: await freeLoopbackPort(),
    };
    const args = [
      '--data-dir',
      dataDir,
      '--temporal-port',
      String(ports.temporal),
      '--ui-port',
      String(ports.ui),
      '--postgres-port',
      String(ports.postgres),
    ];

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
    assert.equal(up.psql, `postgres://postgres@127.0.0.1:${ports.postgres}/postgres`);
    assert.equal(up.temporalAddress, `127.0.0.1:${ports.temporal}`);
    assert.equal(up.namespacesLine, 'default, orders-demo (one worker syncs them all)');
    const firstPorts = portsInUse(first, up, ports);
    await assertWebUiAnswers(up, ports.ui);

    assert.deepEqual(await countsInDatabase(up.psql, up.schema), up.counts);
    // Each namespace's first sync saw the demo runs started before it (the default one also itself and
    // the five schedules applied before it), recorded its run, and finished every stream. (A schedule
    // firing meanwhile adds a run of its own.)
    await assertTablesMatchServer(up, 'first run');
    assert.equal(up.counts.schedule, 5);
    assert.equal(
      up.counts.sync_state,
      STREAM_NAMES.length * DEV_NAMESPACES.length,
      'one state row per stream and namespace',
    );
    assert.deepEqual(
      [...first.output().matchAll(/created schedule (\S+)/g)].map((match) => match[1]).sort(),
      MANAGED_SCHEDULE_IDS,
    );
    assert.match(first.output(), /started 6 demo runs in default and orders-demo/);
    assert.deepEqual(await demoRunRows(up), EXPECTED_DEMO_RUNS, 'first run: demo runs');
    assert.deepEqual(await devSyncRuns(up.psql, up.schema), completedDevSyncs(1));

    await stopAndCheckNothingLeft(first, up.started, 'SIGINT', firstPorts);
    assert.equal(existsSync(path.join(dataDir, 'pids.json')), false);

    // Same data folder: Temporal's history and the tables are still there, and the new sync adds to them.
    const second = runDev(args);
    leftovers.push(second.pid);
    const again = await waitUntilUp(second, dataDir);
    leftovers.push(...again.started.map((child) => child.pid));
    const secondPorts = portsInUse(second, again, ports);
    await assertWebUiAnswers(again, ports.ui);
    assert.deepEqual(await devSyncRuns(again.psql, again.schema), completedDevSyncs(2));
    assert.match(second.output(), /schedules already in place/);
    assert.ok(
      again.counts.workflow! > up.counts.workflow!,
      `${JSON.stringify(again.counts)} after ${JSON.stringify(up.counts)}`,
    );
    assert.deepEqual(await countsInDatabase(again.psql, again.schema), again.counts);
    await assertTablesMatchServer(again, 'second run');
    const demoRunsAgain = await demoRunRows(again);
    await stopAndCheckNothingLeft(second, again.started, 'SIGTERM', secondPorts);
    // Last, so that every other check has run: the restart found the demo runs and started none.
    assert.match(second.output(), /demo runs already there/);
    assert.deepEqual(demoRunsAgain, EXPECTED_DEMO_RUNS, 'second run: demo runs');
  });
});
