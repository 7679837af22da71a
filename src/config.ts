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

const hostPort = z
  .string()
  .regex(/^[^\s:/]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:7233');

const optionalNonEmpty = z
  .string()
  .optional()
  .transform((value) => (value === undefined || value.trim() === '' ? undefined : value));

/**
 * Every environment variable the service reads, in one place. Temporal connection variables
 * (TEMPORAL_API_KEY, TLS files, profiles) are read by @temporalio/envconfig; only the ones we
 * interpret ourselves are validated here.
 */
export const envSchema = z.object({
  DATABASE_URL: postgresUrl,
  TEMPORAL_SYNC_SCHEMA: sqlIdentifier.default('temporal_sync'),
  TEMPORAL_SYNC_TASK_QUEUE: z.string().trim().min(1, 'must not be empty').default('temporal-sync'),
  TEMPORAL_ADDRESS: hostPort.optional(),
  TEMPORAL_NAMESPACE: z.string().trim().min(1, 'must not be empty').optional(),
  /** The namespace whose executions and schedules are synced; defaults to the worker's own. */
  TEMPORAL_SYNC_SOURCE_NAMESPACE: z.string().trim().min(1, 'must not be empty').optional(),
  /** Set to read the source namespace through its own connection (TEMPORAL_SYNC_SOURCE_* variables). */
  TEMPORAL_SYNC_SOURCE_ADDRESS: hostPort.optional(),
  TEMPORAL_SYNC_DB_POOL_MAX: positiveInt(100).default(8),
  TEMPORAL_SYNC_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default('info'),
  TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS: positiveInt(3600).default(30),
  TEMPORAL_SYNC_MIGRATE_ON_START: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('true')
    .transform((value) => value === 'true' || value === '1'),
  /** A prebuilt workflow bundle (npm run build writes dist/workflows.bundle.js, found without this). */
  TEMPORAL_SYNC_WORKFLOW_BUNDLE: optionalNonEmpty,
  TEMPORAL_API_KEY: optionalNonEmpty,
  TEMPORAL_SYNC_SOURCE_API_KEY: optionalNonEmpty,
  TEMPORAL_TLS_CLIENT_KEY_DATA: optionalNonEmpty,
  TEMPORAL_SYNC_SOURCE_TLS_CLIENT_KEY_DATA: optionalNonEmpty,
  TEMPORAL_CODEC_AUTH: optionalNonEmpty,
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
  shutdownGraceSeconds: number;
  migrateOnStart: boolean;
  workflowBundlePath: string | undefined;
  /** Values that must never be printed: API keys and the database password. */
  secrets: string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment. Throws ConfigError naming every bad variable, never its value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = issue.path.join('.') || '(environment)';
      const isMissing = issue.code === 'invalid_type' && env[variable] === undefined;
      return isMissing && !issue.message.startsWith('is required')
        ? `${variable} is required`
        : `${variable} ${issue.message}`;
    });
    throw new ConfigError(problems);
  }
  const vars = parsed.data;
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
    shutdownGraceSeconds: vars.TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS,
    migrateOnStart: vars.TEMPORAL_SYNC_MIGRATE_ON_START,
    workflowBundlePath: vars.TEMPORAL_SYNC_WORKFLOW_BUNDLE,
    secrets: collectSecrets(vars),
  };
}

function collectSecrets(vars: Env): string[] {
  const secrets = [
    vars.TEMPORAL_API_KEY,
    vars.TEMPORAL_SYNC_SOURCE_API_KEY,
    vars.TEMPORAL_TLS_CLIENT_KEY_DATA,
    vars.TEMPORAL_SYNC_SOURCE_TLS_CLIENT_KEY_DATA,
    vars.TEMPORAL_CODEC_AUTH,
  ];
  const password = new URL(vars.DATABASE_URL).password;
  if (password) secrets.push(password, decodeURIComponent(password));
  return secrets.filter((secret): secret is string => secret !== undefined && secret.length >= 4);
}
