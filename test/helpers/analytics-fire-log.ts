import type pg from 'pg';
import { quoteIdent } from '../../src/db/identifiers';
import type { SeedFire } from './analytics-seed';

/**
 * The on-time views come with the migrations (007 the fire log, 031 the views): a migrated schema
 * has everything. Kept so callers can say what they rely on; it checks the views exist.
 */
export async function ensureScheduleOnTimeViews(pool: pg.Pool, schema: string): Promise<{ standIn: false }> {
  const { rows } = await pool.query<{ found: boolean }>('SELECT to_regclass($1) IS NOT NULL AS found', [
    `${quoteIdent(schema)}.schedule_on_time_daily`,
  ]);
  if (!rows[0]!.found) throw new Error(`${schema}.schedule_on_time_daily is missing: is migration 031 applied?`);
  return { standIn: false };
}

const DAY = 86_400_000;

/**
 * Fires of three schedules over the last three days with known outcomes, including the edges: a
 * start exactly 60 s late is on time, 60.001 s is late. A fire with actual_start_time null never
 * started: insertFires writes it the way the real fire log has it, as a count of 1 in a
 * schedule_event (missed_catchup_window) whose window ends one second after the fire was due, the
 * same UTC day. Started fires become schedule_fire rows.
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
  // Missed today; due early enough that its event's window (due + 1 s) ends the same UTC day.
  add('flaky-sync', Math.max(today, now.getTime() - 3_600_000), null);
  return fires;
}

/** Started fires into schedule_fire, never-started ones as schedule_event counts (see makeFires). */
export async function insertFires(pool: pg.Pool, schema: string, fires: readonly SeedFire[]): Promise<void> {
  const q = quoteIdent(schema);
  const started = fires.filter((f) => f.actual_start_time !== null);
  const missed = fires.filter((f) => f.actual_start_time === null);
  await pool.query(
    `INSERT INTO ${q}.schedule_fire
       (namespace, schedule_id, workflow_id, run_id, workflow_type, scheduled_time, actual_start_time, start_status,
        read_at)
     SELECT namespace, schedule_id, workflow_id, run_id, schedule_id || '-workflow', scheduled_time, actual_start_time,
            start_status, now()
     FROM jsonb_to_recordset($1::jsonb) AS f(namespace text, schedule_id text, scheduled_time timestamptz,
       actual_start_time timestamptz, workflow_id text, run_id text, start_status text)`,
    [JSON.stringify(started)],
  );
  await pool.query(
    `INSERT INTO ${q}.schedule_event
       (namespace, schedule_id, kind, count, window_start, window_end, overlap_policy, catchup_window_seconds,
        actions_taken)
     SELECT namespace, schedule_id, 'missed_catchup_window', 1, scheduled_time - interval '1 hour',
            scheduled_time + interval '1 second', 'SCHEDULE_OVERLAP_POLICY_SKIP', 60, 0
     FROM jsonb_to_recordset($1::jsonb) AS f(namespace text, schedule_id text, scheduled_time timestamptz)`,
    [JSON.stringify(missed)],
  );
}

/**
 * Seeded schedule rows carry counters for the counter panels and tiles; their trigger would also
 * write schedule_event rows (window_end now) that the on-time views count as missed and skipped. Tests
 * whose missed fires come from insertFires alone turn it off, so each expectation has one source.
 */
export async function stopCounterEvents(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`ALTER TABLE ${quoteIdent(schema)}.schedule DISABLE TRIGGER schedule_counters_changed`);
}
