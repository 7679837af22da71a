import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type pg from 'pg';
import { loadConfig, type Config } from '../config';
import { listNamespaces, namespaceIsKnown } from '../db/analytics-freshness';
import { tuneForAnalytics } from '../db/analytics-session';
import { createPool } from '../db/pool';
import { collectReport } from '../report/collect';
import { renderReport } from '../report/html';
import { openWithDesktop } from '../report/open-file';
import { progressLine } from '../report/progress';
import type { ReportWindow } from '../report/model';
import { resolveWindow, WindowError } from '../report/window';
import { runCommand, UsageError } from './run-command';

const HELP = `Usage: npm run report -- [--namespace <ns>] [--days <n> | --since <time> [--until <time>]] [--out <file.html>] [--open]

Writes one self-contained HTML file (inline charts and styles, no scripts, nothing fetched) on the
health of a namespace over a time window, from the analytics views: runs closed by status, failures
by type, duration percentiles, open runs by age and the oldest of them, the workflow types with the
most failures, schedule fires (when the fire log exists), and how fresh the data is.

  --namespace <ns>   the namespace; may be left out when the tables hold only one
  --days <n>         today (UTC) and the n - 1 days before it (default 7)
  --since <time>     start of the window: 2026-11-30 or 2026-11-30T12:00Z (UTC unless a zone is given)
  --until <time>     end of the window (default now); windows are widened to whole hours, or whole
                     days beyond three days, and charts have a bar per hour or per day accordingly
  --out <file>       where to write (default temporal-sync-report-<namespace>-<date>.html here)
  --open             open the file with xdg-open once written

Reads DATABASE_URL, TEMPORAL_SYNC_SCHEMA and TEMPORAL_SYNC_STALENESS_SECONDS as the worker does.
Exit code: 0 written, 1 the database could not be read, 2 bad arguments or settings.`;

function parseOptions(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        namespace: { type: 'string' },
        days: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        out: { type: 'string' },
        open: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]!);
  }
}

function parseDays(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const days = Number(text);
  if (!Number.isInteger(days) || days < 1 || days > 3660)
    throw new UsageError(`--days must be a whole number from 1 to 3660 (got "${text}")`);
  return days;
}

async function chooseNamespace(db: pg.PoolClient, schema: string, asked: string | undefined) {
  if (asked !== undefined && (await namespaceIsKnown(db, schema, asked))) return asked;
  const known = await listNamespaces(db, schema);
  const choices =
    known.length > 0
      ? `the tables hold ${known.map((n) => JSON.stringify(n)).join(', ')}`
      : 'the tables hold no namespace yet';
  if (asked !== undefined)
    throw new UsageError(`namespace ${JSON.stringify(asked)} is not in schema "${schema}": ${choices}`);
  if (known.length === 1) return known[0]!;
  throw new UsageError(`--namespace is needed: ${choices}`);
}

const slug = (text: string) => text.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);

type Options = ReturnType<typeof parseOptions>;

/** Queries, renders and writes the report; returns the file it wrote. */
async function writeReport(db: pg.PoolClient, config: Config, options: Options, window: ReportWindow, now: Date) {
  const namespace = await chooseNamespace(db, config.schema, options.namespace);
  const progress = progressLine(process.stderr);
  const data = await collectReport({
    db,
    schema: config.schema,
    namespace,
    window,
    stalenessSeconds: config.alerts.stalenessSeconds,
    now,
    progress: progress.step,
  });
  const file = path.resolve(
    options.out ?? `temporal-sync-report-${slug(namespace)}-${now.toISOString().slice(0, 10)}.html`,
  );
  const html = renderReport(data);
  await writeFile(file, html);
  progress.done(`report: wrote ${file} (${Math.ceil(Buffer.byteLength(html) / 1024)} KiB)`);
  return file;
}

function explainMissingViews(error: unknown, schema: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (code !== '42P01' && code !== '3F000') return error;
  return new Error(
    `cannot read the analytics views in schema "${schema}": ${(error as Error).message} (run npm run migrate, or check TEMPORAL_SYNC_SCHEMA)`,
  );
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const now = new Date();
  let window: ReportWindow;
  try {
    window = resolveWindow({ days: parseDays(options.days), since: options.since, until: options.until }, now);
  } catch (error) {
    throw error instanceof WindowError ? new UsageError(error.message) : error;
  }
  const config = loadConfig();
  const pool = createPool({ databaseUrl: config.databaseUrl, max: 1, onIdleError: () => {} });
  try {
    const client = await pool.connect();
    // A held client's errors (the server going away mid-report) would otherwise crash the process.
    client.on('error', () => {});
    let file: string;
    try {
      await tuneForAnalytics(client);
      file = await writeReport(client, config, options, window, now);
    } finally {
      client.release();
    }
    process.stdout.write(`${file}\n`);
    const note = options.open ? await openWithDesktop(file) : null;
    if (note) process.stderr.write(`report: ${note}\n`);
    return 0;
  } catch (error) {
    throw explainMissingViews(error, config.schema);
  } finally {
    await pool.end();
  }
}

runCommand('report', main, { secrets: () => loadConfig().secrets, help: 'npm run report -- --help' });
