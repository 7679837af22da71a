import { z } from 'zod';
import {
  flag,
  hostPort,
  name,
  oneOf,
  optionalFlag,
  optionalHttpUrl,
  optionalName,
  optionalOneOf,
  optionalText,
  postgresUrl,
  schemaName,
  wholeNumber,
} from './config-fields';
import { loadNamespaces, type SourceNamespaces } from './namespaces/load';
import type { StreamSettings } from './streams/contract';
import { resolveTemporalConnection, type ConnectionResult, type TemporalConnection } from './temporal/connect-settings';

export const DEFAULT_METRICS_PORT = 9464;
export const DEFAULT_SHUTDOWN_GRACE_SECONDS = 30;
/** How long the worker and the commands wait for Temporal and Postgres to answer at start. */
export const DEFAULT_STARTUP_WAIT_SECONDS = 60;
/** How old a schedule's describe may be before an incremental pass describes it again, though its list entry is unchanged. */
export const DEFAULT_SCHEDULE_REDESCRIBE_SECONDS = 600;
/** What streams read when nothing is set (every test and tool that builds a worker starts here). */
export const DEFAULT_STREAM_SETTINGS: StreamSettings = {
  scheduleRedescribeSeconds: DEFAULT_SCHEDULE_REDESCRIBE_SECONDS,
  describeConcurrency: 8,
  stuckAfterSeconds: 600,
  stuckRedescribeSeconds: 300,
  stuckDescribesPerPass: 100,
};
/** A third of Temporal Cloud's 30 visibility calls per second per namespace, which the user's own apps share. */
export const DEFAULT_VISIBILITY_RPS = 10;
/**
 * How much longer than the grace time a platform must wait before it kills the worker: after the grace
 * time the SDK cancels what still runs, which stops at its next page boundary, then connections close.
 * Fly's kill_timeout and Kubernetes' terminationGracePeriodSeconds are the grace time plus this.
 */
export const SHUTDOWN_MARGIN_SECONDS = 10;

/**
 * A connection's variables, as @temporalio/envconfig names them (checked, with the profile they may
 * name, in temporal/connect-settings). Listed here so that every variable read has one place.
 */
const connectionVariables = {
  TEMPORAL_API_KEY: optionalText,
  TEMPORAL_TLS: optionalFlag,
  TEMPORAL_TLS_CLIENT_CERT_PATH: optionalText,
  TEMPORAL_TLS_CLIENT_CERT_DATA: optionalText,
  TEMPORAL_TLS_CLIENT_KEY_PATH: optionalText,
  TEMPORAL_TLS_CLIENT_KEY_DATA: optionalText,
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: optionalText,
  TEMPORAL_TLS_SERVER_CA_CERT_DATA: optionalText,
  TEMPORAL_TLS_SERVER_NAME: optionalText,
  TEMPORAL_PROFILE: optionalName,
};

/** The same variables for a source connection of its own: TEMPORAL_SYNC_SOURCE_X stands for TEMPORAL_X. */
const sourceConnectionVariables = {
  TEMPORAL_SYNC_SOURCE_CONFIG_FILE: optionalText,
  TEMPORAL_SYNC_SOURCE_API_KEY: optionalText,
  TEMPORAL_SYNC_SOURCE_TLS: optionalFlag,
  TEMPORAL_SYNC_SOURCE_TLS_CLIENT_CERT_PATH: optionalText,
  TEMPORAL_SYNC_SOURCE_TLS_CLIENT_CERT_DATA: optionalText,
  TEMPORAL_SYNC_SOURCE_TLS_CLIENT_KEY_PATH: optionalText,
  TEMPORAL_SYNC_SOURCE_TLS_CLIENT_KEY_DATA: optionalText,
  TEMPORAL_SYNC_SOURCE_TLS_SERVER_CA_CERT_PATH: optionalText,
  TEMPORAL_SYNC_SOURCE_TLS_SERVER_CA_CERT_DATA: optionalText,
  TEMPORAL_SYNC_SOURCE_TLS_SERVER_NAME: optionalText,
};

/**
 * The variables every command that talks to Temporal reads: the connection (Temporal's conventions)
 * and the task queue. The schedules and sync commands need only these, not DATABASE_URL.
 */
