import { toStorable } from '../../src/json';

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(?:Z|\+00:00)$/;

/** One spelling for a UTC timestamp, whether it came from our mapping or from Postgres' to_jsonb. */
export function canonicalTimestamp(value: string): string {
  const match = TIMESTAMP.exec(value);
  if (!match) return value;
  return `${match[1]}.${(match[2] ?? '').padEnd(6, '0')}Z`;
}

/** Columns the sync writes about its own work (when, which run, deleted), not copied from the source. */
export const BOOKKEEPING_COLUMNS = [
  'synced_at',
  'deleted_at',
  'sync_run_id',
  'list_fingerprint',
  'read_at',
  'described_at',
];

/** A row as it should read back from Postgres: storable JSON, canonical timestamps, bookkeeping dropped. */
export function comparable(row: object, dropColumns: readonly string[] = BOOKKEEPING_COLUMNS): Record<string, unknown> {
  const normalized = toStorable(row) as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(normalized)) {
    if (dropColumns.includes(column)) continue;
    out[column] = typeof value === 'string' ? canonicalTimestamp(value) : value;
  }
  return out;
}

export function keyed<T extends Record<string, unknown>>(rows: T[], key: (row: T) => string): Map<string, T> {
  const map = new Map<string, T>();
  for (const row of rows) {
    const k = key(row);
    if (map.has(k)) throw new Error(`duplicate row for key ${k}`);
    map.set(k, row);
  }
  return map;
}

export const workflowKey = (row: Record<string, unknown>) => `${String(row.workflow_id)}\u0001${String(row.run_id)}`;
export const scheduleKey = (row: Record<string, unknown>) => String(row.schedule_id);
