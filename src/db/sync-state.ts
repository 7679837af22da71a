import type pg from 'pg';
import { qualified } from './identifiers';

export type StreamName = 'workflows' | 'schedules';

export const STREAM_TABLES: Record<StreamName, string> = { workflows: 'workflow', schedules: 'schedule' };

export interface StreamState {
  cursor: Date | null;
  lastFullSyncAt: Date | null;
}

export async function readStreamState(
  db: pg.Pool,
  schema: string,
  namespace: string,
  stream: StreamName,
): Promise<StreamState> {
  const { rows } = await db.query<{ cursor: Date | null; last_full_sync_at: Date | null }>(
    `SELECT cursor, last_full_sync_at FROM ${qualified(schema, 'sync_state')} WHERE namespace = $1 AND stream = $2`,
    [namespace, stream],
  );
  return { cursor: rows[0]?.cursor ?? null, lastFullSyncAt: rows[0]?.last_full_sync_at ?? null };
}

/**
 * Records a complete pass: the cursor moves to the pass's start (never backwards, so an older run
 * finishing late cannot undo a newer one), and a full pass marks every row it did not see as deleted.
 * Both happen in one transaction. Returns how many rows were newly marked deleted.
 */
export async function completePass(
  db: pg.Pool,
  schema: string,
  pass: { namespace: string; stream: StreamName; full: boolean; startedAt: Date },
): Promise<{ markedDeleted: number }> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    let markedDeleted = 0;
    if (pass.full) {
      // Everything written since the pass began has synced_at >= startedAt (same clock: the database's).
      const result = await client.query(
        `UPDATE ${qualified(schema, STREAM_TABLES[pass.stream])} SET deleted_at = now()
         WHERE namespace = $1 AND deleted_at IS NULL AND synced_at < $2`,
        [pass.namespace, pass.startedAt],
      );
      markedDeleted = result.rowCount ?? 0;
    }
    await client.query(
      `INSERT INTO ${qualified(schema, 'sync_state')} AS s (namespace, stream, cursor, last_full_sync_at, updated_at)
       VALUES ($1, $2, $3, CASE WHEN $4 THEN $3::timestamptz END, now())
       ON CONFLICT (namespace, stream) DO UPDATE SET
         cursor = GREATEST(s.cursor, excluded.cursor),
         last_full_sync_at = GREATEST(s.last_full_sync_at, excluded.last_full_sync_at),
         updated_at = now()`,
      [pass.namespace, pass.stream, pass.startedAt, pass.full],
    );
    await client.query('COMMIT');
    client.release();
    return { markedDeleted };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    client.release(error as Error);
    throw error;
  }
}

/** Per stream, seconds since its cursor (the start of its last complete pass), on the database's clock. */
export async function readLag(
  db: pg.Pool,
  schema: string,
  namespace: string,
): Promise<Array<{ stream: string; seconds: number }>> {
  const { rows } = await db.query<{ stream: string; seconds: number }>(
    `SELECT stream, extract(epoch FROM now() - cursor)::float8 AS seconds
     FROM ${qualified(schema, 'sync_state')} WHERE namespace = $1 AND cursor IS NOT NULL`,
    [namespace],
  );
  return rows;
}
