import type pg from 'pg';
import { qualified } from './identifiers';

/** terminated and timed_out: the run ended outside its own code, and a later sync closed its record. */
export type SyncRunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'terminated' | 'timed_out';
export type FinishedStatus = Exclude<SyncRunStatus, 'running'>;
/** Statuses that say the sync is unhealthy (a cancelled run was stopped on purpose). */
export const FAILED_STATUSES: readonly FinishedStatus[] = ['failed', 'terminated', 'timed_out'];

export interface RunRecord {
  id: string;
  namespace: string;
  workflowId: string;
  runId: string;
  currentRunId: string | null;
  mode: string;
  streams: string[];
  status: SyncRunStatus;
  /** On the database's clock: passes compare synced_at with it. */
  startedAt: Date;
  destination: string | null;
  settings: Record<string, unknown>;
  continuedAsNew: number;
}

const RECORD = `id::text AS id, namespace, workflow_id AS "workflowId", run_id AS "runId",
  current_run_id AS "currentRunId", mode, streams, status, started_at AS "startedAt",
  destination::text AS destination, settings, continued_as_new AS "continuedAsNew"`;

export interface NewRun {
  namespace: string;
  workflowId: string;
  runId: string;
  mode: string;
  streams: string[];
  destination: string;
  settings: Record<string, unknown>;
}

/**
 * Inserts the run's record, or returns the existing one when the planning activity is retried, so a
 * run is recorded once; `created` says which.
 */
export async function beginRun(
  db: pg.PoolClient,
  schema: string,
  run: NewRun,
): Promise<RunRecord & { created: boolean }> {
  const { rows } = await db.query<RunRecord & { created: boolean }>(
    `INSERT INTO ${qualified(schema, 'sync_run')} AS r
       (namespace, workflow_id, run_id, current_run_id, mode, streams, status, destination, settings)
     VALUES ($1, $2, $3, $3, $4, $5, 'running', $6, $7)
     ON CONFLICT (workflow_id, run_id) DO UPDATE SET mode = r.mode
     RETURNING ${RECORD}, (xmax = 0) AS created`,
    [run.namespace, run.workflowId, run.runId, run.mode, run.streams, run.destination, JSON.stringify(run.settings)],
  );
  return rows[0]!;
}

/**
 * A run that ended before it had a plan (mode 'rejected' for refused input, else the mode it was asked
 * for): recorded as failed with the reason, so status and alerts see it.
 */
