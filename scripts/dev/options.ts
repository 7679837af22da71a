import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { envSchema } from '../../src/config';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export const DEV_HELP = `Usage: npm run dev [-- <flags>]

Starts everything temporal-sync needs on this machine, with nothing configured: a Temporal dev server
(the temporal CLI, found or built once per machine), a Postgres (DATABASE_URL when set, otherwise an
embedded PGlite that needs no install), the migrations, the worker, and a first full sync of the
'default' namespace; then prints the Web UI link, a psql connection string and the table counts.
Ctrl-C (or SIGTERM) stops everything it started and exits 0. State persists in the data folder, so
the next run carries on where this one stopped.

Flags (each also an environment variable; flags win):
  --data-dir <path>       TEMPORAL_SYNC_DEV_DATA_DIR       default .temporal-sync-dev in the repository
  --temporal-port <port>  TEMPORAL_SYNC_DEV_TEMPORAL_PORT  Temporal gRPC, default 7233
  --ui-port <port>        TEMPORAL_SYNC_DEV_UI_PORT        Temporal Web UI, default 8233
  --postgres-port <port>  TEMPORAL_SYNC_DEV_POSTGRES_PORT  embedded Postgres, default 55432
  -h, --help

Environment:
  DATABASE_URL            use this Postgres instead of the embedded one
  TEMPORAL_SYNC_SCHEMA    schema of the tables, default temporal_sync
  TEMPORAL_CLI_PATH       a temporal CLI to use (see 'npm run temporal-cli -- --help')`;

const port = (what: string) =>
  z.coerce
    .number({ error: `${what} must be a port number` })
    .int(`${what} must be a port number`)
    .min(1, `${what} must be between 1 and 65535`)
    .max(65535, `${what} must be between 1 and 65535`);

const optionsSchema = z.object({
  dataDir: z.string().min(1),
  temporalPort: port('--temporal-port (TEMPORAL_SYNC_DEV_TEMPORAL_PORT)'),
  uiPort: port('--ui-port (TEMPORAL_SYNC_DEV_UI_PORT)'),
  postgresPort: port('--postgres-port (TEMPORAL_SYNC_DEV_POSTGRES_PORT)'),
  databaseUrl: envSchema.shape.DATABASE_URL.optional(),
  schema: envSchema.shape.TEMPORAL_SYNC_SCHEMA,
});

export type DevOptions = z.infer<typeof optionsSchema> & { help: boolean };

export class DevOptionsError extends Error {}

/** Flags over environment over defaults; one line per problem, never a value that could be a secret. */
export function readDevOptions(argv: string[], env: NodeJS.ProcessEnv): DevOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        'temporal-port': { type: 'string' },
        'ui-port': { type: 'string' },
        'postgres-port': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    throw new DevOptionsError(`${(error as Error).message} (see npm run dev -- --help)`);
  }
  if (values.help === true) return { help: true } as DevOptions;
  const pick = (flag: string, variable: string, fallback: string) =>
    (values[flag] as string | undefined) ?? (env[variable] || undefined) ?? fallback;
  const parsed = optionsSchema.safeParse({
    dataDir: path.resolve(pick('data-dir', 'TEMPORAL_SYNC_DEV_DATA_DIR', path.join(REPO_ROOT, '.temporal-sync-dev'))),
    temporalPort: pick('temporal-port', 'TEMPORAL_SYNC_DEV_TEMPORAL_PORT', '7233'),
    uiPort: pick('ui-port', 'TEMPORAL_SYNC_DEV_UI_PORT', '8233'),
    postgresPort: pick('postgres-port', 'TEMPORAL_SYNC_DEV_POSTGRES_PORT', '55432'),
    databaseUrl: env.DATABASE_URL || undefined,
    schema: env.TEMPORAL_SYNC_SCHEMA || undefined,
  });
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0]);
      if (name === 'databaseUrl') return `DATABASE_URL ${issue.message}`;
      if (name === 'schema') return `TEMPORAL_SYNC_SCHEMA ${issue.message}`;
      return issue.message;
    });
    throw new DevOptionsError(problems.join('\n'));
  }
  return { ...parsed.data, help: false };
}
