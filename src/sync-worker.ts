import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type SyncDependencies } from './activities';

export interface SyncWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  dependencies: SyncDependencies;
  /** A prebuilt bundle (production, tests that start many workers); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  shutdownGraceSeconds?: number;
  /** After this, run() gives up waiting for activities and throws, so the process can still exit before a SIGKILL. */
  shutdownForceSeconds?: number;
}

export const WORKFLOWS_PATH = require.resolve('./workflows');

/** The worker that runs SyncWorkflow and its activities; the same one in production and in tests. */
export function createSyncWorker(options: SyncWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(options.dependencies),
    shutdownGraceTime: `${options.shutdownGraceSeconds ?? 30} seconds`,
    ...(options.shutdownForceSeconds ? { shutdownForceTime: `${options.shutdownForceSeconds} seconds` } : {}),
  });
}
