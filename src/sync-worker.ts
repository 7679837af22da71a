import os from 'node:os';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type SyncDependencies } from './activities';
import { ConfigError } from './config';
import { readDestinationId } from './db/installation';
import { longToNumber } from './source/time';

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  /** Everything the activities need but the destination's identity, which is read from the schema. */
  dependencies: Omit<SyncDependencies, 'destination'>;
  /** A prebuilt bundle (production, tests that start many workers); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceSeconds?: number;
  /** After this, run() gives up waiting for activities and throws, so the process can still exit before a SIGKILL. */
  shutdownForceSeconds?: number;
}

export const WORKFLOWS_PATH = require.resolve('./workflows');

/** Workers announce their destination in their identity, which DescribeTaskQueue shows to every other worker. */
const IDENTITY_TAG = /temporal-sync destination=([0-9a-f-]{36})/;
/** Pollers seen this recently are alive (a worker polls again at least every 70 s or so). */
const RECENT_POLL_MS = 90_000;
const TASK_QUEUE_TYPES = [1, 2]; // TASK_QUEUE_TYPE_WORKFLOW, TASK_QUEUE_TYPE_ACTIVITY

async function otherDestinations(options: SyncWorkerOptions, own: string): Promise<string[]> {
  const seen = new Set<string>();
  for (const taskQueueType of TASK_QUEUE_TYPES) {
    const { pollers } = await options.connection.workflowService.describeTaskQueue({
      namespace: options.namespace,
      taskQueue: { name: options.taskQueue },
      taskQueueType,
    });
    for (const poller of pollers ?? []) {
      const lastMs = longToNumber(poller.lastAccessTime?.seconds) * 1000;
      const destination = IDENTITY_TAG.exec(poller.identity ?? '')?.[1];
      if (destination && destination !== own && Date.now() - lastMs < RECENT_POLL_MS) seen.add(destination);
    }
  }
  return [...seen];
}

/**
 * The worker that runs SyncWorkflow and its activities; the same one in production and in tests. It
 * refuses to start on a task queue that a worker with another destination polls: a run's activities go
 * to whichever worker polls, and two destinations on one queue would split the run's rows between them.
 */
export async function createSyncWorker(options: SyncWorkerOptions): Promise<Worker> {
  const destination = await readDestinationId(options.dependencies.pool, options.dependencies.schema);
  const others = await otherDestinations(options, destination);
  if (others.length > 0) {
    throw new ConfigError([
      `TEMPORAL_SYNC_TASK_QUEUE: task queue "${options.taskQueue}" in namespace "${options.namespace}" is polled by a ` +
        `temporal-sync worker that writes to another destination (${others.join(', ')}; this one is ${destination}, ` +
        `schema "${options.dependencies.schema}"): give each deployment its own task queue`,
    ]);
  }
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    identity: `${process.pid}@${os.hostname()} temporal-sync destination=${destination}`,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities({ ...options.dependencies, destination }),
    shutdownGraceTime: `${options.shutdownGraceSeconds ?? 30} seconds`,
    ...(options.shutdownForceSeconds ? { shutdownForceTime: `${options.shutdownForceSeconds} seconds` } : {}),
  });
}
