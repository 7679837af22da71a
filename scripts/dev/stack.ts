import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { SHUTDOWN_MARGIN_SECONDS } from '../../src/config';
import { migrate } from '../../src/db/migrate';
import { createPool } from '../../src/db/pool';
import { workflowsLink } from '../../src/temporal/web-ui';
import { findTemporalCli, obtainTemporalCli } from '../temporal-cli-binary';
import { childEnv } from '../child-env';
import { spawnChild, type ChildProcess } from './child';
import {
  countTables,
  DEV_NAMESPACE,
  DEV_NAMESPACES,
  DEV_NAMESPACES_DEFINITION,
  DEV_TASK_QUEUE,
  runFullSyncs,
  seedDemoRuns,
  type TableCounts,
} from './first-sync';
import { REPO_ROOT, type DevOptions } from './options';
import { applyDevSchedules } from './schedules';
import { firstPortProblem, type PortNeed } from './ports';
import { startTemporalServer, waitForTemporal } from './temporal-server';

/** Told to the user as it happens: one line per step. */
export type Say = (line: string) => void;

/**
 * PGlite is a single Postgres backend: pglite-socket runs the statements of all connections one at a
 * time (a connection keeps its turn through a transaction). More pooled connections would only queue,
 * so the worker gets two, leaving plenty of the server's 32 for the dev command, psql and tests.
 */
const EMBEDDED_POOL_MAX = 2;
const WORKER_GRACE_SECONDS = 5;
const START_TIMEOUT_MS = 180_000;

/** A user-facing failure: printed as it is, without a stack trace. */
export class DevStackError extends Error {}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface StackReport {
  uiUrl: string;
  temporalAddress: string;
  psql: string;
  schema: string;
  counts: TableCounts;
  dataDir: string;
}

export class DevStack {
  private readonly started: ChildProcess[] = [];
  private readonly pidsFile: string;
  private readonly logsDir: string;
  private readonly temporalAddress: string;
  private databaseUrl: string | undefined;
  private pool: pg.Pool | undefined;
  private stopping = false;

  constructor(
    private readonly options: DevOptions,
    private readonly say: Say,
  ) {
    this.pidsFile = path.join(options.dataDir, 'pids.json');
    this.logsDir = path.join(options.dataDir, 'logs');
    this.temporalAddress = `127.0.0.1:${options.temporalPort}`;
  }

  /** Brings everything up in order; on failure or abort, what was started is left for stop(). */
  async start(signal: AbortSignal): Promise<StackReport> {
    const steps: Array<[title: string, run: () => Promise<void>]> = [
      ['check the data folder and ports', () => this.checkFree()],
      ['start Temporal and Postgres', () => this.startServers(signal)],
      ['run the migrations', () => this.runMigrations()],
      ['start the worker', () => this.startWorker(signal)],
      // After the worker is polling, so a schedule that fires at once finds it; before the first
      // sync, so that sync sees the schedules in the namespace.
      ['apply the schedules', () => this.applySchedules()],
      ['start a few demo runs', () => this.seedDemo()],
      ['run a first full sync of each namespace', () => this.firstSync()],
    ];
    for (const [title, run] of steps) {
      if (signal.aborted) throw new Error('stopped');
      const began = Date.now();
      await run();
      this.say(`✔ ${title} (${((Date.now() - began) / 1000).toFixed(1)} s)`);
    }
    return {
      uiUrl: workflowsLink(`http://127.0.0.1:${this.options.uiPort}`, DEV_NAMESPACE),
      temporalAddress: this.temporalAddress,
      psql: this.options.databaseUrl === undefined ? `psql ${this.databaseUrl}` : 'psql "$DATABASE_URL"',
      schema: this.options.schema,
      counts: await countTables(this.pool!, this.options.schema),
      dataDir: this.options.dataDir,
    };
  }

  /** Resolves with the first child that exits on its own (a crash while the stack is up). */
  firstExit(): Promise<{ child: ChildProcess; code: number | null }> {
    return Promise.race(this.started.map((child) => child.exited.then((code) => ({ child, code }))));
  }

