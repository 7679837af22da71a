import { createHash } from 'node:crypto';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { storableJson, withoutNul } from '../json';
import { qualified, quoteIdent } from './identifiers';

export type ColumnType = 'text' | 'timestamptz' | 'jsonb' | 'bigint' | 'double precision' | 'boolean' | 'integer';

/** A table a stream writes: its data columns, its key, and when an incoming view is older than the stored one. */
export interface TableSpec<Row> {
  table: string;
  /** Data columns with their SQL types; synced_at, deleted_at and sync_run_id are the writer's own. */
  columns: ReadonlyArray<readonly [keyof Row & string, ColumnType]>;
  key: ReadonlyArray<keyof Row & string>;
  /**
   * SQL that is true when the incoming view (`excluded`) is older than the stored one (`t`): the stored
   * data is kept, and only synced_at, sync_run_id and deleted_at move.
   */
  staleWhen: string;
}

/**
 * How a page gets into the staging table: COPY (the fastest way into Postgres), or one INSERT of the page
 * as a jsonb array, for servers and proxies without COPY FROM STDIN (PGlite's wire server, some poolers).
 */
export type BulkLoad = 'copy' | 'insert';

/** Writes one page of rows inside the caller's transaction; returns how many rows it wrote. */
export interface RowWriter<Row> {
  write(client: pg.PoolClient, rows: readonly Row[], syncRunId: string): Promise<number>;
}

const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One value in COPY's text format: \N for NULL, backslash escapes for what COPY reserves. */
function copyField(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  if (type === 'jsonb') text = storableJson(value);
  else if (type === 'boolean') text = value ? 't' : 'f';
  else if (typeof value === 'string') text = withoutNul(value);
  else text = String(value as number);
  return COPY_SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]!) : text;
}

export function copyText<Row>(spec: TableSpec<Row>, rows: readonly Row[]): string {
  const lines = rows.map((row) => spec.columns.map(([name, type]) => copyField(row[name], type)).join('\t'));
  return `${lines.join('\n')}\n`;
}

/** The guarded merge from the staging table: a stale view keeps the stored data, and every row records the run. */
function mergeSql<Row>(schema: string, spec: TableSpec<Row>, stage: string): string {
  const names = spec.columns.map(([name]) => quoteIdent(name));
  const keys = new Set<string>(spec.key);
  const updates = spec.columns
    .filter(([name]) => !keys.has(name))
    .map(([name]) => {
      const column = quoteIdent(name);
      return `${column} = CASE WHEN ${spec.staleWhen} THEN t.${column} ELSE excluded.${column} END`;
    });
  return `INSERT INTO ${qualified(schema, spec.table)} AS t (${names.join(', ')}, synced_at, deleted_at, sync_run_id)
SELECT ${names.join(', ')}, now(), NULL, $1::bigint FROM pg_temp.${stage}
ON CONFLICT (${spec.key.map((name) => quoteIdent(name)).join(', ')}) DO UPDATE SET
  ${updates.join(',\n  ')},
  synced_at = excluded.synced_at,
  sync_run_id = excluded.sync_run_id,
  deleted_at = NULL`;
}

/** Connections that already hold a staging table, by its name. A failed transaction destroys its connection. */
const staged = new WeakMap<object, Set<string>>();

/**
 * The page writer: COPY of the page into a session-local staging table, then one guarded merge into
 * the table, both in the caller's transaction (with the partition's checkpoint). COPY is the cheapest
 * way into Postgres; the merge keeps the stale-view guard and lineage of a plain upsert.
 */
export function createRowWriter<Row>(schema: string, spec: TableSpec<Row>, load: BulkLoad = 'copy'): RowWriter<Row> {
  const stage = quoteIdent(
    `stage_${spec.table}_${createHash('sha256').update(schema).digest('hex').slice(0, 12)}`.slice(0, 63),
  );
  const columns = spec.columns.map(([name, type]) => `${quoteIdent(name)} ${type}`).join(', ');
  const names = spec.columns.map(([name]) => quoteIdent(name)).join(', ');
  const createStage = `CREATE TEMP TABLE IF NOT EXISTS ${stage} (${columns}) ON COMMIT DELETE ROWS`;
  const copy = `COPY pg_temp.${stage} (${names}) FROM STDIN`;
  const insert = `INSERT INTO pg_temp.${stage} (${names}) SELECT ${names} FROM jsonb_to_recordset($1::jsonb) AS r(${columns})`;
  const merge = mergeSql(schema, spec, stage);
  return {
    async write(client, rows, syncRunId) {
      if (rows.length === 0) return 0;
      const made = staged.get(client) ?? new Set<string>();
      if (!made.has(stage)) {
        await client.query(createStage);
        made.add(stage);
        staged.set(client, made);
      }
      if (load === 'insert') await client.query(insert, [storableJson(rows)]);
      else {
        await new Promise<void>((resolve, reject) => {
          const stream = client.query(copyFrom(copy));
          stream.on('error', reject);
          stream.on('finish', resolve);
          stream.end(copyText(spec, rows));
        });
      }
      const result = await client.query(merge, [syncRunId]);
      return result.rowCount ?? 0;
    },
  };
}

/**
 * After a complete full pass: every live row of the namespace that the pass did not write is gone
 * from the source (deleted, or past retention). Everything the pass wrote has synced_at >= its start,
 * on the same clock (the database's). Returns how many rows were newly marked.
 */
export async function markUnseenDeleted(
  client: pg.PoolClient,
  schema: string,
  table: string,
  pass: { namespace: string; startedAt: Date },
): Promise<number> {
  const result = await client.query(
    `UPDATE ${qualified(schema, table)} SET deleted_at = now()
     WHERE namespace = $1 AND deleted_at IS NULL AND synced_at < $2`,
    [pass.namespace, pass.startedAt],
  );
  return result.rowCount ?? 0;
}

/** Live and deleted rows of a namespace in a stream's table. */
export async function countRows(
  db: pg.Pool,
  schema: string,
  table: string,
  namespace: string,
): Promise<{ live: number; deleted: number }> {
  const { rows } = await db.query<{ live: number; deleted: number }>(
    `SELECT count(*) FILTER (WHERE deleted_at IS NULL)::int AS live,
            count(*) FILTER (WHERE deleted_at IS NOT NULL)::int AS deleted
     FROM ${qualified(schema, table)} WHERE namespace = $1`,
    [namespace],
  );
  return rows[0]!;
}
