import { NON_RETRYABLE_ERROR_TYPES } from '../failures';
import type { ScheduleDefinitionInput } from './definition';

/** Retrying a whole sync cannot fix these: bad input, missing access, missing tables. */
const syncRetry = {
  initialInterval: '1m',
  backoffCoefficient: 2,
  maximumInterval: '10m',
  maximumAttempts: 3,
  nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
};

/**
 * The built-in schedules: an hourly incremental sync, a daily full sync that also marks rows whose
 * executions are gone, and a staleness check every 15 minutes (it alerts within a quarter of an hour
 * of TEMPORAL_SYNC_STALENESS_SECONDS running out). Each skips a run while the previous one is going.
 */
export const DEFAULT_SCHEDULES: readonly ScheduleDefinitionInput[] = [
  {
    id: 'temporal-sync-hourly-incremental',
    workflowType: 'SyncWorkflow',
    input: { mode: 'incremental' },
    spec: { cron: '0 * * * *', jitter: '1m' },
    policies: { overlap: 'SKIP', catchupWindow: '1h', pauseOnFailure: false },
    workflow: { retry: syncRetry, executionTimeout: '1h' },
  },
  {
    id: 'temporal-sync-daily-full',
    workflowType: 'SyncWorkflow',
    input: { mode: 'full' },
    // Off the hour, so it does not start together with the hourly run.
    spec: { cron: '30 3 * * *', jitter: '5m' },
    policies: { overlap: 'SKIP', catchupWindow: '6h', pauseOnFailure: false },
    workflow: { retry: syncRetry, executionTimeout: '12h' },
  },
  {
    id: 'temporal-sync-staleness-check',
    workflowType: 'StalenessCheckWorkflow',
    input: {},
    spec: { interval: { every: '15m' } },
    policies: { overlap: 'SKIP', catchupWindow: '15m', pauseOnFailure: false },
    workflow: { retry: { maximumAttempts: 3 }, executionTimeout: '5m' },
  },
];