  /** Stops every started process by PID, newest first (the worker before the servers it talks to). */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.pool?.end().catch(() => {});
    this.pool = undefined;
    for (const child of [...this.started].reverse()) {
      if (!child.running()) continue;
      // The worker forces its own stop half the margin after its grace time: kill only after the whole margin, as the deploy files do.
      const grace = child.name === 'worker' ? (WORKER_GRACE_SECONDS + SHUTDOWN_MARGIN_SECONDS) * 1000 : 15_000;
      await child.stop(grace);
      this.say(`stopped ${child.name} (pid ${child.pid})`);
    }
    rmSync(this.pidsFile, { force: true });
  }

  private async checkFree(): Promise<void> {
    mkdirSync(this.logsDir, { recursive: true });
    if (existsSync(this.pidsFile)) {
      const pids = JSON.parse(readFileSync(this.pidsFile, 'utf8')) as Record<string, number>;
      const alive = Object.entries(pids).filter(([, pid]) => pid !== process.pid && isAlive(pid));
      if (alive.length > 0) {
        throw new DevStackError(
          `a dev stack is already running from ${this.options.dataDir} (${alive.map(([name, pid]) => `${name} pid ${pid}`).join(', ')}): ` +
            `stop it first (Ctrl-C in its terminal), or use another --data-dir`,
        );
      }
    }
    const needs: PortNeed[] = [
      {
        port: this.options.temporalPort,
        what: 'Temporal gRPC',
        change: '--temporal-port <port> (or TEMPORAL_SYNC_DEV_TEMPORAL_PORT)',
      },
      { port: this.options.uiPort, what: 'Temporal Web UI', change: '--ui-port <port> (or TEMPORAL_SYNC_DEV_UI_PORT)' },
    ];
    if (this.options.databaseUrl === undefined) {
      needs.push({
        port: this.options.postgresPort,
        what: 'embedded Postgres',
        change: '--postgres-port <port> (or TEMPORAL_SYNC_DEV_POSTGRES_PORT)',
      });
    }
    const problem = await firstPortProblem(needs);
    if (problem) throw new DevStackError(problem);
  }

  private track(child: ChildProcess): ChildProcess {
    if (this.stopping) {
      // A start step still under way when the stop came: this child must not outlive the dev command.
      process.kill(child.pid, 'SIGKILL');
      throw new Error('stopped');
    }
    this.started.push(child);
    const pids = Object.fromEntries<number>([
      ['dev', process.pid] as const,
      ...this.started.map((started) => [started.name, started.pid] as const),
    ]);
    writeFileSync(this.pidsFile, `${JSON.stringify(pids, null, 2)}\n`);
    this.say(`  started ${child.name} (pid ${child.pid}, log ${child.logFile})`);
    return child;
  }

  private async startServers(signal: AbortSignal): Promise<void> {
    if (!findTemporalCli())
      this.say('  no temporal CLI found: building it with go install (once per machine, a few minutes)');
    const cli = await obtainTemporalCli();
    if (!cli) {
      throw new DevStackError(
        'no temporal CLI found and Go is not installed to build one: install Go, or set TEMPORAL_CLI_PATH to a temporal binary',
      );
    }
    this.say(`  temporal CLI: ${cli.path} (from ${cli.source})`);
    const temporal = this.track(
      startTemporalServer({
        cliPath: cli.path,
        port: this.options.temporalPort,
        uiPort: this.options.uiPort,
        dataDir: this.options.dataDir,
        env: childEnv({}),
      }),
    );
    let postgresReady: Promise<unknown> = Promise.resolve();
    if (this.options.databaseUrl === undefined) {
      const postgres = this.track(
        spawnChild({
          name: 'embedded Postgres',
          command: process.execPath,
          args: [
            '--import',
            'tsx',
            path.join(__dirname, 'embedded-postgres.ts'),
            '--port',
            String(this.options.postgresPort),
            '--data-dir',
            path.join(this.options.dataDir, 'postgres'),
          ],
          env: childEnv({}),
          cwd: REPO_ROOT,
          logFile: path.join(this.logsDir, 'postgres.log'),
        }),
      );
      this.databaseUrl = `postgres://postgres@127.0.0.1:${this.options.postgresPort}/postgres`;
      postgresReady = postgres.waitForLog(/embedded Postgres ready/, START_TIMEOUT_MS, signal);
    } else {
      this.databaseUrl = this.options.databaseUrl;
    }
    await Promise.all([waitForTemporal(temporal, this.temporalAddress, START_TIMEOUT_MS, signal), postgresReady]);
  }

  private async runMigrations(): Promise<void> {
    this.pool = createPool({ databaseUrl: this.databaseUrl!, max: 1, onIdleError: () => {} });
    // The worker is told not to migrate: on PGlite every connection shares one session, so the
    // advisory lock that keeps concurrent migrations apart cannot exclude anyone.
    const applied = await migrate(this.pool, this.options.schema);
    this.say(
      applied.length > 0
        ? `  applied ${applied.join(', ')} to schema "${this.options.schema}"`
        : `  schema "${this.options.schema}" is up to date`,
    );
  }

  private async startWorker(signal: AbortSignal): Promise<void> {
    // A profile in the user's ~/.config/temporalio/temporal.toml (an API key, TLS) must not apply
    // to the local dev server: the worker is pointed at a profile file of its own, with none in it.
    const noProfiles = path.join(this.options.dataDir, 'no-temporal-profiles.toml');
    writeFileSync(noProfiles, '# No Temporal profiles: the dev worker uses the dev server only.\n');
    const worker = this.track(
      spawnChild({
        name: 'worker',
        command: process.execPath,
        args: ['--import', 'tsx', path.join(REPO_ROOT, 'src', 'worker.ts')],
        env: childEnv({
          DATABASE_URL: this.databaseUrl!,
          TEMPORAL_ADDRESS: this.temporalAddress,
          TEMPORAL_NAMESPACE: DEV_NAMESPACE,
          TEMPORAL_SYNC_TASK_QUEUE: DEV_TASK_QUEUE,
          TEMPORAL_SYNC_SCHEMA: this.options.schema,
          TEMPORAL_SYNC_MIGRATE_ON_START: 'false',
          TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS: String(WORKER_GRACE_SECONDS),
          // Loopback only, on a free port: a laptop's worker need not be scraped, and two stacks must not clash.
          TEMPORAL_SYNC_METRICS_HOST: '127.0.0.1',
          TEMPORAL_SYNC_METRICS_PORT: '0',
          // PGlite's wire server has no COPY FROM STDIN: pages reach the staging table by INSERT.
          ...(this.options.databaseUrl === undefined
            ? { TEMPORAL_SYNC_DB_POOL_MAX: String(EMBEDDED_POOL_MAX), TEMPORAL_SYNC_DB_BULK_LOAD: 'insert' }
            : {}),
          TEMPORAL_CONFIG_FILE: noProfiles,
          TEMPORAL_SYNC_NAMESPACES: DEV_NAMESPACES_DEFINITION,
        }),
        cwd: REPO_ROOT,
        logFile: path.join(this.logsDir, 'worker.log'),
      }),
    );
    await worker.waitForLog(/temporal-sync worker ready/, START_TIMEOUT_MS, signal);
  }

  private async applySchedules(): Promise<void> {
    const changes = await applyDevSchedules(this.temporalAddress);
    for (const change of changes.length > 0 ? changes : ['schedules already in place']) this.say(`  ${change}`);
  }

  private async seedDemo(): Promise<void> {
    const started = await seedDemoRuns(this.temporalAddress);
    this.say(
      started > 0 ? `  started ${started} demo runs in ${DEV_NAMESPACES.join(' and ')}` : '  demo runs already there',
    );
  }

  private async firstSync(): Promise<void> {
    for (const summary of await runFullSyncs(this.temporalAddress, START_TIMEOUT_MS)) {
      const streams = Object.entries(summary.streams)
        .map(([stream, result]) => `${stream} ${result.rows} rows in ${result.pages} page(s)`)
        .join(', ');
      this.say(`  SyncWorkflow of ${summary.namespace} (sync_run ${summary.syncRunId}): ${streams}`);
    }
  }
}

export function formatReport(report: StackReport): string {
  const counts = Object.entries(report.counts)
    .map(([table, count]) => `${table}=${count}`)
    .join(' ');
  return [
    '',
    'temporal-sync dev stack is up:',
    `  Web UI       ${report.uiUrl}`,
    `  Temporal     ${report.temporalAddress} (e.g. temporal workflow list --address ${report.temporalAddress})`,
    `  Postgres     ${report.psql}`,
    `  namespaces   ${DEV_NAMESPACES.join(', ')} (one worker syncs them all)`,
    `  tables       ${counts} (schema ${report.schema})`,
    `  data folder  ${report.dataDir} (logs in logs/; delete the folder to start afresh)`,
    'Press Ctrl-C to stop everything.',
    '',
  ].join('\n');
}
