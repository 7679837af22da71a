import { decodeScheduleSpec } from '@temporalio/client/lib/schedule-helpers';
import { temporal } from '@temporalio/proto';
import type { ScheduleRow } from '../db/schedule-rows';
import { toStorable, type JsonValue } from '../json';
import { decodePayload, decodePayloadMap } from './payloads';
import { durationSeconds, longToNumber, timestampToIso } from './time';

export type RawScheduleDescription = temporal.api.workflowservice.v1.IDescribeScheduleResponse;
type RawAction = temporal.api.schedule.v1.IScheduleAction;

const OVERLAP_PREFIX = 'SCHEDULE_OVERLAP_POLICY_';

function nonEmpty(text: string | null | undefined): string | null {
  return text === null || text === undefined || text === '' ? null : text;
}

/**
 * 'SKIP', 'BUFFER_ONE', …; UNSPECIFIED means the server's default, which is SKIP. A policy newer than
 * this build's protos gets a stable name of its number.
 */
function overlapName(policy: temporal.api.enums.v1.ScheduleOverlapPolicy | null | undefined): string {
  if (!policy) return 'SKIP';
  const name = temporal.api.enums.v1.ScheduleOverlapPolicy[policy];
  return typeof name === 'string' ? name.replace(OVERLAP_PREFIX, '') : `UNKNOWN_${String(policy)}`;
}

function retryJson(retry: temporal.api.common.v1.IRetryPolicy | null | undefined): JsonValue {
  if (!retry) return null;
  return {
    initialIntervalSeconds: durationSeconds(retry.initialInterval),
    backoffCoefficient: retry.backoffCoefficient || null,
    maximumIntervalSeconds: durationSeconds(retry.maximumInterval),
    // 0 is the server's "no limit".
    maximumAttempts: retry.maximumAttempts || null,
    nonRetryableErrorTypes: retry.nonRetryableErrorTypes ?? [],
  };
}

function priorityJson(priority: temporal.api.common.v1.IPriority | null | undefined): JsonValue {
  const { priorityKey, fairnessKey, fairnessWeight } = priority ?? {};
  if (!priorityKey && !fairnessKey && !fairnessWeight) return null;
  return {
    priorityKey: priorityKey || null,
    fairnessKey: nonEmpty(fairnessKey),
    fairnessWeight: fairnessWeight || null,
  };
}

/**
 * The schedule's action in one documented shape (docs/tables.md): durations in seconds, null for what
 * is unset, payloads decoded as memos are (undecodable ones keep their bytes), no SDK wrapper objects.
 */
export function actionJson(action: RawAction | null | undefined): JsonValue {
  const start = action?.startWorkflow;
  if (!start) return { type: 'unknown' };
  return {
    type: 'startWorkflow',
    workflowType: nonEmpty(start.workflowType?.name),
    workflowId: nonEmpty(start.workflowId),
    taskQueue: nonEmpty(start.taskQueue?.name),
    args: (start.input?.payloads ?? []).map((payload) => decodePayload(payload)),
    memo: decodePayloadMap(start.memo?.fields),
    searchAttributes: decodePayloadMap(start.searchAttributes?.indexedFields),
    workflowExecutionTimeoutSeconds: durationSeconds(start.workflowExecutionTimeout),
    workflowRunTimeoutSeconds: durationSeconds(start.workflowRunTimeout),
    workflowTaskTimeoutSeconds: durationSeconds(start.workflowTaskTimeout),
    retry: retryJson(start.retryPolicy),
    priority: priorityJson(start.priority),
  };
}

/** What the row records of how it was read: the list entry's digest and when it was described. */
export interface DescribeFacts {
  list_fingerprint: string | null;
  described_at: string;
}

/** Maps a schedule as DescribeSchedule returns it, raw, to its row: every time to the microsecond. Pure. */
export function scheduleToRow(
  namespace: string,
  scheduleId: string,
  raw: RawScheduleDescription,
  facts: DescribeFacts,
): ScheduleRow {
  const { schedule, info } = raw;
  const state = schedule?.state;
  const policies = schedule?.policies;
  const createdAt = timestampToIso(info?.createTime);
  if (createdAt === null) throw new Error('the description has no create time');
  return {
    namespace,
    schedule_id: scheduleId,
    paused: state?.paused === true,
    note: nonEmpty(state?.notes),
    next_action_times: (info?.futureActionTimes ?? []).map(timestampToIso),
    recent_actions: (info?.recentActions ?? []).map((recent) => ({
      scheduled_at: timestampToIso(recent.scheduleTime),
      taken_at: timestampToIso(recent.actualTime),
      workflow_id: nonEmpty(recent.startWorkflowResult?.workflowId),
      first_execution_run_id: nonEmpty(recent.startWorkflowResult?.runId),
    })),
    schedule_spec: toStorable(decodeScheduleSpec(schedule?.spec ?? {})),
    schedule_action: actionJson(schedule?.action),
    search_attributes: decodePayloadMap(raw.searchAttributes?.indexedFields),
    memo: decodePayloadMap(raw.memo?.fields),
    overlap_policy: overlapName(policies?.overlapPolicy),
    // The SDK's default, as the rows written before this mapping hold it.
    catchup_window_seconds: durationSeconds(policies?.catchupWindow) ?? 60,
    pause_on_failure: policies?.pauseOnFailure === true,
    remaining_actions: state?.limitedActions ? longToNumber(state.remainingActions) : null,
    num_actions_taken: longToNumber(info?.actionCount),
    num_actions_missed_catchup_window: longToNumber(info?.missedCatchupWindow),
    num_actions_skipped_overlap: longToNumber(info?.overlapSkipped),
    num_actions_buffer_dropped: longToNumber(info?.bufferDropped),
    running_workflows: (info?.runningWorkflows ?? []).map((running) => ({
      workflow_id: nonEmpty(running.workflowId),
      first_execution_run_id: nonEmpty(running.runId),
    })),
    created_at: createdAt,
    last_updated_at: timestampToIso(info?.updateTime),
    ...facts,
  };
}
