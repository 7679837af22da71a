import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { loadPartitions } from '../db/sync-partitions';
import { completePass, insertPass, loadPasses } from '../db/sync-passes';
import { beginRun, finishRun, handOverRun, loadRun, recordRejectedRun, type RunRecord } from '../db/sync-runs';
import { insertPartitions } from '../db/sync-partitions';
import { readCursor } from '../db/sync-state';
import { inTransaction } from '../db/transaction';
import { nonRetryable, NonRetryable } from '../failures';
import { createVisibilityGate } from '../source/visibility-gate';
import { STREAM_NAMES, streamNamed } from '../streams/registry';
import { checkDestination } from './destination';
import type { SyncDependencies } from './dependencies';
import { planPartitions } from './partition-plan';
import { heartbeatingPause } from './pause';
import type {
  FinishRequest,
  PlanRequest,
  RejectedRunRequest,
  ResumeRequest,
  RunPlan,
  RunRef,
  RunSettings,
  RunTotals,
} from './types';

/** Without a setting of the run or its namespace. */
const DEFAULT_PAGE_SIZE = 1000;
const DEFAULT_PARTITIONS = 4;
/** Partitions planned per partition read at once: more, smaller ones balance better across workers. */
const PARTITIONS_PER_LANE = 4;

const refuse = (message: string) => nonRetryable(NonRetryable.InvalidSyncInput, message);

function streamsOf(request: PlanRequest): string[] {
  const names = request.streams ?? [...STREAM_NAMES];
  names.forEach((name, index) => {
    if (!streamNamed(name))
      throw refuse(`streams.${index}: unknown stream "${name}" (the streams are ${STREAM_NAMES.join(', ')})`);
  });
  return names;
}

/** The run's plan as the workflow needs it, read back from what planning (or the pages since) committed. */
async function planOf(deps: SyncDependencies, run: RunRecord): Promise<RunPlan> {
  const [passes, partitions] = await Promise.all([
    loadPasses(deps.pool, deps.schema, run.id),
    loadPartitions(deps.pool, deps.schema, run.id),
  ]);
  const order = (name: string) => run.streams.indexOf(name);
  return {
    syncRunId: run.id,
    destination: deps.destination,
    namespace: run.namespace,
    mode: run.mode === 'full' ? 'full' : 'incremental',
    startedAt: run.startedAt.toISOString(),
    continuedAsNew: run.continuedAsNew,
    settings: run.settings as unknown as RunSettings,
    readsEverything:
      run.mode === 'full' || passes.every((pass) => pass.full || streamNamed(pass.stream)?.incrementalOnly),
    streams: passes
      .sort((a, b) => order(a.stream) - order(b.stream))
      .map((pass) => ({
        stream: pass.stream,
        full: pass.full,
        deleted: pass.deleted,
        completed: pass.completed,
        partitions: partitions
          .filter((p) => p.stream === pass.stream)
          .map(({ partition, pages, rows, done, resumedAtPages }) => ({
            partition,
            pages,
            rows,
            done,
            resumedAtPages,
          })),
      })),
  };
}

/** Each stream's pass (full or incremental, from its cursor) and, for big listings, its StartTime partitions. */
async function planStreams(deps: SyncDependencies, request: PlanRequest, namespace: string, settings: RunSettings) {
  const source = await deps.sources.clientFor(namespace);
  const gate = createVisibilityGate({
    callsPerSecond: settings.visibilityRps,
    // The run's first calls, unless this attempt follows a failed one whose calls no one reported.
    history: Context.current().info.attempt > 1 ? undefined : [],
    pause: heartbeatingPause,
    throttled: () => deps.metrics?.visibilityThrottled(namespace),
  });
  const count = async (query: string) =>
    Number((await gate.call(() => source.workflowService.countWorkflowExecutions({ namespace, query }))).count);
  const before = new Date();
  const planned = [];
  for (const name of streamsOf(request)) {
    const stream = streamNamed(name)!;
    const cursor = await readCursor(deps.pool, deps.schema, namespace, name);
    const plan = stream.plan({
      mode: request.mode,
      lookbackSeconds: request.lookbackSeconds,
      cursor,
      now: before,
      settings: deps.streamSettings,
    });
    const target = {
      partitions: settings.partitions === 1 ? 1 : settings.partitions * PARTITIONS_PER_LANE,
      minRows: settings.minRowsPerPartition,
      before,
    };
    const queries = plan.partitionable ? await planPartitions(plan.query, count, target) : [plan.query];
    planned.push({ name, plan, queries });
  }
  return { planned, visibilityCalls: gate.handOver() };
}

