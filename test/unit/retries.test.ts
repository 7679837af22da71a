import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActivityFailure, ApplicationFailure, CancelledFailure, RetryState } from '@temporalio/common';
import { serverRetriesAfter, type RunAttempt } from '../../src/workflows/retries';

const scheduled: RunAttempt = {
  // What the schedules give the syncs they start: 3 attempts, 1 min apart, doubling.
  retryPolicy: {
    maximumAttempts: 3,
    initialInterval: '1 minute',
    backoffCoefficient: 2,
    maximumInterval: '10 minutes',
  },
  attempt: 1,
  nowMs: Date.UTC(2026, 11, 1, 3, 30),
};
const activityFailed = new ActivityFailure(
  'Activity task failed',
  'syncWorkflowExecutions',
  '1',
  RetryState.MAXIMUM_ATTEMPTS_REACHED,
  undefined,
  ApplicationFailure.create({ message: 'connection refused', type: 'Error' }),
);

describe('whether a failed sync attempt is run again by its retry policy', () => {
  it('is not without a retry policy (a sync started by hand)', () => {
    assert.equal(serverRetriesAfter(activityFailed, { attempt: 1, nowMs: 0 }), false);
  });

  it('is while attempts are left, and not on the last one', () => {
    assert.equal(serverRetriesAfter(activityFailed, scheduled), true);
    assert.equal(serverRetriesAfter(activityFailed, { ...scheduled, attempt: 2 }), true);
    assert.equal(serverRetriesAfter(activityFailed, { ...scheduled, attempt: 3 }), false);
  });

  it('is always when the policy sets no limit', () => {
    const unlimited = { ...scheduled, retryPolicy: { maximumAttempts: 0 }, attempt: 40 };
    assert.equal(serverRetriesAfter(activityFailed, unlimited), true);
  });

  it('is not for a non-retryable failure, one of a type the policy lists, or a cancellation', () => {
    const denied = ApplicationFailure.create({ message: 'permission denied', type: 'DatabaseAccessDenied' });
    assert.equal(serverRetriesAfter(ApplicationFailure.nonRetryable('bad', 'X'), scheduled), false);
    assert.equal(serverRetriesAfter(denied, scheduled), true, 'a retryable type the policy does not list');
    const listing = {
      ...scheduled,
      retryPolicy: { ...scheduled.retryPolicy, nonRetryableErrorTypes: ['DatabaseAccessDenied'] },
    };
    assert.equal(serverRetriesAfter(denied, listing), false);
    assert.equal(serverRetriesAfter(new CancelledFailure('cancelled'), scheduled), false);
  });

  it('is not when the next attempt would start after the execution timeout', () => {
    const expiresAt = (msFromNow: number) => new Date(scheduled.nowMs + msFromNow);
    // Attempt 2 fails: the next waits 1 min × 2 = 2 min.
    const second = { ...scheduled, attempt: 2 };
    assert.equal(serverRetriesAfter(activityFailed, { ...second, executionExpirationTime: expiresAt(180_000) }), true);
    assert.equal(serverRetriesAfter(activityFailed, { ...second, executionExpirationTime: expiresAt(90_000) }), false);
  });
});
