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

/**
 * How long the refresh of every bucket may take when a pass completes. completeStream has 2 minutes
 * for the whole completion, and recomputing a namespace costs about 10 s per million runs (measured,
 * docs/analytics.md), so this holds about 6 million; a bigger namespace falls back as below.
 */
export const FULL_REFRESH_BUDGET_MS = 60_000;

/** What the refresh after a pass recomputed: its since on, every bucket, or a fallback (see refreshAfterPass). */
export type RollupRefresh = 'since' | 'all' | 'since, as all took too long' | 'live, as all took too long';

const QUERY_CANCELED = '57014';
const SAVEPOINT = 'temporal_sync_rollup';

/**
 * The refresh a completed workflows pass makes, in its transaction: from the pass's `since` for an
 * incremental pass; every bucket for a full pass (or one planned without a since), unless that
 * takes longer than `budgetMs`. Then it falls back to the pass's `since` when it has one (what the
 * pass changed lies after it, except runs visibility showed later than the look-back), and
 * otherwise takes the namespace out of the rollup, so its stats are aggregated live: slower, exact.
 */
export async function refreshAfterPass(
  client: pg.PoolClient,
  schema: string,
  namespace: string,
  pass: { full: boolean; since: Date | null },
  budgetMs = FULL_REFRESH_BUDGET_MS,
): Promise<RollupRefresh> {
  if (!pass.full && pass.since) {
    await refreshWorkflowStats(client, schema, namespace, pass.since);
    return 'since';
  }
  await client.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    // Local to the transaction: undone by the rollback to the savepoint, and set back after success.
    const { rows } = await client.query<{ timeout: string }>(
      `SELECT current_setting('statement_timeout') AS timeout, set_config('statement_timeout', $1, true)`,
      [String(Math.max(1, Math.round(budgetMs)))],
    );
    await refreshWorkflowStats(client, schema, namespace, null);
    await client.query(`SELECT set_config('statement_timeout', $1, true)`, [rows[0]!.timeout]);
    await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return 'all';
  } catch (error) {
    if ((error as { code?: unknown }).code !== QUERY_CANCELED) throw error;
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
  }
  if (pass.since) {
    await refreshWorkflowStats(client, schema, namespace, pass.since);
    return 'since, as all took too long';
  }
  await dropFromRollup(client, schema, namespace);
  return 'live, as all took too long';
}

/** Takes a namespace out of the rollup: its stats views aggregate it live until a refresh rolls it up again. */
export async function dropFromRollup(db: pg.Pool | pg.PoolClient, schema: string, namespace: string): Promise<void> {
  for (const table of ['workflow_stats_hourly_rollup', 'workflow_stats_daily_rollup', 'workflow_stats_rollup_state'])
    await db.query(`DELETE FROM ${qualified(schema, table)} WHERE namespace = $1`, [namespace]);
}
