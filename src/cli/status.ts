import { loadConfig } from '../config';
import { createPool } from '../db/pool';
import { runningRuns } from '../db/sync-runs';
import { redactSecrets } from '../redact';
import { formatStatus } from '../status/format';
import { readDatabaseSnapshot } from '../status/read-database';
import { readManagedSchedules } from '../status/read-schedules';
import type { StatusReport } from '../status/types';
import { EXIT_CODES, judge } from '../status/verdict';
import { runCommand, UsageError } from './run-command';

const HELP = `Usage: npm run status [-- --json]

Says whether the synced data is fresh: for each namespace and stream in the tables, the last
successful run (mode, finished at, rows, duration), the last failed run and its error, the cursor
and its age, live and deleted rows, open alert incidents; the managed schedules in the worker's
namespace (paused or not, next action); and a verdict.

Reads DATABASE_URL, TEMPORAL_SYNC_SCHEMA, TEMPORAL_SYNC_STALENESS_SECONDS and the worker's Temporal
connection (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_PROFILE, ...), as the
worker does, and checks the worker's whole configuration. It answers at once: a monitoring check
must not wait for a server that is down (TEMPORAL_SYNC_STARTUP_WAIT_SECONDS does not apply).

  --json   print the report as JSON instead of text

Exit code (the Nagios plugin convention, so it can back a monitoring check):
  0 ok        every stream synced successfully within the staleness window
  1 stale     a stream has no successful sync within the window, or nothing was synced yet
  2 failing   a namespace's latest finished run failed
  3 unknown   Temporal or the database could not be asked, or the command line or a setting is
              invalid (the other commands exit 2 for those; here 2 means failing)`;

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const unknown = args.filter((arg) => arg !== '--json');
  if (unknown.length > 0) throw new UsageError(`unknown argument ${unknown[0]}`);
  const config = loadConfig();
  const redact = (text: string) => redactSecrets(text, config.secrets);
  const pool = createPool({ databaseUrl: config.databaseUrl, max: 2, onIdleError: () => {} });
  try {
    const running = await runningRuns(pool, config.schema).catch(() => []);
    const [snapshot, temporal] = await Promise.all([
      readDatabaseSnapshot(pool, config.schema, config.alerts.stalenessSeconds).catch((error: unknown) => {
        const code = (error as { code?: unknown }).code;
        const hint =
          code === '42P01' || code === '3F000' ? ' (run npm run migrate, or check TEMPORAL_SYNC_SCHEMA)' : '';
        throw new Error(
          `cannot read the tables in schema "${config.schema}": ${redact((error as Error).message)}${hint}`,
        );
      }),
      readManagedSchedules(config.temporal.worker.connectionOptions, config.workerNamespace, redact, running),
    ]);
    const stalenessSeconds = config.alerts.stalenessSeconds;
    const { verdict, namespaces } = judge(snapshot, temporal, stalenessSeconds);
    const order = (ns: { namespace: string }) => namespaces.findIndex((v) => v.namespace === ns.namespace);
    const report: StatusReport = {
      ...snapshot,
      namespaces: [...snapshot.namespaces].sort((a, b) => order(a) - order(b)),
      stalenessSeconds,
      temporal,
      namespaceVerdicts: namespaces,
      verdict,
    };
    process.stdout.write(args.includes('--json') ? `${JSON.stringify(report, null, 2)}\n` : formatStatus(report));
    return EXIT_CODES[report.verdict.status];
  } finally {
    await pool.end();
  }
}

runCommand('status', main, {
  secrets: () => loadConfig().secrets,
  help: 'npm run status -- --help',
  exitCodes: { failed: EXIT_CODES.unknown, mustFix: EXIT_CODES.unknown },
});
