import { ApplicationFailure, CancelledFailure, TerminatedFailure, type RetryPolicy } from '@temporalio/common';
import { msOptionalToNumber } from '@temporalio/common/lib/time';

/** What a run knows of its own retries (from workflowInfo()), and the workflow clock. */
export interface RunAttempt {
  retryPolicy?: RetryPolicy | undefined;
  attempt: number;
  executionExpirationTime?: Date | undefined;
  nowMs: number;
}

/**
 * Whether the server starts this workflow again after it fails with `failure`, by its retry policy:
 * attempts left (0 or unset means no limit), a failure the policy retries (not non-retryable, not of
 * a listed type, not a cancellation or termination), and the next attempt's backoff still inside the
 * execution timeout. Decided as the server decides, so that only the last attempt raises an alert.
 */
export function serverRetriesAfter(failure: unknown, run: RunAttempt): boolean {
  const policy = run.retryPolicy;
  if (!policy) return false;
  if (policy.maximumAttempts && run.attempt >= policy.maximumAttempts) return false;
  if (failure instanceof CancelledFailure || failure instanceof TerminatedFailure) return false;
  if (failure instanceof ApplicationFailure) {
    if (failure.nonRetryable) return false;
    if (failure.type && policy.nonRetryableErrorTypes?.includes(failure.type)) return false;
  }
  if (run.executionExpirationTime) {
    const initialMs = msOptionalToNumber(policy.initialInterval) ?? 1000;
    const coefficient = policy.backoffCoefficient ?? 2;
    const maximumMs = msOptionalToNumber(policy.maximumInterval) ?? 100 * initialMs;
    const backoffMs = Math.min(initialMs * coefficient ** (run.attempt - 1), maximumMs);
    if (run.nowMs + backoffMs >= run.executionExpirationTime.getTime()) return false;
  }
  return true;
}
