import { randomBytes } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { AlertSettings } from '../../src/alerts/settings';
import { bundleWorkflowCode, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { DEFAULT_STREAM_SETTINGS } from '../../src/config';
import { seedActivities } from '../fixtures/seed-activities';
import type { StreamSettings } from '../../src/streams/contract';
import { WORKFLOWS_PATH, createSyncWorker } from '../../src/sync-worker';
import { singleSource } from '../../src/temporal/sources';
import type { SyncInput } from '../../src/workflows/input';
import type { SyncSummary } from '../../src/workflows/sync-workflow';
import type { TestDatabase } from './postgres';
import { SOURCE_NAMESPACE, type TestTemporal } from './temporal';

const bundles = new Map<string, Promise<WorkflowBundleWithSourceMap>>();
const quietLogger = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, log() {} };

/** Bundling takes seconds: each workflow module is bundled once per test process. */
export function bundleOnce(workflowsPath: string): Promise<WorkflowBundleWithSourceMap> {
  let bundle = bundles.get(workflowsPath);
  if (!bundle) {
    bundle = bundleWorkflowCode({ workflowsPath, logger: quietLogger });
    bundles.set(workflowsPath, bundle);
  }
  return bundle;
}

export interface RunningWorker {
  taskQueue: string;
  stop(): Promise<void>;
}

function runInBackground(worker: Worker, taskQueue: string): RunningWorker {
  const running = worker.run();
  return {
    taskQueue,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
    },
  };
}

export interface SyncWorkerOverrides {
  /** Another pool (e.g. through a proxy) instead of the test database's own. */
  pool?: pg.Pool;
  /** Another source client (e.g. through a proxy). */
  source?: Client;
  secrets?: string[];
  /** Another source namespace than the seeded one. */
  namespace?: string;
  /** Webhook, staleness window, HTTP timeout: alerting as the worker's configuration would set it. */
  alerts?: AlertSettings;
  /** Redescribe ages, the stuck age, describe bounds: as the worker's configuration would set them. */
  streamSettings?: Partial<StreamSettings>;
  /** The worker's visibility budget for runs that name none (default: high enough never to slow a test). */
  visibilityRps?: number;
  /** A task queue of the test's choosing (default: one of its own). */
  taskQueue?: string;
}

/** The real sync worker, in this process, on a test database and the test server's source namespace. */
export async function startSyncWorker(
  temporal: TestTemporal,
  db: TestDatabase,
  overrides: SyncWorkerOverrides = {},
): Promise<RunningWorker> {
  const taskQueue = overrides.taskQueue ?? `sync-${randomBytes(3).toString('hex')}`;
  const worker = await createSyncWorker({
    connection: temporal.env.nativeConnection,
    namespace: 'default',
    taskQueue,
    workflowBundle: await bundleOnce(WORKFLOWS_PATH),
    dependencies: {
      pool: overrides.pool ?? db.pool,
      schema: db.schema,
      sources: singleSource(overrides.namespace ?? SOURCE_NAMESPACE, overrides.source ?? temporal.sourceClient),
      workerClient: temporal.client,
      secrets: overrides.secrets ?? [],
      visibilityRps: overrides.visibilityRps ?? 1000,
      streamSettings: { ...DEFAULT_STREAM_SETTINGS, ...overrides.streamSettings },
      ...(overrides.alerts ? { alerts: overrides.alerts } : {}),
    },
  });
  return runInBackground(worker, taskQueue);
}

export const SEED_TASK_QUEUE = 'seed';

/** Runs the seed workflows in the source namespace. */
export async function startSeedWorker(temporal: TestTemporal): Promise<RunningWorker> {
  const worker = await Worker.create({
    connection: temporal.env.nativeConnection,
    namespace: SOURCE_NAMESPACE,
    taskQueue: SEED_TASK_QUEUE,
    workflowBundle: await bundleOnce(require.resolve('../fixtures/seed-workflows')),
    activities: seedActivities,
  });
  return runInBackground(worker, SEED_TASK_QUEUE);
}

let syncCounter = 0;

/** Runs SyncWorkflow to its end and returns its summary. */
export function runSync(
  temporal: TestTemporal,
  worker: RunningWorker,
  input?: SyncInput,
  workflowId = `sync-test-${++syncCounter}-${randomBytes(3).toString('hex')}`,
): Promise<SyncSummary> {
  return temporal.client.workflow.execute('SyncWorkflow', {
    taskQueue: worker.taskQueue,
    workflowId,
    args: input === undefined ? [] : [input],
  });
}

let bundleFile: Promise<string> | undefined;

/**
 * The workflow bundle written to a file once per test process, for workers run as child processes
 * (TEMPORAL_SYNC_WORKFLOW_BUNDLE): they then start in about a second, as a production worker does.
 */
export function workflowBundleFile(): Promise<string> {
  bundleFile ??= (async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const { rmSync } = await import('node:fs');
    const directory = await mkdtemp(path.join(tmpdir(), 'temporal-sync-bundle-'));
    process.once('exit', () => rmSync(directory, { recursive: true, force: true }));
    const file = path.join(directory, 'workflows.bundle.js');
    await writeFile(file, (await bundleOnce(WORKFLOWS_PATH)).code);
    return file;
  })();
  return bundleFile;
}
