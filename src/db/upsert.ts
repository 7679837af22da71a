import type pg from 'pg';
import { storableJson } from '../source/payloads';
import { qualified, quoteIdent } from './identifiers';

export interface TableSpec<Row> {
  table: string;
  /** Data columns in the order of the row type, with the SQL type jsonb_to_recordset reads them as. */
  columns: ReadonlyArray<readonly [keyof Row & string, string]>;
  key: ReadonlyArray<keyof Row & string>;
  /**
   * SQL that is true when the incoming view (`excluded`) is older than the stored one (`t`): the stored
   * data is kept, and only synced_at, sync_run_id and deleted_at move.
   */
  staleWhen: string;
}

export interface UpsertResult {
  rows: number;
  inserted: number;
}

/**
 * Builds one set-based upsert: the whole page travels as a single jsonb parameter (no bind-parameter
 * limit, one round trip) and is merged in one statement, so a page is written entirely or not at all.
 * $2 is the sync run writing the page: every row it touches records it in sync_run_id (lineage).
 */
export function buildUpsertSql<Row>(schema: string, spec: TableSpec<Row>): string {
  const names = spec.columns.map(([name]) => quoteIdent(name));
  const recordType = spec.columns.map(([name, type]) => `${quoteIdent(name)} ${type}`).join(', ');
  const keySet = new Set<string>(spec.key);
  const updates = spec.columns
    .filter(([name]) => !keySet.has(name))
    .map(([name]) => {
      const column = quoteIdent(name);
      return `${column} = CASE WHEN ${spec.staleWhen} THEN t.${column} ELSE excluded.${column} END`;
    });
  return `INSERT INTO ${qualified(schema, spec.table)} AS t (${names.join(', ')}, synced_at, deleted_at, sync_run_id)
SELECT ${names.map((name) => `r.${name}`).join(', ')}, now(), NULL, $2::bigint
FROM jsonb_to_recordset($1::jsonb) AS r(${recordType})
ON CONFLICT (${spec.key.map((name) => quoteIdent(name)).join(', ')}) DO UPDATE SET
  ${updates.join(',\n  ')},
  synced_at = excluded.synced_at,
  sync_run_id = excluded.sync_run_id,
  deleted_at = NULL
RETURNING (xmax = 0) AS inserted`;
}

export async function upsertRows<Row>(
  db: pg.Pool | pg.PoolClient,
  sql: string,
  rows: readonly Row[],
  syncRunId: string,
): Promise<UpsertResult> {
  if (rows.length === 0) return { rows: 0, inserted: 0 };
  const result = await db.query<{ inserted: boolean }>(sql, [storableJson(rows), syncRunId]);
  return { rows: result.rowCount ?? 0, inserted: result.rows.filter((row) => row.inserted).length };
}
