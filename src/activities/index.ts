import type { AlertMessage, OutcomeRequest, StalenessCheckRequest } from '../alerts/types';
import { checkStaleness, decideOnOutcome, deliverAlert, reconcileRuns } from './alerts';
import type { SyncDependencies } from './dependencies';
import { guardAll } from './errors';
import { syncPartitionChunk } from './partitions';
import { completeStream, finishSyncRun, planSyncRun, recordRejected, resumeSyncRun } from './runs';
import type { FinishRequest, PartitionRequest, PlanRequest, RejectedRunRequest, ResumeRequest, RunRef } from './types';

export type { SyncDependencies } from './dependencies';

/**
 * The activities of SyncWorkflow and the alerting workflows, bound to their dependencies (a pool, source
 * clients). The names are the activity types the workflows call and their recorded histories hold.
 */
export function createActivities(deps: SyncDependencies) {
  return guardAll(
    {
      planSyncRun: (request: PlanRequest) => planSyncRun(deps, request),
      resumeSyncRun: (request: ResumeRequest) => resumeSyncRun(deps, request),
      recordRejectedRun: (request: RejectedRunRequest) => recordRejected(deps, request),
      syncPartition: (request: PartitionRequest) => syncPartitionChunk(deps, request),
      completeStream: (request: RunRef & { stream: string }) => completeStream(deps, request),
      finishSyncRun: (request: FinishRequest) => finishSyncRun(deps, request),
      reconcileRuns: (request: { namespace?: string | undefined }) => reconcileRuns(deps, request),
      decideOnOutcome: (request: OutcomeRequest & { destination?: string }) => decideOnOutcome(deps, request),
      checkStaleness: (request: StalenessCheckRequest) => checkStaleness(deps, request),
      deliverAlert: (message: AlertMessage) => deliverAlert(deps, message),
    },
    deps.secrets,
  );
}

export type SyncActivities = ReturnType<typeof createActivities>;
