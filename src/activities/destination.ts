import { ApplicationFailure } from '@temporalio/common';
import { NonRetryable } from '../failures';
import type { SyncDependencies } from './dependencies';

/**
 * Fails when a run's activity reached a worker that writes elsewhere than the run was planned for (two
 * deployments with different databases or schemas on one task queue). The page work fails for good, so
 * the run fails loudly instead of splitting its rows; the run's bookkeeping retries, to reach a worker of
 * its own destination and record the failure there.
 */
export function checkDestination(
  deps: Pick<SyncDependencies, 'destination' | 'schema'>,
  request: { syncRunId: string; destination?: string | undefined },
  { retryable = false } = {},
): void {
  if (request.destination === undefined || request.destination === deps.destination) return;
  throw ApplicationFailure.create({
    type: retryable ? 'DestinationElsewhere' : NonRetryable.DestinationMismatch,
    nonRetryable: !retryable,
    message:
      `sync_run ${request.syncRunId} was planned for destination ${request.destination}, but this worker writes to ` +
      `destination ${deps.destination} (schema "${deps.schema}"): two deployments with different databases or schemas ` +
      'poll the same task queue; give each its own TEMPORAL_SYNC_TASK_QUEUE',
  });
}
