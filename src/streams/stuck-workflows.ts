import { stuckIncidents } from '../alerts/data-incidents';
import { temporal } from '@temporalio/proto';
import { keysFreshSince } from '../db/fresh-rows';
import type { TableSpec } from '../db/rows';
import type { JsonValue } from '../json';
import { mapWithConcurrency } from '../source/concurrency';
import { describeWithDeadline } from '../source/describe';
import type { RawExecutionInfo } from '../source/executions';
import { grpcCode, GrpcStatus } from '../source/grpc';
import { decodePayload } from '../source/payloads';
import { timestampToIso } from '../source/time';
import type { PageContext } from './contract';
import { defineStream } from './define';

type Description = temporal.api.workflowservice.v1.IDescribeWorkflowExecutionResponse;
type Failure = temporal.api.failure.v1.IFailure;

export interface PendingActivity {
  activity_id: string;
  activity_type: string | null;
  state: string | null;
  attempt: number;
  maximum_attempts: number | null;
  last_failure_message: string | null;
  last_failure_type: string | null;
  last_heartbeat_time: string | null;
  scheduled_time: string | null;
  last_started_time: string | null;
  last_worker_identity: string | null;
}

/** A long-open run as its last describe found it. */
export interface StuckWorkflowRow {
  namespace: string;
  workflow_id: string;
  run_id: string;
  workflow_type: string | null;
  task_queue: string | null;
  start_time: string | null;
  stuck: boolean;
  reported_problems: JsonValue;
  workflow_task_attempt: number | null;
  workflow_task_state: string | null;
  workflow_task_scheduled_time: string | null;
  pending_activity_count: number;
  pending_activities: PendingActivity[];
  described_at: string;
}

export const stuckWorkflowTable: TableSpec<StuckWorkflowRow> = {
  table: 'stuck_workflow',
  columns: [
    ['namespace', 'text'],
    ['workflow_id', 'text'],
    ['run_id', 'text'],
    ['workflow_type', 'text'],
    ['task_queue', 'text'],
    ['start_time', 'timestamptz'],
    ['stuck', 'boolean'],
    ['reported_problems', 'jsonb'],
    ['workflow_task_attempt', 'integer'],
    ['workflow_task_state', 'text'],
    ['workflow_task_scheduled_time', 'timestamptz'],
    ['pending_activity_count', 'integer'],
    ['pending_activities', 'jsonb'],
    ['described_at', 'timestamptz'],
  ],
  key: ['namespace', 'workflow_id', 'run_id'],
  prefer: [['described_at', 'highest']],
};

/** Set by servers from 1.30 after repeated workflow task failures; older ones reject a query naming it. */
const REPORTED_PROBLEMS = 'TemporalReportedProblems';
/** Namespaces whose server rejected a query naming REPORTED_PROBLEMS: asked once per worker process. */
const withoutProblemsAttribute = new Set<string>();

const enumName = (names: Record<number, string>, value: number | null | undefined, prefix: string) =>
  value ? (names[value]?.replace(prefix, '') ?? `UNKNOWN_${value}`) : null;

/** A failure's message and type; a codec's encoded attributes (decoded in place before) hold the real message. */
function failureOf(failure: Failure | null | undefined): { message: string | null; type: string | null } {
  if (!failure) return { message: null, type: null };
  const encoded = decodePayload(failure.encodedAttributes);
  const attributes = encoded !== null && typeof encoded === 'object' ? (encoded as { message?: unknown }) : {};
  const message = typeof attributes.message === 'string' ? attributes.message : failure.message || null;
  return { message, type: failure.applicationFailureInfo?.type || null };
}

function pendingActivity(info: temporal.api.workflow.v1.IPendingActivityInfo): PendingActivity {
  const failure = failureOf(info.lastFailure);
  return {
    activity_id: info.activityId ?? '',
    activity_type: info.activityType?.name || null,
    state: enumName(temporal.api.enums.v1.PendingActivityState, info.state, 'PENDING_ACTIVITY_STATE_'),
    attempt: info.attempt ?? 0,
    maximum_attempts: info.maximumAttempts || null,
    last_failure_message: failure.message,
    last_failure_type: failure.type,
    last_heartbeat_time: timestampToIso(info.lastHeartbeatTime),
    scheduled_time: timestampToIso(info.scheduledTime),
    last_started_time: timestampToIso(info.lastStartedTime),
    last_worker_identity: info.lastWorkerIdentity || null,
  };
}

/** Pure: stuck when the server reports problems, or the workflow task or an activity is past its first attempt. */
export function stuckRow(namespace: string, description: Description, describedAt: string): StuckWorkflowRow | null {
  const info = description.workflowExecutionInfo;
  const workflowId = info?.execution?.workflowId;
  const runId = info?.execution?.runId;
  if (!info || !workflowId || !runId) return null;
  const problems = decodePayload(info.searchAttributes?.indexedFields?.[REPORTED_PROBLEMS]);
  const task = description.pendingWorkflowTask;
  const activities = (description.pendingActivities ?? []).map(pendingActivity);
  const reported = Array.isArray(problems) && problems.length > 0;
  return {
    namespace,
    workflow_id: workflowId,
    run_id: runId,
    workflow_type: info.type?.name || null,
    task_queue: info.taskQueue || null,
    start_time: timestampToIso(info.startTime),
    stuck: reported || (task?.attempt ?? 0) > 1 || activities.some((activity) => activity.attempt > 1),
    reported_problems: reported ? problems : null,
    workflow_task_attempt: task ? (task.attempt ?? null) : null,
    workflow_task_state: enumName(
      temporal.api.enums.v1.PendingWorkflowTaskState,
      task?.state,
      'PENDING_WORKFLOW_TASK_STATE_',
    ),
    workflow_task_scheduled_time: timestampToIso(task?.scheduledTime),
    pending_activity_count: activities.length,
    pending_activities: activities,
    described_at: describedAt,
  };
}

