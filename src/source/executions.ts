import { temporal } from '@temporalio/proto';
import type { WorkflowRow } from '../db/workflow-rows';
import type { MappedPage } from '../streams/contract';
import { decodePayloadMap } from './payloads';
import { durationSeconds, longToNumber, timestampToEpochMicros, timestampToIso } from './time';

export type RawExecutionInfo = temporal.api.workflow.v1.IWorkflowExecutionInfo;
export type { WorkflowRow };

const STATUS_PREFIX = 'WORKFLOW_EXECUTION_STATUS_';

/**
 * 'COMPLETED', 'RUNNING', 'CANCELED', 'PAUSED', …: the enum's own names, as the seed connector wrote them.
 * A status newer than this build's protos gets a stable name of its number, never an error.
 */
export function statusName(status: temporal.api.enums.v1.WorkflowExecutionStatus | null | undefined): string {
  const name = temporal.api.enums.v1.WorkflowExecutionStatus[status ?? 0];
  return typeof name === 'string' ? name.replace(STATUS_PREFIX, '') : `UNKNOWN_${String(status)}`;
}

function nonEmpty(text: string | null | undefined): string | null {
  return text === null || text === undefined || text === '' ? null : text;
}

/** Counters are written to visibility only when a run closes; a running one reports 0, stored as unknown. */
function closedCounter(value: Parameters<typeof longToNumber>[0], closed: boolean): number | null {
  return closed ? longToNumber(value) : null;
}

/** A count the proto reports as 0 when unset: 0 and absent are both stored as unknown. */
function positive(value: Parameters<typeof longToNumber>[0]): number | null {
  const number = longToNumber(value);
  return number > 0 ? number : null;
}

/** An enum value by its proto name less the prefix; the unspecified value (and none) is null. */
function enumName(names: Record<number, string>, value: number | null | undefined, prefix: string): string | null {
  if (!value) return null;
  const name = names[value];
  return typeof name === 'string' ? name.replace(prefix, '') : `UNKNOWN_${String(value)}`;
}

type NewerFields = Pick<
  WorkflowRow,
  | 'first_run_id'
  | 'execution_duration_seconds'
  | 'worker_deployment_name'
  | 'worker_deployment_build_id'
  | 'versioning_behavior'
  | 'priority_key'
  | 'fairness_key'
  | 'fairness_weight'
  | 'external_payload_size_bytes'
  | 'external_payload_count'
>;

/** Fields of newer servers; a server that does not send one (or sends the proto default) leaves it NULL. */
function newerFields(info: RawExecutionInfo, closed: boolean): NewerFields {
  const versioning = info.versioningInfo;
  return {
    first_run_id: nonEmpty(info.firstRunId),
    execution_duration_seconds: closed ? durationSeconds(info.executionDuration) : null,
    worker_deployment_name:
      nonEmpty(info.workerDeploymentName) ?? nonEmpty(versioning?.deploymentVersion?.deploymentName),
    worker_deployment_build_id: nonEmpty(versioning?.deploymentVersion?.buildId),
    versioning_behavior: enumName(
      temporal.api.enums.v1.VersioningBehavior,
      versioning?.behavior,
      'VERSIONING_BEHAVIOR_',
    ),
    priority_key: positive(info.priority?.priorityKey),
    fairness_key: nonEmpty(info.priority?.fairnessKey),
    fairness_weight: positive(info.priority?.fairnessWeight),
    external_payload_size_bytes: positive(info.externalPayloadSizeBytes),
    external_payload_count: positive(info.externalPayloadCount),
  };
}

export class UnmappableExecutionError extends Error {
  constructor(readonly reason: string) {
    super(`execution cannot be mapped: ${reason}`);
    this.name = 'UnmappableExecutionError';
  }
}

/**
 * Maps one execution from the visibility API to its row. `readAt` is when its page was asked for (of two
 * views of a run the later read wins). Pure; throws only when the row has no key.
 */
export function executionToRow(namespace: string, info: RawExecutionInfo, readAt = new Date(0)): WorkflowRow {
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
    ...newerFields(info, closed),
    read_at: readAt.toISOString(),
  };
}

/**
 * Maps a page. A record that cannot become a row is returned with its IDs and the reason, for the
 * caller to report; it never takes the rest of the page down with it. A run listed twice in one page
 * (a scan is not a snapshot) keeps its later entry.
 */
export function mapExecutionPage(
  namespace: string,
  executions: readonly RawExecutionInfo[],
  readAt: Date,
): MappedPage<WorkflowRow> {
  const rows: WorkflowRow[] = [];
  const rejected: MappedPage<WorkflowRow>['rejected'] = [];
  for (const execution of executions) {
    try {
      rows.push(executionToRow(namespace, execution, readAt));
    } catch (error) {
      const id = JSON.stringify([execution.execution?.workflowId || null, execution.execution?.runId || null]);
      rejected.push({ id, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { rows: dedupeByKey(rows, workflowRowKey), rejected };
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
