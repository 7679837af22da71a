-- Tables of the first connector. {{schema}} is replaced by the configured schema, quoted.

CREATE TABLE {{schema}}.workflow (
  namespace text NOT NULL,
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  workflow_type text,
  start_time timestamptz,
  execution_time timestamptz,
  close_time timestamptz,
  status text NOT NULL,
  task_queue text,
  execution_time_seconds double precision,
  history_length bigint,
  history_size_bytes bigint,
  state_transition_count bigint,
  parent_workflow_id text,
  parent_run_id text,
  root_workflow_id text,
  root_run_id text,
  memo jsonb,
  search_attributes jsonb,
  synced_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (namespace, workflow_id, run_id)
);
CREATE INDEX workflow_close_time_idx ON {{schema}}.workflow (namespace, close_time);
CREATE INDEX workflow_synced_at_idx ON {{schema}}.workflow (namespace, synced_at) WHERE deleted_at IS NULL;

CREATE TABLE {{schema}}.schedule (
  namespace text NOT NULL,
  schedule_id text NOT NULL,
  paused boolean NOT NULL,
  note text,
  next_action_times jsonb,
  recent_actions jsonb,
  schedule_spec jsonb,
  schedule_action jsonb,
  search_attributes jsonb,
  memo jsonb,
  overlap_policy text,
  catchup_window_seconds double precision,
  pause_on_failure boolean,
  remaining_actions bigint,
  num_actions_taken bigint NOT NULL DEFAULT 0,
  num_actions_missed_catchup_window bigint NOT NULL DEFAULT 0,
  num_actions_skipped_overlap bigint NOT NULL DEFAULT 0,
  running_workflows jsonb,
  created_at timestamptz,
  last_updated_at timestamptz,
  synced_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  PRIMARY KEY (namespace, schedule_id)
);

CREATE TABLE {{schema}}.sync_state (
  namespace text NOT NULL,
  stream text NOT NULL,
  cursor timestamptz,
  last_full_sync_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (namespace, stream)
);

CREATE TABLE {{schema}}.sync_run (
  id bigserial PRIMARY KEY,
  namespace text NOT NULL,
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  mode text NOT NULL,
  streams text[] NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  rows_per_stream jsonb NOT NULL DEFAULT '{}',
  pages_per_stream jsonb NOT NULL DEFAULT '{}',
  deleted_per_stream jsonb NOT NULL DEFAULT '{}',
  error text,
  UNIQUE (workflow_id, run_id)
);
CREATE INDEX sync_run_namespace_started_idx ON {{schema}}.sync_run (namespace, started_at DESC);
