import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';

/** A definitions file or variable that cannot be used; the message is one line: where, which field, what is wrong. */
export class DefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DefinitionError';
  }
}

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)),
    '',
  );
}

/** The first problem zod found, as `where.field: what is wrong`, and how many more there are. */
export function firstProblem(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0]!;
  const path = fieldPath(issue.path);
  const where = [prefix, path].filter(Boolean).join('.');
  const message =
    issue.code === 'unrecognized_keys'
      ? `unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}`
      : issue.message;
  const more = error.issues.length > 1 ? ` (and ${error.issues.length - 1} more problem(s))` : '';
  return `${where ? `${where}: ` : ''}${message}${more}`;
}

/** Parses definitions text (YAML, which includes JSON) and checks it against `schema`; `source` names it in messages. */
export function parseDefinitionDocument<S extends z.ZodType>(text: string, source: string, schema: S): z.output<S> {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0]!.replace(/:$/, '');
    throw new DefinitionError(`${source}: not valid JSON or YAML: ${detail}`);
  }
  const parsed = schema.safeParse(document ?? {});
  if (!parsed.success) throw new DefinitionError(`${source}: ${firstProblem(parsed.error, '')}`);
  return parsed.data;
}

/** The text of a definitions file, or a one-line DefinitionError saying why it cannot be read. */
export function readDefinitionFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new DefinitionError(`${file}: cannot read the ${what} file: ${reason}`);
  }
}
