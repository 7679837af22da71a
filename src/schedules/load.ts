import type { z } from 'zod';
import { DefinitionError, firstProblem, parseDefinitionDocument, readDefinitionFile } from '../definition-text';
import { DEFAULT_SCHEDULES } from './defaults';
import {
  definitionsFileSchema,
  isTimeZone,
  resolveDefinition,
  scheduleDefinitionSchema,
  type DefinitionContext,
  type ScheduleDefinition,
} from './definition';

export { DefinitionError };

type RawDefinition = Record<string, unknown>;

/** Objects replaced whole by an override, since their fields only make sense together. */
const REPLACED_WHOLE = new Set(['spec', 'input']);

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function mergeObjects(base: Record<string, unknown>, override: Record<string, unknown>, top: boolean) {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const previous = merged[key];
    merged[key] =
      isPlainObject(previous) && isPlainObject(value) && !(top && REPLACED_WHOLE.has(key))
        ? mergeObjects(previous, value, false)
        : value;
  }
  return merged;
}

export interface MergedDefinition {
  raw: RawDefinition;
  /** Where the user wrote it, for error messages: e.g. "schedules[1]"; undefined for an untouched default. */
  origin: string | undefined;
}

/**
 * Lays user entries over the built-in ones by id: fields an entry gives replace the built-in's
 * (`spec` and `input` as a whole, other objects field by field); entries with new ids are added.
 */
export function mergeDefinitions(
  base: readonly RawDefinition[],
  overrides: readonly MergedDefinition[],
): MergedDefinition[] {
  const merged: MergedDefinition[] = base.map((raw) => ({ raw, origin: undefined }));
  for (const override of overrides) {
    const index = merged.findIndex((entry) => entry.raw.id !== undefined && entry.raw.id === override.raw.id);
    if (index < 0) merged.push(override);
    else merged[index] = { raw: mergeObjects(merged[index]!.raw, override.raw, true), origin: override.origin };
  }
  return merged;
}

/** Parses definitions text (YAML, which includes JSON) into checked file contents. */
export function parseDefinitionsText(text: string, source: string): z.output<typeof definitionsFileSchema> {
  return parseDefinitionDocument(text, source, definitionsFileSchema);
}

export interface DefinitionSources {
  /** Contents of TEMPORAL_SYNC_SCHEDULES_FILE (or --file), with its name for messages. */
  file?: { name: string; text: string };
  /** TEMPORAL_SYNC_SCHEDULES: the same format inline, laid over the file. */
  inline?: string;
}

/** Builds the definitions from the built-in ones, a file and the inline variable, in that order. Pure. */
export function buildDefinitions(sources: DefinitionSources, context: DefinitionContext): ScheduleDefinition[] {
  let useDefaults = true;
  const overrides: MergedDefinition[] = [];
  const layers = [
    sources.file && { source: sources.file.name, text: sources.file.text },
    sources.inline !== undefined && { source: 'TEMPORAL_SYNC_SCHEDULES', text: sources.inline },
  ];
  for (const layer of layers) {
    if (!layer) continue;
    const contents = parseDefinitionsText(layer.text, layer.source);
    if (!contents.useDefaults) useDefaults = false;
    const seen = new Set<unknown>();
    contents.schedules.forEach((raw, index) => {
      const origin = `${layer.source}: schedules[${index}]`;
      if (raw.id !== undefined && seen.has(raw.id)) {
        throw new DefinitionError(`${origin}.id: ${JSON.stringify(raw.id)} is defined twice`);
      }
      seen.add(raw.id);
      overrides.push({ raw, origin });
    });
  }
  const base = useDefaults ? DEFAULT_SCHEDULES.map((definition): RawDefinition => ({ ...definition })) : [];
  return mergeDefinitions(base, overrides).map(({ raw, origin }) => {
    const parsed = scheduleDefinitionSchema.safeParse(raw);
    if (!parsed.success) {
      throw new DefinitionError(firstProblem(parsed.error, origin ?? `built-in schedule ${String(raw.id)}`));
    }
    return resolveDefinition(parsed.data, context);
  });
}

export interface LoadOptions {
  /** The worker's task queue (TEMPORAL_SYNC_TASK_QUEUE), for definitions that name none. */
  taskQueue: string;
  /** A definitions file (--file, else TEMPORAL_SYNC_SCHEDULES_FILE). */
  file?: string;
  /** Definitions text (TEMPORAL_SYNC_SCHEDULES), laid over the file. */
  inline?: string;
  /** TEMPORAL_SYNC_SCHEDULE_TIMEZONE, for definitions that name none. */
  timezone?: string;
}

/**
 * The schedule definitions in force: the built-in ones, changed by the file and then the inline
 * text (see loadCommandConfig for where these come from in the environment).
 */
export function loadScheduleDefinitions(options: LoadOptions): ScheduleDefinition[] {
  const file: DefinitionSources['file'] =
    options.file === undefined
      ? undefined
      : { name: options.file, text: readDefinitionFile(options.file, 'schedule definitions') };
  if (options.timezone !== undefined && !isTimeZone(options.timezone)) {
    throw new DefinitionError(
      'TEMPORAL_SYNC_SCHEDULE_TIMEZONE must be an IANA time zone name, e.g. UTC or Europe/Berlin',
    );
  }
  return buildDefinitions(
    { file, inline: options.inline },
    { taskQueue: options.taskQueue, timezone: options.timezone },
  );
}
