import { DefaultLogger, NativeConnection, Runtime, type LogLevel } from '@temporalio/worker';
import { alertSettings } from './alerts/settings';
import { ConfigError, loadConfig } from './config';
import { migrate } from './db/migrate';
import { createPool } from './db/pool';
import { redactSecrets } from './redact';
import { createSyncWorker } from './sync-worker';
import { connectSourceClient, workerConnectConfig } from './temporal/connect';
import { prebuiltWorkflowBundle } from './workflow-bundle';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = new DefaultLogger(config.logLevel.toUpperCase() as LogLevel);
  Runtime.install({ logger });
  const redact = (text: string) => redactSecrets(text, config.secrets);

  const pool = createPool({
    databaseUrl: config.databaseUrl,
    max: config.dbPoolMax,
    onIdleError: (error) => logger.warn(`idle database connection lost: ${redact(error.message)}`),
  });
  try {
    if (config.migrateOnStart) {
      const applied = await migrate(pool, config.schema);
      if (applied.length > 0) logger.info(`applied migrations: ${applied.join(', ')}`);
    }
    const { connectionOptions } = workerConnectConfig();
    const connection = await NativeConnection.connect(connectionOptions);
    const source = await connectSourceClient(config);
    try {
      const worker = await createSyncWorker({
        connection,
        namespace: config.workerNamespace,
        taskQueue: config.taskQueue,
        shutdownGraceSeconds: config.shutdownGraceSeconds,
        workflowBundle: prebuiltWorkflowBundle(config.workflowBundlePath),
        dependencies: {
          pool,
          schema: config.schema,
          namespace: config.sourceNamespace,
          source,
          secrets: config.secrets,
          alerts: alertSettings(config),
        },
      });
      logger.info(
        `temporal-sync worker ready: polling task queue "${config.taskQueue}" in namespace "${config.workerNamespace}" ` +
          `at ${connectionOptions.address ?? 'localhost:7233'}; syncing namespace "${config.sourceNamespace}" ` +
          `into schema "${config.schema}"`,
      );
      await worker.run();
      logger.info('temporal-sync worker stopped');
    } finally {
      await source.connection.close();
      await connection.close();
    }
  } finally {
    await pool.end();
  }
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
  process.stderr.write(`temporal-sync worker failed: ${redactSecrets(message, secrets)}\n`);
  process.exit(1);
});
