import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS, envSchema } from '../../src/config';

export const ROOT = path.resolve(__dirname, '../..');

export const readText = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

/** Each document as plain data; the caller casts it to the shape it reads (./shapes). */
export function readYamlDocuments(file: string): unknown[] {
  return parseAllDocuments(readText(file)).map((document) => {
    if (document.errors.length > 0) throw new Error(`${file}: ${document.errors[0]!.message}`);
    return document.toJS() as unknown;
  });
}

export const readToml = (file: string): unknown => parseToml(readText(file));

/** The variables the config schema cannot do without: those it refuses when unset. */
export function requiredVariables(): string[] {
  return Object.entries(envSchema.shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([name]) => name);
}

export const knownVariables = (): string[] => Object.keys(envSchema.shape);

/** The grace time a set of variables gives the worker: the one set, else the config's default. */
export function graceSeconds(env: Record<string, unknown>): number {
  const value = env.TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS;
  return value === undefined ? DEFAULT_SHUTDOWN_GRACE_SECONDS : Number(value);
}

/** A Markdown section's text, from its `## ` or `### ` heading to the next heading of the same or a higher level. */
export function markdownSection(file: string, heading: string): string {
  const lines = readText(file).split('\n');
  const start = lines.findIndex((line) => /^#{2,3} /.test(line) && line.replace(/^#+ /, '') === heading);
  if (start < 0) throw new Error(`${file} has no section "${heading}"`);
  const level = lines[start]!.indexOf(' ');
  const end = lines.findIndex((line, index) => index > start && /^#+ /.test(line) && line.indexOf(' ') <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}

/** TEMPORAL_SYNC_* names set in a deployment file must be ones the worker reads: a typo is silently ignored. */
export function unknownSyncVariables(names: string[]): string[] {
  const known = new Set(knownVariables());
  return names.filter((name) => name.startsWith('TEMPORAL_SYNC_') && !known.has(name));
}
