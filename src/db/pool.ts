import pg from 'pg';

export interface PoolOptions {
  databaseUrl: string;
  max: number;
  /** Told about errors of idle clients (a server restart), which would otherwise crash the process. */
  onIdleError: (error: Error) => void;
}

export function createPool({ databaseUrl, max, onIdleError }: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    application_name: 'temporal-sync',
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // Enforced by the server, so a stuck statement is really stopped (pg's query_timeout only stops waiting).
    statement_timeout: 300_000,
  });
  pool.on('error', onIdleError);
  return pool;
}

/** The cheapest round trip that proves the database answers (start-up wait, readiness). */
export async function pingDatabase(pool: pg.Pool): Promise<void> {
  await pool.query('SELECT 1');
}
