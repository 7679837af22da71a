import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { NonRetryable, type NonRetryableType } from '../failures';
import { redactSecrets } from '../redact';
import { grpcCode, GrpcStatus } from '../source/grpc';

interface Known {
  type: NonRetryableType;
  hint: string;
}

/** gRPC status codes that mean "fix the configuration", not "try again". */
const GRPC_NON_RETRYABLE: Partial<Record<GrpcStatus, Known>> = {
  [GrpcStatus.INVALID_ARGUMENT]: {
    type: NonRetryable.SourceQueryInvalid,
    hint: 'the source rejected the request (INVALID_ARGUMENT)',
  },
  [GrpcStatus.NOT_FOUND]: { type: NonRetryable.SourceNamespaceNotFound, hint: 'check TEMPORAL_SYNC_SOURCE_NAMESPACE' },
  [GrpcStatus.PERMISSION_DENIED]: {
    type: NonRetryable.SourceAccessDenied,
    hint: 'the API key or certificate may not read this namespace',
  },
  [GrpcStatus.UNAUTHENTICATED]: {
    type: NonRetryable.SourceAccessDenied,
    hint: 'check TEMPORAL_API_KEY or the TLS client certificate',
  },
};

/** Postgres SQLSTATE classes and codes that retrying cannot fix. */
function postgresNonRetryable(code: string): Known | undefined {
  if (code.startsWith('28'))
    return { type: NonRetryable.DatabaseAccessDenied, hint: 'check the user and password in DATABASE_URL' };
  if (code === '3D000')
    return { type: NonRetryable.DatabaseAccessDenied, hint: 'the database in DATABASE_URL does not exist' };
  if (code === '42501') return { type: NonRetryable.DatabaseAccessDenied, hint: 'the database user lacks a privilege' };
  if (code === '42P01' || code === '3F000') {
    return {
      type: NonRetryable.DatabaseSchemaMissing,
      hint: 'run the migrations (npm run migrate) or check TEMPORAL_SYNC_SCHEMA',
    };
  }
  return undefined;
}

function known(error: unknown): Known | undefined {
  const grpc = grpcCode(error);
  if (grpc !== undefined) return GRPC_NON_RETRYABLE[grpc];
  const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
  return typeof code === 'string' ? postgresNonRetryable(code) : undefined;
}

/**
 * Turns whatever an activity threw into what Temporal should do with it: configuration problems
 * become non-retryable failures that say what to fix; everything else stays retryable. Messages
 * lose any secret on the way, because they end up in workflow history.
 */
export function toActivityFailure(error: unknown, secrets: readonly string[]): Error {
  if (error instanceof CancelledFailure) return error;
  if (error instanceof ApplicationFailure) {
    return ApplicationFailure.create({
      message: redactSecrets(error.message, secrets),
      type: error.type ?? undefined,
      nonRetryable: error.nonRetryable ?? undefined,
    });
  }
  const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
  const found = known(error);
  if (found)
    return ApplicationFailure.create({ type: found.type, message: `${message} (${found.hint})`, nonRetryable: true });
  const type = error instanceof Error ? error.constructor.name : 'Error';
  return ApplicationFailure.create({ type, message, nonRetryable: false });
}

/** Wraps every activity of an object so whatever it throws reaches Temporal through toActivityFailure. */
export function guardAll<T extends Record<string, (...args: never[]) => Promise<unknown>>>(
  activities: T,
  secrets: readonly string[],
): T {
  const guarded: Record<string, unknown> = {};
  for (const [name, activity] of Object.entries(activities)) {
    guarded[name] = async (...args: never[]) => {
      try {
        return await activity(...args);
      } catch (error) {
        throw toActivityFailure(error, secrets);
      }
    };
  }
  return guarded as T;
}
