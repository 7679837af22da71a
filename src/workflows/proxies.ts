import type { RetryPolicy } from '@temporalio/common';
import { ActivityCancellationType, proxyActivities } from '@temporalio/workflow';
import type { SyncActivities } from '../activities';
import { NON_RETRYABLE_ERROR_TYPES } from '../failures';
import type { ParsedSyncInput } from './input';

const retry: RetryPolicy = {
  initialInterval: '1 second',
  backoffCoefficient: 2,
  maximumInterval: '1 minute',
  maximumAttempts: 20,
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
};

/** SyncWorkflow's activities with the timeouts and retries each kind needs. */
export function syncActivities(input: ParsedSyncInput) {
  const chunks = proxyActivities<SyncActivities>({
    startToCloseTimeout: `${input.activityMaxSeconds + 300} seconds`,
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds} seconds`,
    // A cancelled sync waits for its chunks to stop at a page boundary, so what it records is final.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry,
  });
  // Planning counts the source in time windows to split big passes, within the visibility budget.
  const planning = proxyActivities<SyncActivities>({
    startToCloseTimeout: '15 minutes',
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds} seconds`,
    retry,
  });
  const bookkeeping = proxyActivities<SyncActivities>({ startToCloseTimeout: '2 minutes', retry });
  const alerting = proxyActivities<SyncActivities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '60 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 6, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
  });
  return {
    planSyncRun: planning.planSyncRun,
    resumeSyncRun: bookkeeping.resumeSyncRun,
    reconcileRuns: alerting.reconcileRuns,
    syncPartition: chunks.syncPartition,
    completeStream: bookkeeping.completeStream,
    finishSyncRun: bookkeeping.finishSyncRun,
    recordRejectedRun: bookkeeping.recordRejectedRun,
    decideOnOutcome: alerting.decideOnOutcome,
  };
}

export type SyncWorkflowActivities = ReturnType<typeof syncActivities>;
