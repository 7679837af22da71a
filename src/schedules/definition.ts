import { z } from 'zod';
import { syncInputSchema } from '../workflows/input';
import { parseCron } from './cron';
import { parseDuration } from '../duration';

const DURATION_HINT = 'must be a duration like "90s", "5m", "1h30m", "2d", or a number of seconds';

/** A duration in the definition file ("1h30m" or seconds), as milliseconds. */
const duration = (atLeastMs = 0) =>
  z
    .union([z.string(), z.number()], { error: DURATION_HINT })
    .refine((value) => parseDuration(value) !== undefined, DURATION_HINT)
    .transform((value) => parseDuration(value)!)
    .refine((ms) => ms >= atLeastMs, `must be at least ${atLeastMs / 1000}s`);

export const OVERLAP_POLICIES = [
  'SKIP',
  'BUFFER_ONE',
  'BUFFER_ALL',
  'CANCEL_OTHER',
  'TERMINATE_OTHER',
  'ALLOW_ALL',
] as const;
export type OverlapPolicy = (typeof OVERLAP_POLICIES)[number];
export const overlapPolicySchema = z.enum(OVERLAP_POLICIES);

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

const specSchema = z
  .object({
    /** Five-field cron, or @hourly/@daily/@weekly/@monthly/@yearly. */
    cron: z
      .string()
      .superRefine((cron, ctx) => {
        const parsed = parseCron(cron);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.problem });
      })
      .optional(),
    interval: z
      .object({ every: duration(1000), offset: duration().default(0) })
      .strict()
      .optional(),
    /** IANA name; unset means TEMPORAL_SYNC_SCHEDULE_TIMEZONE, else UTC. */
    timezone: z.string().refine(isTimeZone, 'must be an IANA time zone name, e.g. UTC or Europe/Berlin').optional(),
    /** Each action starts up to this much later, at random. */
    jitter: duration().default(0),
  })
  .strict()
  .refine((spec) => (spec.cron === undefined) !== (spec.interval === undefined), {
    message: 'needs exactly one of cron (e.g. "0 * * * *") or interval (e.g. { every: 1h })',
  });

const retrySchema = z
  .object({
    initialInterval: duration(1000).default(30_000),
    backoffCoefficient: z.number().min(1, 'must be at least 1').default(2),
    maximumInterval: duration(1000).optional(),
    /** 0 means no limit. */
    maximumAttempts: z.number().int().min(0, 'must be 0 (no limit) or more').default(3),
    nonRetryableErrorTypes: z.array(z.string().min(1)).default([]),
  })
  .strict();

/** What the workflows a schedule starts get: their retry policy and timeouts. */
const workflowOptionsSchema = z
  .object({
    retry: retrySchema.prefault({}),
    executionTimeout: duration(1000).optional(),
    runTimeout: duration(1000).optional(),
    taskTimeout: duration(1000).optional(),
  })
  .strict();

const policiesSchema = z
  .object({
    overlap: overlapPolicySchema.default('SKIP'),
    /** How late a missed action (server down) may still start; the server refuses less than 10s. */
    catchupWindow: duration(10_000).default(3_600_000),
    /** Pause the schedule when a started workflow fails after its retries. */
    pauseOnFailure: z.boolean().default(false),
  })
  .strict();

/**
 * One schedule as users write it (JSON or YAML). Every field but `id` and `spec` has a default;
 * `taskQueue` defaults to TEMPORAL_SYNC_TASK_QUEUE and `workflowIdPrefix` to the ID.
 */
export const scheduleDefinitionSchema = z
  .object({
    id: z
      .string()
      .regex(
        /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/,
        'must be letters, digits, ".", "_" or "-" (at most 200, starting with a letter or digit)',
      ),
    workflowType: z.string().trim().min(1, 'must not be empty').default('SyncWorkflow'),
    /** The workflow's one argument. */
    input: z.record(z.string(), z.unknown()).default({}),
    spec: specSchema,
    taskQueue: z.string().trim().min(1, 'must not be empty').optional(),
    /** Started workflows are named `<prefix>-<scheduled time>` by the server. */
    workflowIdPrefix: z.string().trim().min(1, 'must not be empty').optional(),
    policies: policiesSchema.prefault({}),
    workflow: workflowOptionsSchema.prefault({}),
  })
  .strict()
  .superRefine((definition, ctx) => {
    // A SyncWorkflow input mistake would otherwise surface only when the schedule first fires.
    if (definition.workflowType !== 'SyncWorkflow') return;
    const parsed = syncInputSchema.safeParse(definition.input);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({
        code: 'custom',
        path: ['input', ...issue.path],
        message:
          issue.code === 'unrecognized_keys'
            ? `unknown SyncWorkflow input field ${issue.keys.map((key) => `"${key}"`).join(', ')}`
            : issue.message,
      });
    }
  });

export type ScheduleDefinitionInput = z.input<typeof scheduleDefinitionSchema>;
export type ParsedScheduleDefinition = z.output<typeof scheduleDefinitionSchema>;

/** A definition with every default filled in: what apply compares with the server. */
export type ScheduleDefinition = Omit<ParsedScheduleDefinition, 'taskQueue' | 'workflowIdPrefix' | 'spec'> & {
  taskQueue: string;
  workflowIdPrefix: string;
  spec: Omit<ParsedScheduleDefinition['spec'], 'timezone'> & { timezone: string };
  /** The namespace a SyncWorkflow schedule syncs, when a namespaces definition is in force (see namespaces.ts). */
  namespace?: string;
};

export interface DefinitionContext {
  /** TEMPORAL_SYNC_TASK_QUEUE: where the worker polls. */
  taskQueue: string;
  /** TEMPORAL_SYNC_SCHEDULE_TIMEZONE, for definitions that name none. */
  timezone?: string;
}

export function resolveDefinition(parsed: ParsedScheduleDefinition, context: DefinitionContext): ScheduleDefinition {
  return {
    ...parsed,
    taskQueue: parsed.taskQueue ?? context.taskQueue,
    workflowIdPrefix: parsed.workflowIdPrefix ?? parsed.id,
    spec: { ...parsed.spec, timezone: parsed.spec.timezone ?? context.timezone ?? 'UTC' },
  };
}

/** The top level of a definitions file. */
export const definitionsFileSchema = z
  .object({
    /** false drops the built-in hourly and daily schedules; the file's own are then the only ones. */
    useDefaults: z.boolean().default(true),
    /** An entry whose id names a built-in schedule changes only the fields it gives. */
    schedules: z
      .array(z.record(z.string(), z.unknown()), { error: 'must be a list of schedule definitions' })
      .default([]),
  })
  .strict();
