import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type pg from 'pg';
import type { AlertSettings } from '../alerts/settings';
import { DEFAULT_SCHEDULE_REDESCRIBE_SECONDS } from '../config';
import { beginRun, finishRun } from '../db/sync-run';
import { completePass, readStreamState } from '../db/sync-state';
import { scheduleTable, workflowTable, type ListedScheduleRow, type ReadWorkflowRow } from '../db/tables';
import { runMode, touchSchedules, unchangedSchedules } from '../db/schedule-fingerprints';
import { buildUpsertSql, upsertRows } from '../db/upsert';
import { dedupeByKey, executionToRow, workflowRowKey, type RawExecutionInfo } from '../source/executions';
import { listedSchedule, type ListedSchedule } from '../source/schedule-listing';
import { scheduleRowKey, scheduleToRow } from '../source/schedules';
import { incrementalQuery } from '../source/visibility-query';
import { noMetrics, type SyncMetrics } from '../observability/metrics';
import { mapWithConcurrency } from './concurrency';
import { createAlertActivities } from './alerts';
import { guardWith } from './errors';
import { describeSchedule } from './describe-schedule';
import { runCheckpointedPages } from './page-loop';
import type {
  CompletePassRequest,
  FinishSyncRequest,
  PlanSyncRequest,
  StreamChunkRequest,
  StreamChunkResult,
  StreamPlan,
  SyncPlan,
} from './types';

export interface SyncDependencies {
  pool: pg.Pool;
  schema: string;
  /** The namespace being synced, read through `source`. */
  namespace: string;
  source: Client;
  /** Values removed from every error message the activities return. */
  secrets: readonly string[];
  /** How many schedules are described at once. */
  describeConcurrency?: number;
  /**
   * An incremental pass describes a schedule whose list entry is unchanged only when its row was
   * described longer ago than this (default 600 s; 0: every pass describes every schedule). What a
   * list entry does not show (the action's arguments, the policies, running counters) is never older.
   */
  scheduleRedescribeSeconds?: number;
  /** Webhook, staleness window and links for alerts; without it incidents are recorded and nothing is sent. */
  alerts?: AlertSettings;
  /** Where pages, rows and pass durations are counted (the worker's Prometheus registry). */
  metrics?: SyncMetrics;
  /**
   * Aborted when the worker starts shutting down: a running chunk then stops at the next page
   * boundary and hands its position back to the workflow, which continues on another worker.
   */
  draining?: AbortSignal;
}

