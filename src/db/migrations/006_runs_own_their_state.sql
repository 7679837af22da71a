-- A sync run's state lives here, not in workflow input: the plan (each stream's pass and its
-- partitions), every partition's checkpoint, committed in the same transaction as its page's rows,
-- and the destination the run was planned for. Continue-as-new carries only the run's ID, which the
-- activities check against these rows.

-- One row: the identity of this destination (database and schema). A run planned here may only be
-- written here; workers announce it on their task queue, so two destinations on one queue are seen.
CREATE TABLE {{schema}}.installation (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  created_at timestamptz NOT NULL DEFAULT now(),
  singleton boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton)
);
INSERT INTO {{schema}}.installation DEFAULT VALUES;

ALTER TABLE {{schema}}.sync_run
  ADD COLUMN destination uuid,
  -- The workflow run that holds the sync now: only it may continue the sync as new.
  ADD COLUMN current_run_id text,
  ADD COLUMN continued_as_new integer NOT NULL DEFAULT 0,
  -- The settings the run was planned with (page size, partitions at once, visibility budget, ...).
  ADD COLUMN settings jsonb NOT NULL DEFAULT '{}';
ALTER TABLE {{schema}}.sync_run DROP CONSTRAINT sync_run_status_check;
-- terminated and timed_out: the run ended outside its own code; a later sync reconciles the record.
ALTER TABLE {{schema}}.sync_run ADD CONSTRAINT sync_run_status_check
  CHECK (status IN ('running', 'completed', 'failed', 'cancelled', 'terminated', 'timed_out'));

-- One pass of one stream in a run: planned once, completed once (cursor moved, deletions marked).
CREATE TABLE {{schema}}.sync_pass (
  sync_run_id bigint NOT NULL REFERENCES {{schema}}.sync_run (id) ON DELETE CASCADE,
  stream text NOT NULL,
  full_pass boolean NOT NULL,
  query text NOT NULL,
  deleted bigint NOT NULL DEFAULT 0,
  completed_at timestamptz,
  PRIMARY KEY (sync_run_id, stream)
);

-- A disjoint slice of a pass (a StartTime range), read page by page. page_token is the position
-- after the last committed page; pages and rows count what this partition has written.
CREATE TABLE {{schema}}.sync_partition (
  sync_run_id bigint NOT NULL,
  stream text NOT NULL,
  partition integer NOT NULL,
  query text NOT NULL,
  page_token bytea,
  pages integer NOT NULL DEFAULT 0,
  rows bigint NOT NULL DEFAULT 0,
  rejected bigint NOT NULL DEFAULT 0,
  done boolean NOT NULL DEFAULT false,
  -- The pages at which a retried attempt picked the partition up again (after a crash or timeout).
  resumed_at_pages integer[] NOT NULL DEFAULT '{}',
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (sync_run_id, stream, partition),
  FOREIGN KEY (sync_run_id, stream) REFERENCES {{schema}}.sync_pass (sync_run_id, stream) ON DELETE CASCADE
);
