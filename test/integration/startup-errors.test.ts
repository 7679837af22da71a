import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/observability/core-metrics';
import { runEntryPoint, type CommandResult, type EntryPoint } from '../helpers/command';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { makeTlsFiles, type TlsFiles } from '../helpers/tls';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { workflowBundleFile } from '../helpers/workers';

const PASSWORD = 'pw-Sup3rSecret';
const WORKER = 'temporal-sync worker';

/** The one line a failed start leaves: what failed, why, and the setting to fix. */
async function failureLine(worker: WorkerProcess): Promise<string> {
  assert.equal(await worker.exited, 1, `exit code 1:\n${worker.output()}`);
  const lines = worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith(`${WORKER}: `));
  assert.equal(lines.length, 1, worker.output());
  assert.doesNotMatch(worker.output(), /tonic|transport::Error|\n\s+at /, 'no raw transport error or stack');
  assert.doesNotMatch(worker.output(), new RegExp(PASSWORD), 'no password');
  return lines[0]!;
}

describe('a worker that cannot start', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let closedPort: number;
  const started: WorkerProcess[] = [];
  const withPassword = (url: string) => url.replace('root@', `root:${PASSWORD}@`);

  before(async () => {
    [temporal, db, closedPort] = await Promise.all([
      startTemporal(),
      createTestDatabase('startup'),
      freeLoopbackPort(),
    ]);
  });
  after(async () => {
    for (const worker of started) await worker.stop('SIGKILL');
    await db?.dispose();
    await temporal?.stop();
  });

  const spawn = async (env: Record<string, string>) => {
    const worker = spawnWorker({
      DATABASE_URL: TEST_DATABASE_URL,
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_SYNC_WORKFLOW_BUNDLE: await workflowBundleFile(),
      ...env,
    });
    started.push(worker);
    return worker;
  };

  it('names DATABASE_URL when Postgres is unreachable, without its password', async () => {
    const line = await failureLine(
      await spawn({ DATABASE_URL: `postgres://root:${PASSWORD}@127.0.0.1:${closedPort}/test` }),
    );
    assert.equal(
      line,
      `${WORKER}: cannot use Postgres at 127.0.0.1:${closedPort}/test: ` +
        'connection refused (nothing listens there) (check DATABASE_URL)',
    );
  });

  it('names TEMPORAL_ADDRESS when Temporal is unreachable', async () => {
    const line = await failureLine(
      await spawn({ DATABASE_URL: withPassword(TEST_DATABASE_URL), TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}` }),
    );
    assert.equal(
      line,
      `${WORKER}: cannot connect to Temporal at 127.0.0.1:${closedPort}: ` +
        'connection refused (nothing listens there) (check TEMPORAL_ADDRESS)',
    );
  });

  it('names TEMPORAL_SYNC_SOURCE_ADDRESS when the separate source is unreachable', async () => {
    const line = await failureLine(await spawn({ TEMPORAL_SYNC_SOURCE_ADDRESS: `127.0.0.1:${closedPort}` }));
    assert.match(line, new RegExp(`cannot connect to the source Temporal at 127\\.0\\.0\\.1:${closedPort}: `));
    assert.match(line, /\(check TEMPORAL_SYNC_SOURCE_ADDRESS\)$/);
  });

  it('names TEMPORAL_NAMESPACE when the worker namespace does not exist', async () => {
    const line = await failureLine(await spawn({ TEMPORAL_NAMESPACE: 'no-such-namespace' }));
    assert.equal(
      line,
      `${WORKER}: cannot start a worker in namespace "no-such-namespace" at ${temporal.address}: ` +
        'the namespace does not exist (check TEMPORAL_NAMESPACE)',
    );
  });

  it('names TEMPORAL_SYNC_METRICS_PORT when its port is taken', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    try {
      const port = (holder.address() as { port: number }).port;
      const line = await failureLine(await spawn({ TEMPORAL_SYNC_METRICS_PORT: String(port) }));
      assert.equal(
        line,
        `${WORKER}: cannot serve metrics and health on 127.0.0.1:${port}: ` +
          'the port is already in use (check TEMPORAL_SYNC_METRICS_PORT)',
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});

interface BadSetting {
  what: string;
  env: (tls: TlsFiles) => Record<string, string>;
  /** The problem as every command words it, after "<command>: ". */
  line: (tls: TlsFiles) => string;
  /** The commands that read this setting: the worker's settings are read by the worker, migrate and status. */
  commands: EntryPoint[];
}

const WORKER_COMMANDS: EntryPoint[] = ['worker', 'migrate', 'status'];
const ALL_COMMANDS: EntryPoint[] = [...WORKER_COMMANDS, 'schedules', 'sync'];

const BAD_SETTINGS: BadSetting[] = [
  {
    what: 'a raw % in the database password',
    env: () => ({ DATABASE_URL: 'postgres://root:50%off@127.0.0.1:5432/test' }),
    line: () =>
      'DATABASE_URL has a % in its password that does not start a percent-encoded character (%XX): write a literal % as %25',
    commands: WORKER_COMMANDS,
  },
  {
    what: 'an empty DATABASE_URL',
    env: () => ({ DATABASE_URL: '' }),
    line: () => 'DATABASE_URL is empty: set it to a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/mydb',
    commands: WORKER_COMMANDS,
  },
  {
    what: "Postgres's information_schema as the schema",
    env: () => ({ TEMPORAL_SYNC_SCHEMA: 'information_schema' }),
    line: () =>
      'TEMPORAL_SYNC_SCHEMA must not be information_schema or start with pg_: those schemas belong to Postgres itself',
    commands: WORKER_COMMANDS,
  },
  {
    what: 'an empty metrics port',
    env: () => ({ TEMPORAL_SYNC_METRICS_PORT: '' }),
    line: () =>
      'TEMPORAL_SYNC_METRICS_PORT is empty: set a whole number from 0 to 65535, or unset it for the default (9464)',
    commands: WORKER_COMMANDS,
  },
  {
    what: 'a metrics port in hexadecimal',
    env: () => ({ TEMPORAL_SYNC_METRICS_PORT: '0x6B1F' }),
    line: () => 'TEMPORAL_SYNC_METRICS_PORT must be a whole number, in decimal digits',
    commands: WORKER_COMMANDS,
  },
  {
    what: 'a Temporal port out of range',
    env: () => ({ TEMPORAL_ADDRESS: 'localhost:99999' }),
    line: () => 'TEMPORAL_ADDRESS must be host:port with a port from 1 to 65535, e.g. 127.0.0.1:7233',
    commands: ALL_COMMANDS,
  },
  {
    what: 'a TLS certificate file that does not exist',
    env: (tls) => ({
      TEMPORAL_TLS_CLIENT_CERT_PATH: `${tls.directory}/missing.crt`,
      TEMPORAL_TLS_CLIENT_KEY_PATH: tls.key,
    }),
    line: (tls) => `TEMPORAL_TLS_CLIENT_CERT_PATH names a file that does not exist: ${tls.directory}/missing.crt`,
    commands: ALL_COMMANDS,
  },
  {
    what: 'a TLS key file that holds no key',
    env: (tls) => ({ TEMPORAL_TLS_CLIENT_CERT_PATH: tls.cert, TEMPORAL_TLS_CLIENT_KEY_PATH: tls.garbage }),
    line: (tls) =>
      `TEMPORAL_TLS_CLIENT_KEY_PATH names a file (${tls.garbage}) that holds no PEM private key (a BEGIN PRIVATE KEY block)`,
    commands: ALL_COMMANDS,
  },
];

const ARGS: Record<EntryPoint, string[]> = { worker: [], migrate: [], status: [], schedules: ['list'], sync: [] };
/** status keeps its monitoring codes, where 2 means "failing": a setting it cannot use is 3, unknown. */
const EXIT_CODE: Record<EntryPoint, number> = { worker: 2, migrate: 2, status: 3, schedules: 2, sync: 2 };
const PREFIX: Record<EntryPoint, string> = {
  worker: WORKER,
  migrate: 'migrate',
  status: 'status',
  schedules: 'schedules',
  sync: 'sync',
};

describe('a setting that cannot be used, in every command', () => {
  let tls: TlsFiles;
  let db: TestDatabase;
  let closedPort: number;

  before(async () => {
    tls = makeTlsFiles();
    [db, closedPort] = await Promise.all([createTestDatabase('bad_settings'), freeLoopbackPort()]);
  });
  after(async () => {
    tls?.remove();
    // Were the schema ever accepted, the migrations would have left their tables in Postgres's own schema.
    await db?.pool.query(
      `DROP TABLE IF EXISTS information_schema.alert_incident, information_schema.sync_run, information_schema.sync_state,
       information_schema.schedule, information_schema.workflow, information_schema.schema_migrations CASCADE`,
    );
    await db?.dispose();
  });

  const describeRun = (result: CommandResult) =>
    `exit ${result.code} after ${result.ms} ms\nstdout: ${result.stdout}\nstderr: ${result.stderr}`;

  for (const bad of BAD_SETTINGS) {
    it(`says ${bad.what} in one line naming the setting, with the same exit code, before touching anything`, async () => {
      const schema = `${db.schema}_untouched`;
      for (const command of bad.commands) {
        const env = {
          DATABASE_URL: TEST_DATABASE_URL,
          TEMPORAL_SYNC_SCHEMA: schema,
          TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}`,
          TEMPORAL_SYNC_METRICS_PORT: '0',
          TEMPORAL_SYNC_METRICS_HOST: '127.0.0.1',
          ...bad.env(tls),
        };
        const result = await runEntryPoint(command, ARGS[command], env, 30_000);
        assert.equal(result.code, EXIT_CODE[command], `${command}: ${describeRun(result)}`);
        assert.deepEqual(result.stderr.trimEnd().split('\n'), [`${PREFIX[command]}: ${bad.line(tls)}`], command);
      }
      const { rows } = await db.pool.query(
        `SELECT table_schema FROM information_schema.tables WHERE table_name = 'schema_migrations' AND table_schema IN ($1, 'information_schema')`,
        [schema],
      );
      assert.deepEqual(rows, [], 'no migration ran');
    });
  }
});
