import { createAlertActivities } from './alerts';
import type { SyncDependencies } from './dependencies';
import { guardAll } from './errors';
import { syncPartitionChunk } from './partitions';
import { createRunActivities } from './runs';
import type { PartitionProgress, PartitionRequest } from './types';

export type { SyncDependencies } from './dependencies';

/** The activities of SyncWorkflow and the alerting workflows, bound to their dependencies (a pool, source clients). */
export function createActivities(deps: SyncDependencies) {
  return guardAll(
    {
      ...createRunActivities(deps),
      syncPartition: (request: PartitionRequest): Promise<PartitionProgress> => syncPartitionChunk(deps, request),
      ...createAlertActivities(deps),
    },
    deps.secrets,
  );
}

export type SyncActivities = ReturnType<typeof createActivities>;
