import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancelledFailure,
  CancellationScope,
  continueAsNew,
  defineQuery,
  isCancellation,
  log,
  patched,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { AlertDecision } from '../../alerts/types';
import { startAlerts } from '../alerting';
import { serverRetriesAfter } from '../retries';
import { parseSyncInput, type Continuation, type ParsedSyncInput, type Stream, type StreamProgress } from './input-v1';

/**
 * SyncWorkflow as it was before the stream contract (runs recorded then replay through it; new runs
 * never take it: see STREAM_CONTRACT_PATCH). Frozen: it changes only if Temporal's API does. Its
 * activities are declared here by the names and shapes those runs used.
 */
interface StreamPlan {
  full: boolean;
  query: string;
}
interface StreamChunkRequest {
  syncRunId: string;
  query: string;
  pageSize: number;
  pageToken: string | null;
  maxSeconds: number;
}
interface StreamChunkResult {
  nextPageToken: string | null;
  pages: number;
  rows: number;
  resumedAtPage: number | null;
}
interface Activities {
  planSync(request: {
    workflowId: string;
    runId: string;
    mode: 'full' | 'incremental';
    streams: Stream[];
    lookbackSeconds: number;
  }): Promise<{ syncRunId: string; startedAt: string; streams: Partial<Record<Stream, StreamPlan>> }>;
  syncWorkflowExecutions(request: StreamChunkRequest): Promise<StreamChunkResult>;
  syncSchedules(request: StreamChunkRequest): Promise<StreamChunkResult>;
  completeStreamPass(request: { stream: Stream; full: boolean; startedAt: string }): Promise<{ markedDeleted: number }>;
  finishSync(request: {
    syncRunId: string;
    status: 'completed' | 'failed' | 'cancelled';
    rowsPerStream: Record<string, number>;
    pagesPerStream: Record<string, number>;
    deletedPerStream: Record<string, number>;
    error: string | null;
  }): Promise<void>;
  decideOnOutcome(request: { syncRunId: string; outcome: 'completed' | 'failed' }): Promise<AlertDecision>;
}

/** The failure types that retrying could not fix, as these runs knew them. */
const NON_RETRYABLE_ERROR_TYPES = [
  'InvalidSyncInput',
  'SourceAccessDenied',
  'SourceNamespaceNotFound',
  'SourceQueryInvalid',
  'DatabaseAccessDenied',
  'DatabaseSchemaMissing',
];

interface SyncProgress {
  syncRunId: string | null;
  mode: 'full' | 'incremental';
  startedAt: string | null;
  continuedAsNew: number;
  streams: Partial<Record<Stream, Omit<StreamProgress, 'pageToken' | 'query'>>>;
}

interface SyncSummary {
  syncRunId: string;
  /** 'full' when every requested stream read everything, otherwise 'incremental'. */
  mode: 'full' | 'incremental';
  streams: Partial<
    Record<Stream, { full: boolean; pages: number; rows: number; deleted: number; resumedAtPages: number[] }>
  >;
  startedAt: string;
  durationMs: number;
  continuedAsNew: number;
}

const progressQuery = defineQuery<SyncProgress>('progress');

/** Runs recorded before alerting existed replay without the alert decision (see "Changing workflow code"). */
const ALERTS_PATCH = 'alert-on-outcome';

/**
 * Runs recorded before it replay as they ran: the run failed with the activity's failure as it came,
 * and every failed attempt told the incident log. Now a cause retrying cannot fix ends the run
 * non-retryably, and an attempt the workflow's retry policy will run again raises no alert.
 */
const RETRY_AWARE_FAILURE_PATCH = 'retry-aware-failure';

/**
 * Tells the incident log how a run ended and starts any alert that is due. Bounded and caught:
 * bookkeeping of alerts must never fail, hold up or change the outcome of the sync itself.
 */
async function reportOutcome(syncRunId: string, outcome: 'completed' | 'failed'): Promise<void> {
  if (!patched(ALERTS_PATCH)) return;
  const { decideOnOutcome } = proxyActivities<Activities>({
    startToCloseTimeout: '10 seconds',
    scheduleToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES },
  });
  try {
    await startAlerts(await decideOnOutcome({ syncRunId, outcome }));
  } catch (error) {
    log.warn('alert decision failed; the sync outcome stands', { syncRunId, outcome, error: describeFailure(error) });
  }
}

