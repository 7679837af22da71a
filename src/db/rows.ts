import { createHash } from 'node:crypto';
import { once } from 'node:events';
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
   * data is kept, and only synced_at, sync_run_id and deleted_at move. For a table whose order needs no
   * SQL, `prefer` says it instead.
   */
  staleWhen?: string;
  /**
   * Which of two views of a row is kept, column by column: the one with the lowest (or highest) value of
   * the first column, on a tie the second, and so on; a full tie (or a NULL) takes the incoming view.
   */
  prefer?: ReadonlyArray<readonly [keyof Row & string, 'lowest' | 'highest']>;
}

/** The SQL that is true when the incoming view loses to the stored one; 'false' when any view wins. */
export function staleCondition<Row>(spec: TableSpec<Row>): string {
  if (spec.staleWhen !== undefined) return spec.staleWhen;
  const terms: string[] = [];
  const ties: string[] = [];
  for (const [name, order] of spec.prefer ?? []) {
    const column = quoteIdent(name);
    const loses = order === 'lowest' ? '>' : '<';
    terms.push([...ties, `excluded.${column} ${loses} t.${column}`].join(' AND '));
    ties.push(`excluded.${column} = t.${column}`);
  }
  return terms.length === 0 ? 'false' : terms.map((term) => `(${term})`).join(' OR ');
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
/** Deeper than this, a value is left to storableJson (which JSON.stringify walks natively) rather than scanned. */
const SCAN_DEPTH = 32;

const escapeCopy = (text: string): string =>
  COPY_SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]!) : text;

/**
 * True when JSON.stringify without a replacer writes `value` exactly as storableJson does: only
 * primitives (no bigint), Dates, arrays and plain objects. Anything else (a LosslessInteger, bytes, a
 * class with its own toJSON) takes storableJson's replacer, which costs about as much as the rest of
 * the row's encoding; NUL, the one thing a plain value may still hold, shows in the JSON text itself.
 */
function isPlainJson(value: unknown, depth: number): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'bigint' && typeof value !== 'function';
  if (depth > SCAN_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) if (!isPlainJson(item, depth + 1)) return false;
    return true;
  }
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype === Date.prototype) return true;
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in value) if (!isPlainJson((value as Record<string, unknown>)[key], depth + 1)) return false;
  return true;
}

/** A jsonb value in COPY's text format. JSON text holds no raw newline, CR or tab: only backslashes need escaping. */
function jsonField(value: unknown): string {
  const text = isPlainJson(value, 0) ? plainJson(value) : undefined;
  // JSON.stringify writes NUL as \u0000: a text that may hold one (or a backslash before u0000) takes the full path.
  if (text === undefined || text.includes('\\u0000')) return escapeCopy(storableJson(value));
  return text.includes('\\') ? text.replaceAll('\\', '\\\\') : text;
}

/** JSON.stringify alone; undefined where it throws (a Date's own toJSON returning a bigint): storableJson decides then. */
function plainJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined;
  }
}

/** One value in COPY's text format: \N for NULL, backslash escapes for what COPY reserves. */
function copyField(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return '\\N';
  if (type === 'jsonb') return jsonField(value);
  if (type === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'string') return escapeCopy(withoutNul(value));
  if (typeof value === 'number' || typeof value === 'bigint') return value.toString();
  return escapeCopy(storableJson(value));
}

/** Rows in COPY's text format, one line each, every line ending in `tail` (more fields, already in COPY's format). */
export function copyText<Row>(spec: TableSpec<Row>, rows: readonly Row[], tail = ''): string {
  const columns = spec.columns;
  let text = '';
  for (const row of rows) {
    for (let i = 0; i < columns.length; i += 1) {
      const [name, type] = columns[i]!;
      text += (i === 0 ? '' : '\t') + copyField(row[name], type);
    }
    text += `${tail}\n`;
  }
  return text;
}

/** Rows per COPY message: Postgres parses one while the next is encoded, so the encoding mostly hides behind it. */
const COPY_CHUNK_ROWS = 100;

/**
 * COPY of the rows, sent in chunks as they are encoded; returns the rows copied. A failure to encode
 * ends the COPY with CopyFail, so the connection is usable for the caller's ROLLBACK.
 */
async function copyRows<Row>(
  client: pg.PoolClient,
  sql: string,
  spec: TableSpec<Row>,
  rows: readonly Row[],
  tail = '',
): Promise<number> {
  const stream = client.query(copyFrom(sql));
  const settled = new Promise<number>((resolve, reject) => {
    // on, not once: a connection lost mid-COPY can emit more than one error, and an 'error' with no
    // listener would end the worker process.
    stream.on('error', reject);
    stream.once('finish', () => resolve(stream.rowCount));
  });
  // Awaited below; until then a rejection must not count as unhandled.
  settled.catch(() => {});
  try {
    for (let start = 0; start < rows.length; start += COPY_CHUNK_ROWS) {
      const chunk = copyText(spec, rows.slice(start, start + COPY_CHUNK_ROWS), tail);
      if (!stream.write(chunk)) await Promise.race([once(stream, 'drain'), settled]);
    }
  } catch (error) {
    stream.destroy(error instanceof Error ? error : new Error(String(error)));
    await settled.catch(() => {});
    throw error;
  }
  stream.end();
  return settled;
}

