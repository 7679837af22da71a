import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  workflowInfo,
} from '@temporalio/workflow';
import type { AlertDecision, FinishRequest, RejectedRunRequest, RunRef, RunTotals } from '../activities/types';
import { NON_RETRYABLE_ERROR_TYPES, NonRetryable } from '../failures';
import { startAlerts } from './alerting';
import { serverRetriesAfter } from './retries';

/** The bookkeeping activities that record how a run ended and raise its alerts. */
export interface OutcomeActivities {
  finishSyncRun(request: FinishRequest): Promise<RunTotals>;
  decideOnOutcome(request: {
    syncRunId: string;
    outcome: 'completed' | 'failed';
    destination?: string;
  }): Promise<AlertDecision>;
  recordRejectedRun(request: RejectedRunRequest): Promise<{ syncRunId: string }>;
}

export function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/**
 * Tells the incident log how a run ended and starts any alert that is due. Bounded and caught:
 * bookkeeping of alerts must never fail, hold up or change the outcome of the sync itself.
 */
export async function reportOutcome(
  acts: OutcomeActivities,
  ref: { syncRunId: string; destination?: string },
  outcome: 'completed' | 'failed',
): Promise<void> {
  try {
    await startAlerts(await acts.decideOnOutcome({ ...ref, outcome }));
  } catch (error) {
    log.warn('alert decision failed; the sync outcome stands', { ...ref, outcome, error: describeFailure(error) });
  }
}

/**
 * The failure a run ends with. An activity that failed on something retrying cannot fix (access
 * denied, missing tables, another destination) ends the run non-retryably too: the server would
 * otherwise retry the workflow by its retry policy (the schedules set one), to fail the same way.
 */
export function endingFailure(error: unknown): unknown {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return error;
  if (!cause.nonRetryable && !NON_RETRYABLE_ERROR_TYPES.includes(cause.type as never)) return error;
  return ApplicationFailure.create({
    type: cause.type ?? undefined,
    message: cause.message,
    nonRetryable: true,
    cause: error as ActivityFailure,
  });
}

/** The problem, when an activity refused the input (or the state it names): the refusal's own words. */
export function inputRefusal(error: unknown): string | undefined {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  return cause instanceof ApplicationFailure && cause.type === NonRetryable.InvalidSyncInput
    ? cause.message
    : undefined;
}

/**
 * Refuses the run's input: records the refusal as a failed run (so status and alerts see it, like
 * any failure), then fails the run at once, non-retryably, with the problem named.
 */
export async function refuseInput(acts: OutcomeActivities, problem: string): Promise<never> {
  const message = `Invalid SyncWorkflow input: ${problem}`;
  const failure = ApplicationFailure.create({ type: NonRetryable.InvalidSyncInput, message, nonRetryable: true });
  throw await recordUnplanned(acts, { mode: 'rejected' }, failure);
}

/** True when the server will run this workflow again by its retry policy after `failure`. */
function retriedAfter(failure: unknown): boolean {
  const { retryPolicy, attempt, executionExpirationTime } = workflowInfo();
  return serverRetriesAfter(failure, { retryPolicy, attempt, executionExpirationTime, nowMs: Date.now() });
}

/**
 * A run that failed before it had a plan (refused input, planning that failed): recorded as a failed
 * run with the reason, and an incident, as any failure is. Returns the failure to end the run with.
 */
export async function recordUnplanned(
  acts: OutcomeActivities,
  asked: { mode: string; namespace?: string | undefined },
  error: unknown,
): Promise<unknown> {
  const failure = endingFailure(error);
  const { workflowId, runId } = workflowInfo();
  try {
    const record = { workflowId, runId, ...asked, error: describeFailure(failure) };
    const { syncRunId } = await CancellationScope.nonCancellable(() => acts.recordRejectedRun(record));
    if (!retriedAfter(failure))
      await CancellationScope.nonCancellable(() => reportOutcome(acts, { syncRunId }, 'failed'));
  } catch (recordError) {
    log.warn('the failed run could not be recorded', { error: describeFailure(recordError) });
  }
  return failure;
}

/**
 * Records how a run that threw ended (cancelled, or failed with the failure it ends with), raises the
 * alert unless the server will run it again by its retry policy, and returns what to throw.
 */
export async function recordEnding(acts: OutcomeActivities, ref: RunRef, error: unknown): Promise<unknown> {
  const cancelled = isCancellation(error);
  const failure = cancelled ? error : endingFailure(error);
  await CancellationScope.nonCancellable(() =>
    acts.finishSyncRun({
      ...ref,
      status: cancelled ? 'cancelled' : 'failed',
      error: cancelled ? 'cancelled' : describeFailure(error),
    }),
  );
  // A cancelled run was stopped on purpose: it neither opens nor closes an incident. An attempt the
  // server will retry is not the sync failing yet: the last attempt speaks for the run.
  const retried = !cancelled && retriedAfter(failure);
  if (retried)
    log.warn('sync attempt failed; its retry policy runs it again', {
      attempt: workflowInfo().attempt,
      syncRunId: ref.syncRunId,
    });
  if (!cancelled && !retried) await CancellationScope.nonCancellable(() => reportOutcome(acts, ref, 'failed'));
  return failure;
}
