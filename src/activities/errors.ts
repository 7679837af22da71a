import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { redactSecrets } from '../redact';

/** gRPC status codes that mean "fix the configuration", not "try again". */
const GRPC_NON_RETRYABLE: Record<number, { type: string; hint: string }> = {
  3: { type: 'SourceQueryInvalid', hint: 'the source rejected the request (INVALID_ARGUMENT)' },
  5: { type: 'SourceNamespaceNotFound', hint: 'check TEMPORAL_SYNC_SOURCE_NAMESPACE' },
  7: { type: 'SourceAccessDenied', hint: 'the API key or certificate may not read this namespace' },
  16: { type: 'SourceAccessDenied', hint: 'check TEMPORAL_API_KEY or the TLS client certificate' },
};

/** Postgres SQLSTATE classes and codes that retrying cannot fix. */
function postgresNonRetryable(code: string): { type: string; hint: string } | undefined {
  if (code.startsWith('28'))
    return { type: 'DatabaseAccessDenied', hint: 'check the user and password in DATABASE_URL' };
  if (code === '3D000') return { type: 'DatabaseAccessDenied', hint: 'the database in DATABASE_URL does not exist' };
  if (code === '42501') return { type: 'DatabaseAccessDenied', hint: 'the database user lacks a privilege' };
  if (code === '42P01' || code === '3F000')
    return {
      type: 'DatabaseSchemaMissing',
      hint: 'run the migrations (npm run migrate) or check TEMPORAL_SYNC_SCHEMA',
    };
  return undefined;
}

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
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
  const code = errorCode(error);
  const known =
    typeof code === 'number'
      ? GRPC_NON_RETRYABLE[code]
      : typeof code === 'string'
        ? postgresNonRetryable(code)
        : undefined;
  if (known) {
    return ApplicationFailure.create({ type: known.type, message: `${message} (${known.hint})`, nonRetryable: true });
  }
  const type = error instanceof Error ? error.constructor.name : 'Error';
  return ApplicationFailure.create({ type, message, nonRetryable: false });
}

/** Wraps an activity so whatever it throws reaches Temporal through toActivityFailure. */
export function guardWith(secrets: readonly string[]) {
  return <Args extends unknown[], Result>(fn: (...args: Args) => Promise<Result>) =>
    async (...args: Args): Promise<Result> => {
      try {
        return await fn(...args);
      } catch (error) {
        throw toActivityFailure(error, secrets);
      }
    };
}
