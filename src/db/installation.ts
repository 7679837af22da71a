import type pg from 'pg';
import { qualified } from './identifiers';

/**
 * The identity of this destination (one database and schema), made by the migrations. A sync run
 * is planned for one destination, and every activity of the run checks that it writes there.
 */
export async function readDestinationId(db: pg.Pool, schema: string): Promise<string> {
  const { rows } = await db.query<{ id: string }>(`SELECT id::text AS id FROM ${qualified(schema, 'installation')}`);
  const id = rows[0]?.id;
  if (id === undefined) throw new Error(`schema "${schema}" has no installation row: run the migrations`);
  return id;
}
