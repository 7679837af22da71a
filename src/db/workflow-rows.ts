import type { JsonValue } from '../json';
import type { TableSpec } from './rows';

/** One row of the `workflow` table, as the source reports it. Column names follow the seed connector. */
export interface WorkflowRow {
  namespace: string;
  workflow_id: string;
  run_id: string;
  workflow_type: string | null;
  start_time: string | null;
  execution_time: string | null;
  close_time: string | null;
  status: string;
  task_queue: string | null;
  execution_time_seconds: number | null;
  history_length: number | null;
  history_size_bytes: number | null;
  state_transition_count: number | null;
  parent_workflow_id: string | null;
  parent_run_id: string | null;
  root_workflow_id: string | null;
  root_run_id: string | null;
  memo: Record<string, JsonValue> | null;
  search_attributes: Record<string, JsonValue> | null;
  first_run_id: string | null;
  /** The server's own duration of a closed run. */
  execution_duration_seconds: number | null;
  worker_deployment_name: string | null;
  worker_deployment_build_id: string | null;
  versioning_behavior: string | null;
  priority_key: number | null;
  fairness_key: string | null;
  fairness_weight: number | null;
  external_payload_size_bytes: number | null;
  external_payload_count: number | null;
  /** When the page holding this view was asked for: of two views of a run, the later read wins. */
  read_at: string;
}

export const workflowTable: TableSpec<WorkflowRow> = {
  table: 'workflow',
  columns: [
    ['namespace', 'text'],
    ['workflow_id', 'text'],
    ['run_id', 'text'],
    ['workflow_type', 'text'],
    ['start_time', 'timestamptz'],
    ['execution_time', 'timestamptz'],
    ['close_time', 'timestamptz'],
    ['status', 'text'],
    ['task_queue', 'text'],
    ['execution_time_seconds', 'double precision'],
    ['history_length', 'bigint'],
    ['history_size_bytes', 'bigint'],
    ['state_transition_count', 'bigint'],
    ['parent_workflow_id', 'text'],
    ['parent_run_id', 'text'],
    ['root_workflow_id', 'text'],
    ['root_run_id', 'text'],
    ['memo', 'jsonb'],
    ['search_attributes', 'jsonb'],
    ['first_run_id', 'text'],
    ['execution_duration_seconds', 'double precision'],
    ['worker_deployment_name', 'text'],
    ['worker_deployment_build_id', 'text'],
    ['versioning_behavior', 'text'],
    ['priority_key', 'integer'],
    ['fairness_key', 'text'],
    ['fairness_weight', 'double precision'],
    ['external_payload_size_bytes', 'bigint'],
    ['external_payload_count', 'bigint'],
    ['read_at', 'timestamptz'],
  ],
  key: ['namespace', 'workflow_id', 'run_id'],
  // A closed run never reopens, so a running view cannot be newer than a closed one. Between two views
  // of the same kind the later read wins, in whatever order overlapping passes write them: visibility
  // reports no counters (state transitions, history length) while a run is open, so the read time is
  // the only order there is. A row from before read_at existed takes any view.
  staleWhen: `(t.close_time IS NOT NULL AND excluded.close_time IS NULL)
    OR ((t.close_time IS NULL) = (excluded.close_time IS NULL) AND excluded.read_at < t.read_at)`,
};
