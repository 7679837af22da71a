import { readFileSync } from 'node:fs';
import path from 'node:path';

const TABLES_DOC = path.resolve(__dirname, '../../docs/tables.md');

/**
 * An example query of docs/tables.md, the one under the comment that starts with `question`, for the
 * given schema: tests run the documented SQL itself, so the doc cannot drift from the tables.
 */
export function documentedQuery(question: string, schema: string): string {
  const doc = readFileSync(TABLES_DOC, 'utf8');
  const examples = doc.slice(doc.indexOf('## Example queries'));
  const block = /```sql\n([\s\S]*?)```/.exec(examples)?.[1];
  if (!block) throw new Error('docs/tables.md has no example queries block');
  const query = block.split(/\n\s*\n/).find((statement) => statement.startsWith(`-- ${question}`));
  if (!query) throw new Error(`docs/tables.md has no example query "${question}"`);
  return query.replaceAll('temporal_sync.', `"${schema}".`).trim().replace(/;$/, '');
}
