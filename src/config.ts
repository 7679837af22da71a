import { z } from 'zod';

/** A Postgres identifier we create ourselves: never quoted from user text, so keep it plain. */
const sqlIdentifier = z
  .string()
  .regex(
    /^[a-z_][a-z0-9_]{0,62}$/,
    'must be a plain lower-case SQL identifier (a-z, 0-9, _; at most 63 characters; not starting with a digit)',
  );

const positiveInt = (max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(max, `must be at most ${max}`);

const postgresUrl = z
  .string({ error: 'is required: set it to a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/mydb' })
  .min(1, 'is required: set it to a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/mydb')
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'postgres:' || url.protocol === 'postgresql:';
    } catch {
      return false;
    }
  }, 'must be a postgres:// or postgresql:// URL, e.g. postgres://user@127.0.0.1:5432/mydb');

/** A whole number in a range that may start at 0 (ports, ages where 0 means "always"). */
const wholeNumberBetween = (min: number, max: number) =>
  z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(min, `must be between ${min} and ${max}`)
    .max(max, `must be between ${min} and ${max}`);

const hostPort = z
  .string()
  .regex(/^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233');

const optionalHttpUrl = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value.trim()))
  .refine((value) => {
    if (value === undefined) return true;
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// URL');

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

export const DEFAULT_METRICS_PORT = 9464;
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;
/** How old a schedule's describe may be before an incremental pass describes it again, though its list entry is unchanged. */
export const DEFAULT_SCHEDULE_REDESCRIBE_SECONDS = 600;
/** A third of Temporal Cloud's 30 visibility calls per second per namespace, which the user's own apps share. */
export const DEFAULT_VISIBILITY_RPS = 10;
/**
 * How much longer than the grace time a platform must wait before it kills the worker: after the grace
 * time the SDK cancels what still runs, which stops at its next page boundary, then connections close.
 * Fly's kill_timeout and Kubernetes' terminationGracePeriodSeconds are the grace time plus this.
 */
export const SHUTDOWN_MARGIN_SECONDS = 10;

/**
 * The variables every command that talks to Temporal reads: the connection (TEMPORAL_API_KEY, TLS
 * files and profiles are read by @temporalio/envconfig; only the ones we interpret are validated
 * here) and the task queue. The schedules and sync commands need only these, not DATABASE_URL.
 */
export const temporalEnvSchema = z.object({
  TEMPORAL_SYNC_TASK_QUEUE: z.string().trim().min(1, 'must not be empty').default('temporal-sync'),
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1, 'must not be empty').optional(),
  TEMPORAL_API_KEY: optionalNonEmpty,
  TEMPORAL_TLS_CLIENT_KEY_DATA: optionalNonEmpty,
  TEMPORAL_CODEC_AUTH: optionalNonEmpty,
  /** The Temporal Web UI, for links: the commands print them, alerts carry them (only when set). */
  TEMPORAL_SYNC_UI_URL: optionalHttpUrl.transform((url) => url?.replace(/\/+$/, '')),
});

/** Every environment variable the worker reads, in one place: the Temporal part plus the database and the source. */
export const envSchema = temporalEnvSchema.extend({
  DATABASE_URL: postgresUrl,
  TEMPORAL_SYNC_SCHEMA: sqlIdentifier.default('temporal_sync'),
  /** The namespace whose executions and schedules are synced; defaults to the worker's own. */
  TEMPORAL_SYNC_SOURCE_NAMESPACE: z.string().trim().min(1, 'must not be empty').optional(),
  /** Set to read the source namespace through its own connection (TEMPORAL_SYNC_SOURCE_* variables). */
  TEMPORAL_SYNC_SOURCE_ADDRESS: hostPort.optional(),
  TEMPORAL_SYNC_DB_POOL_MAX: positiveInt(100).default(8),
  TEMPORAL_SYNC_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  /** json: one JSON object per line (production); pretty: readable lines. Unset: pretty in a terminal, else json. */
  TEMPORAL_SYNC_LOG_FORMAT: z.enum(['json', 'pretty'], { error: 'must be json or pretty' }).optional(),
  /** Port of /metrics, /healthz and /readyz; 0 lets the system pick a free one (it is logged). */
  TEMPORAL_SYNC_METRICS_PORT: wholeNumberBetween(0, 65535).default(DEFAULT_METRICS_PORT),
  /** Address the metrics and health server listens on: all interfaces, so a platform's probes reach it. */
  TEMPORAL_SYNC_METRICS_HOST: z.string().trim().min(1, 'must not be empty').default('0.0.0.0'),
  TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS: positiveInt(3600).default(DEFAULT_SHUTDOWN_GRACE_SECONDS),
  TEMPORAL_SYNC_MIGRATE_ON_START: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true' || value === '1'),
  /** A prebuilt workflow bundle (npm run build writes dist/workflows.bundle.js, found without this). */
  TEMPORAL_SYNC_WORKFLOW_BUNDLE: optionalNonEmpty,
  /** Where incident alerts are posted; unset, incidents are still recorded but nothing is sent. A secret (Slack's carries a token). */
  TEMPORAL_SYNC_ALERT_WEBHOOK_URL: optionalHttpUrl,
  TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT: z.enum(['json', 'slack']).default('json'),
  /** Data older than this (no successful sync finished within it) is stale: an alert, and `npm run status` says so. */
  TEMPORAL_SYNC_STALENESS_SECONDS: positiveInt(2_592_000).default(7200),
  TEMPORAL_SYNC_SOURCE_API_KEY: optionalNonEmpty,
  TEMPORAL_SYNC_SOURCE_TLS_CLIENT_KEY_DATA: optionalNonEmpty,
  /** An incremental pass re-describes a schedule whose list entry is unchanged once its describe is this old; 0: always. */
  TEMPORAL_SYNC_SCHEDULE_REDESCRIBE_SECONDS: wholeNumberBetween(0, 604_800).default(
    DEFAULT_SCHEDULE_REDESCRIBE_SECONDS,
  ),
  /** Visibility calls per second (List/Count executions, ListSchedules) one sync run may make, all its partitions together. */
  TEMPORAL_SYNC_VISIBILITY_RPS: positiveInt(1000).default(DEFAULT_VISIBILITY_RPS),
  /** copy (fastest) or insert, for databases or proxies without COPY FROM STDIN (PGlite, some poolers). */
  TEMPORAL_SYNC_DB_BULK_LOAD: z.enum(['copy', 'insert'], { error: 'must be copy or insert' }).default('copy'),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  databaseUrl: string;
  schema: string;
  taskQueue: string;
  workerNamespace: string;
  sourceNamespace: string;
  /** True when the source namespace is read through a connection of its own. */
  separateSourceConnection: boolean;
  dbPoolMax: number;
  logLevel: Env['TEMPORAL_SYNC_LOG_LEVEL'];
  /** Undefined: chosen by whether standard output is a terminal. */
  logFormat: Env['TEMPORAL_SYNC_LOG_FORMAT'];
  metricsPort: number;
  metricsHost: string;
  shutdownGraceSeconds: number;
  migrateOnStart: boolean;
  scheduleRedescribeSeconds: number;
  visibilityRps: number;
  bulkLoad: 'copy' | 'insert';
  workflowBundlePath: string | undefined;
  alerts: {
    webhookUrl: string | undefined;
    format: Env['TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT'];
    stalenessSeconds: number;
    webUiUrl: string | undefined;
  };
  /** Values that must never be printed: API keys and the database password. */
  secrets: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Shorter names that mean the same as ours (the names the project's interface first gave): either
 * may be set. Ours win only when both agree; two different values are an error, not a guess.
 */
export const VARIABLE_ALIASES = {
  TEMPORAL_TASK_QUEUE: 'TEMPORAL_SYNC_TASK_QUEUE',
  PG_SCHEMA: 'TEMPORAL_SYNC_SCHEMA',
} as const;

/** The environment with each alias copied to its canonical name, and which names the user actually set. */
function resolveAliases(env: NodeJS.ProcessEnv): {
  env: NodeJS.ProcessEnv;
  setAs: Map<string, string>;
  problems: string[];
} {
  const resolved = { ...env };
  const setAs = new Map<string, string>();
  const problems: string[] = [];
  for (const [alias, canonical] of Object.entries(VARIABLE_ALIASES)) {
    const aliasValue = env[alias];
    if (aliasValue === undefined || aliasValue === '') continue;
    const canonicalValue = env[canonical];
    if (canonicalValue === undefined || canonicalValue === '') {
      resolved[canonical] = aliasValue;
      setAs.set(canonical, alias);
    } else if (canonicalValue !== aliasValue) {
      problems.push(`${alias} and ${canonical} are both set, to different values: set only one of them`);
    }
  }
  return { env: resolved, setAs, problems };
}

/** Validates the environment against a schema; a bad variable becomes one line naming it, never its value. */
export function parseEnv<S extends z.ZodType>(schema: S, rawEnv: NodeJS.ProcessEnv): z.output<S> {
  const { env, setAs, problems: aliasProblems } = resolveAliases(rawEnv);
  const parsed = schema.safeParse(env);
  if (parsed.success && aliasProblems.length === 0) return parsed.data;
  const problems = (parsed.success ? [] : parsed.error.issues).map((issue) => {
    const path = issue.path.join('.');
    const variable = setAs.get(path) ?? (path || '(environment)');
    const isMissing = issue.code === 'invalid_type' && env[path] === undefined;
    return isMissing && !issue.message.startsWith('is required')
      ? `${variable} is required`
      : `${variable} ${issue.message}`;
  });
  throw new ConfigError([...aliasProblems, ...problems]);
}

/** Reads and validates the environment. Throws ConfigError naming every bad variable, never its value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const vars = parseEnv(envSchema, env);
  const workerNamespace = vars.TEMPORAL_NAMESPACE ?? 'default';
  return {
    databaseUrl: vars.DATABASE_URL,
    schema: vars.TEMPORAL_SYNC_SCHEMA,
    taskQueue: vars.TEMPORAL_SYNC_TASK_QUEUE,
    workerNamespace,
    sourceNamespace: vars.TEMPORAL_SYNC_SOURCE_NAMESPACE ?? workerNamespace,
    separateSourceConnection: vars.TEMPORAL_SYNC_SOURCE_ADDRESS !== undefined,
    dbPoolMax: vars.TEMPORAL_SYNC_DB_POOL_MAX,
    logLevel: vars.TEMPORAL_SYNC_LOG_LEVEL,
    logFormat: vars.TEMPORAL_SYNC_LOG_FORMAT,
    metricsPort: vars.TEMPORAL_SYNC_METRICS_PORT,
    metricsHost: vars.TEMPORAL_SYNC_METRICS_HOST,
    shutdownGraceSeconds: vars.TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS,
    migrateOnStart: vars.TEMPORAL_SYNC_MIGRATE_ON_START,
    scheduleRedescribeSeconds: vars.TEMPORAL_SYNC_SCHEDULE_REDESCRIBE_SECONDS,
    visibilityRps: vars.TEMPORAL_SYNC_VISIBILITY_RPS,
    bulkLoad: vars.TEMPORAL_SYNC_DB_BULK_LOAD,
    workflowBundlePath: vars.TEMPORAL_SYNC_WORKFLOW_BUNDLE,
    alerts: {
      webhookUrl: vars.TEMPORAL_SYNC_ALERT_WEBHOOK_URL,
      format: vars.TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT,
      stalenessSeconds: vars.TEMPORAL_SYNC_STALENESS_SECONDS,
      webUiUrl: vars.TEMPORAL_SYNC_UI_URL,
    },
    secrets: collectSecrets(vars),
  };
}

export interface TemporalConfig {
  namespace: string;
  taskQueue: string;
  /** Values that must never be printed: API keys and the TLS key. */
  secrets: string[];
}

/** What the schedules and sync commands read besides the Temporal connection. */
export const commandEnvSchema = temporalEnvSchema.extend({
  /** A JSON or YAML file of schedule definitions, laid over the built-in ones. */
  TEMPORAL_SYNC_SCHEDULES_FILE: optionalNonEmpty,
  /** The same format inline, laid over the file: for platforms where a file is awkward. */
  TEMPORAL_SYNC_SCHEDULES: optionalNonEmpty,
  /** Time zone of schedules whose definition names none. */
  TEMPORAL_SYNC_SCHEDULE_TIMEZONE: optionalNonEmpty,
});

export interface CommandConfig extends TemporalConfig {
  uiUrl: string;
  schedules: { file: string | undefined; inline: string | undefined; timezone: string | undefined };
}

/** The environment of the schedules and sync commands: no DATABASE_URL needed. */
export function loadCommandConfig(env: NodeJS.ProcessEnv = process.env): CommandConfig {
  const vars = parseEnv(commandEnvSchema, env);
  return {
    namespace: vars.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: vars.TEMPORAL_SYNC_TASK_QUEUE,
    secrets: temporalSecrets(vars),
    uiUrl: vars.TEMPORAL_SYNC_UI_URL ?? 'http://localhost:8233',
    schedules: {
      file: vars.TEMPORAL_SYNC_SCHEDULES_FILE,
      inline: vars.TEMPORAL_SYNC_SCHEDULES,
      timezone: vars.TEMPORAL_SYNC_SCHEDULE_TIMEZONE,
    },
  };
}

function temporalSecrets(vars: z.output<typeof temporalEnvSchema>): string[] {
  return [vars.TEMPORAL_API_KEY, vars.TEMPORAL_TLS_CLIENT_KEY_DATA, vars.TEMPORAL_CODEC_AUTH].filter(
    (secret): secret is string => secret !== undefined && secret.length >= 4,
  );
}

/**
 * Variables whose whole value is secret; DATABASE_URL also is, for its password. Deployment files
 * take these from a secret store (Fly secrets, a Kubernetes Secret), never from plain config.
 */
export const SECRET_VARIABLES = [
  'DATABASE_URL',
  'TEMPORAL_API_KEY',
  'TEMPORAL_SYNC_SOURCE_API_KEY',
  'TEMPORAL_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_SYNC_SOURCE_TLS_CLIENT_KEY_DATA',
  'TEMPORAL_CODEC_AUTH',
  'TEMPORAL_SYNC_ALERT_WEBHOOK_URL',
] as const satisfies ReadonlyArray<keyof Env>;

function collectSecrets(vars: Env): string[] {
  const secrets = SECRET_VARIABLES.filter((name) => name !== 'DATABASE_URL').map((name) => vars[name]);
  const password = new URL(vars.DATABASE_URL).password;
  if (password) secrets.push(password, decodeURIComponent(password));
  const webhook = vars.TEMPORAL_SYNC_ALERT_WEBHOOK_URL;
  if (webhook !== undefined) {
    // A webhook URL is a credential (Slack's path is its token): its path is secret on its own too.
    const url = new URL(webhook);
    secrets.push(url.href);
    if (`${url.pathname}${url.search}`.length >= 8) secrets.push(`${url.pathname}${url.search}`);
    if (url.password) secrets.push(url.password);
  }
  return secrets.filter((secret): secret is string => secret !== undefined && secret.length >= 4);
}
