import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/observability/core-metrics';
import { runEntryPoint } from '../helpers/command';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { workflowBundleFile } from '../helpers/workers';

/** How long the dependency stays away: long enough for two attempts (after 1 s and 2 s). */
const LATE_MS = 4_000;
/** A command's connection attempt to Temporal lasts up to 5 s by itself: stay away longer than that. */
const COMMAND_LATE_MS = 7_000;

const waitingLines = (output: string, what: RegExp) =>
  output.split('\n').filter((line) => /waiting for /.test(line) && what.test(line));

describe('the worker and the commands wait for Temporal and Postgres at start', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  const workers: WorkerProcess[] = [];
  const proxies: TcpProxy[] = [];
  const late: TestTemporal[] = [];

  before(async () => {
    [temporal, db] = await Promise.all([startTemporal(), createTestDatabase('startup_wait')]);
  });
  after(async () => {
    for (const worker of workers) await worker.stop('SIGKILL');
    for (const proxy of proxies) await proxy.close();
    for (const server of late) await server.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  const spawn = async (env: Record<string, string>) => {
    const worker = spawnWorker({
      DATABASE_URL: TEST_DATABASE_URL,
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_SYNC_WORKFLOW_BUNDLE: await workflowBundleFile(),
      TEMPORAL_SYNC_LOG_FORMAT: 'pretty',
      TEMPORAL_SYNC_STARTUP_WAIT_SECONDS: '60',
      ...env,
    });
    workers.push(worker);
    return worker;
  };

  it('starts once a Postgres that was not listening yet comes up, with a line per attempt', async () => {
    const port = await freeLoopbackPort();
    const worker = await spawn({ DATABASE_URL: `postgres://root@127.0.0.1:${port}/test` });
    await worker.waitForOutput(new RegExp(`waiting for Postgres at 127\\.0\\.0\\.1:${port}/test: connection refused`));
    await sleep(LATE_MS);
    proxies.push(await startTcpProxy('127.0.0.1', 5432, { port }));
    await worker.waitForOutput(/worker ready/);
    const lines = waitingLines(worker.output(), /Postgres/);
    assert.ok(lines.length >= 2, `a line per attempt:\n${worker.output()}`);
    assert.match(
      lines[0]!,
      new RegExp(
        `WARN  waiting for Postgres at 127\\.0\\.0\\.1:${port}/test: connection refused \\(nothing listens there\\); ` +
          'next try in 1 s \\(\\d+ s left of TEMPORAL_SYNC_STARTUP_WAIT_SECONDS=60\\)$',
      ),
    );
    assert.equal(await worker.stop('SIGTERM'), 0);
  });

  it('starts once a Temporal dev server that was not running yet comes up', async () => {
    const port = await freeLoopbackPort();
    const worker = await spawn({ TEMPORAL_ADDRESS: `127.0.0.1:${port}` });
    await worker.waitForOutput(new RegExp(`waiting for Temporal at 127\\.0\\.0\\.1:${port}: `));
    await sleep(LATE_MS);
    late.push(await startTemporal([], { port }));
    await worker.waitForOutput(/worker ready/);
    assert.ok(waitingLines(worker.output(), /Temporal/).length >= 2, worker.output());
    assert.equal(await worker.stop('SIGTERM'), 0);
  });

  it('fails at once for what waiting cannot fix, and after the wait for what stays away', async () => {
    const missing = await spawn({ DATABASE_URL: `postgres://root@127.0.0.1:5432/no_such_database_here` });
    const started = Date.now();
    assert.equal(await missing.exited, 1);
    assert.ok(Date.now() - started < 15_000, 'no wait for a database that does not exist');
    assert.match(
      missing.output(),
      /cannot use Postgres at 127\.0\.0\.1:5432\/no_such_database_here: the database does not exist/,
    );
    assert.equal(waitingLines(missing.output(), /./).length, 0, missing.output());

    const port = await freeLoopbackPort();
    const away = await spawn({
      DATABASE_URL: `postgres://root@127.0.0.1:${port}/test`,
      TEMPORAL_SYNC_STARTUP_WAIT_SECONDS: '3',
    });
    assert.equal(await away.exited, 1);
    assert.match(
      away.output(),
      new RegExp(
        `^temporal-sync worker: cannot use Postgres at 127\\.0\\.0\\.1:${port}/test: connection refused \\(nothing listens there\\), ` +
          'still after waiting 3 s \\(check DATABASE_URL\\)$',
        'm',
      ),
    );
  });

  it('makes npm run migrate wait for Postgres, and npm run schedules for Temporal', async () => {
    const postgresPort = await freeLoopbackPort();
    const migrating = runEntryPoint('migrate', [], {
      DATABASE_URL: `postgres://root@127.0.0.1:${postgresPort}/test`,
      TEMPORAL_SYNC_SCHEMA: `${db.schema}_late`,
      TEMPORAL_SYNC_STARTUP_WAIT_SECONDS: '60',
    });
    const temporalPort = await freeLoopbackPort();
    const listing = runEntryPoint('schedules', ['list'], {
      TEMPORAL_ADDRESS: `127.0.0.1:${temporalPort}`,
      TEMPORAL_SYNC_STARTUP_WAIT_SECONDS: '60',
    });
    await sleep(COMMAND_LATE_MS);
    proxies.push(await startTcpProxy('127.0.0.1', 5432, { port: postgresPort }));
    const [temporalHost, temporalServerPort] = temporal.address.split(':');
    proxies.push(await startTcpProxy(temporalHost!, Number(temporalServerPort), { port: temporalPort }));
    const [migrated, listed] = await Promise.all([migrating, listing]);
    await db.pool.query(`DROP SCHEMA IF EXISTS "${db.schema}_late" CASCADE`);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /applied \d+ migration\(s\)/);
    assert.match(
      migrated.stderr,
      new RegExp(`^migrate: waiting for Postgres at 127\\.0\\.0\\.1:${postgresPort}/test: `, 'm'),
    );
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(
      listed.stderr,
      new RegExp(`^schedules: waiting for Temporal at 127\\.0\\.0\\.1:${temporalPort}: `, 'm'),
    );
  });
});
