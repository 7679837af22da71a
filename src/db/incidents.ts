import type pg from 'pg';
import type { IncidentKind } from '../alerts/types';
import { qualified } from './identifiers';

export interface IncidentRow {
  id: string;
  namespace: string;
  kind: IncidentKind;
  /** What the incident is about within the namespace: a schedule, a workflow type; '' for the sync itself. */
  subject: string;
  opened_at: Date;
  last_seen_at: Date;
  closed_at: Date | null;
  occurrences: number;
  last_error: string | null;
  opened_by: string;
  closed_by: string | null;
}

/** An incident as the decision left it, and whether this event is one that sends a message. */
export interface IncidentChange {
  incident: IncidentRow;
  /** True for the event that opened (or closed) it, also when that event is retried. */
  notify: boolean;
}

const RETURNING = `id::text AS id, namespace, kind, subject, opened_at, last_seen_at, closed_at, occurrences, last_error,
  opened_by, closed_by`;

/**
 * Records a bad outcome in one statement: it opens the namespace's incident of this kind, or, when
 * one is open, counts a repeat (the partial unique index makes concurrent decisions meet on one row).
 * `event` names the outcome: the same event again (a retried activity) is not counted twice and gets
 * the same answer. `supersededBy` is SQL that, when true, means the outcome is old news: nothing opens.
 */
async function recordBad(
  db: pg.Pool,
  schema: string,
  args: {
    namespace: string;
    kind: IncidentKind;
    subject?: string;
    event: string;
    error: string;
    syncRunId: string | null;
  },
  supersededBy: string,
): Promise<IncidentChange | undefined> {
  const { rows } = await db.query<IncidentRow & { opened_by_this: boolean }>(
    `INSERT INTO ${qualified(schema, 'alert_incident')} AS i
       (namespace, kind, subject, last_error, opened_by, last_event, last_sync_run_id)
     SELECT $1, $2, $6, $3, $4, $4, $5::bigint WHERE NOT (${supersededBy})
     ON CONFLICT (namespace, kind, subject) WHERE closed_at IS NULL DO UPDATE SET
       last_seen_at = now(),
       occurrences = i.occurrences + CASE WHEN i.last_event = excluded.last_event THEN 0 ELSE 1 END,
       last_error = excluded.last_error,
       last_event = excluded.last_event,
       last_sync_run_id = GREATEST(i.last_sync_run_id, excluded.last_sync_run_id)
     RETURNING ${RETURNING}, opened_by = $4 AS opened_by_this`,
    [args.namespace, args.kind, args.error, args.event, args.syncRunId, args.subject ?? ''],
  );
  const row = rows[0];
  if (!row) return undefined;
  const { opened_by_this, ...incident } = row;
  return { incident, notify: opened_by_this };
}

/** A failed sync run: opens the namespace's 'sync_failed' incident, or is a repeat of the open one. */
export function recordFailedRun(
  db: pg.Pool,
  schema: string,
  run: { namespace: string; syncRunId: string; error: string },
): Promise<IncidentChange | undefined> {
  return recordBad(
    db,
    schema,
    { ...run, kind: 'sync_failed', event: `sync_run:${run.syncRunId}` },
    // A run started after this one already completed: the failure is no longer the news.
    `EXISTS (SELECT 1 FROM ${qualified(schema, 'sync_run')}
             WHERE namespace = $1 AND status = 'completed' AND id > $5::bigint)`,
  );
}

/** A stale check that found no recent success: opens the 'stale' incident, or is a repeat. */
export function recordStale(
  db: pg.Pool,
  schema: string,
  check: { namespace: string; event: string; error: string },
): Promise<IncidentChange | undefined> {
  return recordBad(db, schema, { ...check, kind: 'stale', syncRunId: null }, 'false');
}

/**
 * Closes the namespace's open incident of this kind; `event` names what closed it, so a retried
 * call finds the incident it closed and answers the same. For failures, `afterSyncRunId` keeps an
 * older run that finished late from closing an incident a newer run opened.
 */
export async function closeIncidents(
  db: pg.Pool,
  schema: string,
  args: { namespace: string; kind: IncidentKind; subject?: string; event: string; afterSyncRunId?: string },
): Promise<IncidentChange[]> {
  const { rows } = await db.query<IncidentRow>(
    `UPDATE ${qualified(schema, 'alert_incident')}
     SET closed_at = coalesce(closed_at, now()), closed_by = $3, last_seen_at = now()
     WHERE namespace = $1 AND kind = $2 AND subject = $5
       AND ((closed_at IS NULL AND ($4::bigint IS NULL OR coalesce(last_sync_run_id, 0) < $4::bigint))
            OR closed_by = $3)
     RETURNING ${RETURNING}`,
    [args.namespace, args.kind, args.event, args.afterSyncRunId ?? null, args.subject ?? ''],
  );
  return rows.map((incident) => ({ incident, notify: true }));
}

/** Records that the webhook accepted the message, for `npm run status` and for operators. */
export async function markNotified(
  db: pg.Pool,
  schema: string,
  incidentId: string,
  event: 'opened' | 'closed',
): Promise<void> {
  const column = event === 'opened' ? 'open_notified_at' : 'close_notified_at';
  await db.query(`UPDATE ${qualified(schema, 'alert_incident')} SET ${column} = now() WHERE id = $1`, [incidentId]);
}

export interface OpenIncident {
  id: string;
  kind: IncidentKind;
  subject: string;
  openedAt: Date;
  lastSeenAt: Date;
  occurrences: number;
  lastError: string | null;
  notifiedAt: Date | null;
}

export async function openIncidents(db: pg.Pool, schema: string, namespace: string): Promise<OpenIncident[]> {
  const { rows } = await db.query<OpenIncident>(
    `SELECT id::text AS id, kind, subject, opened_at AS "openedAt", last_seen_at AS "lastSeenAt", occurrences,
            last_error AS "lastError", open_notified_at AS "notifiedAt"
     FROM ${qualified(schema, 'alert_incident')} WHERE namespace = $1 AND closed_at IS NULL ORDER BY opened_at, subject`,
    [namespace],
  );
  return rows;
}

/**
 * A problem found in the data of a completed run (a schedule that missed fires, a workflow type with stuck
 * runs): opens the incident of its kind and subject, or is a repeat of the open one. `event` is the run.
 */
export function recordDataProblem(
  db: pg.Pool,
  schema: string,
  problem: { namespace: string; kind: IncidentKind; subject: string; event: string; error: string; syncRunId: string },
): Promise<IncidentChange | undefined> {
  return recordBad(db, schema, problem, 'false');
}

/** The subjects of a namespace's open incidents of a kind. */
export async function openSubjects(
  db: pg.Pool,
  schema: string,
  namespace: string,
  kind: IncidentKind,
): Promise<string[]> {
  const { rows } = await db.query<{ subject: string }>(
    `SELECT subject FROM ${qualified(schema, 'alert_incident')}
     WHERE namespace = $1 AND kind = $2 AND closed_at IS NULL ORDER BY subject`,
    [namespace, kind],
  );
  return rows.map((row) => row.subject);
}
