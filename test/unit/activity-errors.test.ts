import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { toActivityFailure } from '../../src/activities/errors';

const withCode = (message: string, code: number | string) => Object.assign(new Error(message), { code });

function failure(error: unknown, secrets: string[] = []): ApplicationFailure {
  const result = toActivityFailure(error, secrets);
  assert.ok(result instanceof ApplicationFailure);
  return result;
}

describe('what an activity error becomes', () => {
  it('makes configuration problems non-retryable, saying what to fix', () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [withCode('namespace x not found', 5), 'SourceNamespaceNotFound', /TEMPORAL_SYNC_SOURCE_NAMESPACE/],
      [withCode('bad query', 3), 'SourceQueryInvalid', /INVALID_ARGUMENT/],
      [withCode('request unauthorized', 16), 'SourceAccessDenied', /TEMPORAL_API_KEY/],
      [withCode('permission denied', 7), 'SourceAccessDenied', /API key or certificate/],
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
      withCode('unavailable', 14),
      withCode('deadline exceeded', 4),
      new Error('Connection terminated unexpectedly'),
    ]) {
      assert.equal(failure(error).nonRetryable, false, (error as Error).message);
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
