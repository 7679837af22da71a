import type pg from 'pg';
import type { Freshness } from '../report/model';
import { qualified } from './identifiers';

export async function readFreshness(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
): Promise<Freshness[]> {
  const { rows } = await db.query<{
    stream: string;
    last_success_at: Date | null;
    seconds_since_success: number | null;
    last_success_mode: string | null;
    last_run_status: string | null;
    last_failure_at: Date | null;
    last_failure_error: string | null;
  }>(
    `SELECT stream, last_success_at, seconds_since_success, last_success_mode, last_run_status, last_failure_at,
            last_failure_error
     FROM ${qualified(schema, 'sync_freshness')} WHERE namespace = $1 ORDER BY stream`,
    [namespace],
  );
  return rows.map((row) => ({
    stream: row.stream,
    lastSuccessAt: row.last_success_at,
    secondsSinceSuccess: row.seconds_since_success,
    lastSuccessMode: row.last_success_mode,
    lastRunStatus: row.last_run_status,
    lastFailureAt: row.last_failure_at,
    lastFailureError: row.last_failure_error,
  }));
}

/** Whether the tables know the namespace at all: any run, or any sync of it. */
export async function namespaceIsKnown(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
): Promise<boolean> {
  const { rows } = await db.query<{ known: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM ${qualified(schema, 'workflow')} WHERE namespace = $1)
         OR EXISTS (SELECT 1 FROM ${qualified(schema, 'sync_state')} WHERE namespace = $1)
         OR EXISTS (SELECT 1 FROM ${qualified(schema, 'sync_run')} WHERE namespace = $1) AS known`,
    [namespace],
  );
  return rows[0]!.known;
}

/** The namespaces the syncs have written, for a message that names the choices. */
export async function listNamespaces(db: pg.Pool | pg.PoolClient, schema: string): Promise<string[]> {
  const { rows } = await db.query<{ namespace: string }>(
    `SELECT namespace FROM ${qualified(schema, 'sync_state')}
     UNION SELECT namespace FROM ${qualified(schema, 'sync_run')} ORDER BY 1`,
  );
  return rows.map((row) => row.namespace);
}
