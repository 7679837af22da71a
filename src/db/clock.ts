import type pg from 'pg';

/** The database's clock: ages are measured on it, as the sync's own times are. */
export async function databaseNow(db: pg.Pool): Promise<Date> {
  const { rows } = await db.query<{ now: Date }>('SELECT now() AS now');
  return rows[0]!.now;
}