export async function recordRejectedRun(
  db: pg.Pool,
  schema: string,
  run: { namespace: string; workflowId: string; runId: string; mode: string; error: string },
): Promise<string> {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO ${qualified(schema, 'sync_run')} AS r
       (namespace, workflow_id, run_id, current_run_id, mode, streams, status, finished_at, error)
     VALUES ($1, $2, $3, $3, $4, '{}', 'failed', now(), $5)
     ON CONFLICT (workflow_id, run_id) DO UPDATE SET error = r.error
     RETURNING id::text AS id`,
    [run.namespace, run.workflowId, run.runId, run.mode, run.error.replaceAll('\u0000', '')],
  );
  return rows[0]!.id;
}

export async function loadRun(db: pg.Pool | pg.PoolClient, schema: string, id: string): Promise<RunRecord | undefined> {
  const { rows } = await db.query<RunRecord>(`SELECT ${RECORD} FROM ${qualified(schema, 'sync_run')} WHERE id = $1`, [
    id,
  ]);
  return rows[0];
}

/**
 * Hands a running sync from the run that continued it as new to the new run: only the run recorded
 * as holding it can hand it over, for the same workflow and destination. Idempotent for the new run.
 */
export async function handOverRun(
  db: pg.Pool,
  schema: string,
  handover: { id: string; workflowId: string; fromRunId: string; toRunId: string; destination: string },
): Promise<RunRecord | undefined> {
  const { rows } = await db.query<RunRecord>(
    `UPDATE ${qualified(schema, 'sync_run')}
     SET current_run_id = $4, continued_as_new = continued_as_new + CASE WHEN current_run_id = $4 THEN 0 ELSE 1 END
     WHERE id = $1 AND workflow_id = $2 AND status = 'running' AND destination = $5::uuid
       AND current_run_id IN ($3, $4)
     RETURNING ${RECORD}`,
    [handover.id, handover.workflowId, handover.fromRunId, handover.toRunId, handover.destination],
  );
  return rows[0];
}

export interface RunTotals {
  rowsPerStream: Record<string, number>;
  pagesPerStream: Record<string, number>;
  deletedPerStream: Record<string, number>;
}

/**
 * Closes a running record with what its partitions and passes committed, whatever way the run ended:
 * the counts are those of the pages written, not of what the workflow heard of. A record already
 * closed (a retried call) keeps its first ending. Returns the counts the record holds.
 */
export async function finishRun(
  db: pg.Pool,
  schema: string,
  run: { id: string; status: FinishedStatus; error: string | null },
): Promise<RunTotals & { status: SyncRunStatus }> {
  const partitions = qualified(schema, 'sync_partition');
  const passes = qualified(schema, 'sync_pass');
  await db.query(
    `WITH written AS (
       SELECT coalesce(jsonb_object_agg(stream, rows), '{}') AS rows, coalesce(jsonb_object_agg(stream, pages), '{}') AS pages
       FROM (SELECT stream, sum(rows)::bigint AS rows, sum(pages)::bigint AS pages FROM ${partitions}
             WHERE sync_run_id = $1 GROUP BY stream) s),
     deleted AS (SELECT coalesce(jsonb_object_agg(stream, deleted), '{}') AS deleted FROM ${passes} WHERE sync_run_id = $1)
     UPDATE ${qualified(schema, 'sync_run')}
     SET status = $2, finished_at = now(), error = $3,
         rows_per_stream = written.rows, pages_per_stream = written.pages, deleted_per_stream = deleted.deleted
     FROM written, deleted WHERE id = $1 AND status = 'running'`,
    [run.id, run.status, run.error === null ? null : run.error.replaceAll('\u0000', '')],
  );
  const { rows } = await db.query<RunTotals & { status: SyncRunStatus }>(
    `SELECT status, rows_per_stream AS "rowsPerStream", pages_per_stream AS "pagesPerStream",
            deleted_per_stream AS "deletedPerStream"
     FROM ${qualified(schema, 'sync_run')} WHERE id = $1`,
    [run.id],
  );
  return rows[0]!;
}

export interface RunningRecord {
  id: string;
  namespace: string;
  workflowId: string;
  /** The workflow run that holds the record (null for records of versions before it was kept). */
  currentRunId: string | null;
}

/** Records still `running`, of every namespace, oldest first: the candidates for reconciling with the server. */
export async function runningRuns(db: pg.Pool, schema: string, limit = 100): Promise<RunningRecord[]> {
  const { rows } = await db.query<RunningRecord>(
    `SELECT id::text AS id, namespace, workflow_id AS "workflowId", current_run_id AS "currentRunId"
     FROM ${qualified(schema, 'sync_run')} WHERE status = 'running' ORDER BY id LIMIT $1`,
    [limit],
  );
  return rows;
}

/** What an alert says of a run. */
export interface RunFacts {
  id: string;
  namespace: string;
  workflow_id: string;
  run_id: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  error: string | null;
  streams: string[];
}

export async function readRunFacts(db: pg.Pool, schema: string, id: string): Promise<RunFacts | undefined> {
  const { rows } = await db.query<RunFacts>(
    `SELECT id::text AS id, namespace, workflow_id, run_id, status, started_at, finished_at, error, streams
     FROM ${qualified(schema, 'sync_run')} WHERE id = $1`,
    [id],
  );
  return rows[0];
}

/** The newest completed run of a namespace, on the database's clock, and the clock itself. */
export async function readLastSuccess(
  db: pg.Pool,
  schema: string,
  namespace: string,
): Promise<{ now: Date; lastSuccessAt: Date | null }> {
  const { rows } = await db.query<{ now: Date; last: Date | null }>(
    `SELECT now() AS now, (SELECT max(finished_at) FROM ${qualified(schema, 'sync_run')}
                           WHERE namespace = $1 AND status = 'completed') AS last`,
    [namespace],
  );
  return { now: rows[0]!.now, lastSuccessAt: rows[0]!.last };
}

/** A finished run as status reports it. */
export interface FinishedRun {
  id: string;
  workflowId: string;
  mode: string;
  status: SyncRunStatus;
  startedAt: Date;
  finishedAt: Date;
  error: string | null;
  rowsPerStream: Record<string, number>;
}

/** Every namespace the tables know, with the streams its runs and cursors name. */
export async function namespacesAndStreams(
  db: pg.Pool,
  schema: string,
): Promise<Array<{ namespace: string; streams: string[] }>> {
  const { rows } = await db.query<{ namespace: string; streams: string[] }>(
    `SELECT namespace, array_agg(DISTINCT stream ORDER BY stream) AS streams FROM (
       SELECT namespace, stream FROM ${qualified(schema, 'sync_state')}
       UNION SELECT namespace, unnest(streams) FROM ${qualified(schema, 'sync_run')}
     ) s GROUP BY namespace ORDER BY namespace`,
  );
  return rows;
}

/** The newest finished run of a namespace with one of these statuses (and, if given, this stream). */
export async function latestFinishedRun(
  db: pg.Pool,
  schema: string,
  namespace: string,
  filter: { statuses: readonly SyncRunStatus[]; stream?: string },
): Promise<FinishedRun | undefined> {
  const { rows } = await db.query<FinishedRun>(
    `SELECT id::text AS id, workflow_id AS "workflowId", mode, status, started_at AS "startedAt",
            finished_at AS "finishedAt", error, rows_per_stream AS "rowsPerStream"
     FROM ${qualified(schema, 'sync_run')}
     WHERE namespace = $1 AND status = ANY($2::text[]) AND finished_at IS NOT NULL AND ($3::text IS NULL OR $3 = ANY(streams))
     ORDER BY finished_at DESC, id DESC LIMIT 1`,
    [namespace, filter.statuses, filter.stream ?? null],
  );
  return rows[0];
}

export async function countRunning(db: pg.Pool, schema: string, namespace: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM ${qualified(schema, 'sync_run')} WHERE namespace = $1 AND status = 'running'`,
    [namespace],
  );
  return rows[0]!.n;
}
