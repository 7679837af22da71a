export { SyncWorkflow, progressQuery } from './sync-workflow';
