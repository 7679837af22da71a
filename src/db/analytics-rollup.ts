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
 * How long each refresh attempt may take when a pass completes: every bucket, then (if that ran out)
 * from the pass's since. completeStream has 2 minutes for the whole completion, and recomputing a
 * namespace costs about 10 s per million runs (measured, docs/analytics.md), so a full recompute
 * holds about 5 million; a bigger namespace falls back as refreshAfterPass says.
 */
export const REFRESH_BUDGETS_MS = { all: 50_000, since: 50_000 };

/** What the refresh after a pass did: see refreshAfterPass. */
export type RollupRefresh =
  'since' | 'all' | 'since, as all took too long' | 'live, as it took too long' | 'live: not rolled up';

const QUERY_CANCELED = '57014';
const SAVEPOINT = 'temporal_sync_rollup';

/** A refresh under a transaction-local statement_timeout; false (and rolled back alone) when it ran out. */
async function refreshWithin(
  client: pg.PoolClient,
  schema: string,
  namespace: string,
  from: Date | null,
  budgetMs: number,
): Promise<boolean> {
  await client.query(`SAVEPOINT ${SAVEPOINT}`);
  try {
    // Local to the transaction: undone by the rollback to the savepoint, and set back after success.
    const { rows } = await client.query<{ timeout: string }>(
      `SELECT current_setting('statement_timeout') AS timeout, set_config('statement_timeout', $1, true)`,
      [String(Math.max(1, Math.round(budgetMs)))],
    );
    await refreshWorkflowStats(client, schema, namespace, from);
    await client.query(`SELECT set_config('statement_timeout', $1, true)`, [rows[0]!.timeout]);
    await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code !== QUERY_CANCELED) throw error;
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
    return false;
  }
}

/**
 * The refresh a completed workflows pass makes, in its transaction, each attempt within its budget:
 * - an incremental pass recomputes from its `since` a namespace that is rolled up, and leaves one
 *   that is not (never rolled up, or taken out) live: only a full pass (or a refresh by hand) rolls
 *   a namespace up, so a namespace too big for the budget does not cost every pass the budget;
 * - a full pass (or one planned without a since) recomputes every bucket; when that runs out of
 *   time, from its `since` if the namespace was rolled up (what the pass changed lies after it,
 *   except runs visibility showed later than the look-back);
 * - when that runs out of time too, the namespace leaves the rollup: its stats are aggregated live,
 *   slower and exact.
 */
export async function refreshAfterPass(
  client: pg.PoolClient,
  schema: string,
  namespace: string,
  pass: { full: boolean; since: Date | null },
  budgetsMs = REFRESH_BUDGETS_MS,
): Promise<RollupRefresh> {
  const rolledUp = (await readRollupState(client, schema, namespace)) !== null;
  if (!pass.full && pass.since) {
    if (!rolledUp) return 'live: not rolled up';
    if (await refreshWithin(client, schema, namespace, pass.since, budgetsMs.since)) return 'since';
  } else {
    if (await refreshWithin(client, schema, namespace, null, budgetsMs.all)) return 'all';
    if (pass.since && rolledUp && (await refreshWithin(client, schema, namespace, pass.since, budgetsMs.since)))
      return 'since, as all took too long';
  }
  await dropFromRollup(client, schema, namespace);
  return 'live, as it took too long';
}

/** Takes a namespace out of the rollup: its stats views aggregate it live until a refresh rolls it up again. */
export async function dropFromRollup(db: pg.Pool | pg.PoolClient, schema: string, namespace: string): Promise<void> {
  for (const table of ['workflow_stats_hourly_rollup', 'workflow_stats_daily_rollup', 'workflow_stats_rollup_state'])
    await db.query(`DELETE FROM ${qualified(schema, table)} WHERE namespace = $1`, [namespace]);
}
