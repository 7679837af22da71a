import type { ColumnType, TableSpec } from '../../src/db/rows';
import { storableJson, withoutNul } from '../../src/json';

/**
 * The page writer's COPY text as src/db/rows.ts built it before it was made faster: every jsonb value
 * through storableJson (JSON.stringify with a replacer), every field through the escaping regex, lines
 * joined. Kept here as the reference the faster one must equal byte for byte, and to measure the gain.
 */
const COPY_SPECIAL = /[\\\n\r\t]/;
const COPY_ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function copyField(value: unknown, type: ColumnType): string {
  if (value === null || value === undefined) return '\\N';
  let text: string;
  if (type === 'jsonb') text = storableJson(value);
  else if (type === 'boolean') text = value ? 't' : 'f';
  else if (typeof value === 'string') text = withoutNul(value);
  else if (typeof value === 'number' || typeof value === 'bigint') text = value.toString();
  else text = storableJson(value);
  return COPY_SPECIAL.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => COPY_ESCAPES[c]!) : text;
}

export function referenceCopyText<Row>(spec: TableSpec<Row>, rows: readonly Row[]): string {
  const lines = rows.map((row) => spec.columns.map(([name, type]) => copyField(row[name], type)).join('\t'));
  return `${lines.join('\n')}\n`;
}
