import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../../src/observability/core-metrics';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { workflowBundleFile } from '../helpers/workers';

const PASSWORD = 'pw-Sup3rSecret';

/** The one line a failed start leaves: what failed, why, and the setting to fix. */
async function failureLine(worker: WorkerProcess): Promise<string> {
  assert.equal(await worker.exited, 1, `exit code 1:\n${worker.output()}`);
  const lines = worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('temporal-sync worker failed: '));
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
      `temporal-sync worker failed: cannot use Postgres at 127.0.0.1:${closedPort}/test: ` +
        'connection refused (nothing listens there) (check DATABASE_URL)',
    );
  });

  it('names TEMPORAL_ADDRESS when Temporal is unreachable', async () => {
    const line = await failureLine(
      await spawn({ DATABASE_URL: withPassword(TEST_DATABASE_URL), TEMPORAL_ADDRESS: `127.0.0.1:${closedPort}` }),
    );
    assert.equal(
      line,
      `temporal-sync worker failed: cannot connect to Temporal at 127.0.0.1:${closedPort}: ` +
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
      `temporal-sync worker failed: cannot start a worker in namespace "no-such-namespace" at ${temporal.address}: ` +
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
        `temporal-sync worker failed: cannot serve metrics and health on 127.0.0.1:${port}: ` +
          'the port is already in use (check TEMPORAL_SYNC_METRICS_PORT)',
      );
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
