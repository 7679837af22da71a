import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

export interface TestDatabase {
  pool: pg.Pool;
  schema: string;
  databaseUrl: string;
  dispose(): Promise<void>;
}

/** A fresh, migrated schema of its own for one test file; dropped by dispose(). */
export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const schema = `ts_test_${label.replace(/\W/g, '_')}_${randomBytes(4).toString('hex')}`;
  const pool = createPool({ databaseUrl: TEST_DATABASE_URL, max: 8, onIdleError: () => {} });
  await migrate(pool, schema);
  return {
    pool,
    schema,
    databaseUrl: TEST_DATABASE_URL,
    async dispose() {
      await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await pool.end();
    },
  };
}

/** Every row of a table as JSON, timestamps as UTC text with microseconds: what a user's SQL would see. */
export async function tableRows(
  pool: pg.Pool,
  schema: string,
  table: string,
  namespace: string,
): Promise<Array<Record<string, unknown>>> {
  const client = await pool.connect();
  try {
    await client.query(`SET TIME ZONE 'UTC'`);
    const { rows } = await client.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(t) AS row FROM "${schema}"."${table}" t WHERE namespace = $1`,
      [namespace],
    );
    return rows.map((r) => r.row);
  } finally {
    client.release();
  }
}

/** Fails unless every given workflow ID has a COMPLETED row in the workflow table. */
export async function assertCompletedRows(
  db: TestDatabase,
  namespace: string,
  workflowIds: readonly string[],
): Promise<void> {
  const rows = await tableRows(db.pool, db.schema, 'workflow', namespace);
  for (const id of workflowIds) {
    assert.ok(
      rows.some((row) => row.workflow_id === id && row.status === 'COMPLETED'),
      `row for ${id}`,
    );
  }
}
