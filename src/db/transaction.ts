import type pg from 'pg';

/**
 * Runs `body` in one transaction on a client of its own. On failure the client is destroyed, not
 * returned to the pool: whatever state it held (a half-done COPY, a session's staging table) goes with it.
 */
export async function inTransaction<T>(pool: pg.Pool, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A server restart while the client is held would otherwise be an unhandled 'error' event.
  const onError = () => {};
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await body(client);
    await client.query('COMMIT');
    client.off('error', onError);
    client.release();
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    client.off('error', onError);
    client.release(error instanceof Error ? error : new Error(String(error)));
    throw error;
  }
}
