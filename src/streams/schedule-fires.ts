import type { TableSpec } from '../db/rows';
import { dedupeByKey, statusName, type RawExecutionInfo } from '../source/executions';
import { decodePayload } from '../source/payloads';
import { timestampToIso } from '../source/time';
import { incrementalQuery } from '../source/visibility-query';
import type { MappedPage, Rejected } from './contract';
import { defineStream } from './define';
import { listExecutionsPage } from './list-executions';

/** One fire of a schedule: the run it started. */
export interface ScheduleFireRow {
  namespace: string;
  schedule_id: string;
  workflow_id: string;
  run_id: string;
  workflow_type: string | null;
  scheduled_time: string | null;
  actual_start_time: string;
  start_status: string;
  read_at: string;
}

export const scheduleFireTable: TableSpec<ScheduleFireRow> = {
  table: 'schedule_fire',
  columns: [
    ['namespace', 'text'],
    ['schedule_id', 'text'],
    ['workflow_id', 'text'],
    ['run_id', 'text'],
    ['workflow_type', 'text'],
    ['scheduled_time', 'timestamptz'],
    ['actual_start_time', 'timestamptz'],
    ['start_status', 'text'],
    ['read_at', 'timestamptz'],
  ],
  key: ['namespace', 'schedule_id', 'workflow_id'],
  // The fire is its chain's first run; of two views of it, the later read.
  prefer: [
    ['actual_start_time', 'lowest'],
    ['read_at', 'highest'],
  ],
};

/** Runs a schedule started carry these search attributes (the server sets them; no codec touches them). */
const SCHEDULED_BY = 'TemporalScheduledById';
const SCHEDULED_AT = 'TemporalScheduledStartTime';

const isTime = (value: unknown): value is string => typeof value === 'string' && !Number.isNaN(Date.parse(value));

/** A fire's row, null for a later run of a fire's chain (a retry, a continue-as-new), a reason for what cannot be one. */
export function fireOf(namespace: string, info: RawExecutionInfo, readAt: Date): ScheduleFireRow | null | string {
  const fields = info.searchAttributes?.indexedFields ?? {};
  const scheduleId = decodePayload(fields[SCHEDULED_BY]);
  const workflowId = info.execution?.workflowId;
  const runId = info.execution?.runId;
  const started = timestampToIso(info.startTime);
  if (!workflowId || !runId) return 'missing workflow ID or run ID';
  if (typeof scheduleId !== 'string' || scheduleId === '') return `${SCHEDULED_BY} is not a schedule ID`;
  if (!started) return 'missing start time';
  if (info.firstRunId && info.firstRunId !== runId) return null;
  const scheduledAt = decodePayload(fields[SCHEDULED_AT]);
  return {
    namespace,
    schedule_id: scheduleId,
    workflow_id: workflowId,
    run_id: runId,
    workflow_type: info.type?.name || null,
    scheduled_time: isTime(scheduledAt) ? scheduledAt : null,
    actual_start_time: started,
    start_status: statusName(info.status),
    read_at: readAt.toISOString(),
  };
}

function mapFires(namespace: string, items: readonly RawExecutionInfo[], readAt: Date): MappedPage<ScheduleFireRow> {
  const rows: ScheduleFireRow[] = [];
  const rejected: Rejected[] = [];
  for (const info of items) {
    const fire = fireOf(namespace, info, readAt);
    if (typeof fire === 'string')
      rejected.push({
        id: JSON.stringify([info.execution?.workflowId || null, info.execution?.runId || null]),
        reason: fire,
      });
    else if (fire) rows.push(fire);
  }
  return { rows: dedupeByKey(rows, (row) => JSON.stringify([row.schedule_id, row.workflow_id])), rejected };
}

const scheduledRuns = (query: string) => `${SCHEDULED_BY} IS NOT NULL${query ? ` AND (${query})` : ''}`;

/**
 * Every fire of every schedule, kept after the server forgets it: the workflow listing of runs a
 * schedule started, planned like the workflows stream (an incremental pass reads every open run and
 * every run closed since the cursor, so no fire is missed however often a schedule fires).
 */
export const scheduleFiresStream = defineStream<RawExecutionInfo, ScheduleFireRow>({
  name: 'schedule_fires',
  table: scheduleFireTable,
  plan: ({ mode, cursor, lookbackSeconds }) =>
    mode === 'incremental' && cursor
      ? // Fires since the cursor are few next to the pass of the workflows stream: one listing, no Count to plan it.
        { full: false, query: scheduledRuns(incrementalQuery(cursor, lookbackSeconds)), partitionable: false }
      : { full: true, query: scheduledRuns(''), partitionable: true },
  fetchPage: listExecutionsPage,
  mapPage: mapFires,
});
