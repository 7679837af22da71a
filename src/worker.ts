import { NativeConnection, Runtime, type LogLevel, type Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import type { Logger } from '@temporalio/common';
import type pg from 'pg';
import { loadConfig, type Config } from './config';
import { alertSettings } from './alerts/settings';
import { runCommand } from './cli/run-command';
import { migrate } from './db/migrate';
import { createPool, pingDatabase } from './db/pool';
import { readLag } from './db/sync-state';
import { freeLoopbackPort, scrapeCoreMetrics } from './observability/core-metrics';
import { startObservabilityServer, type ObservabilityServer } from './observability/http-server';
import { createLogger } from './observability/logger';
import { createSyncMetrics, type SyncMetricsRegistry } from './observability/metrics';
import { checkReadiness } from './observability/readiness';
import { redactSecrets } from './redact';
import { describePostgresUrl } from './startup-errors';
import { startupStep, startupWait, type StartupWait } from './startup-wait';
import { createSyncWorker } from './sync-worker';
import { connectSourceClient } from './temporal/connect';
import { createSourceClients, describeDefinition, type SourceClients } from './temporal/sources';
import type { TemporalConnection } from './temporal/connect-settings';
import { prebuiltWorkflowBundle } from './workflow-bundle';
import { closeWithin, exitBeforeTheKill, forceSecondsFor } from './worker-shutdown';

/** What the worker opens, closed in `finally` whichever way it ends. */
interface Held {
  server?: ObservabilityServer;
  connection?: NativeConnection;
  source?: Client;
  /** Every namespace's client, the source connection's among them. */
  sources?: SourceClients;
  worker?: Worker;
}

/** The settings to look at when a Temporal connection fails, by the reason it failed. */
const temporalSettings = (connection: TemporalConnection) => (reason: string) =>
  reason === 'TLS handshake failed'
    ? connection.hints.tls
    : reason === 'not authorized'
      ? connection.hints.apiKey
      : connection.hints.address;

function installRuntime(config: Config, logger: Logger, coreMetricsPort: number): void {
  Runtime.install({
    logger,
    // Signals are ours: the activities must hear of a shutdown at once, not when the grace time ends.
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: config.logLevel.toUpperCase() as LogLevel, other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${coreMetricsPort}`, useSecondsForDurations: true } },
    },
  });
}

function serveObservability(config: Config, held: Held, pool: pg.Pool, metrics: SyncMetricsRegistry, corePort: number) {
  return startupStep(
    {
      what: `the metrics and health port ${config.metricsHost}:${config.metricsPort}`,
      failure: `cannot serve metrics and health on ${config.metricsHost}:${config.metricsPort}`,
      setting: 'TEMPORAL_SYNC_METRICS_PORT',
    },
    () =>
      startObservabilityServer(config.metricsHost, config.metricsPort, {
        metrics: async () => ({
          contentType: metrics.registry.contentType,
          body: (await metrics.registry.metrics()) + (await scrapeCoreMetrics(corePort)),
        }),
        readiness: () =>
          checkReadiness({ worker: () => held.worker, pool, temporal: () => temporalPings(held, config) }),
      }),
  );
}

/** Postgres, Temporal and the source, each waited for while it is not there yet; nothing is changed before all answer. */
async function connectDependencies(config: Config, held: Held, pool: pg.Pool, wait: StartupWait): Promise<void> {
  const postgres = `Postgres at ${describePostgresUrl(config.databaseUrl)}`;
  await startupStep(
    { what: postgres, failure: `cannot use ${postgres}`, setting: 'DATABASE_URL' },
    () => pingDatabase(pool),
    wait,
  );
  const { worker, source } = config.temporal;
  held.connection = await startupStep(
    {
      what: `Temporal at ${worker.address}`,
      failure: `cannot connect to Temporal at ${worker.address}`,
      setting: temporalSettings(worker),
    },
    () => NativeConnection.connect(worker.connectionOptions),
    wait,
  );
  held.source = await startupStep(
    {
      what: `the source Temporal at ${source.address}`,
      failure: `cannot connect to the source Temporal at ${source.address}`,
      setting: temporalSettings(source),
    },
    () => connectSourceClient(config),
    wait,
  );
}

async function startWorker(
  config: Config,
  held: Held,
  pool: pg.Pool,
  metrics: SyncMetricsRegistry,
  draining: AbortController,
): Promise<Worker> {
  const { connection: nativeConnection, source: sourceClient } = held as Required<Pick<Held, 'connection' | 'source'>>;
  const address = config.temporal.worker.address;
  return startupStep(
    {
      what: `namespace "${config.workerNamespace}" at ${address}`,
      failure: `cannot start a worker in namespace "${config.workerNamespace}" at ${address}`,
      setting: config.temporal.worker.hints.namespace,
    },
    () =>
      createSyncWorker({
        connection: nativeConnection,
        namespace: config.workerNamespace,
        taskQueue: config.taskQueue,
        shutdownGraceSeconds: config.shutdownGraceSeconds,
        shutdownForceSeconds: forceSecondsFor(config.shutdownGraceSeconds),
        workflowBundle: prebuiltWorkflowBundle(config.workflowBundlePath),
        dependencies: {
          pool,
          schema: config.schema,
          sources: (held.sources = createSourceClients(config.namespaces, { connected: { default: sourceClient } })),
          workerClient: new Client({ connection: nativeConnection, namespace: config.workerNamespace }),
          secrets: config.secrets,
          visibilityRps: config.visibilityRps,
          bulkLoad: config.bulkLoad,
          streamSettings: config.streamSettings,
          metrics: metrics.recorder,
          draining: draining.signal,
          alerts: alertSettings(config),
        },
      }),
  );
}

/** Closes everything at once, each within a bound: the process exits even when Postgres or Temporal hang. */
async function closeAll(held: Held, pool: pg.Pool, log: (line: string) => void): Promise<void> {
  await Promise.all([
    closeWithin(
      'the source connections',
      async () => (held.sources ? held.sources.close() : held.source?.connection.close()),
      log,
    ),
    closeWithin('the Temporal connection', async () => held.connection?.close(), log),
    closeWithin('the Postgres pool', () => pool.end(), log),
    closeWithin('the metrics and health server', async () => held.server?.close(), log),
  ]);
}

/**
 * Runs the worker until a signal drained it: 0 when every activity stopped in time. After a signal,
 * run() fails only when activities outlived the grace time (the SDK gives up on them, and may then
 * find them still holding the worker): the worker exits 1 without them.
 */
async function runUntilStopped(worker: Worker, config: Config, logger: Logger, signalled: () => boolean) {
  try {
    await worker.run();
    logger.info('temporal-sync worker stopped');
    return 0;
  } catch (error) {
    if (!signalled()) throw error;
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    logger.error(
      `shutdown: the worker did not drain within ${forceSecondsFor(config.shutdownGraceSeconds)} s of the signal ` +
        `(grace time plus half the margin; a dependency may have stopped answering: ${why}); exiting without it`,
    );
    return 1;
  }
}

/** What the ready line says is synced: the one namespace, or the definition's. */
const syncing = (config: Config) =>
  config.namespaces.defined
    ? describeDefinition(config.namespaces).replace(/^it syncs/, 'syncing')
    : `syncing namespace "${config.sourceNamespace}"`;

async function main(): Promise<number> {
  const config = loadConfig();
  const logger = createLogger({
    level: config.logLevel.toUpperCase() as LogLevel,
    format: config.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    secrets: config.secrets,
  });
  const coreMetricsPort = await freeLoopbackPort();
  installRuntime(config, logger, coreMetricsPort);
  const redact = (text: string) => redactSecrets(text, config.secrets);
  const pool = createPool({
    databaseUrl: config.databaseUrl,
    max: config.dbPoolMax,
    onIdleError: (error) => {
      logger.warn(`idle database connection lost: ${redact(error.message)}`);
    },
  });
  const held: Held = {};
  const metrics = createSyncMetrics(() => readLag(pool, config.schema).catch(() => []));
  try {
    held.server = await serveObservability(config, held, pool, metrics, coreMetricsPort);
    await connectDependencies(
      config,
      held,
      pool,
      startupWait(config.startupWaitSeconds, (line) => {
        logger.warn(line);
      }),
    );
    if (config.migrateOnStart) {
      const postgres = `Postgres at ${describePostgresUrl(config.databaseUrl)}`;
      const applied = await startupStep(
        { what: postgres, failure: `cannot use ${postgres} to run the migrations`, setting: 'DATABASE_URL' },
        () => migrate(pool, config.schema),
      );
      if (applied.length > 0) logger.info(`applied migrations: ${applied.join(', ')}`);
    }
    const draining = new AbortController();
    const worker = (held.worker = await startWorker(config, held, pool, metrics, draining));
    const stop = stopOnSignals(worker, draining, config, logger);
    logger.info(
      `temporal-sync worker ready: polling task queue "${config.taskQueue}" in namespace "${config.workerNamespace}" ` +
        `at ${config.temporal.worker.address}; ${syncing(config)} into schema ` +
        `"${config.schema}"; metrics and health on http://${config.metricsHost}:${held.server.port}`,
      { metricsPort: held.server.port },
    );
    return await runUntilStopped(worker, config, logger, stop.signalled);
  } finally {
    await closeAll(held, pool, (line) => {
      logger.warn(line);
    });
  }
}

function temporalPings(held: Held, config: Config): Record<string, () => Promise<unknown>> {
  const { connection, source } = held;
  if (!connection) return {};
  const pings: Record<string, () => Promise<unknown>> = {
    temporal: () => connection.workflowService.getSystemInfo({}),
  };
  if (source && config.separateSourceConnection) pings.source = () => source.workflowService.getSystemInfo({});
  return pings;
}

/**
 * SIGTERM or SIGINT: stop polling, tell running chunks to stop at their next page boundary, and wait
 * up to the grace time for them; the process is gone before the grace time plus the margin, however
 * stuck it is; a second signal exits at once.
 */
function stopOnSignals(worker: Worker, draining: AbortController, config: Config, logger: Logger) {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting without waiting for running activities`);
      process.exit(1);
    }
    stopping = true;
    logger.info(
      `${signal}: draining, running activities have ${config.shutdownGraceSeconds} s to reach a page boundary`,
    );
    exitBeforeTheKill(config.shutdownGraceSeconds, (line) => {
      logger.error(line);
    });
    draining.abort();
    worker.shutdown();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return { signalled: () => stopping };
}

runCommand('temporal-sync worker', main, { secrets: () => loadConfig().secrets });
