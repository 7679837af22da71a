import type pg from 'pg';
import type { JsonValue } from '../json';
import { qualified } from './identifiers';
import type { TableSpec } from './rows';

/** One row of the `schedule` table. Column names follow the seed connector, plus counters and policies. */
export interface ScheduleRow {
  namespace: string;
  schedule_id: string;
  paused: boolean;
  note: string | null;
  next_action_times: JsonValue;
  recent_actions: JsonValue;
  schedule_spec: JsonValue;
  schedule_action: JsonValue;
  search_attributes: Record<string, JsonValue> | null;
  memo: Record<string, JsonValue> | null;
  overlap_policy: string;
  catchup_window_seconds: number;
  pause_on_failure: boolean;
  remaining_actions: number | null;
  num_actions_taken: number;
  num_actions_missed_catchup_window: number;
  num_actions_skipped_overlap: number;
  num_actions_buffer_dropped: number;
  running_workflows: JsonValue;
  created_at: string;
  last_updated_at: string | null;
  /** A digest of the list entry the row was described from (see streams/schedules.ts), and when. */
  list_fingerprint: string | null;
  described_at: string;
}

export const scheduleTable: TableSpec<ScheduleRow> = {
  table: 'schedule',
  columns: [
    ['namespace', 'text'],
    ['schedule_id', 'text'],
    ['paused', 'boolean'],
    ['note', 'text'],
    ['next_action_times', 'jsonb'],
    ['recent_actions', 'jsonb'],
    ['schedule_spec', 'jsonb'],
    ['schedule_action', 'jsonb'],
    ['search_attributes', 'jsonb'],
    ['memo', 'jsonb'],
    ['overlap_policy', 'text'],
    ['catchup_window_seconds', 'double precision'],
    ['pause_on_failure', 'boolean'],
    ['remaining_actions', 'bigint'],
    ['num_actions_taken', 'bigint'],
    ['num_actions_missed_catchup_window', 'bigint'],
    ['num_actions_skipped_overlap', 'bigint'],
    ['num_actions_buffer_dropped', 'bigint'],
    ['running_workflows', 'jsonb'],
    ['created_at', 'timestamptz'],
    ['last_updated_at', 'timestamptz'],
    ['list_fingerprint', 'text'],
    ['described_at', 'timestamptz'],
  ],
  key: ['namespace', 'schedule_id'],
  // A schedule re-created under the same ID starts again; otherwise its counters and update time only grow.
  staleWhen: `excluded.created_at < t.created_at OR (excluded.created_at = t.created_at AND (
    excluded.num_actions_taken < t.num_actions_taken
    OR coalesce(excluded.last_updated_at, '-infinity') < coalesce(t.last_updated_at, '-infinity')))`,
};

/** The listed schedules whose live row was written from this very list entry, by a describe since `describedSince`. */
export async function unchangedSchedules(
  db: pg.Pool,
  schema: string,
  namespace: string,
  listed: ReadonlyArray<{ scheduleId: string; fingerprint: string }>,
  describedSince: Date,
): Promise<Set<string>> {
  const { rows } = await db.query<{ schedule_id: string }>(
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
  client: pg.PoolClient,
  schema: string,
  namespace: string,
  scheduleIds: readonly string[],
  syncRunId: string,
): Promise<number> {
  if (scheduleIds.length === 0) return 0;
  const result = await client.query(
    `UPDATE ${qualified(schema, 'schedule')} SET synced_at = now(), sync_run_id = $3::bigint
     WHERE namespace = $1 AND schedule_id = ANY($2::text[])`,
    [namespace, scheduleIds, syncRunId],
  );
  return result.rowCount ?? 0;
}
