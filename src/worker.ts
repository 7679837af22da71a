import { NativeConnection, Runtime, type LogLevel, type Worker } from '@temporalio/worker';
import { Client } from '@temporalio/client';
import { ConfigError, loadConfig, SHUTDOWN_MARGIN_SECONDS, type Config } from './config';
import { alertSettings } from './alerts/settings';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { readLag } from './db/sync-state';
import { freeLoopbackPort, scrapeCoreMetrics } from './observability/core-metrics';
import { startObservabilityServer, type ObservabilityServer } from './observability/http-server';
import { createLogger } from './observability/logger';
import { createSyncMetrics } from './observability/metrics';
import { checkReadiness } from './observability/readiness';
import { redactSecrets } from './redact';
import { describePostgresUrl, startupStep } from './startup-errors';
import { createSyncWorker } from './sync-worker';
import { connectSourceClient, sourceConnectConfig, workerConnectConfig } from './temporal/connect';
import { singleSource } from './temporal/sources';
import { prebuiltWorkflowBundle } from './workflow-bundle';

/** The settings to look at when a Temporal connection fails, by the reason it failed. */
const temporalSettings = (prefix: string) => (reason: string) =>
  reason === 'TLS handshake failed'
    ? `${prefix}TLS_* and ${prefix}ADDRESS`
    : reason === 'not authorized'
      ? `${prefix}API_KEY`
      : `${prefix}ADDRESS`;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger({
    level: config.logLevel.toUpperCase() as LogLevel,
    format: config.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json'),
    secrets: config.secrets,
  });
  const coreMetricsPort = await freeLoopbackPort();
  Runtime.install({
    logger,
    // Signals are ours: the activities must hear of a shutdown at once, not when the grace time ends.
    shutdownSignals: [],
    telemetryOptions: {
      logging: { filter: { core: config.logLevel.toUpperCase() as LogLevel, other: 'ERROR' }, forward: {} },
      metrics: { prometheus: { bindAddress: `127.0.0.1:${coreMetricsPort}`, useSecondsForDurations: true } },
    },
  });
  const redact = (text: string) => redactSecrets(text, config.secrets);

  const pool = createPool({
    databaseUrl: config.databaseUrl,
    max: config.dbPoolMax,
    onIdleError: (error) => logger.warn(`idle database connection lost: ${redact(error.message)}`),
  });
  let worker: Worker | undefined;
  let connection: NativeConnection | undefined;
  let source: Client | undefined;
  const metrics = createSyncMetrics(() => readLag(pool, config.schema).catch(() => []));
  let server: ObservabilityServer | undefined;
  try {
    server = await startupStep(
      `cannot serve metrics and health on ${config.metricsHost}:${config.metricsPort}`,
      'TEMPORAL_SYNC_METRICS_PORT',
      () =>
        startObservabilityServer(config.metricsHost, config.metricsPort, {
          metrics: async () => ({
            contentType: metrics.registry.contentType,
            body: (await metrics.registry.metrics()) + (await scrapeCoreMetrics(coreMetricsPort)),
          }),
          readiness: () =>
            checkReadiness({
              worker: () => worker,
              pool,
              temporal: () => temporalPings(connection, source, config),
            }),
        }),
    );
    const database = `cannot use Postgres at ${describePostgresUrl(config.databaseUrl)}`;
    await startupStep(database, 'DATABASE_URL', () => pool.query('SELECT 1'));
    if (config.migrateOnStart) {
      const applied = await startupStep(`${database} to run the migrations`, 'DATABASE_URL', () =>
        migrate(pool, config.schema),
      );
      if (applied.length > 0) logger.info(`applied migrations: ${applied.join(', ')}`);
    }
    const { connectionOptions } = workerConnectConfig();
    const address = connectionOptions.address ?? 'localhost:7233';
    connection = await startupStep(`cannot connect to Temporal at ${address}`, temporalSettings('TEMPORAL_'), () =>
      NativeConnection.connect(connectionOptions),
    );
    const sourceAddress = sourceConnectConfig().connectionOptions.address ?? 'localhost:7233';
    source = await startupStep(
      `cannot connect to the source Temporal at ${sourceAddress}`,
      temporalSettings(config.separateSourceConnection ? 'TEMPORAL_SYNC_SOURCE_' : 'TEMPORAL_'),
      () => connectSourceClient(config),
    );
    const sourceClient = source;
    const draining = new AbortController();
    const nativeConnection = connection;
    worker = await startupStep(
      `cannot start a worker in namespace "${config.workerNamespace}" at ${address}`,
      'TEMPORAL_NAMESPACE',
      () =>
        createSyncWorker({
          connection: nativeConnection,
          namespace: config.workerNamespace,
          taskQueue: config.taskQueue,
          shutdownGraceSeconds: config.shutdownGraceSeconds,
          shutdownForceSeconds: config.shutdownGraceSeconds + SHUTDOWN_MARGIN_SECONDS / 2,
          workflowBundle: prebuiltWorkflowBundle(config.workflowBundlePath),
          dependencies: {
            pool,
            schema: config.schema,
            sources: singleSource(config.sourceNamespace, sourceClient),
            workerClient: new Client({ connection: nativeConnection, namespace: config.workerNamespace }),
            secrets: config.secrets,
            visibilityRps: config.visibilityRps,
            bulkLoad: config.bulkLoad,
            streamSettings: { scheduleRedescribeSeconds: config.scheduleRedescribeSeconds, describeConcurrency: 8 },
            metrics: metrics.recorder,
            draining: draining.signal,
            alerts: alertSettings(config),
          },
        }),
    );
    stopOnSignals(worker, draining, config, logger.info.bind(logger));
    logger.info(
      `temporal-sync worker ready: polling task queue "${config.taskQueue}" in namespace "${config.workerNamespace}" ` +
        `at ${address}; syncing namespace "${config.sourceNamespace}" into schema "${config.schema}"; ` +
        `metrics and health on http://${config.metricsHost}:${server.port}`,
      { metricsPort: server.port },
    );
    await worker.run();
    logger.info('temporal-sync worker stopped');
  } finally {
    await source?.connection.close();
    await connection?.close();
    await pool.end();
    await server?.close();
  }
}

function temporalPings(
  connection: NativeConnection | undefined,
  source: Client | undefined,
  config: Config,
): Record<string, () => Promise<unknown>> {
  if (!connection) return {};
  const pings: Record<string, () => Promise<unknown>> = {
    temporal: () => connection.workflowService.getSystemInfo({}),
  };
  if (source && config.separateSourceConnection) pings.source = () => source.workflowService.getSystemInfo({});
  return pings;
}

/**
 * SIGTERM or SIGINT: stop polling, tell running chunks to stop at their next page boundary, and wait
 * up to the grace time for them; a second signal exits at once.
 */
function stopOnSignals(worker: Worker, draining: AbortController, config: Config, log: (message: string) => void) {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log(`${signal} again: exiting without waiting for running activities`);
      process.exit(1);
    }
    stopping = true;
    log(`${signal}: draining, running activities have ${config.shutdownGraceSeconds} s to reach a page boundary`);
    draining.abort();
    worker.shutdown();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  let secrets: string[] = [];
  try {
    secrets = loadConfig().secrets;
  } catch {
    // the configuration was valid a moment ago; nothing more to redact with
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`temporal-sync worker failed: ${redactSecrets(message.split('\n')[0]!, secrets)}\n`);
  process.exit(1);
});
