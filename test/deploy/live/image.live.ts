import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freeLoopbackPort } from '../../../src/observability/core-metrics';
import { HTTP_ROUTES } from '../../../src/observability/http-server';
import type { SyncSummary } from '../../../src/workflows/sync-workflow';
import { comparable, keyed, workflowKey } from '../../helpers/compare';
import { createTestDatabase, tableRows, TEST_DATABASE_URL, type TestDatabase } from '../../helpers/postgres';
import { expectedWorkflowRows, seedMixedExecutions, seedSchedules } from '../../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../../helpers/temporal';
import { waitFor } from '../../helpers/wait';
import { startSeedWorker, type RunningWorker } from '../../helpers/workers';
import { closeWriteGate } from '../../helpers/write-gate';
import { HARDENED, podman, required, ROOT, runInImage, startContainer, uniqueName, type Container } from './podman';

/*
 * The image `npm run test:deploy` built from the Dockerfile, run with podman against a dev server and
 * the Postgres on the host network. Not proved here: the official node base image (a stand-in built
 * from Debian and the official Node binary takes its place) and a container platform's own runtime.
 */
const IMAGE = required('TEMPORAL_SYNC_TEST_IMAGE');
const BASE_IMAGE = required('TEMPORAL_SYNC_TEST_BASE_IMAGE');
/**
 * The image's own layers (dependencies, dist/, package.json) on top of the base. Measured: 71 MB, of
 * which 29 MB is the core-bridge binary for linux x64 and 5 MB dist/. The limit leaves room for the
 * dependencies to grow by a third, while webpack and swc coming back (+39 MB) or the core-bridge
 * binaries for other platforms (+122 MB) break it.
 */
const APP_LAYERS_LIMIT_MB = 100;
const ARBITRARY_USER = '48151:48151';
const PAGE_SIZE = 10;
const MB = 1e6;

async function get(port: number, path: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: response.status, body: await response.text() };
}

const imageSize = async (image: string) =>
  Number((await podman(['image', 'inspect', '--format', '{{.Size}}', image])).trim());

