import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import { GrpcStatus } from '../source/grpc';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import type { Config } from '../config';
import { lenientDecodingCodec } from '../source/lenient-codec';

const SOURCE_PREFIX = 'TEMPORAL_SYNC_SOURCE_';

function definedEntries(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

/** The worker's own connection, from Temporal's conventions: TEMPORAL_ADDRESS, TEMPORAL_API_KEY, TLS files, profiles. */
export function workerConnectConfig(env: NodeJS.ProcessEnv = process.env): ClientConnectConfig {
  return loadClientConnectConfig({ overrideEnvVars: definedEntries(env) });
}

/**
 * The source namespace's connection. By default it is the worker's; with TEMPORAL_SYNC_SOURCE_ADDRESS
 * set, every TEMPORAL_SYNC_SOURCE_X variable stands for TEMPORAL_X (API key, TLS files, profile), so
 * a self-hosted worker can sync a Temporal Cloud namespace.
 */
export function sourceConnectConfig(env: NodeJS.ProcessEnv = process.env): ClientConnectConfig {
  if (env.TEMPORAL_SYNC_SOURCE_ADDRESS === undefined) return workerConnectConfig(env);
  const mapped: Record<string, string> = {};
  for (const [name, value] of Object.entries(definedEntries(env))) {
    if (name.startsWith(SOURCE_PREFIX)) mapped[`TEMPORAL_${name.slice(SOURCE_PREFIX.length)}`] = value;
  }
  if (env.TEMPORAL_CONFIG_FILE !== undefined) mapped.TEMPORAL_CONFIG_FILE = env.TEMPORAL_CONFIG_FILE;
  return loadClientConnectConfig({ overrideEnvVars: mapped, disableFile: mapped.TEMPORAL_PROFILE === undefined });
}

/**
 * The SDK's retries of failed calls, but for RESOURCE_EXHAUSTED: the sync's visibility gate waits
 * those out within its budget (and counts them), where the SDK would send them again on its own.
 */
export function sourceRetries() {
  const retries = defaultGrpcRetryOptions();
  return makeGrpcRetryInterceptor({
    ...retries,
    retryableDecider: (attempt, status) =>
      status.code !== GrpcStatus.RESOURCE_EXHAUSTED && retries.retryableDecider(attempt, status),
  });
}

/** A client for reading the source namespace; payloads it cannot decode are kept in raw form, never thrown on. */
export async function connectSourceClient(config: Config, env: NodeJS.ProcessEnv = process.env): Promise<Client> {
  const { connectionOptions } = sourceConnectConfig(env);
  const connection = await Connection.connect({ ...connectionOptions, interceptors: [sourceRetries()] });
  return new Client({
    connection,
    namespace: config.sourceNamespace,
    dataConverter: { payloadCodecs: [lenientDecodingCodec] },
  });
}
