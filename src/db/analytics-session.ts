import type pg from 'pg';

/**
 * Settings for a connection that only reads the analytics views, as the report does. The views
 * aggregate a few hundred thousand rows per month of a busy namespace: with the default 4 MB of
 * work_mem their sorts spill to disk, and JIT compilation costs 20 ms to 0.7 s a query (measured on
 * the 1M-run bench, docs/analytics.md) for plans that run in well under a second without it.
 */
export async function tuneForAnalytics(client: pg.PoolClient): Promise<void> {
  await client.query(`SET work_mem = '64MB'; SET jit = off`);
}
