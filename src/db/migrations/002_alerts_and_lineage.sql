-- Lineage: the sync run that last wrote each row (joins to sync_run.id). NULL for rows written
-- before this migration. No foreign key: it would add a lookup per row to every page's upsert.
ALTER TABLE {{schema}}.workflow ADD COLUMN sync_run_id bigint;
ALTER TABLE {{schema}}.schedule ADD COLUMN sync_run_id bigint;

-- One row per incident: a stretch of failed syncs, or of staleness, for one namespace. An alert
-- goes out when an incident opens and when it closes, never for the repeats in between.
CREATE TABLE {{schema}}.alert_incident (
  id bigserial PRIMARY KEY,
  namespace text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('sync_failed', 'stale')),
  opened_at timestamptz NOT NULL DEFAULT now(),
  last_seen_at timestamptz NOT NULL DEFAULT now(),
  closed_at timestamptz,
  -- How many outcomes (failed runs, stale checks) the incident has seen.
  occurrences integer NOT NULL DEFAULT 1,
  last_error text,
  -- The event that opened, last touched and closed it (a sync_run id or a check's workflow run):
  -- a retried decision recognises its own event and gives the same answer again.
  opened_by text NOT NULL,
  last_event text NOT NULL,
  closed_by text,
  -- For failures: the newest failed sync_run.id; only a run started after it can close the incident.
  last_sync_run_id bigint,
  -- When the webhook accepted the opening and the closing message (NULL: not sent, or no webhook).
  open_notified_at timestamptz,
  close_notified_at timestamptz
);
-- At most one open incident per namespace and kind: concurrent decisions meet on this index.
CREATE UNIQUE INDEX alert_incident_open_idx ON {{schema}}.alert_incident (namespace, kind) WHERE closed_at IS NULL;
CREATE INDEX sync_run_namespace_finished_idx ON {{schema}}.sync_run (namespace, status, finished_at DESC);
