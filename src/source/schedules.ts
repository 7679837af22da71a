import type { ScheduleDescription } from '@temporalio/client';
import { decodePayloadMap, toStorable, type JsonValue } from './payloads';

/** One row of the `schedule` table. Column names follow the seed connector, plus counters and policies. */
export interface ScheduleRow {
  namespace: string;
  schedule_id: string;
  paused: boolean;
  note: string | null;
  next_action_times: JsonValue;
  recent_actions: JsonValue;
  schedule_spec: JsonValue;
  schedule_action: JsonValue;
  search_attributes: Record<string, JsonValue> | null;
  memo: Record<string, JsonValue> | null;
  overlap_policy: string;
  catchup_window_seconds: number;
  pause_on_failure: boolean;
  remaining_actions: number | null;
  num_actions_taken: number;
  num_actions_missed_catchup_window: number;
  num_actions_skipped_overlap: number;
  running_workflows: JsonValue;
  created_at: string;
  last_updated_at: string | null;
}

/** The action without the fields the SDK adds for its own use, in a JSON form a dashboard can read. */
function actionToJson(action: ScheduleDescription['action']): JsonValue {
  const { ...rest } = action as unknown as Record<string, unknown>;
  delete rest.staticSummary;
  delete rest.staticDetails;
  if (rest.priority === undefined) delete rest.priority;
  return toStorable(rest);
}

/** Maps a schedule description (SDK-decoded) to its row. Pure. */
export function scheduleToRow(namespace: string, description: ScheduleDescription): ScheduleRow {
  const { info, state, policies } = description;
  return {
    namespace,
    schedule_id: description.scheduleId,
    paused: state.paused,
    note: state.note === undefined || state.note === '' ? null : state.note,
    next_action_times: info.nextActionTimes.map((time) => time.toISOString()),
    recent_actions: toStorable(
      info.recentActions.map((recent) => ({
        scheduled_at: recent.scheduledAt,
        taken_at: recent.takenAt,
        workflow_id: recent.action.workflow.workflowId,
        first_execution_run_id: recent.action.workflow.firstExecutionRunId,
      })),
    ),
    schedule_spec: toStorable(description.spec),
    schedule_action: actionToJson(description.action),
    search_attributes: decodePayloadMap(description.raw.searchAttributes?.indexedFields),
    memo: decodePayloadMap(description.raw.memo?.fields),
    overlap_policy: String(policies.overlap),
    catchup_window_seconds: policies.catchupWindow / 1000,
    pause_on_failure: policies.pauseOnFailure,
    remaining_actions: state.remainingActions ?? null,
    num_actions_taken: info.numActionsTaken,
    num_actions_missed_catchup_window: info.numActionsMissedCatchupWindow,
    num_actions_skipped_overlap: info.numActionsSkippedOverlap,
    running_workflows: toStorable(
      info.runningActions.map((running) => ({
        workflow_id: running.workflow.workflowId,
        first_execution_run_id: running.workflow.firstExecutionRunId,
      })),
    ),
    created_at: info.createdAt.toISOString(),
    last_updated_at: info.lastUpdatedAt ? info.lastUpdatedAt.toISOString() : null,
  };
}

export const scheduleRowKey = (row: ScheduleRow): string => JSON.stringify([row.namespace, row.schedule_id]);
