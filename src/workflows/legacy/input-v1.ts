import { z } from 'zod';

export const STREAMS = ['workflows', 'schedules'] as const;
export type Stream = (typeof STREAMS)[number];

const streamProgressSchema = z.object({
  full: z.boolean(),
  query: z.string(),
  pageToken: z.string().nullable(),
  pages: z.number().int().min(0),
  rows: z.number().int().min(0),
  deleted: z.number().int().min(0),
  done: z.boolean(),
  /** Pages at which an activity attempt resumed from a heartbeat checkpoint (after a crash or timeout). */
  resumedAtPages: z.array(z.number().int().min(1)).default([]),
});

/** What a run hands to the next through continue-as-new: the run's identity and each stream's position. */
const continuationSchema = z.object({
  syncRunId: z.string().min(1),
  startedAt: z.string().min(1),
  continuedAsNew: z.number().int().min(0),
  streams: z.partialRecord(z.enum(STREAMS), streamProgressSchema),
});

/**
 * SyncWorkflow's input: plain JSON, every field optional, so a run can be started from the Web UI
 * or `temporal workflow start` with `{}` or nothing at all. Unknown fields are refused, so a typo
 * does not silently run with defaults.
 */
export const syncInputSchema = z
  .object({
    mode: z.enum(['full', 'incremental']).default('incremental'),
    streams: z
      .array(z.enum(STREAMS))
      .min(1, 'must name at least one stream')
      .default([...STREAMS])
      .transform((streams) => [...new Set(streams)]),
    pageSize: z.number().int().min(1).max(1000).default(1000),
    lookbackSeconds: z.number().int().min(0).max(604_800).default(300),
    activityMaxSeconds: z.number().int().min(0).max(3600).default(60),
    heartbeatTimeoutSeconds: z.number().int().min(1).max(600).default(30),
    continueAsNewAfterActivities: z.number().int().min(1).max(10_000).default(500),
    continuation: continuationSchema.optional(),
  })
  .strict();

export type SyncInput = z.input<typeof syncInputSchema>;
export type ParsedSyncInput = z.output<typeof syncInputSchema>;
export type StreamProgress = z.output<typeof streamProgressSchema>;
export type Continuation = z.output<typeof continuationSchema>;

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

export type InputParseResult = { ok: true; input: ParsedSyncInput } | { ok: false; problems: string[] };

/** Validates raw input. `null` and `undefined` mean "all defaults". Problems name the field and the value. */
export function parseSyncInput(raw: unknown): InputParseResult {
  const parsed = syncInputSchema.safeParse(raw ?? {});
  if (parsed.success) return { ok: true, input: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.map((key) => `"${key}"`).join(', ')}`;
    const field = issue.path.length > 0 ? issue.path.join('.') : '(input)';
    return `${field}: ${issue.message} (got ${describeValue(valueAt(raw, issue.path))})`;
  });
  return { ok: false, problems };
}
