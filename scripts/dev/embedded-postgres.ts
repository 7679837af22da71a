import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { z } from 'zod';
import { runCommand, UsageError } from '../../src/cli/run-command';

const HELP = `Usage: node --import tsx scripts/dev/embedded-postgres.ts --port <port> --data-dir <dir>

Serves a PGlite database (PostgreSQL compiled to WebAssembly, nothing to install) over the Postgres
wire protocol on 127.0.0.1:<port>, so 'pg' and psql connect to it unchanged:
postgres://postgres@127.0.0.1:<port>/postgres. Its files live in <dir>. 'npm run dev' starts it
when DATABASE_URL is not set. SIGINT or SIGTERM closes the database cleanly and exits 0.`;

/**
 * PGlite is one Postgres backend. pglite-socket multiplexes client connections onto it message by
 * message and keeps a connection's turn for the length of its transaction, so several connections
 * work, but they share one session (advisory locks, SET) and run one statement at a time.
 */
const MAX_CONNECTIONS = 32;

const argsSchema = z.object({
  port: z.coerce.number().int().min(1).max(65535),
  dataDir: z.string().min(1),
});

function readArgs(argv: string[]): z.infer<typeof argsSchema> {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const parsed = argsSchema.safeParse({ port: value('--port'), dataDir: value('--data-dir') });
  if (!parsed.success) throw new UsageError('needs --port <1-65535> and --data-dir <dir>');
  return parsed.data;
}

/** Serves until SIGINT or SIGTERM, then closes the database cleanly. */
async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { port, dataDir } = readArgs(process.argv.slice(2));
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create({ dataDir });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port, maxConnections: MAX_CONNECTIONS });
  await server.start();
  const { rows } = await db.query<{ version: string }>('SELECT version()');
  const version = /^PostgreSQL [\d.]+/.exec(rows[0]?.version ?? '')?.[0] ?? 'PostgreSQL';
  process.stdout.write(`embedded Postgres ready: ${version} (PGlite) on 127.0.0.1:${port}, data in ${dataDir}\n`);
  // Listening (not once): a second signal while the database closes must not kill it half-way.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  await server.stop();
  // A clean shutdown of the backend, so the next run starts from settled files rather than recovering.
  await db.close();
  return 0;
}

runCommand('embedded Postgres', main, { help: 'node --import tsx scripts/dev/embedded-postgres.ts --help' });
