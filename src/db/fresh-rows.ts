import type pg from 'pg';
import { qualified, quoteIdent } from './identifiers';
import type { TableSpec } from './rows';

/**
 * Which of `keys` (each the values of the table's key columns after `namespace`, in order) have a row
 * in the namespace whose `column` is at or after `since`: what a stream need not read again yet. Keys
 * come back as JSON arrays of their values, e.g. `["order-7","0194…"]`.
 */
export async function keysFreshSince<Row>(
  db: pg.Pool,
  schema: string,
  spec: TableSpec<Row>,
  args: { namespace: string; keys: ReadonlyArray<readonly string[]>; column: keyof Row & string; since: Date },
): Promise<Set<string>> {
  const [namespaceColumn, ...keyColumns] = spec.key;
  if (namespaceColumn !== 'namespace' || args.keys.length === 0) return new Set();
  const listed = keyColumns.map((_, i) => `$${i + 3}::text[]`).join(', ');
  const names = keyColumns.map((name) => quoteIdent(name));
  const { rows } = await db.query<{ key: string }>(
    `SELECT json_build_array(${names.map((name) => `t.${name}`).join(', ')})::text AS key
     FROM ${qualified(schema, spec.table)} t
     JOIN unnest(${listed}) AS l(${names.join(', ')}) USING (${names.join(', ')})
     WHERE t.namespace = $1 AND t.deleted_at IS NULL AND t.${quoteIdent(args.column)} >= $2`,
    [args.namespace, args.since, ...keyColumns.map((_, i) => args.keys.map((key) => key[i]))],
  );
  // Postgres writes JSON arrays with a space after each comma; JSON.stringify does not.
  return new Set(rows.map((row) => JSON.stringify(JSON.parse(row.key))));
}
