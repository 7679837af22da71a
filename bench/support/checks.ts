import type pg from 'pg';
import { qualified } from '../../src/db/identifiers';

export interface TableCounts {
  workflows: number;
  /** Workflow rows the last pass wrote or confirmed (synced_at at or after its start). */
  workflowsSeenByPass: number;
  schedules: number;
}

export async function tableCounts(pool: pg.Pool, schema: string, passStartedAt: string): Promise<TableCounts> {
  const { rows } = await pool.query<{ workflows: string; seen: string; schedules: string }>(
    `SELECT (SELECT count(*) FROM ${qualified(schema, 'workflow')} WHERE deleted_at IS NULL) AS workflows,
            (SELECT count(*) FROM ${qualified(schema, 'workflow')} WHERE synced_at >= $1) AS seen,
            (SELECT count(*) FROM ${qualified(schema, 'schedule')} WHERE deleted_at IS NULL) AS schedules`,
    [passStartedAt],
  );
  return {
    workflows: Number(rows[0]!.workflows),
    workflowsSeenByPass: Number(rows[0]!.seen),
    schedules: Number(rows[0]!.schedules),
  };
}

/** Collects count mismatches; the bench exits non-zero when there is any. */
export class CountChecks {
  readonly failures: string[] = [];
  passed = 0;

  expect(what: string, actual: number, expected: number): void {
    if (actual === expected) this.passed += 1;
    else {
      this.failures.push(`${what}: ${actual}, expected ${expected}`);
      process.stdout.write(`COUNT MISMATCH ${what}: ${actual}, expected ${expected}\n`);
    }
  }
}

/** Empties the sync's tables; CASCADE takes the passes and partitions that reference the runs. */
export async function resetSyncTables(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(
    `TRUNCATE ${['workflow', 'schedule', 'sync_state', 'sync_run'].map((table) => qualified(schema, table)).join(', ')} CASCADE`,
  );
}
