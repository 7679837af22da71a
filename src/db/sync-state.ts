import type pg from 'pg';
import { qualified } from './identifiers';

/** A stream's position in a namespace: every execution that closed before the cursor is in the table. */
export async function readCursor(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
  stream: string,
): Promise<Date | null> {
  const { rows } = await db.query<{ cursor: Date | null }>(
    `SELECT cursor FROM ${qualified(schema, 'sync_state')} WHERE namespace = $1 AND stream = $2`,
    [namespace, stream],
  );
  return rows[0]?.cursor ?? null;
}

/** Moves the cursor to the start of a complete pass; never backwards, so a late older run cannot undo a newer one. */
export async function advanceCursor(
  client: pg.PoolClient,
  schema: string,
  pass: { namespace: string; stream: string; full: boolean; to: Date },
): Promise<void> {
  await client.query(
    `INSERT INTO ${qualified(schema, 'sync_state')} AS s (namespace, stream, cursor, last_full_sync_at, updated_at)
     VALUES ($1, $2, $3, CASE WHEN $4 THEN $3::timestamptz END, now())
     ON CONFLICT (namespace, stream) DO UPDATE SET
       cursor = GREATEST(s.cursor, excluded.cursor),
       last_full_sync_at = GREATEST(s.last_full_sync_at, excluded.last_full_sync_at),
       updated_at = now()`,
    [pass.namespace, pass.stream, pass.to, pass.full],
  );
}

export interface StreamPosition {
  stream: string;
  cursor: Date | null;
  lastFullSyncAt: Date | null;
}

export async function readPositions(db: pg.Pool, schema: string, namespace: string): Promise<StreamPosition[]> {
  const { rows } = await db.query<StreamPosition>(
    `SELECT stream, cursor, last_full_sync_at AS "lastFullSyncAt" FROM ${qualified(schema, 'sync_state')}
     WHERE namespace = $1`,
    [namespace],
  );
  return rows;
}

/** Per namespace and stream, seconds since its cursor (the start of its last complete pass), on the database's clock. */
export async function readLag(
  db: pg.Pool,
  schema: string,
): Promise<Array<{ namespace: string; stream: string; seconds: number }>> {
  const { rows } = await db.query<{ namespace: string; stream: string; seconds: number }>(
    `SELECT namespace, stream, extract(epoch FROM now() - cursor)::float8 AS seconds
     FROM ${qualified(schema, 'sync_state')} WHERE cursor IS NOT NULL`,
  );
  return rows;
}
