import type pg from 'pg';

/**
 * Settings for a connection that only reads the analytics views, as the report does. The views
 * aggregate a few hundred thousand rows per month of a busy namespace: with the default 4 MB of
 * work_mem their sorts spill to disk, and JIT compilation costs 20 ms to 0.7 s a query (measured on
 * the 1M-run bench, docs/analytics.md) for plans that run in well under a second without it.
 */
const ANALYTICS_SESSION = `SET work_mem = '64MB'; SET jit = off`;

export function tuneForAnalytics(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    // Queued before any query the report sends on this client; a server that refuses keeps its defaults.
    client.query(ANALYTICS_SESSION).catch(() => {});
  });
}
