import { z } from 'zod';

/**
 * What a run hands to the next when it continues as new: the ID of its sync_run record and nothing
 * else. The planning activity checks it against Postgres (same workflow, still running, held by the run
 * this one continues), and every position, query and count comes from the rows the sync itself wrote.
 */
const continueRunSchema = z
  .object({
    syncRunId: z.string().regex(/^\d{1,18}$/, 'must be the ID of a sync_run record'),
    destination: z.string().uuid('must be the destination the run was planned for'),
  })
  .strict();

/**
 * SyncWorkflow's input: plain JSON, every field optional, so a run can be started from the Web UI
 * or `temporal workflow start` with `{}` or nothing at all. Unknown fields are refused, so a typo
 * does not silently run with defaults. Which streams exist is the registry's business: the planning
 * activity checks `streams` and `namespace`.
 */
export const syncInputSchema = z
  .object({
    mode: z.enum(['full', 'incremental']).default('incremental'),
    streams: z
      .array(z.string().min(1, 'must name a stream'))
      .min(1, 'must name at least one stream')
      .transform((streams) => [...new Set(streams)])
      .optional(),
    namespace: z.string().min(1, 'must name a namespace').optional(),
    /** Unset: the namespace's own (its definition), else 1000. */
    pageSize: z.number().int().min(1).max(1000).optional(),
    lookbackSeconds: z.number().int().min(0).max(604_800).default(300),
    activityMaxSeconds: z.number().int().min(0).max(3600).default(60),
    heartbeatTimeoutSeconds: z.number().int().min(1).max(600).default(30),
    continueAsNewAfterActivities: z.number().int().min(1).max(10_000).default(500),
    /** Partitions of a pass read at once, across every worker polling the task queue; unset: the namespace's own, else 4. */
    partitions: z.number().int().min(1).max(64).optional(),
    /** A pass is split only into partitions of at least this many executions (by the source's count). */
    minRowsPerPartition: z.number().int().min(1).max(100_000_000).default(10_000),
    /** Visibility calls per second the run may make in all; unset: the namespace's own, else TEMPORAL_SYNC_VISIBILITY_RPS. */
    visibilityRps: z.number().int().min(1).max(1000).optional(),
    continueRun: continueRunSchema.optional(),
  })
  .strict();

export type SyncInput = z.input<typeof syncInputSchema>;
export type ParsedSyncInput = z.output<typeof syncInputSchema>;

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? typeof value;
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let value = root;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

const FIELD_HINTS: Record<string, string> = {
  continuation:
    'it held the continue-as-new state of versions before the stream contract, which a run no longer takes from its input; start the sync again without it',
};

/** The input with every default: what a run would use if it had been given `{}`. */
export function defaultSyncInput(): ParsedSyncInput {
  return syncInputSchema.parse({});
}

export type InputParseResult = { ok: true; input: ParsedSyncInput } | { ok: false; problems: string[] };

/** Validates raw input. `null` and `undefined` mean "all defaults". Problems name the field and the value. */
export function parseSyncInput(raw: unknown): InputParseResult {
  const parsed = syncInputSchema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, input: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys
        .map((key) => `unknown field "${key}"${FIELD_HINTS[key] ? ` (${FIELD_HINTS[key]})` : ''}`)
        .join('; ');
    }
    const field = issue.path.length > 0 ? issue.path.join('.') : '(input)';
    return `${field}: ${issue.message} (got ${describeValue(valueAt(raw, issue.path))})`;
  });
  return { ok: false, problems };
}