/** What the image holds, read by Node inside it. */
async function imageContents(): Promise<{
  version: string;
  lts: unknown;
  releases: string[];
  present: string[];
  webpack: string;
}> {
  const script = `
    const fs = require('fs');
    const present = ['@swc/core', 'swc-loader', 'terser', 'typescript', 'tsx', '@types/node']
      .filter((name) => fs.existsSync('node_modules/' + name));
    for (const name of Object.keys(require('./package.json').dependencies)) require.resolve(name);
    console.log(JSON.stringify({
      version: process.version, lts: process.release.lts, present,
      releases: fs.readdirSync('node_modules/@temporalio/core-bridge/releases'),
      webpack: require('webpack/package.json').version,
    }));`;
  const result = await runInImage(IMAGE, {}, [], ['node', '-e', script]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as {
    version: string;
    lts: unknown;
    releases: string[];
    present: string[];
    webpack: string;
  };
}

/** The Dockerfile's RUN step that runs npm ci, continuation lines joined. */
function npmCiStep(): string {
  const text = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  const line = text.split('\n').find((candidate) => /^RUN\s.*\bnpm ci\b/.test(candidate));
  assert.ok(line, 'the Dockerfile runs npm ci');
  return line.replace(/^RUN\s+/, '');
}

/** npm as npm/cli#7881 leaves it: `npm ci` says "Exit handler never called!" and exits 0, nothing installed. */
const BROKEN_NPM = `#!/bin/sh
if [ "$1" = ci ]; then echo 'npm error Exit handler never called!' >&2; exit 0; fi
exec /usr/local/bin/npm "$@"
`;

describe('the build step that installs dependencies', () => {
  it('fails when npm ci exits 0 with nothing installed, so the broken layer is never cached', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-npm-ci-'));
    try {
      writeFileSync(path.join(dir, 'npm'), BROKEN_NPM, { mode: 0o755 });
      const mounts = ['package.json', 'package-lock.json'].flatMap((file) => [
        '--volume',
        `${path.join(ROOT, file)}:/app/${file}:ro`,
      ]);
      const result = await runInImage(
        required('TEMPORAL_SYNC_TEST_BASE_IMAGE'),
        { PATH: '/broken-npm:/usr/local/bin:/usr/bin:/bin' },
        ['--volume', `${dir}:/broken-npm:ro`, ...mounts, '--workdir', '/app'],
        ['sh', '-c', npmCiStep()],
      );
      assert.match(result.stderr, /Exit handler never called/, 'the broken npm ci ran');
      assert.notEqual(result.code, 0, `the step must fail, it exited ${result.code}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the worker image, run with podman', () => {
  let temporal: TestTemporal;
  let seedWorker: RunningWorker;
  let db: TestDatabase;
  let runs: number;
  let sourceScheduleIds: string[];
  const containers: Container[] = [];

  before(async () => {
    temporal = await startTemporal();
    seedWorker = await startSeedWorker(temporal);
    runs = (await seedMixedExecutions(temporal.sourceClient, 'image', 2)).runs;
    sourceScheduleIds = await seedSchedules(temporal.sourceClient, 'image');
    db = await createTestDatabase('image');
  });
  after(async () => {
    for (const container of containers) await container.remove();
    await seedWorker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  const workerEnv = async (schema: string, taskQueue: string) => ({
    DATABASE_URL: TEST_DATABASE_URL,
    TEMPORAL_SYNC_SCHEMA: schema,
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_NAMESPACE: 'default',
    TEMPORAL_SYNC_SOURCE_NAMESPACE: SOURCE_NAMESPACE,
    TEMPORAL_SYNC_TASK_QUEUE: taskQueue,
    // Host network: each replica on a free loopback port of its own, reachable only from this machine.
    TEMPORAL_SYNC_METRICS_PORT: String(await freeLoopbackPort()),
    TEMPORAL_SYNC_METRICS_HOST: '127.0.0.1',
    TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS: '30',
  });
  const startWorker = async (label: string, env: Record<string, string>, user?: string) => {
    const container = await startContainer({
      name: uniqueName(label),
      image: IMAGE,
      env,
      podmanArgs: [...HARDENED, ...(user ? ['--user', user] : [])],
    });
    containers.push(container);
    await container.waitForLog(/worker ready/);
    return container;
  };

  it('runs Node 24 LTS as a numeric non-root user, keeps its HEALTHCHECK, and ships no build tools', async () => {
    const inspect = (field: string) => podman(['image', 'inspect', '--format', `{{json ${field}}}`, IMAGE]);
    assert.equal(JSON.parse(await inspect('.Config.User')), '1000:1000');
    const healthcheck = JSON.parse(await inspect('.Config.Healthcheck')) as { Test: string[] } | null;
    assert.ok(healthcheck?.Test.join(' ').includes(HTTP_ROUTES.liveness), 'HEALTHCHECK kept (docker format)');
    const contents = await imageContents();
    assert.match(contents.version, /^v24\./);
    assert.ok(contents.lts, `Node ${contents.version} is an LTS release`);
    assert.deepEqual(contents.releases, ['x86_64-unknown-linux-gnu'], 'core-bridge binaries for this platform only');
    assert.deepEqual(contents.present, [], 'no swc, webpack plugins, TypeScript or dev dependencies');
    assert.equal(contents.webpack, '0.0.0-placeholder', 'webpack is the placeholder, not webpack');
  });

  it(`adds at most ${APP_LAYERS_LIMIT_MB} MB to its base image`, async () => {
    const [total, base] = await Promise.all([imageSize(IMAGE), imageSize(BASE_IMAGE)]);
    const app = (total - base) / MB;
    process.stdout.write(
      `# image ${(total / MB).toFixed(0)} MB: base ${BASE_IMAGE} ${(base / MB).toFixed(0)} MB + the app's layers ` +
        `${app.toFixed(1)} MB (limit ${APP_LAYERS_LIMIT_MB} MB)\n`,
    );
    assert.ok(app <= APP_LAYERS_LIMIT_MB, `the app's layers are ${app.toFixed(1)} MB`);
  });

  let worker: Container;
  let workerEnvironment: Record<string, string>;

  it('becomes ready with a read-only root, no capabilities and an arbitrary UID; its HEALTHCHECK passes', async () => {
    workerEnvironment = await workerEnv(db.schema, uniqueName('queue'));
    worker = await startWorker('ready', workerEnvironment, ARBITRARY_USER);
    const port = Number(workerEnvironment.TEMPORAL_SYNC_METRICS_PORT);
    const ready = await waitFor('/readyz 200', async () => {
      const response = await get(port, HTTP_ROUTES.readiness);
      return response.status === 200 ? response : undefined;
    });
    assert.deepEqual(JSON.parse(ready.body), { ready: true, checks: { worker: 'ok', database: 'ok', temporal: 'ok' } });
    await podman(['healthcheck', 'run', worker.name]);

    const status = await podman(['exec', worker.name, 'cat', '/proc/1/status']);
    assert.match(status, /^Uid:\s+48151\s+48151\s+48151\s+48151$/m, 'the worker runs as the UID it was given');
    assert.match(status, /^CapEff:\s+0+$/m, 'with no capabilities');
    for (const dir of ['/app', '/tmp']) {
      const write = await podman([
        'exec',
        worker.name,
        'node',
        '-e',
        `try { require('fs').writeFileSync('${dir}/x', ''); console.log('written') } catch (e) { console.log(e.code) }`,
      ]);
      assert.equal(write.trim(), 'EROFS', `${dir} is read-only`);
    }
  });

  it('applies the schedules and runs a full sync with --wait from inside the image; the tables equal the server', async () => {
    assert.ok(worker, 'the worker of the previous test runs');
    const commandEnv = {
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_SYNC_TASK_QUEUE: workerEnvironment.TEMPORAL_SYNC_TASK_QUEUE!,
    };
    const inImage = (command: string[]) =>
      runInImage(IMAGE, commandEnv, [...HARDENED, '--user', ARBITRARY_USER], ['node', ...command]);

    const applied = await inImage(['dist/cli/schedules.js', 'apply']);
    assert.equal(applied.code, 0, applied.stderr);
    const created = [...applied.stdout.matchAll(/^\+ (.+): created$/gm)].map((match) => match[1]!);
    assert.ok(created.length >= 2, applied.stdout);
    for (const id of created) {
      const description = await temporal.client.schedule.getHandle(id).describe();
      assert.equal(description.action.type, 'startWorkflow');
      assert.equal(
        description.action.type === 'startWorkflow' && description.action.taskQueue,
        commandEnv.TEMPORAL_SYNC_TASK_QUEUE,
      );
    }
    const again = await inImage(['dist/cli/schedules.js', 'apply']);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^nothing to change$/m, 'a second apply changes nothing');

    const synced = await inImage(['dist/cli/sync.js', '--mode', 'full', '--wait']);
    assert.equal(synced.code, 0, `${synced.stdout}${synced.stderr}`);
    assert.match(synced.stdout, /^completed: full sync/m);

    const expected = await expectedWorkflowRows(temporal.sourceClient);
    assert.equal(expected.length, runs);
    const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
    assert.equal(stored.size, expected.length, 'one row per listed run');
    for (const row of expected) {
      assert.deepEqual(comparable(stored.get(workflowKey(row as never))!), comparable(row), row.workflow_id);
    }
    const schedules = await tableRows(db.pool, db.schema, 'schedule', SOURCE_NAMESPACE);
    const listed: string[] = [];
    for await (const summary of temporal.sourceClient.schedule.list()) listed.push(summary.scheduleId);
    assert.deepEqual(schedules.map((row) => row.schedule_id).sort(), listed.sort());
    assert.deepEqual(listed.sort(), [...sourceScheduleIds].sort());
  });

  it('on SIGTERM mid-pass finishes its page and exits 0; a second replica finishes the pass', async () => {
    const sigtermDb = await createTestDatabase('image_sigterm');
    const gate = await closeWriteGate(sigtermDb.pool, sigtermDb.schema, 'workflow', 3 * PAGE_SIZE);
    try {
      const taskQueue = uniqueName('sigterm');
      const first = await startWorker('first', await workerEnv(sigtermDb.schema, taskQueue), ARBITRARY_USER);
      const handle = await temporal.client.workflow.start('SyncWorkflow', {
        taskQueue,
        workflowId: uniqueName('sigterm-pass'),
        // A long heartbeat timeout: were the hand-over a retry after a timeout, the test would time out.
        args: [{ mode: 'full', streams: ['workflows'], pageSize: PAGE_SIZE, heartbeatTimeoutSeconds: 120 }],
      });
      await gate.waitUntilBlocked();
      const secondEnv = await workerEnv(sigtermDb.schema, taskQueue);
      await startWorker('second', secondEnv);

      const signalledAt = Date.now();
      await podman(['kill', '--signal', 'SIGTERM', first.name]);
      await first.waitForLog(/SIGTERM: draining/);
      await gate.open();
      assert.equal(await first.wait(), 0, 'the draining replica exits 0');
      assert.match(await first.logs(), /chunk stopped at a page boundary/);

      const summary = (await handle.result()) as SyncSummary;
      process.stdout.write(
        `# SIGTERM to the end of the pass on the second replica: ${((Date.now() - signalledAt) / 1000).toFixed(2)} s\n`,
      );
      const workflows = summary.streams.workflows!;
      assert.equal(workflows.rows, runs, 'every run written once');
      assert.equal(workflows.pages, Math.ceil(runs / PAGE_SIZE), 'no page read twice');
      assert.deepEqual(workflows.resumedAtPages, [], 'handed over, not retried after a timeout');
      const stored = await tableRows(sigtermDb.pool, sigtermDb.schema, 'workflow', SOURCE_NAMESPACE);
      assert.equal(stored.length, runs);
    } finally {
      await gate.remove();
      await sigtermDb.dispose();
    }
  });
});
