import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { toActivityFailure } from '../../src/activities/errors';

import { Metadata, status } from '@grpc/grpc-js';

/** A Postgres error as pg raises it: a SQLSTATE in `code`. */
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
/** A gRPC error as @grpc/grpc-js raises it: a status code, details and metadata. */
const grpcError = (message: string, code: status) =>
  Object.assign(new Error(`${code} ${status[code]}: ${message}`), { code, details: message, metadata: new Metadata() });

function failure(error: unknown, secrets: string[] = []): ApplicationFailure {
  const result = toActivityFailure(error, secrets);
  assert.ok(result instanceof ApplicationFailure);
  return result;
}

describe('what an activity error becomes', () => {
  it('makes configuration problems non-retryable, saying what to fix', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [
        grpcError('namespace x not found', status.NOT_FOUND),
        'SourceNamespaceNotFound',
        /TEMPORAL_SYNC_SOURCE_NAMESPACE/,
      ],
      [grpcError('bad query', status.INVALID_ARGUMENT), 'SourceQueryInvalid', /INVALID_ARGUMENT/],
      [grpcError('request unauthorized', status.UNAUTHENTICATED), 'SourceAccessDenied', /TEMPORAL_API_KEY/],
      [grpcError('permission denied', status.PERMISSION_DENIED), 'SourceAccessDenied', /API key or certificate/],
      [withCode('password authentication failed', '28P01'), 'DatabaseAccessDenied', /DATABASE_URL/],
      [withCode('database "x" does not exist', '3D000'), 'DatabaseAccessDenied', /does not exist/],
      [withCode('relation does not exist', '42P01'), 'DatabaseSchemaMissing', /npm run migrate/],
    ];
    for (const [error, type, hint] of cases) {
      const result = failure(error);
      assert.equal(result.type, type);
      assert.equal(result.nonRetryable, true, type);
      assert.match(result.message, hint);
    }
  });

  it('keeps transient problems retryable', () => {
    for (const error of [
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      grpcError('unavailable', status.UNAVAILABLE),
      grpcError('deadline exceeded', status.DEADLINE_EXCEEDED),
      grpcError('namespace rate limit exceeded', status.RESOURCE_EXHAUSTED),
      new Error('Connection terminated unexpectedly'),
    ]) {
      assert.equal(failure(error).nonRetryable, false, error.message);
    }
  });

  it('removes secrets from every message', () => {
    const key = 'sk-live-1234567890';
    const result = failure(withCode(`auth failed for key ${key} at postgres://u:pw@h/db`, '28P01'), [key]);
    assert.doesNotMatch(result.message, /sk-live-1234567890|:pw@/);
  });

  it('passes cancellation through untouched', () => {
    const cancelled = new CancelledFailure('cancelled');
    assert.equal(toActivityFailure(cancelled, []), cancelled);
  });
});
