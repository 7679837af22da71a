-- What the server forgets and the tables keep: every schedule fire, the counter changes between two
-- describes of a schedule, why long-open runs are not progressing, and the newer execution fields.

-- Newer execution fields. NULL where the server does not send them (older servers; priority and
-- first_run_id are not in the listing of server 1.29) or reports the proto default (0, empty).
ALTER TABLE {{schema}}.workflow
  ADD COLUMN first_run_id text,
  -- The server's own duration of a closed run (execution_time_seconds is close minus start time).
  ADD COLUMN execution_duration_seconds double precision,
  ADD COLUMN worker_deployment_name text,
  ADD COLUMN worker_deployment_build_id text,
  ADD COLUMN versioning_behavior text,
  ADD COLUMN priority_key integer,
  ADD COLUMN fairness_key text,
  ADD COLUMN fairness_weight double precision,
  ADD COLUMN external_payload_size_bytes bigint,
  ADD COLUMN external_payload_count bigint;

ALTER TABLE {{schema}}.schedule ADD COLUMN num_actions_buffer_dropped bigint NOT NULL DEFAULT 0;

-- One row per fire: the run a schedule started, from the workflow listing (runs a schedule starts
-- carry TemporalScheduledById and TemporalScheduledStartTime), so no fire is lost however often it
-- fires; DescribeSchedule keeps only the last 10. A fire's workflow ID is unique within its schedule
-- (it ends in the scheduled time); its later runs (retries, continue-as-new) are not fires.
CREATE TABLE {{schema}}.schedule_fire (
  namespace text NOT NULL,
  schedule_id text NOT NULL,
  workflow_id text NOT NULL,
  -- The run the fire started (the first of its chain); for the chain's outcome join workflow on workflow_id.
  run_id text NOT NULL,
  workflow_type text,
  scheduled_time timestamptz,
  actual_start_time timestamptz NOT NULL,
  -- The started run's status when the fire was last read (RUNNING, COMPLETED, CONTINUED_AS_NEW, ...).
  start_status text NOT NULL,
  read_at timestamptz NOT NULL,
  synced_at timestamptz NOT NULL DEFAULT now(),
  sync_run_id bigint,
  deleted_at timestamptz,
  PRIMARY KEY (namespace, schedule_id, workflow_id)
);
CREATE INDEX schedule_fire_scheduled_idx ON {{schema}}.schedule_fire (namespace, schedule_id, scheduled_time);

-- Counter changes between two describes of a schedule: fires missed (catch-up window), skipped
-- (overlap policy) or dropped (buffer full) between window_start and window_end. window_start is
-- NULL for what a schedule had counted before its first describe (since it was created).
CREATE TABLE {{schema}}.schedule_event (
  id bigserial PRIMARY KEY,
  namespace text NOT NULL,
  schedule_id text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('missed_catchup_window', 'skipped_overlap', 'buffer_dropped')),
  count bigint NOT NULL CHECK (count > 0),
  window_start timestamptz,
  window_end timestamptz NOT NULL,
  overlap_policy text,
  catchup_window_seconds double precision,
  -- The schedule's action count at window_end: it fires normally again once the count moves on.
  actions_taken bigint NOT NULL,
  sync_run_id bigint,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX schedule_event_window_idx ON {{schema}}.schedule_event (namespace, window_end);
CREATE INDEX schedule_event_run_idx ON {{schema}}.schedule_event (sync_run_id);

