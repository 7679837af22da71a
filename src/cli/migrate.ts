import { loadConfig } from '../config';
import { migrate } from '../db/migrate';
import { createPool, pingDatabase } from '../db/pool';
import { describePostgresUrl } from '../startup-errors';
import { startupStep, startupWait } from '../startup-wait';
import { runCommand, UsageError } from './run-command';

const HELP = `Usage: npm run migrate

Creates or upgrades the temporal-sync tables in the schema TEMPORAL_SYNC_SCHEMA (default temporal_sync)
of the database DATABASE_URL. Safe to run any number of times; the worker also runs it at start.
It checks the worker's whole configuration first, so a deploy step that runs it catches a bad
setting before the workers roll out. A Postgres that is not up yet is waited for, up to
TEMPORAL_SYNC_STARTUP_WAIT_SECONDS (default 60; 0: not at all).

Exit status: 0 done, 1 failed (Postgres unreachable after the wait, a migration failed), 2 bad
command line or settings.`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (args.length > 0) throw new UsageError(`unknown argument ${args[0]}`);
  const config = loadConfig();
  const pool = createPool({ databaseUrl: config.databaseUrl, max: 1, onIdleError: () => {} });
  const postgres = `Postgres at ${describePostgresUrl(config.databaseUrl)}`;
  const wait = startupWait(config.startupWaitSeconds, (line) => process.stderr.write(`migrate: ${line}\n`));
  try {
    const target = { what: postgres, failure: `cannot use ${postgres}`, setting: 'DATABASE_URL' };
    await startupStep(target, () => pingDatabase(pool), wait);
    const applied = await migrate(pool, config.schema);
    process.stdout.write(
      applied.length > 0
        ? `applied ${applied.length} migration(s) to schema "${config.schema}": ${applied.join(', ')}\n`
        : `schema "${config.schema}" is up to date\n`,
    );
    return 0;
  } finally {
    await pool.end();
  }
}

runCommand('migrate', main, { secrets: () => loadConfig().secrets, help: 'npm run migrate -- --help' });
