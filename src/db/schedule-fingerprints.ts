import type pg from 'pg';
import type { ListedSchedule } from '../source/schedule-listing';
import { qualified } from './identifiers';

/** The listed schedules whose live row was written from this very list entry, by a describe since `describedSince`. */
export async function unchangedSchedules(
  pool: pg.Pool,
  schema: string,
  namespace: string,
  listed: readonly ListedSchedule[],
  describedSince: Date,
): Promise<Set<string>> {
  const { rows } = await pool.query<{ schedule_id: string }>(
    `SELECT t.schedule_id FROM ${qualified(schema, 'schedule')} t
     JOIN unnest($2::text[], $3::text[]) AS l(schedule_id, fingerprint)
       ON t.schedule_id = l.schedule_id AND t.list_fingerprint = l.fingerprint
     WHERE t.namespace = $1 AND t.deleted_at IS NULL AND t.described_at >= $4`,
    [namespace, listed.map((s) => s.scheduleId), listed.map((s) => s.fingerprint), describedSince],
  );
  return new Set(rows.map((row) => row.schedule_id));
}

/** Records that a pass saw these schedules unchanged: as an upsert would, without rewriting their data. */
export async function touchSchedules(
  pool: pg.Pool,
  schema: string,
  namespace: string,
  scheduleIds: readonly string[],
  syncRunId: string,
): Promise<number> {
  if (scheduleIds.length === 0) return 0;
  const result = await pool.query(
    `UPDATE ${qualified(schema, 'schedule')} SET synced_at = now(), sync_run_id = $3::bigint
     WHERE namespace = $1 AND schedule_id = ANY($2::text[])`,
    [namespace, scheduleIds, syncRunId],
  );
  return result.rowCount ?? 0;
}

/** The mode of a sync run: what an activity needs to know beyond its own request. */
export async function runMode(pool: pg.Pool, schema: string, syncRunId: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ mode: string }>(
    `SELECT mode FROM ${qualified(schema, 'sync_run')} WHERE id = $1`,
    [syncRunId],
  );
  return rows[0]?.mode;
}