-- In the database, so every way a schedule row is written (any writer, any worker version) records
-- the events, in the transaction that writes the row. Counters only grow while a schedule lives; a
-- schedule re-created under the same ID (a new create time) starts from zero.
CREATE FUNCTION {{schema}}.record_schedule_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  same_schedule boolean := TG_OP = 'UPDATE' AND OLD.created_at IS NOT DISTINCT FROM NEW.created_at;
BEGIN
  INSERT INTO {{schema}}.schedule_event
    (namespace, schedule_id, kind, count, window_start, window_end, overlap_policy, catchup_window_seconds,
     actions_taken, sync_run_id)
  SELECT NEW.namespace, NEW.schedule_id, change.kind, change.count,
         CASE WHEN same_schedule THEN OLD.described_at END, coalesce(NEW.described_at, now()),
         NEW.overlap_policy, NEW.catchup_window_seconds, NEW.num_actions_taken, NEW.sync_run_id
  FROM (VALUES
    ('missed_catchup_window', NEW.num_actions_missed_catchup_window
       - CASE WHEN same_schedule THEN OLD.num_actions_missed_catchup_window ELSE 0 END),
    ('skipped_overlap', NEW.num_actions_skipped_overlap
       - CASE WHEN same_schedule THEN OLD.num_actions_skipped_overlap ELSE 0 END),
    ('buffer_dropped', NEW.num_actions_buffer_dropped
       - CASE WHEN same_schedule THEN OLD.num_actions_buffer_dropped ELSE 0 END)
  ) AS change (kind, count)
  WHERE change.count > 0;
  RETURN NULL;
END $$;
CREATE TRIGGER schedule_counters_changed AFTER INSERT OR UPDATE ON {{schema}}.schedule
  FOR EACH ROW EXECUTE FUNCTION {{schema}}.record_schedule_events();

-- Runs open longer than the stuck age, as their last DescribeWorkflowExecution found them: whether
-- they are stuck (the server reports problems, the workflow task or an activity keeps failing), and
-- their pending activities. Rows stay after the run closes: how it got stuck.
CREATE TABLE {{schema}}.stuck_workflow (
  namespace text NOT NULL,
  workflow_id text NOT NULL,
  run_id text NOT NULL,
  workflow_type text,
  task_queue text,
  start_time timestamptz,
  stuck boolean NOT NULL,
  -- TemporalReportedProblems ("category=…", "cause=…"), on servers that set it.
  reported_problems jsonb,
  workflow_task_attempt integer,
  workflow_task_state text,
  workflow_task_scheduled_time timestamptz,
  pending_activity_count integer NOT NULL,
  -- One object per pending activity; the stuck_activity view has them as rows.
  pending_activities jsonb NOT NULL,
  described_at timestamptz NOT NULL,
  synced_at timestamptz NOT NULL DEFAULT now(),
  sync_run_id bigint,
  deleted_at timestamptz,
  PRIMARY KEY (namespace, workflow_id, run_id)
);
CREATE INDEX stuck_workflow_type_idx ON {{schema}}.stuck_workflow (namespace, workflow_type) WHERE stuck;

CREATE VIEW {{schema}}.stuck_activity AS
SELECT s.namespace, s.workflow_id, s.run_id, s.workflow_type, s.stuck, s.described_at, a.*
FROM {{schema}}.stuck_workflow s
CROSS JOIN LATERAL jsonb_to_recordset(s.pending_activities) AS a (
  activity_id text, activity_type text, state text, attempt integer, maximum_attempts integer,
  last_failure_message text, last_failure_type text, last_heartbeat_time timestamptz,
  scheduled_time timestamptz, last_started_time timestamptz, last_worker_identity text
);

-- Alerts about data (a schedule, a workflow type) name what they are about: one open incident per
-- namespace, kind and subject ('' for the sync's own kinds).
ALTER TABLE {{schema}}.alert_incident ADD COLUMN subject text NOT NULL DEFAULT '';
ALTER TABLE {{schema}}.alert_incident DROP CONSTRAINT alert_incident_kind_check;
ALTER TABLE {{schema}}.alert_incident ADD CONSTRAINT alert_incident_kind_check
  CHECK (kind IN ('sync_failed', 'stale', 'schedule_missed', 'schedule_skipped', 'stuck_workflows'));
DROP INDEX {{schema}}.alert_incident_open_idx;
CREATE UNIQUE INDEX alert_incident_open_idx ON {{schema}}.alert_incident (namespace, kind, subject)
  WHERE closed_at IS NULL;