export const temporalEnvSchema = z.object({
  TEMPORAL_SYNC_TASK_QUEUE: name('temporal-sync'),
  TEMPORAL_ADDRESS: hostPort,
  TEMPORAL_NAMESPACE: optionalName,
  TEMPORAL_CONFIG_FILE: optionalText,
  ...connectionVariables,
  TEMPORAL_CODEC_AUTH: optionalText,
  /** The source namespace's codec server (single-namespace deployments; a definition names its own). */
  TEMPORAL_CODEC_ENDPOINT: optionalHttpUrl,
  /** The namespaces to sync, their connections and overrides (JSON or YAML); unset: the one source namespace. */
  TEMPORAL_SYNC_NAMESPACES_FILE: optionalText,
  /** The same format inline, added to the file. */
  TEMPORAL_SYNC_NAMESPACES: optionalText,
  /** The Temporal Web UI, for links: the commands print them, alerts carry them (only when set). */
  TEMPORAL_SYNC_UI_URL: optionalHttpUrl,
  /** How long to wait at start for Temporal and Postgres to answer; 0: fail at once. */
  TEMPORAL_SYNC_STARTUP_WAIT_SECONDS: wholeNumber(0, 3600, DEFAULT_STARTUP_WAIT_SECONDS),
});

/** Every environment variable the worker reads, in one place: the Temporal part plus the database and the source. */
export const envSchema = temporalEnvSchema.extend({
  DATABASE_URL: postgresUrl,
  TEMPORAL_SYNC_SCHEMA: schemaName('temporal_sync'),
  /** The namespace whose executions and schedules are synced; defaults to the worker's own. */
  TEMPORAL_SYNC_SOURCE_NAMESPACE: optionalName,
  /** Set (or TEMPORAL_SYNC_SOURCE_PROFILE) to read the source through a connection of its own. */
  TEMPORAL_SYNC_SOURCE_ADDRESS: hostPort,
  TEMPORAL_SYNC_SOURCE_PROFILE: optionalName,
  ...sourceConnectionVariables,
  TEMPORAL_SYNC_DB_POOL_MAX: wholeNumber(1, 100, 8),
  TEMPORAL_SYNC_LOG_LEVEL: oneOf(['trace', 'debug', 'info', 'warn', 'error'], 'info'),
  /** json: one JSON object per line (production); pretty: readable lines. Unset: pretty in a terminal, else json. */
  TEMPORAL_SYNC_LOG_FORMAT: optionalOneOf(['json', 'pretty']),
  /** Port of /metrics, /healthz and /readyz; 0 lets the system pick a free one (it is logged). */
  TEMPORAL_SYNC_METRICS_PORT: wholeNumber(0, 65535, DEFAULT_METRICS_PORT),
  /** Address the metrics and health server listens on: all interfaces, so a platform's probes reach it. */
  TEMPORAL_SYNC_METRICS_HOST: name('0.0.0.0'),
  TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS: wholeNumber(1, 3600, DEFAULT_SHUTDOWN_GRACE_SECONDS),
  TEMPORAL_SYNC_MIGRATE_ON_START: flag(true),
  /** A prebuilt workflow bundle (npm run build writes dist/workflows.bundle.js, found without this). */
  TEMPORAL_SYNC_WORKFLOW_BUNDLE: optionalText,
  /** Where incident alerts are posted; unset, incidents are still recorded but nothing is sent. A secret (Slack's carries a token). */
  TEMPORAL_SYNC_ALERT_WEBHOOK_URL: optionalHttpUrl,
  TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT: oneOf(['json', 'slack'], 'json'),
  /** Data older than this (no successful sync finished within it) is stale: an alert, and `npm run status` says so. */
  TEMPORAL_SYNC_STALENESS_SECONDS: wholeNumber(1, 2_592_000, 7200),
  /** An incremental pass re-describes a schedule whose list entry is unchanged once its describe is this old; 0: always. */
  TEMPORAL_SYNC_SCHEDULE_REDESCRIBE_SECONDS: wholeNumber(0, 604_800, DEFAULT_SCHEDULE_REDESCRIBE_SECONDS),
  /** A run open longer than this is described for why it may be stuck (stuck_workflows); 0 turns that stream off. */
  TEMPORAL_SYNC_STUCK_AFTER_SECONDS: wholeNumber(0, 2_592_000, DEFAULT_STREAM_SETTINGS.stuckAfterSeconds),
  /** A long-open run described less than this long ago is not described again yet. */
  TEMPORAL_SYNC_STUCK_REDESCRIBE_SECONDS: wholeNumber(0, 604_800, DEFAULT_STREAM_SETTINGS.stuckRedescribeSeconds),
  /** DescribeWorkflowExecution calls one stuck_workflows pass makes at most. */
  TEMPORAL_SYNC_STUCK_DESCRIBES_PER_PASS: wholeNumber(1, 100_000, DEFAULT_STREAM_SETTINGS.stuckDescribesPerPass),
  /** Visibility calls per second (List/Count executions, ListSchedules) one sync run may make, all its partitions together. */
  TEMPORAL_SYNC_VISIBILITY_RPS: wholeNumber(1, 1000, DEFAULT_VISIBILITY_RPS),
  /** copy (fastest) or insert, for databases or proxies without COPY FROM STDIN (PGlite, some poolers). */
  TEMPORAL_SYNC_DB_BULK_LOAD: oneOf(['copy', 'insert'], 'copy'),
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
  /** The worker's connection, and the source's (the same one unless separateSourceConnection). */
  temporal: { worker: TemporalConnection; source: TemporalConnection };
  /** Every namespace synced, with its connection: the namespaces definition, else the one source namespace. */
  namespaces: SourceNamespaces;
  dbPoolMax: number;
  logLevel: Env['TEMPORAL_SYNC_LOG_LEVEL'];
  /** Undefined: chosen by whether standard output is a terminal. */
  logFormat: Env['TEMPORAL_SYNC_LOG_FORMAT'];
  metricsPort: number;
  metricsHost: string;
  shutdownGraceSeconds: number;
  startupWaitSeconds: number;
  migrateOnStart: boolean;
  scheduleRedescribeSeconds: number;
  /** What the streams read: redescribe ages, describe bounds, the stuck age. */
  streamSettings: StreamSettings;
  visibilityRps: number;
  bulkLoad: 'copy' | 'insert';
  workflowBundlePath: string | undefined;
  alerts: {
    webhookUrl: string | undefined;
    format: Env['TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT'];
    stalenessSeconds: number;
    webUiUrl: string | undefined;
  };
  /** Values that must never be printed: API keys, TLS keys, the database password, the webhook URL. */
  secrets: string[];
}

/** Settings that cannot be used as they are written: one line per problem, each naming its variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
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

/** Checks the environment against a schema: its values, or one line per bad variable naming it, never its value. */
function checkEnv<S extends z.ZodType>(
  schema: S,
  rawEnv: NodeJS.ProcessEnv,
): { vars: z.output<S>; problems: [] } | { vars: undefined; problems: string[] } {
  const { env, setAs, problems } = resolveAliases(rawEnv);
  const parsed = schema.safeParse(env);
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const path = issue.path.join('.');
    problems.push(`${setAs.get(path) ?? (path || '(environment)')} ${issue.message}`);
  }
  if (parsed.success && problems.length === 0) return { vars: parsed.data, problems: [] };
  return { vars: undefined, problems };
}

