import { CancelledFailure, Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { commitPage, loadPartition, recordResume, type PartitionKey, type PartitionState } from '../db/sync-partitions';
import { loadRun, type RunRecord } from '../db/sync-runs';
import { inTransaction } from '../db/transaction';
import { createVisibilityGate } from '../source/visibility-gate';
import type { PageContext } from '../streams/contract';
import type { ReadPage, RegisteredStream } from '../streams/define';
import { streamNamed } from '../streams/registry';
import { checkDestination } from './destination';
import type { SyncDependencies } from './dependencies';
import { heartbeatingPause } from './pause';
import type { PartitionProgress, PartitionReport, PartitionRequest } from './types';

/** Another attempt of the same partition committed the page first: this one stops without writing it. */
class PartitionMovedOn extends Error {}

const progressOf = (state: PartitionState): PartitionProgress => ({
  partition: state.partition,
  pages: state.pages,
  rows: state.rows,
  done: state.done,
  resumedAtPages: state.resumedAtPages,
});

/** The lane's calls as handed to this attempt; a retried attempt follows its failed one's calls, which no one reported: unknown. */
const laneHistory = (request: PartitionRequest) =>
  Context.current().info.attempt > 1 ? undefined : request.visibilityHistory;
const laneCalls = (source: PageContext) => ({ visibilityCalls: source.visibility.handOver() });

async function runningRun(deps: SyncDependencies, request: PartitionRequest): Promise<RunRecord> {
  checkDestination(deps, request);
  const run = await loadRun(deps.pool, deps.schema, request.syncRunId);
  if (!run || run.status !== 'running') {
    throw ApplicationFailure.nonRetryable(
      `sync_run ${request.syncRunId} is not running (${run?.status ?? 'no such run'})`,
    );
  }
  return run;
}

async function pageContext(
  deps: SyncDependencies,
  run: RunRecord,
  request: PartitionRequest,
  details: () => unknown,
): Promise<PageContext> {
  return {
    namespace: run.namespace,
    source: await deps.sources.clientFor(run.namespace),
    visibility: createVisibilityGate({
      callsPerSecond: request.visibilityCallsPerSecond,
      history: laneHistory(request),
      pause: (ms) => heartbeatingPause(ms, details),
      throttled: () => deps.metrics?.visibilityThrottled(run.namespace),
    }),
    mode: run.mode === 'full' ? 'full' : 'incremental',
    decode: async (payloads) => {
      const codec = deps.sources.codecFor(run.namespace);
      if (!codec || payloads.length === 0) return;
      const { failed } = await codec.decodeInPlace(payloads);
      if (failed === 0) return;
      deps.metrics?.codecFailed(run.namespace, failed);
      Context.current().log.warn('codec server did not decode; the payloads stay raw', {
        namespace: run.namespace,
        payloads: failed,
      });
    },
    pool: deps.pool,
    schema: deps.schema,
    bulkLoad: deps.bulkLoad ?? 'copy',
    settings: deps.streamSettings,
  };
}

/** Writes one page and moves the partition's checkpoint past it, in one transaction; false if another attempt had. */
async function commit(
  deps: SyncDependencies,
  key: PartitionKey,
  state: PartitionState,
  page: ReadPage,
): Promise<number | undefined> {
  try {
    return await inTransaction(deps.pool, async (client) => {
      const written = await page.write(client, key.syncRunId);
      const next = page.nextPageToken ? Buffer.from(page.nextPageToken) : null;
      const moved = await commitPage(client, deps.schema, key, {
        afterPages: state.pages,
        nextPageToken: next,
        rows: written,
        rejected: page.rejected.length,
      });
      if (!moved) throw new PartitionMovedOn();
      return written;
    });
  } catch (error) {
    if (error instanceof PartitionMovedOn) return undefined;
    throw error;
  }
}

/** The partition as the commit left it (what loadPartition would now read). */
function afterPage(state: PartitionState, page: ReadPage, written: number): PartitionState {
  const next = page.nextPageToken ? Buffer.from(page.nextPageToken) : null;
  return {
    ...state,
    pageToken: next,
    pages: state.pages + 1,
    rows: state.rows + written,
    rejected: state.rejected + page.rejected.length,
    done: next === null,
  };
}

function reportRejected(stream: RegisteredStream, page: ReadPage): void {
  for (const { id, reason } of page.rejected)
    Context.current().log.error('item skipped: it cannot be mapped', { stream: stream.name, id, reason });
}

/**
 * Reads a partition page by page for about `maxSeconds`, fetching the next page while the current one is
 * written. Each page's rows and the partition's checkpoint commit together, so an attempt retried on any
 * worker resumes at the first page not committed: no page is written twice and none is skipped, whatever
 * became of the heartbeats. Cancellation (delivered by the heartbeat) and the worker's shutdown stop it
 * between pages; shutdown as a success, so the workflow schedules the rest at once on another worker.
 */
export async function syncPartitionChunk(deps: SyncDependencies, request: PartitionRequest): Promise<PartitionReport> {
  const context = Context.current();
  const run = await runningRun(deps, request);
  const stream = streamNamed(request.stream);
  const key = { syncRunId: run.id, stream: request.stream, partition: request.partition };
  let state = stream && (await loadPartition(deps.pool, deps.schema, key));
  if (!stream || !state)
    throw ApplicationFailure.nonRetryable(`run ${run.id} has no ${request.stream} partition ${request.partition}`);
  // Nothing called yet: the lane's calls are still the ones it was handed.
  if (state.done) return { ...progressOf(state), visibilityCalls: laneHistory(request) };
  if (context.info.attempt > 1 && state.pages > 0) {
    await recordResume(deps.pool, deps.schema, key, state.pages + 1);
    context.log.info('resuming from the committed checkpoint', {
      stream: stream.name,
      partition: key.partition,
      page: state.pages + 1,
    });
    state = (await loadPartition(deps.pool, deps.schema, key))!;
  }
  const pageSize = Number(run.settings.pageSize ?? 1000);
  const details = () => ({ stream: stream.name, partition: key.partition, pages: state!.pages });
  const source = await pageContext(deps, run, request, details);
  const query = state.query;
  const read = (token: Uint8Array | null) => stream.readPage(source, query, pageSize, token);
  const deadline = Date.now() + request.maxSeconds * 1000;
  let pending = read(state.pageToken);
  for (;;) {
    const page = await pending;
    const more = page.nextPageToken !== null && Date.now() < deadline && !deps.draining?.aborted;
    if (more) pending = read(page.nextPageToken);
    // A prefetch that is abandoned (cancellation, failure) must not surface as an unhandled rejection.
    pending.catch(() => {});
    reportRejected(stream, page);
    const written = await commit(deps, key, state, page);
    if (written === undefined)
      return { ...progressOf((await loadPartition(deps.pool, deps.schema, key))!), ...laneCalls(source) };
    state = afterPage(state, page, written);
    deps.metrics?.pageWritten(stream.name, run.namespace, written);
    context.heartbeat(details());
    if (context.cancellationSignal.aborted) {
      if (context.cancellationDetails?.cancelRequested) throw new CancelledFailure('sync cancelled at a page boundary');
      await context.cancelled;
    }
    if (!more || deps.draining?.aborted) {
      if (!state.done && deps.draining?.aborted) {
        context.log.info('worker shutting down: chunk stopped at a page boundary, the rest handed back', {
          pagesWritten: state.pages,
        });
      }
      return { ...progressOf(state), ...laneCalls(source) };
    }
  }
}
