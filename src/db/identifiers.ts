/** Quotes an identifier for SQL. Config already restricts schema names; this keeps any name inert. */
export function quoteIdent(name: string): string {
  if (name.includes('\u0000')) throw new Error('an SQL identifier cannot contain a NUL character');
  return `"${name.replaceAll('"', '""')}"`;
}

export function qualified(schema: string, table: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(table)}`;
}