/** Records the run and its plan: per stream a pass, split into partitions; the workflow gets their IDs only. */
export async function planSyncRun(deps: SyncDependencies, request: PlanRequest): Promise<RunPlan> {
  const { pool, schema } = deps;
  const namespace = request.namespace ?? deps.sources.defaultNamespace;
  if (namespace === undefined)
    throw refuse(`namespace: required, as this worker syncs more than one (${deps.sources.describe()})`);
  const setup = await deps.sources.setupFor(namespace);
  if (!setup) throw refuse(`namespace: "${namespace}" is not one this worker syncs (${deps.sources.describe()})`);
  // The run's own settings, else its namespace's (the namespaces definition), else the worker's.
  const settings: RunSettings = {
    pageSize: request.pageSize ?? setup.overrides.pageSize ?? DEFAULT_PAGE_SIZE,
    partitions: request.partitions ?? setup.overrides.partitions ?? DEFAULT_PARTITIONS,
    minRowsPerPartition: request.minRowsPerPartition,
    visibilityRps: request.visibilityRps ?? setup.overrides.visibilityRps ?? deps.visibilityRps,
    lookbackSeconds: request.lookbackSeconds,
  };
  const { planned, visibilityCalls } = await planStreams(deps, request, namespace, settings);
  const run = await inTransaction(pool, async (client) => {
    const begun = await beginRun(client, schema, {
      namespace,
      workflowId: request.workflowId,
      runId: request.runId,
      mode: request.mode,
      streams: planned.map((p) => p.name),
      destination: deps.destination,
      settings: { ...settings },
    });
    if (!begun.created) return begun; // a retried attempt: the first one's plan stands
    for (const { name, plan, queries } of planned) {
      await insertPass(client, schema, {
        syncRunId: begun.id,
        stream: name,
        full: plan.full,
        query: plan.query,
        since: plan.since ?? null,
      });
      await insertPartitions(client, schema, begun.id, name, queries);
    }
    return begun;
  });
  Context.current().log.info('sync planned', {
    syncRunId: run.id,
    namespace,
    partitions: Object.fromEntries(planned.map((p) => [p.name, p.queries.length])),
  });
  return { ...(await planOf(deps, run)), visibilityCalls };
}

/** Takes over a running sync that the run this one continues held: the only way a run continues another's state. */
export async function resumeSyncRun(deps: SyncDependencies, request: ResumeRequest): Promise<RunPlan> {
  const { pool, schema } = deps;
  checkDestination(deps, request);
  const run = await handOverRun(pool, schema, {
    id: request.syncRunId,
    workflowId: request.workflowId,
    fromRunId: request.continuedFromRunId,
    toRunId: request.runId,
    destination: deps.destination,
  });
  if (!run) {
    throw refuse(
      `continueRun: sync_run ${request.syncRunId} is not a running sync of this workflow held by the run it continues`,
    );
  }
  return planOf(deps, run);
}

/** A run that ended before it had a plan (refused input, planning failed): recorded as failed with the reason. */
export async function recordRejected(
  deps: SyncDependencies,
  request: RejectedRunRequest,
): Promise<{ syncRunId: string }> {
  const { pool, schema } = deps;
  // A namespace this deployment does not sync is recorded as asked: its refusal is what the operator looks for.
  const namespace = request.namespace ?? deps.sources.defaultNamespace ?? '(none named)';
  return { syncRunId: await recordRejectedRun(pool, schema, { ...request, namespace }) };
}

/** Once every partition of a stream is done: move its cursor, and for a full pass mark what it did not see. */
export async function completeStream(
  deps: SyncDependencies,
  request: RunRef & { stream: string },
): Promise<{ deleted: number }> {
  const { pool, schema } = deps;
  checkDestination(deps, request);
  const run = await loadRun(pool, schema, request.syncRunId);
  const stream = streamNamed(request.stream);
  if (!run || !stream) throw ApplicationFailure.nonRetryable(`no ${request.stream} pass of run ${request.syncRunId}`);
  const result = await completePass(pool, schema, {
    syncRunId: run.id,
    namespace: run.namespace,
    stream: stream.name,
    table: stream.table,
    startedAt: run.startedAt,
    afterPass: stream.afterPass,
  });
  const seconds = Math.max(0, (Date.now() - run.startedAt.getTime()) / 1000);
  deps.metrics?.passCompleted(stream.name, run.namespace, result.full, seconds);
  if (result.warning !== undefined)
    Context.current().log.warn(result.warning, { stream: stream.name, namespace: run.namespace });
  return { deleted: result.deleted };
}

/** Closes the record with the counts its partitions committed: what the run wrote, however it ended. */
export async function finishSyncRun(deps: SyncDependencies, request: FinishRequest): Promise<RunTotals> {
  const { pool, schema } = deps;
  checkDestination(deps, request, { retryable: true });
  const { status: _status, ...totals } = await finishRun(pool, schema, {
    id: request.syncRunId,
    status: request.status,
    error: request.error,
  });
  return totals;
}
