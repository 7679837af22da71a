import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import { lenientDecodingCodec } from '../source/lenient-codec';
import { workerConnectConfig } from './connect';

/** Commands run by hand should fail within seconds when the server is not there, not hang. */
const CONNECT_TIMEOUT_MS = 5_000;

/** gRPC status codes (numbers, as in the protocol) that name what to fix. */
const status = { INVALID_ARGUMENT: 3, NOT_FOUND: 5, PERMISSION_DENIED: 7, UNAUTHENTICATED: 16 } as const;

/** Temporal cannot be used as configured; the message is one line naming the variable to fix. */
export class TemporalConnectError extends Error {
  constructor(message: string, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'TemporalConnectError';
  }
}

function grpcCode(error: unknown): number | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (isGrpcServiceError(current)) return current.code;
  }
  return undefined;
}

function firstLine(error: unknown): string {
  let innermost = error;
  while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause;
  const text = innermost instanceof Error ? innermost.message : String(innermost);
  return text.split('\n')[0] ?? text;
}

export interface CliClient {
  client: Client;
  address: string;
  namespace: string;
  close(): Promise<void>;
}

/**
 * Connects by Temporal's conventions (TEMPORAL_ADDRESS, TEMPORAL_API_KEY, TLS, profiles) and checks
 * the namespace exists, so a wrong address or namespace is reported at once as such.
 */
export async function connectCliClient(namespace: string, env: NodeJS.ProcessEnv = process.env): Promise<CliClient> {
  const { connectionOptions } = workerConnectConfig(env);
  const address = connectionOptions.address ?? 'localhost:7233';
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions, connectTimeout: CONNECT_TIMEOUT_MS });
  } catch (error) {
    throw new TemporalConnectError(
      `cannot reach Temporal at ${address} (${firstLine(error)}): check TEMPORAL_ADDRESS, and TLS or TEMPORAL_API_KEY for a remote server`,
      { cause: error },
    );
  }
  try {
    await connection.withDeadline(Date.now() + CONNECT_TIMEOUT_MS, () =>
      connection.workflowService.describeNamespace({ namespace }),
    );
  } catch (error) {
    await connection.close();
    const code = grpcCode(error);
    if (code === status.NOT_FOUND || code === status.INVALID_ARGUMENT) {
      throw new TemporalConnectError(`namespace "${namespace}" not found at ${address}: check TEMPORAL_NAMESPACE`, {
        cause: error,
      });
    }
    if (code === status.PERMISSION_DENIED || code === status.UNAUTHENTICATED) {
      throw new TemporalConnectError(
        `not allowed to use namespace "${namespace}" at ${address} (${firstLine(error)}): check TEMPORAL_API_KEY or the TLS client certificate, and TEMPORAL_NAMESPACE`,
        { cause: error },
      );
    }
    throw new TemporalConnectError(
      `cannot reach Temporal at ${address} (${firstLine(error)}): check TEMPORAL_ADDRESS`,
      { cause: error },
    );
  }
  return {
    // Other tools' schedules may carry memos or arguments we cannot decode (encrypted, protobuf):
    // listing or describing them must not fail, so they are kept in raw form.
    client: new Client({ connection, namespace, dataConverter: { payloadCodecs: [lenientDecodingCodec] } }),
    address,
    namespace,
    close: () => connection.close(),
  };
}
