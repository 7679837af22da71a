import type pg from 'pg';
import type { ReportWindow, ScheduleCounters, ScheduleSummary } from '../report/model';
import { qualified } from './identifiers';

const FIRE_COUNTS = `sum(due)::bigint AS due, sum(on_time)::bigint AS on_time, sum(late)::bigint AS late,
  sum(missed)::bigint AS missed`;
type FireRow = Record<'due' | 'on_time' | 'late' | 'missed', string>;
const toFires = (row: FireRow) => ({
  due: Number(row.due),
  onTime: Number(row.on_time),
  late: Number(row.late),
  missed: Number(row.missed),
});

/**
 * Schedule fires of the window (every UTC day it touches), per day and per schedule; null when the
 * database lacks schedule_on_time_daily (not migrated to 031 yet: a worker of this version migrates it).
 */
export async function readScheduleFires(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
  window: ReportWindow,
) {
  const view = qualified(schema, 'schedule_on_time_daily');
  const { rows: found } = await db.query<{ exists: boolean }>('SELECT to_regclass($1) IS NOT NULL AS exists', [view]);
  if (!found[0]!.exists) return null;
  const where = `namespace = $1 AND bucket >= date_bin('1 day', $2::timestamptz, TIMESTAMPTZ '2000-01-01 00:00:00+00')
    AND bucket < $3`;
  const params = [namespace, window.since, window.until];
  const { rows: days } = await db.query<FireRow & { bucket: Date }>(
    `SELECT bucket, ${FIRE_COUNTS} FROM ${view} WHERE ${where} GROUP BY bucket ORDER BY bucket`,
    params,
  );
  const { rows: schedules } = await db.query<FireRow & { schedule_id: string; worst: number | null }>(
    `SELECT schedule_id, ${FIRE_COUNTS}, max(max_start_delay_seconds) AS worst FROM ${view} WHERE ${where}
     GROUP BY schedule_id ORDER BY sum(late + missed) DESC, schedule_id`,
    params,
  );
  return {
    days: days.map((row) => ({ bucket: row.bucket, ...toFires(row) })),
    schedules: schedules.map((row): ScheduleSummary => ({
      scheduleId: row.schedule_id,
      worstDelaySeconds: row.worst,
      ...toFires(row),
    })),
  };
}

/** The server's own counters for the namespace's schedules (from DescribeSchedule), worst first. */
export async function readScheduleCounters(
  db: pg.Pool | pg.PoolClient,
  schema: string,
  namespace: string,
): Promise<ScheduleCounters[]> {
  const { rows } = await db.query<{
    schedule_id: string;
    paused: boolean;
    num_actions_taken: string;
    num_actions_missed_catchup_window: string;
    num_actions_skipped_overlap: string;
  }>(
    `SELECT schedule_id, paused, num_actions_taken, num_actions_missed_catchup_window, num_actions_skipped_overlap
     FROM ${qualified(schema, 'schedule')} WHERE namespace = $1 AND deleted_at IS NULL
     ORDER BY num_actions_missed_catchup_window + num_actions_skipped_overlap DESC, schedule_id`,
    [namespace],
  );
  return rows.map((row) => ({
    scheduleId: row.schedule_id,
    paused: row.paused,
    actionsTaken: Number(row.num_actions_taken),
    missedCatchupWindow: Number(row.num_actions_missed_catchup_window),
    skippedOverlap: Number(row.num_actions_skipped_overlap),
  }));
}
