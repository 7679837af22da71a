import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { qualified, quoteIdent } from '../../src/db/identifiers';
import { workflowTable } from '../../src/db/workflow-rows';
import type { WorkflowRow } from '../../src/source/executions';
import { storableJson, toStorable, type JsonValue } from '../../src/json';
import { timed } from './stats';

/**
 * One value in COPY's text format: \N for null, backslash escapes for the characters COPY reserves.
 * storableJson writes integers past 2^53 as the numbers they are (JSON.stringify would write their marker).
 */
function copyValue(value: JsonValue | undefined): string {
  if (value === null || value === undefined) return '\\N';
  const text = typeof value === 'object' ? storableJson(value) : String(value);
  return text.replace(/[\\\n\r\t]/g, (c) => (c === '\\' ? '\\\\' : c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

/** The rows as COPY text, made before the clock starts: the ceiling is the database's, not our encoding's. */
export function encodeForCopy(rows: readonly WorkflowRow[]): Buffer[] {
  const columns = workflowTable.columns.map(([name]) => name);
  const chunks: Buffer[] = [];
  let lines: string[] = [];
  for (const row of toStorable(rows) as Array<Record<string, JsonValue>>) {
    lines.push(columns.map((column) => copyValue(row[column])).join('\t'));
    if (lines.length === 1000) {
      chunks.push(Buffer.from(`${lines.join('\n')}\n`));
      lines = [];
    }
  }
  if (lines.length > 0) chunks.push(Buffer.from(`${lines.join('\n')}\n`));
  return chunks;
}

/** COPY of the encoded rows into the (emptied) workflow table of `schema`; returns the time and rows copied. */
export async function measureCopy(
  pool: pg.Pool,
  schema: string,
  chunks: Buffer[],
): Promise<{ ms: number; rows: number }> {
  const table = qualified(schema, 'workflow');
  await pool.query(`TRUNCATE ${table}`);
  const columns = workflowTable.columns.map(([name]) => quoteIdent(name)).join(', ');
  const client = await pool.connect();
  try {
    const { ms } = await timed(async () => {
      const copy = client.query(copyFrom(`COPY ${table} (${columns}) FROM STDIN`));
      await pipeline(Readable.from(chunks), copy);
    });
    const { rows } = await client.query<{ count: string }>(`SELECT count(*) FROM ${table}`);
    return { ms, rows: Number(rows[0]!.count) };
  } finally {
    client.release();
  }
}
