export { SyncWorkflow, progressQuery } from './sync-workflow';
export { AlertWorkflow } from './alert-workflow';
export { StalenessCheckWorkflow } from './staleness-check';
