import { Client, Connection, defaultGrpcRetryOptions, makeGrpcRetryInterceptor } from '@temporalio/client';
import type { Config } from '../config';
import { GrpcStatus } from '../source/grpc';
import { lenientDecodingCodec } from '../source/lenient-codec';

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

/**
 * A client for reading the source namespace, through the source's connection (the worker's own
 * unless TEMPORAL_SYNC_SOURCE_ADDRESS or TEMPORAL_SYNC_SOURCE_PROFILE gives it one of its own);
 * payloads it cannot decode are kept in raw form, never thrown on.
 */
export async function connectSourceClient(config: Config): Promise<Client> {
  const connection = await Connection.connect({
    ...config.temporal.source.connectionOptions,
    interceptors: [sourceRetries()],
  });
  return new Client({
    connection,
    namespace: config.sourceNamespace,
    dataConverter: { payloadCodecs: [lenientDecodingCodec] },
  });
}
