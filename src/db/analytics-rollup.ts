import type pg from 'pg';
import { qualified } from './identifiers';

/**
 * Recomputes the rolled-up buckets of workflow_stats_hourly and workflow_stats_daily (migration 032)
 * for a namespace: every hour (and UTC day) from the one holding `from` (or the rollup's old end, if
 * earlier) up to the current hour, which stays live. `from` null recomputes every bucket. Runs in
 * the caller's transaction; a concurrent refresh of the same namespace waits for it.
 */
export async function refreshWorkflowStats(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
  from: Date | null,
): Promise<void> {
  await db.query(`SELECT ${qualified(schema, 'workflow_stats_refresh')}($1, coalesce($2::timestamptz, '-infinity'))`, [
    namespace,
    from,
  ]);
}

/** What the last refresh of a namespace did, or null if it was never rolled up. */
export interface RollupState {
  through: Date;
  refreshedAt: Date;
  refreshedFrom: Date | null;
  refreshedHours: number;
  refreshedDays: number;
}

export async function readRollupState(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
): Promise<RollupState | null> {
  const { rows } = await db.query<RollupState>(
    `SELECT through, refreshed_at AS "refreshedAt", refreshed_from AS "refreshedFrom",
            refreshed_hours AS "refreshedHours", refreshed_days AS "refreshedDays"
     FROM ${qualified(schema, 'workflow_stats_rollup_state')} WHERE namespace = $1`,
    [namespace],
  );
  return rows[0] ?? null;
}