/** Validates the environment against a schema; throws ConfigError naming every bad variable, never its value. */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const checked = checkEnv(schema, env);
  if (checked.vars === undefined) throw new ConfigError(checked.problems);
  return checked.vars;
}

/** Whether the source is read through a connection of its own. */
const hasSeparateSource = (env: NodeJS.ProcessEnv) =>
  Boolean(env.TEMPORAL_SYNC_SOURCE_ADDRESS || env.TEMPORAL_SYNC_SOURCE_PROFILE);

/** The environment's variables and both Temporal connections, or every problem of all three at once. */
function checkWorkerEnv(env: NodeJS.ProcessEnv) {
  const checked = checkEnv(envSchema, env);
  const worker = resolveTemporalConnection(env, 'TEMPORAL_');
  const source = hasSeparateSource(env) ? resolveTemporalConnection(env, 'TEMPORAL_SYNC_SOURCE_') : worker;
  const problems = [...checked.problems, ...worker.problems, ...(source === worker ? [] : source.problems)];
  if (checked.vars === undefined || !('connection' in worker) || !('connection' in source) || problems.length > 0) {
    throw new ConfigError(problems);
  }
  return { vars: checked.vars, worker: worker.connection, source: source.connection };
}

/** Reads and validates the environment. Throws ConfigError naming every bad variable, never its value. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const { vars, worker, source } = checkWorkerEnv(env);
  const separateSourceConnection = hasSeparateSource(env);
  const workerNamespace = worker.namespace ?? 'default';
  const sourceNamespace =
    vars.TEMPORAL_SYNC_SOURCE_NAMESPACE ?? (separateSourceConnection ? source.namespace : undefined) ?? workerNamespace;
  const namespaces = namespacesOf(vars, sourceNamespace, source, env);
  return {
    databaseUrl: vars.DATABASE_URL,
    schema: vars.TEMPORAL_SYNC_SCHEMA,
    taskQueue: vars.TEMPORAL_SYNC_TASK_QUEUE,
    workerNamespace,
    sourceNamespace,
    separateSourceConnection,
    temporal: { worker, source },
    namespaces,
    dbPoolMax: vars.TEMPORAL_SYNC_DB_POOL_MAX,
    logLevel: vars.TEMPORAL_SYNC_LOG_LEVEL,
    logFormat: vars.TEMPORAL_SYNC_LOG_FORMAT,
    metricsPort: vars.TEMPORAL_SYNC_METRICS_PORT,
    metricsHost: vars.TEMPORAL_SYNC_METRICS_HOST,
    shutdownGraceSeconds: vars.TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS,
    startupWaitSeconds: vars.TEMPORAL_SYNC_STARTUP_WAIT_SECONDS,
    migrateOnStart: vars.TEMPORAL_SYNC_MIGRATE_ON_START,
    scheduleRedescribeSeconds: vars.TEMPORAL_SYNC_SCHEDULE_REDESCRIBE_SECONDS,
    streamSettings: {
      ...DEFAULT_STREAM_SETTINGS,
      scheduleRedescribeSeconds: vars.TEMPORAL_SYNC_SCHEDULE_REDESCRIBE_SECONDS,
      stuckAfterSeconds: vars.TEMPORAL_SYNC_STUCK_AFTER_SECONDS,
      stuckRedescribeSeconds: vars.TEMPORAL_SYNC_STUCK_REDESCRIBE_SECONDS,
      stuckDescribesPerPass: vars.TEMPORAL_SYNC_STUCK_DESCRIBES_PER_PASS,
    },
    visibilityRps: vars.TEMPORAL_SYNC_VISIBILITY_RPS,
    bulkLoad: vars.TEMPORAL_SYNC_DB_BULK_LOAD,
    workflowBundlePath: vars.TEMPORAL_SYNC_WORKFLOW_BUNDLE,
    alerts: {
      webhookUrl: vars.TEMPORAL_SYNC_ALERT_WEBHOOK_URL,
      format: vars.TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT,
      stalenessSeconds: vars.TEMPORAL_SYNC_STALENESS_SECONDS,
      webUiUrl: vars.TEMPORAL_SYNC_UI_URL?.replace(/\/+$/, ''),
    },
    secrets: [
      ...new Set([
        ...databaseSecrets(vars),
        ...worker.secrets,
        ...source.secrets,
        ...namespaces.secrets,
        ...secretValues(vars),
      ]),
    ],
  };
}

const connectionOf = (result: ConnectionResult): TemporalConnection =>
  (result as Extract<ConnectionResult, { connection: TemporalConnection }>).connection;

/** The namespaces definition (TEMPORAL_SYNC_NAMESPACES_FILE, TEMPORAL_SYNC_NAMESPACES), else the one source namespace. */
function namespacesOf(
  vars: {
    TEMPORAL_SYNC_NAMESPACES_FILE?: string | undefined;
    TEMPORAL_SYNC_NAMESPACES?: string | undefined;
    TEMPORAL_CODEC_ENDPOINT?: string | undefined;
  },
  sourceNamespace: string,
  source: TemporalConnection,
  env: NodeJS.ProcessEnv,
): SourceNamespaces {
  const codec = vars.TEMPORAL_CODEC_ENDPOINT
    ? { endpoint: vars.TEMPORAL_CODEC_ENDPOINT, authEnv: env.TEMPORAL_CODEC_AUTH ? 'TEMPORAL_CODEC_AUTH' : undefined }
    : undefined;
  return loadNamespaces(
    { file: vars.TEMPORAL_SYNC_NAMESPACES_FILE, inline: vars.TEMPORAL_SYNC_NAMESPACES },
    { namespace: sourceNamespace, connection: source, codec },
    env,
  );
}