/** The pass's position: the listing's page token, and how many runs the pass has described so far. */
interface Position {
  page: string | null;
  described: number;
}
const readPosition = (token: Uint8Array | null): Position =>
  token ? (JSON.parse(Buffer.from(token).toString('utf8')) as Position) : { page: null, described: 0 };
const writePosition = (position: Position) => new TextEncoder().encode(JSON.stringify(position));

/** Lists the next page of candidates: with the runs the server reports problems for, where it can. */
async function listCandidates(context: PageContext, query: string, pageSize: number, page: string | null) {
  const withProblems = !withoutProblemsAttribute.has(context.namespace);
  const list = (q: string) =>
    context.visibility.call(() =>
      context.source.workflowService.listWorkflowExecutions({
        namespace: context.namespace,
        pageSize,
        nextPageToken: page === null ? undefined : Buffer.from(page, 'base64'),
        query: q,
      }),
    );
  if (!withProblems) return list(query);
  try {
    return await list(`(${query}) OR (ExecutionStatus = 'Running' AND ${REPORTED_PROBLEMS} IS NOT NULL)`);
  } catch (error) {
    const unknown = grpcCode(error) === GrpcStatus.INVALID_ARGUMENT && String(error).includes(REPORTED_PROBLEMS);
    if (!unknown || page !== null) throw error;
    withoutProblemsAttribute.add(context.namespace);
    return list(query);
  }
}

/** Runs described within the redescribe age are not described again yet. */
async function notDescribedRecently(context: PageContext, listed: RawExecutionInfo[]): Promise<RawExecutionInfo[]> {
  const key = (info: RawExecutionInfo) => [info.execution?.workflowId ?? '', info.execution?.runId ?? ''];
  const since = new Date(Date.now() - context.settings.stuckRedescribeSeconds * 1000);
  const keys = listed.map(key);
  const fresh = await keysFreshSince(context.pool, context.schema, stuckWorkflowTable, {
    namespace: context.namespace,
    keys,
    column: 'described_at',
    since,
  });
  return listed.filter((info) => !fresh.has(JSON.stringify(key(info))));
}

interface Described {
  description: Description;
  describedAt: string;
}

/**
 * Why long-open runs are not progressing: every run open longer than the stuck age (and, on servers
 * that report problems, every run they report) is described, its pending activities and workflow task
 * kept. At most `stuckDescribesPerPass` describes per pass, none of a run described within the
 * redescribe age; rows are never marked deleted, so they stay after the run closes.
 */
export const stuckWorkflowsStream = defineStream<Described, StuckWorkflowRow>({
  name: 'stuck_workflows',
  table: stuckWorkflowTable,
  dataIncidents: stuckIncidents,
  incrementalOnly: true,
  plan: ({ settings, now }) => ({
    full: false,
    query: `ExecutionStatus = 'Running' AND StartTime < '${new Date(now.getTime() - settings.stuckAfterSeconds * 1000).toISOString()}'`,
    partitionable: false,
  }),
  async fetchPage(context, query, pageSize, token) {
    const position = readPosition(token);
    const budget = context.settings.stuckDescribesPerPass - position.described;
    if (context.settings.stuckAfterSeconds === 0 || budget <= 0) return { items: [], nextPageToken: null };
    const response = await listCandidates(context, query, pageSize, position.page);
    const candidates = (await notDescribedRecently(context, response.executions)).slice(0, budget);
    const described = await mapWithConcurrency(candidates, context.settings.describeConcurrency, async (info) => {
      const describedAt = new Date().toISOString();
      const description = await describeWithDeadline(context.source, () =>
        context.source.workflowService.describeWorkflowExecution({
          namespace: context.namespace,
          execution: info.execution,
        }),
      );
      return description && { description, describedAt };
    });
    const items: Described[] = [];
    for (const item of described) if (item) items.push(item);
    await context.decode(items.flatMap(({ description }) => encodedFailures(description)));
    const next = response.nextPageToken;
    const more = next && next.length > 0 && budget > candidates.length;
    const page = more ? Buffer.from(next).toString('base64') : null;
    return {
      items,
      nextPageToken: page === null ? null : writePosition({ page, described: position.described + candidates.length }),
    };
  },
  mapPage(namespace, items) {
    const rows = items.flatMap(({ description, describedAt }) => stuckRow(namespace, description, describedAt) ?? []);
    return { rows, rejected: [] };
  },
});

/** A codec may have encoded a failure's message into its attributes. */
function encodedFailures(description: Description) {
  return (description.pendingActivities ?? []).flatMap((activity) => activity.lastFailure?.encodedAttributes ?? []);
}
