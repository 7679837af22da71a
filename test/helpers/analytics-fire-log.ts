import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { quoteIdent } from '../../src/db/identifiers';
import type { SeedFire } from './analytics-seed';

const PENDING_ON_TIME_VIEW = path.resolve(__dirname, '../../src/db/pending-migrations/031_schedule_on_time_view.sql');

/**
 * Makes the schedule on-time views exist in a migrated test schema. The fire log table belongs to
 * another migration that has not landed yet: until it has, this creates a stand-in with exactly the
 * columns and key that migration will give it, then applies the on-time migration waiting in
 * src/db/pending-migrations/. Once both are real migrations, the migrated schema already has
 * everything and this does nothing.
 */
export async function ensureScheduleOnTimeViews(pool: pg.Pool, schema: string): Promise<{ standIn: boolean }> {
  const q = quoteIdent(schema);
  const exists = async (name: string) =>
    (await pool.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [`${q}.${name}`])).rows[0]!
      .found;
  const standIn = !(await exists('schedule_fire'));
  if (standIn) {
    await pool.query(
      `CREATE TABLE ${q}.schedule_fire (
         namespace text NOT NULL,
         schedule_id text NOT NULL,
         scheduled_time timestamptz NOT NULL,
         actual_start_time timestamptz NULL,
         workflow_id text NOT NULL,
         run_id text NULL,
         start_status text NULL,
         PRIMARY KEY (namespace, schedule_id, scheduled_time))`,
    );
  }
  if (!(await exists('schedule_on_time_daily'))) {
    const sql = await readFile(PENDING_ON_TIME_VIEW, 'utf8');
    await pool.query(sql.replaceAll('{{schema}}', q));
  }
  return { standIn };
}

const DAY = 86_400_000;

/**
 * Fires of three schedules over the last three days with known outcomes, including the edges: a
 * start exactly 60 s late is on time, 60.001 s is late; a fire due 10 s ago and not started yet is
 * pending, not missed.
 */
export function makeFires(namespace: string, now: Date): SeedFire[] {
  const today = Math.floor(now.getTime() / DAY) * DAY;
  const fires: SeedFire[] = [];
  const add = (scheduleId: string, dueMs: number, delaySeconds: number | null) =>
    fires.push({
      namespace,
      schedule_id: scheduleId,
      scheduled_time: new Date(dueMs),
      actual_start_time: delaySeconds === null ? null : new Date(dueMs + Math.round(delaySeconds * 1000)),
      workflow_id: `${scheduleId}-${new Date(dueMs).toISOString()}`,
      run_id: delaySeconds === null ? null : `fire-run-${fires.length}`,
      start_status: delaySeconds === null ? null : 'COMPLETED',
    });
  for (let day = 2; day >= 1; day--) {
    const base = today - day * DAY;
    for (let hour = 0; hour < 24; hour++) add('hourly-report', base + hour * 3_600_000, 0.2 + (hour % 5) * 0.1);
    add('nightly-export', base + 2 * 3_600_000, day === 2 ? 60 : 60.001);
    add('flaky-sync', base + 6 * 3_600_000, null);
    add('flaky-sync', base + 12 * 3_600_000, 300);
    add('flaky-sync', base + 18 * 3_600_000, 1.5);
  }
  add('hourly-report', now.getTime() - 10_000, null);
  add('flaky-sync', now.getTime() - 3_600_000, null);
  return fires;
}

export async function insertFires(pool: pg.Pool, schema: string, fires: readonly SeedFire[]): Promise<void> {
  await pool.query(
    `INSERT INTO ${quoteIdent(schema)}.schedule_fire
       (namespace, schedule_id, scheduled_time, actual_start_time, workflow_id, run_id, start_status)
     SELECT namespace, schedule_id, scheduled_time, actual_start_time, workflow_id, run_id, start_status
     FROM jsonb_to_recordset($1::jsonb) AS f(namespace text, schedule_id text, scheduled_time timestamptz,
       actual_start_time timestamptz, workflow_id text, run_id text, start_status text)`,
    [JSON.stringify(fires)],
  );
}
