import { Client, Connection, isGrpcServiceError } from '@temporalio/client';
import { lenientDecodingCodec } from '../source/lenient-codec';
import { isTransient } from '../startup-errors';
import { GaveUpWaiting, retryWhileTransient, type StartupWait } from '../startup-wait';
import type { TemporalConnection } from './connect-settings';

/** Commands run by hand should fail within seconds when the server is not there, not hang. */
export const CONNECT_TIMEOUT_MS = 5_000;

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

/** The innermost cause's first line: what went wrong, without the SDK's wrapping. */
export function firstLine(error: unknown): string {
  let innermost = error;
  while (innermost instanceof Error && innermost.cause instanceof Error) innermost = innermost.cause;
  const text = innermost instanceof Error ? innermost.message : String(innermost);
  return text.split('\n')[0] ?? text;
}

export interface CliClient {
  client: Client;
  address: string;
  namespace: string;
  close: () => Promise<void>;
}

/** One attempt: connect, and check that the namespace exists, so a wrong one is reported as such at once. */
async function connectOnce(temporal: TemporalConnection, namespace: string): Promise<Connection> {
  const connection = await Connection.connect({ ...temporal.connectionOptions, connectTimeout: CONNECT_TIMEOUT_MS });
  try {
    await connection.withDeadline(Date.now() + CONNECT_TIMEOUT_MS, () =>
      connection.workflowService.describeNamespace({ namespace }),
    );
    return connection;
  } catch (error) {
    await connection.close();
    throw error;
  }
}

function connectError(error: unknown, temporal: TemporalConnection, namespace: string): TemporalConnectError {
  const { address, hints } = temporal;
  const code = grpcCode(error);
  const waited = error instanceof GaveUpWaiting ? `, still after waiting ${error.waitedSeconds} s` : '';
  if (code === status.NOT_FOUND || code === status.INVALID_ARGUMENT) {
    return new TemporalConnectError(`namespace "${namespace}" not found at ${address}: check ${hints.namespace}`, {
      cause: error,
    });
  }
  if (code === status.PERMISSION_DENIED || code === status.UNAUTHENTICATED) {
    return new TemporalConnectError(
      `not allowed to use namespace "${namespace}" at ${address} (${firstLine(error)}): check ${hints.apiKey} or the TLS client certificate, and ${hints.namespace}`,
      { cause: error },
    );
  }
  const remote = isTransient(error) ? ', and TLS or TEMPORAL_API_KEY for a remote server' : '';
  return new TemporalConnectError(
    `cannot reach Temporal at ${address} (${firstLine(error)}${waited}): check ${hints.address}${remote}`,
    { cause: error },
  );
}

/**
 * Connects by Temporal's conventions (the connection resolved from TEMPORAL_ADDRESS, TEMPORAL_API_KEY,
 * TLS, profiles) and checks the namespace exists, waiting while the server is not there yet when
 * `wait` is given. A wrong address or namespace is reported as such, in one line naming the setting.
 */
export async function connectCliClient(
  temporal: TemporalConnection,
  namespace: string,
  wait?: StartupWait,
): Promise<CliClient> {
  let connection: Connection;
  try {
    connection = await retryWhileTransient(
      `Temporal at ${temporal.address}`,
      () => connectOnce(temporal, namespace),
      wait,
    );
  } catch (error) {
    throw connectError(error, temporal, namespace);
  }
  return {
    // Other tools' schedules may carry memos or arguments we cannot decode (encrypted, protobuf):
    // listing or describing them must not fail, so they are kept in raw form.
    client: new Client({ connection, namespace, dataConverter: { payloadCodecs: [lenientDecodingCodec] } }),
    address: temporal.address,
    namespace,
    close: () => connection.close(),
  };
}
