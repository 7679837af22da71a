import { Client, Connection } from '@temporalio/client';
import type { Config } from '../config';
import { lenientDecodingCodec } from '../source/lenient-codec';

/**
 * A client for reading the source namespace, through the source's connection (the worker's own
 * unless TEMPORAL_SYNC_SOURCE_ADDRESS or TEMPORAL_SYNC_SOURCE_PROFILE gives it one of its own);
 * payloads it cannot decode are kept in raw form, never thrown on.
 */
export async function connectSourceClient(config: Config): Promise<Client> {
  const connection = await Connection.connect(config.temporal.source.connectionOptions);
  return new Client({
    connection,
    namespace: config.sourceNamespace,
    dataConverter: { payloadCodecs: [lenientDecodingCodec] },
  });
}
