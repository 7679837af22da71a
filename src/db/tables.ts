import type { WorkflowRow } from '../source/executions';
import type { ScheduleRow } from '../source/schedules';
import type { TableSpec } from './upsert';

/** A workflow row with the time its page was asked for: of two views of a run, the later read wins. */
export type ReadWorkflowRow = WorkflowRow & { read_at: string };

export const workflowTable: TableSpec<ReadWorkflowRow> = {
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

/** A schedule row with the digest of the list entry it was described from (see schedule-listing.ts), and when. */
export type ListedScheduleRow = ScheduleRow & { list_fingerprint: string | null; described_at: string };

export const scheduleTable: TableSpec<ListedScheduleRow> = {
  table: 'schedule',
  columns: [
    ['namespace', 'text'],
    ['schedule_id', 'text'],
    ['paused', 'boolean'],
    ['note', 'text'],
    ['next_action_times', 'jsonb'],
    ['recent_actions', 'jsonb'],
    ['schedule_spec', 'jsonb'],
    ['schedule_action', 'jsonb'],
    ['search_attributes', 'jsonb'],
    ['memo', 'jsonb'],
    ['overlap_policy', 'text'],
    ['catchup_window_seconds', 'double precision'],
    ['pause_on_failure', 'boolean'],
    ['remaining_actions', 'bigint'],
    ['num_actions_taken', 'bigint'],
    ['num_actions_missed_catchup_window', 'bigint'],
    ['num_actions_skipped_overlap', 'bigint'],
    ['running_workflows', 'jsonb'],
    ['created_at', 'timestamptz'],
    ['last_updated_at', 'timestamptz'],
    ['list_fingerprint', 'text'],
    ['described_at', 'timestamptz'],
  ],
  key: ['namespace', 'schedule_id'],
  // A schedule re-created under the same ID starts again; otherwise its counters and update time only grow.
  staleWhen: `excluded.created_at < t.created_at OR (excluded.created_at = t.created_at AND (
    excluded.num_actions_taken < t.num_actions_taken
    OR coalesce(excluded.last_updated_at, '-infinity') < coalesce(t.last_updated_at, '-infinity')))`,
};
