/**
 * What the schedules setup command needs to run the staleness check: a schedule that starts
 * StalenessCheckWorkflow (no input) on the worker's task queue. Every 15 minutes finds stale data
 * within a quarter of an hour of the window running out; overlapping checks are pointless (skip).
 */
export const STALENESS_CHECK_SCHEDULE = {
  scheduleId: 'temporal-sync-staleness-check',
  workflowType: 'StalenessCheckWorkflow',
  input: {},
  every: '15 minutes',
  overlap: 'SKIP',
} as const;