function validatedInput(raw: unknown): ParsedSyncInput {
  const parsed = parseSyncInput(raw);
  if (parsed.ok) return parsed.input;
  throw ApplicationFailure.create({
    type: 'InvalidSyncInput',
    message: `Invalid SyncWorkflow input: ${parsed.problems.join('; ')}`,
    nonRetryable: true,
  });
}

function freshProgress(plan: StreamPlan): StreamProgress {
  return { ...plan, pageToken: null, pages: 0, rows: 0, deleted: 0, done: false, resumedAtPages: [] };
}

/**
 * Syncs the source namespace's workflow executions and schedules into Postgres. Each stream pages
 * through the source in bounded activity calls that checkpoint by heartbeat; the run is recorded in
 * sync_run; long passes continue as new, carrying their position.
 */
export async function legacySyncWorkflow(rawInput?: unknown): Promise<SyncSummary> {
  const input = validatedInput(rawInput);
  const acts = proxyActivities<Activities>({
    startToCloseTimeout: `${input.activityMaxSeconds + 300} seconds`,
    heartbeatTimeout: `${input.heartbeatTimeoutSeconds} seconds`,
    // A cancelled sync waits for its activity to stop at a page boundary, so the counts it records are exact.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 20,
      nonRetryableErrorTypes: NON_RETRYABLE_ERROR_TYPES,
    },
  });

  const progress: SyncProgress = {
    syncRunId: input.continuation?.syncRunId ?? null,
    mode: input.mode,
    startedAt: input.continuation?.startedAt ?? null,
    continuedAsNew: input.continuation?.continuedAsNew ?? 0,
    streams: {},
  };
  const state: Continuation['streams'] = { ...input.continuation?.streams };
  const publish = () => {
    for (const [stream, stream_state] of Object.entries(state) as Array<[Stream, StreamProgress]>) {
      const { pageToken: _token, query: _query, ...visible } = stream_state;
      progress.streams[stream] = visible;
    }
  };
  publish();
  setHandler(progressQuery, () => progress);

  let syncRunId = input.continuation?.syncRunId;
  let continuation: Continuation | undefined;
  let startedAt = input.continuation?.startedAt;
  const counters = () => {
    const pick = (key: 'rows' | 'pages' | 'deleted') =>
      Object.fromEntries(Object.entries(state).map(([stream, s]) => [stream, s[key]]));
    return { rowsPerStream: pick('rows'), pagesPerStream: pick('pages'), deletedPerStream: pick('deleted') };
  };

  try {
    if (syncRunId === undefined || startedAt === undefined) {
      const info = workflowInfo();
      const plan = await acts.planSync({
        workflowId: info.workflowId,
        runId: info.runId,
        mode: input.mode,
        streams: input.streams,
        lookbackSeconds: input.lookbackSeconds,
      });
      syncRunId = plan.syncRunId;
      startedAt = plan.startedAt;
      for (const stream of input.streams) {
        const streamPlan = plan.streams[stream];
        if (streamPlan) state[stream] = freshProgress(streamPlan);
      }
      progress.syncRunId = syncRunId;
      progress.startedAt = startedAt;
      publish();
    }
    const runId = syncRunId;
    const passStartedAt = startedAt;

    let activitiesThisRun = 0;
    const mustContinueAsNew = () =>
      activitiesThisRun >= input.continueAsNewAfterActivities || workflowInfo().continueAsNewSuggested;

    const runStream = async (stream: Stream): Promise<void> => {
      const streamState = state[stream];
      if (!streamState) return;
      const syncChunk = stream === 'workflows' ? acts.syncWorkflowExecutions : acts.syncSchedules;
      while (!streamState.done) {
        if (mustContinueAsNew()) return;
        activitiesThisRun += 1;
        const chunk = await syncChunk({
          syncRunId: runId,
          query: streamState.query,
          pageSize: input.pageSize,
          pageToken: streamState.pageToken,
          maxSeconds: input.activityMaxSeconds,
        }).catch((error: unknown) => {
          const written = writtenBeforeCancellation(error);
          if (written) {
            streamState.pages += written.pages;
            streamState.rows += written.rows;
            publish();
          }
          throw error;
        });
        streamState.pageToken = chunk.nextPageToken;
        if (chunk.resumedAtPage !== null) streamState.resumedAtPages.push(streamState.pages + chunk.resumedAtPage);
        streamState.pages += chunk.pages;
        streamState.rows += chunk.rows;
        if (chunk.nextPageToken === null) {
          activitiesThisRun += 1;
          const completed = await acts.completeStreamPass({
            stream,
            full: streamState.full,
            startedAt: passStartedAt,
          });
          streamState.deleted = completed.markedDeleted;
          streamState.done = true;
        }
        publish();
      }
    };

    await Promise.all(input.streams.map(runStream));

    if (Object.values(state).some((streamState) => !streamState.done)) {
      continuation = {
        syncRunId: runId,
        startedAt: passStartedAt,
        continuedAsNew: progress.continuedAsNew + 1,
        streams: state,
      };
    } else {
      await acts.finishSync({ syncRunId: runId, status: 'completed', error: null, ...counters() });
      const summaryStreams: SyncSummary['streams'] = {};
      for (const [stream, s] of Object.entries(state) as Array<[Stream, StreamProgress]>) {
        summaryStreams[stream] = {
          full: s.full,
          pages: s.pages,
          rows: s.rows,
          deleted: s.deleted,
          resumedAtPages: s.resumedAtPages,
        };
      }
      const summary: SyncSummary = {
        syncRunId: runId,
        mode: Object.values(summaryStreams).every((s) => s.full) ? 'full' : 'incremental',
        streams: summaryStreams,
        startedAt: passStartedAt,
        durationMs: Date.now() - new Date(passStartedAt).getTime(),
        continuedAsNew: progress.continuedAsNew,
      };
      // After the summary is taken, so the sync's duration does not include the alert bookkeeping.
      await reportOutcome(runId, 'completed');
      return summary;
    }
  } catch (error) {
    const cancelled = isCancellation(error);
    const retryAware = !cancelled && patched(RETRY_AWARE_FAILURE_PATCH);
    const failure = retryAware ? endingFailure(error) : error;
    if (syncRunId !== undefined) {
      const runId = syncRunId;
      await CancellationScope.nonCancellable(() =>
        acts.finishSync({
          syncRunId: runId,
          status: cancelled ? 'cancelled' : 'failed',
          error: cancelled ? 'cancelled' : describeFailure(error),
          ...counters(),
        }),
      );
      // A cancelled run was stopped on purpose: it neither opens nor closes an incident. An attempt the
      // server will retry is not the sync failing yet: the last attempt speaks for the run.
      const { retryPolicy, attempt, executionExpirationTime } = workflowInfo();
      const retried =
        retryAware && serverRetriesAfter(failure, { retryPolicy, attempt, executionExpirationTime, nowMs: Date.now() });
      if (retried) log.warn('sync attempt failed; its retry policy runs it again', { attempt, syncRunId: runId });
      if (!cancelled && !retried) await CancellationScope.nonCancellable(() => reportOutcome(runId, 'failed'));
    }
    throw failure;
  }
  // Outside the try: continuing as new ends this run by throwing, and is not a failure to record.
  const { continuation: _previous, ...options } = input;
  return continueAsNew<typeof legacySyncWorkflow>({ ...options, continuation });
}