/** The activities of SyncWorkflow and the alerting workflows, bound to their dependencies (a pool, a source client). */
export function createActivities(deps: SyncDependencies) {
  const { pool, schema, namespace, source, secrets } = deps;
  const upsertWorkflowSql = buildUpsertSql(schema, workflowTable);
  const upsertScheduleSql = buildUpsertSql(schema, scheduleTable);
  const describeConcurrency = deps.describeConcurrency ?? 8;
  const scheduleRedescribeSeconds = deps.scheduleRedescribeSeconds ?? DEFAULT_SCHEDULE_REDESCRIBE_SECONDS;
  const metrics = deps.metrics ?? noMetrics;
  const pageOptions = { draining: deps.draining };

  const guarded = guardWith(secrets);

  return {
    /** Records the run and decides, per stream, whether the pass is full and what it queries. */
    planSync: guarded(async (request: PlanSyncRequest): Promise<SyncPlan> => {
      const run = await beginRun(pool, schema, {
        namespace,
        workflowId: request.workflowId,
        runId: request.runId,
        mode: request.mode,
        streams: request.streams,
      });
      const streams: SyncPlan['streams'] = {};
      for (const stream of request.streams) {
        let plan: StreamPlan = { full: true, query: '' };
        if (stream === 'workflows' && request.mode === 'incremental') {
          const { cursor } = await readStreamState(pool, schema, namespace, stream);
          // With no cursor yet there is nothing to be incremental from: the first pass reads everything.
          if (cursor) plan = { full: false, query: incrementalQuery(cursor, request.lookbackSeconds) };
        }
        streams[stream] = plan;
      }
      return { syncRunId: run.id, startedAt: run.startedAt.toISOString(), streams };
    }),

    syncWorkflowExecutions: guarded(async (request: StreamChunkRequest): Promise<StreamChunkResult> =>
      runCheckpointedPages<RawExecutionInfo>(
        request,
        {
          fetchPage: async (token) => {
            const response = await source.workflowService.listWorkflowExecutions({
              namespace,
              pageSize: request.pageSize,
              nextPageToken: token,
              query: request.query,
            });
            return { items: response.executions, nextPageToken: response.nextPageToken };
          },
          writePage: async (executions, requestedAt) => {
            const rows: ReadWorkflowRow[] = [];
            const read_at = requestedAt.toISOString();
            for (const execution of executions) {
              try {
                rows.push({ ...executionToRow(namespace, execution), read_at });
              } catch (error) {
                Context.current().log.error('execution skipped: it cannot be mapped', {
                  workflowId: execution.execution?.workflowId,
                  runId: execution.execution?.runId,
                  error: (error as Error).message,
                });
              }
            }
            const written = (
              await upsertRows(pool, upsertWorkflowSql, dedupeByKey(rows, workflowRowKey), request.syncRunId)
            ).rows;
            metrics.pageWritten('workflows', written);
            return written;
          },
        },
        pageOptions,
      ),
    ),

    syncSchedules: guarded(async (request: StreamChunkRequest): Promise<StreamChunkResult> => {
      const incremental = (await runMode(pool, schema, request.syncRunId)) === 'incremental';
      return runCheckpointedPages<ListedSchedule>(
        request,
        {
          fetchPage: async (token) => {
            const response = await source.workflowService.listSchedules({
              namespace,
              maximumPageSize: request.pageSize,
              nextPageToken: token,
            });
            return {
              items: response.schedules.flatMap((entry) => listedSchedule(entry) ?? []),
              nextPageToken: response.nextPageToken,
            };
          },
          writePage: async (listed) => {
            // A full pass describes every schedule; an incremental one those whose list entry changed,
            // and the others once their last describe is older than the redescribe age.
            const unchanged =
              incremental && scheduleRedescribeSeconds > 0
                ? await unchangedSchedules(
                    pool,
                    schema,
                    namespace,
                    listed,
                    new Date(Date.now() - scheduleRedescribeSeconds * 1000),
                  )
                : new Set<string>();
            const described = await mapWithConcurrency(
              listed.filter(({ scheduleId }) => !unchanged.has(scheduleId)),
              describeConcurrency,
              async ({ scheduleId, fingerprint }): Promise<ListedScheduleRow | undefined> => {
                const described_at = new Date().toISOString();
                const description = await describeSchedule(source, scheduleId);
                return (
                  description && {
                    ...scheduleToRow(namespace, description),
                    list_fingerprint: fingerprint,
                    described_at,
                  }
                );
              },
            );
            const rows = described.filter((row): row is ListedScheduleRow => row !== undefined);
            const written =
              (await upsertRows(pool, upsertScheduleSql, dedupeByKey(rows, scheduleRowKey), request.syncRunId)).rows +
              (await touchSchedules(pool, schema, namespace, [...unchanged], request.syncRunId));
            metrics.pageWritten('schedules', written);
            return written;
          },
        },
        pageOptions,
      );
    }),

    completeStreamPass: guarded(async (request: CompletePassRequest) => {
      const startedAt = new Date(request.startedAt);
      const result = await completePass(pool, schema, {
        namespace,
        stream: request.stream,
        full: request.full,
        startedAt,
      });
      metrics.passCompleted(request.stream, request.full, Math.max(0, (Date.now() - startedAt.getTime()) / 1000));
      return result;
    }),

    finishSync: guarded(async (request: FinishSyncRequest): Promise<void> => {
      await finishRun(pool, schema, { ...request, id: request.syncRunId });
    }),

    ...createAlertActivities(deps),
  };
}

export type SyncActivities = ReturnType<typeof createActivities>;
