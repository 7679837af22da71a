import { ConfigError, loadConfig } from '../config';
import { migrate } from '../db/migrate';
import { createPool } from '../db/pool';
import { redactSecrets } from '../redact';

const HELP = `Usage: npm run migrate

Creates or upgrades the temporal-sync tables in the schema TEMPORAL_SYNC_SCHEMA (default temporal_sync)
of the database DATABASE_URL. Safe to run any number of times; the worker also runs it at start.`;

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const config = loadConfig();
  const pool = createPool({ databaseUrl: config.databaseUrl, max: 1, onIdleError: () => {} });
  try {
    const applied = await migrate(pool, config.schema);
    process.stdout.write(
      applied.length > 0
        ? `applied ${applied.length} migration(s) to schema "${config.schema}": ${applied.join(', ')}\n`
        : `schema "${config.schema}" is up to date\n`,
    );
    return 0;
  } catch (error) {
    process.stderr.write(`migration failed: ${redactSecrets((error as Error).message, config.secrets)}\n`);
    return 1;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