/** The guarded merge from the staging table: a stale view keeps the stored data, and every row records the run. */
function mergeSql<Row>(schema: string, spec: TableSpec<Row>, stage: string): string {
  const names = spec.columns.map(([name]) => quoteIdent(name));
  const keys = new Set<string>(spec.key);
  const stale = staleCondition(spec);
  const updates = spec.columns
    .filter(([name]) => !keys.has(name))
    .map(([name]) => {
      const column = quoteIdent(name);
      return `${column} = CASE WHEN ${stale} THEN t.${column} ELSE excluded.${column} END`;
    });
  return `INSERT INTO ${qualified(schema, spec.table)} AS t (${names.join(', ')}, synced_at, deleted_at, sync_run_id)
SELECT ${names.join(', ')}, now(), NULL, $1::bigint FROM pg_temp.${stage}
ON CONFLICT (${spec.key.map((name) => quoteIdent(name)).join(', ')}) DO UPDATE SET
  ${updates.join(',\n  ')},
  synced_at = excluded.synced_at,
  sync_run_id = excluded.sync_run_id,
  deleted_at = NULL`;
}

/** The pg error code of a failure, if it is one of the server's. */
const sqlState = (error: unknown): unknown =>
  typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
const UNIQUE_VIOLATION = '23505';
const SAVEPOINT = 'temporal_sync_new_rows';

/**
 * A page none of whose keys the table holds yet (a first full pass, new runs) needs no guard and no
 * merge: its rows go straight into the table by COPY, with the lineage the merge would give them
 * (synced_at the transaction's now(), deleted_at NULL, sync_run_id). One query first looks up the
 * first, middle and last keys (a page the table holds already, as in every later pass, shows there)
 * and reads now(). Any key the table holds (one the probe missed, or one another transaction inserts
 * meanwhile) fails the COPY with a unique violation; it is rolled back to its savepoint and the caller
 * takes the guarded merge: the probe decides only which way is tried first, never what is written.
 * Returns the rows written, or undefined when the merge must write the page.
 */
function newRowsWriter<Row>(schema: string, spec: TableSpec<Row>) {
  const types = new Map(spec.columns);
  const keys = spec.key.map((name) => quoteIdent(name));
  const arrays = spec.key.map((name, i) => `$${i + 1}::${types.get(name)!}[]`).join(', ');
  const probe = `SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now,
  EXISTS (SELECT 1 FROM unnest(${arrays}) AS k(${keys.join(', ')})
          JOIN ${qualified(schema, spec.table)} AS t ON ${keys.map((key) => `t.${key} = k.${key}`).join(' AND ')}) AS existing`;
  const names = spec.columns.map(([name]) => quoteIdent(name)).join(', ');
  const copy = `COPY ${qualified(schema, spec.table)} (${names}, synced_at, deleted_at, sync_run_id) FROM STDIN`;
  const keyValue = (value: unknown) => (typeof value === 'string' ? withoutNul(value) : value);
  return async (client: pg.PoolClient, rows: readonly Row[], syncRunId: string): Promise<number | undefined> => {
    const probed = [rows[0]!, rows[rows.length >> 1]!, rows[rows.length - 1]!];
    const params = spec.key.map((name) => probed.map((row) => keyValue(row[name])));
    const { rows: found } = await client.query<{ now: string; existing: boolean }>(probe, params);
    if (found[0]!.existing) return undefined;
    await client.query(`SAVEPOINT ${SAVEPOINT}`);
    try {
      const written = await copyRows(client, copy, spec, rows, `\t${found[0]!.now}\t\\N\t${escapeCopy(syncRunId)}`);
      await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      return written;
    } catch (error) {
      if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
      await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      return undefined;
    }
  };
}

/** Connections that already hold a staging table, by its name. A failed transaction destroys its connection. */
const staged = new WeakMap<object, Set<string>>();

/**
 * The page writer: COPY of the page into a session-local staging table, then one guarded merge into
 * the table, both in the caller's transaction (with the partition's checkpoint). COPY is the cheapest
 * way into Postgres; the merge keeps the stale-view guard and lineage of a plain upsert. A page of
 * rows the table does not hold yet is copied into the table directly (newRowsWriter).
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
  const writeNew = load === 'copy' ? newRowsWriter(schema, spec) : undefined;
  return {
    async write(client, rows, syncRunId) {
      if (rows.length === 0) return 0;
      const written = writeNew && (await writeNew(client, rows, syncRunId));
      if (written !== undefined) return written;
      const made = staged.get(client) ?? new Set<string>();
      if (!made.has(stage)) {
        await client.query(createStage);
        made.add(stage);
        staged.set(client, made);
      }
      if (load === 'insert') await client.query(insert, [storableJson(rows)]);
      else await copyRows(client, copy, spec, rows);
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