export interface TemporalConfig {
  namespace: string;
  taskQueue: string;
  /** The connection, by Temporal's conventions. */
  temporal: TemporalConnection;
  startupWaitSeconds: number;
  /** Values that must never be printed: API keys and the TLS key. */
  secrets: string[];
}

/** What the schedules and sync commands read besides the Temporal connection. */
export const commandEnvSchema = temporalEnvSchema.extend({
  /** A JSON or YAML file of schedule definitions, laid over the built-in ones. */
  TEMPORAL_SYNC_SCHEDULES_FILE: optionalText,
  /** The same format inline, laid over the file: for platforms where a file is awkward. */
  TEMPORAL_SYNC_SCHEDULES: optionalText,
  /** Time zone of schedules whose definition names none. */
  TEMPORAL_SYNC_SCHEDULE_TIMEZONE: optionalText,
});

export interface CommandConfig extends TemporalConfig {
  /** Every namespace the deployment syncs: the schedules command makes each its own schedules. */
  namespaces: SourceNamespaces;
  uiUrl: string;
  schedules: { file: string | undefined; inline: string | undefined; timezone: string | undefined };
}

/** The environment of the schedules and sync commands: no DATABASE_URL needed. */
export function loadCommandConfig(env: NodeJS.ProcessEnv = process.env): CommandConfig {
  const checked = checkEnv(commandEnvSchema, env);
  const resolved = resolveTemporalConnection(env, 'TEMPORAL_');
  if (checked.vars === undefined || !('connection' in resolved)) {
    throw new ConfigError([...checked.problems, ...resolved.problems]);
  }
  const { vars } = checked;
  const worker = resolved.connection;
  // The namespaces' default connection is the source's, as the worker has it; its problems are the worker's to name.
  const separate = hasSeparateSource(env) ? resolveTemporalConnection(env, 'TEMPORAL_SYNC_SOURCE_') : undefined;
  const source = separate?.problems.length === 0 ? connectionOf(separate) : worker;
  const sourceNamespace =
    env.TEMPORAL_SYNC_SOURCE_NAMESPACE || (separate ? source.namespace : undefined) || worker.namespace || 'default';
  const namespaces = namespacesOf(vars, sourceNamespace, source, env);
  return {
    namespace: resolved.connection.namespace ?? 'default',
    namespaces,
    taskQueue: vars.TEMPORAL_SYNC_TASK_QUEUE,
    temporal: resolved.connection,
    startupWaitSeconds: vars.TEMPORAL_SYNC_STARTUP_WAIT_SECONDS,
    secrets: [...new Set([...resolved.connection.secrets, ...source.secrets, ...namespaces.secrets])],
    uiUrl: vars.TEMPORAL_SYNC_UI_URL?.replace(/\/+$/, '') ?? 'http://localhost:8233',
    schedules: {
      file: vars.TEMPORAL_SYNC_SCHEDULES_FILE,
      inline: vars.TEMPORAL_SYNC_SCHEDULES,
      timezone: vars.TEMPORAL_SYNC_SCHEDULE_TIMEZONE,
    },
  };
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

/** The values of the variables that are secrets as a whole (DATABASE_URL and the webhook are taken apart below). */
function secretValues(vars: Env): string[] {
  return SECRET_VARIABLES.flatMap((variable) => {
    const value = vars[variable];
    return variable === 'DATABASE_URL' || value === undefined ? [] : [value];
  });
}

/** The database password (as written and decoded) and the webhook URL, whose path is a token on its own. */
function databaseSecrets(vars: Env): string[] {
  const secrets: string[] = [];
  const password = new URL(vars.DATABASE_URL).password;
  if (password) secrets.push(password, decodeURIComponent(password));
  const webhook = vars.TEMPORAL_SYNC_ALERT_WEBHOOK_URL;
  if (webhook !== undefined) {
    const url = new URL(webhook);
    secrets.push(url.href, webhook, `${url.pathname}${url.search}`);
    if (url.password) secrets.push(url.password);
  }
  return secrets.filter((secret) => secret !== '' && secret !== '/');
}
