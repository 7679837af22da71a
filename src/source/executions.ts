import { temporal } from '@temporalio/proto';
import { decodePayloadMap, type JsonValue } from './payloads';
import { longToNumber, timestampToEpochMicros, timestampToIso } from './time';

export type RawExecutionInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo;

/** One row of the `workflow` table, as the source reports it. Column names follow the seed connector. */
export interface WorkflowRow {
  namespace: string;
  workflow_id: string;
  run_id: string;
  workflow_type: string | null;
  start_time: string | null;
  execution_time: string | null;
  close_time: string | null;
  status: string;
  task_queue: string | null;
  execution_time_seconds: number | null;
  history_length: number | null;
  history_size_bytes: number | null;
  state_transition_count: number | null;
  parent_workflow_id: string | null;
  parent_run_id: string | null;
  root_workflow_id: string | null;
  root_run_id: string | null;
  memo: Record<string, JsonValue> | null;
  search_attributes: Record<string, JsonValue> | null;
}

const STATUS_PREFIX = 'WORKFLOW_EXECUTION_STATUS_';

/** 'COMPLETED', 'RUNNING', 'CANCELED', …: the enum's own names, as the seed connector wrote them. */
export function statusName(status: temporal.api.enums.v1.WorkflowExecutionStatus | null | undefined): string {
  const name = temporal.api.enums.v1.WorkflowExecutionStatus[status ?? 0];
  return name ? name.replace(STATUS_PREFIX, '') : `UNKNOWN_${String(status)}`;
}

function nonEmpty(text: string | null | undefined): string | null {
  return text === null || text === undefined || text === '' ? null : text;
}

/** Counters are written to visibility only when a run closes; a running one reports 0, stored as unknown. */
function closedCounter(value: Parameters<typeof longToNumber>[0], closed: boolean): number | null {
  return closed ? longToNumber(value) : null;
}

export class UnmappableExecutionError extends Error {
  constructor(readonly reason: string) {
    super(`execution cannot be mapped: ${reason}`);
    this.name = 'UnmappableExecutionError';
  }
}

/** Maps one execution from the visibility API to its row. Pure; throws only when the row has no key. */
export function executionToRow(namespace: string, info: RawExecutionInfo): WorkflowRow {
  const workflowId = info.execution?.workflowId;
  const runId = info.execution?.runId;
  if (!workflowId || !runId) throw new UnmappableExecutionError('missing workflow ID or run ID');
  const closeTime = timestampToIso(info.closeTime);
  const closed = closeTime !== null;
  const startMicros = timestampToEpochMicros(info.startTime);
  const closeMicros = timestampToEpochMicros(info.closeTime);
  return {
    namespace,
    workflow_id: workflowId,
    run_id: runId,
    workflow_type: nonEmpty(info.type?.name),
    start_time: timestampToIso(info.startTime),
    execution_time: timestampToIso(info.executionTime),
    close_time: closeTime,
    status: statusName(info.status),
    task_queue: nonEmpty(info.taskQueue),
    execution_time_seconds:
      closed && startMicros !== null && closeMicros !== null ? (closeMicros - startMicros) / 1e6 : null,
    history_length: closedCounter(info.historyLength, closed),
    history_size_bytes: closedCounter(info.historySizeBytes, closed),
    state_transition_count: closedCounter(info.stateTransitionCount, closed),
    parent_workflow_id: nonEmpty(info.parentExecution?.workflowId),
    parent_run_id: nonEmpty(info.parentExecution?.runId),
    root_workflow_id: nonEmpty(info.rootExecution?.workflowId),
    root_run_id: nonEmpty(info.rootExecution?.runId),
    memo: decodePayloadMap(info.memo?.fields),
    search_attributes: decodePayloadMap(info.searchAttributes?.indexedFields),
  };
}

export interface RejectedExecution {
  workflowId: string | null;
  runId: string | null;
  reason: string;
}

/**
 * Maps a page. A record that cannot become a row is returned with its IDs and the reason, for the
 * caller to report; it never takes the rest of the page down with it.
 */
export function mapExecutionPage(
  namespace: string,
  executions: readonly RawExecutionInfo[],
): { rows: WorkflowRow[]; rejected: RejectedExecution[] } {
  const rows: WorkflowRow[] = [];
  const rejected: RejectedExecution[] = [];
  for (const execution of executions) {
    try {
      rows.push(executionToRow(namespace, execution));
    } catch (error) {
      rejected.push({
        workflowId: execution.execution?.workflowId || null,
        runId: execution.execution?.runId || null,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return { rows, rejected };
}

/** When one page holds the same run twice (a scan is not a snapshot), the later entry wins. */
export function dedupeByKey<T>(rows: readonly T[], keyOf: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) {
    const key = keyOf(row);
    byKey.delete(key);
    byKey.set(key, row);
  }
  return [...byKey.values()];
}

export const workflowRowKey = (row: WorkflowRow): string =>
  JSON.stringify([row.namespace, row.workflow_id, row.run_id]);