/**
 * The failure a run ends with. An activity that failed on something retrying cannot fix (access
 * denied, missing tables, no such namespace) ends the run non-retryably too: the server would
 * otherwise retry the workflow by its retry policy (the schedules set one), to fail the same way.
 */
function endingFailure(error: unknown): unknown {
  const cause = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cause instanceof ApplicationFailure)) return error;
  if (!cause.nonRetryable && !NON_RETRYABLE_ERROR_TYPES.includes(cause.type ?? '')) return error;
  return ApplicationFailure.create({
    type: cause.type ?? undefined,
    message: cause.message,
    nonRetryable: true,
    cause: error as ActivityFailure,
  });
}

/** The pages and rows a cancelled activity had written, from the checkpoint it hands back. */
function writtenBeforeCancellation(error: unknown): { pages: number; rows: number } | undefined {
  const cancelled = error instanceof ActivityFailure ? error.cause : undefined;
  if (!(cancelled instanceof CancelledFailure)) return undefined;
  const [checkpoint] = cancelled.details as Array<{ pages?: unknown; rows?: unknown } | undefined>;
  if (typeof checkpoint?.pages !== 'number' || typeof checkpoint.rows !== 'number') return undefined;
  return { pages: checkpoint.pages, rows: checkpoint.rows };
}

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
