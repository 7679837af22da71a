import type { ScheduleDescription, ScheduleOptions } from '@temporalio/client';
import { calendarFromDescription, parseCron, renderCalendar } from './cron';
import type { ScheduleDefinition } from './definition';
import { formatDuration } from '../duration';
import { managedMemo } from './managed';

/**
 * A schedule as "field → text" pairs, named like the definition's fields, so a diff reads like the
 * definitions file. Both what we want and what the server holds are brought to this form.
 */
export type ScheduleShape = Record<string, string>;

const NONE = '(none)';

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${stableJson(field)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Exact, as the definitions are written: a diff must show a change of a second too. */
const exactly = (ms: number) => formatDuration(ms, { exact: true });
const durationText = (ms: number | undefined): string => (ms === undefined || ms === 0 ? NONE : exactly(ms));

const intervalText = (every: number, offset: number | undefined): string =>
  offset ? `every ${exactly(every)} offset ${exactly(offset)}` : `every ${exactly(every)}`;

interface RetryFields {
  initialInterval?: number;
  backoffCoefficient?: number;
  maximumInterval?: number;
  maximumAttempts?: number;
  nonRetryableErrorTypes?: string[];
}

function retryFields(retry: RetryFields | undefined): ScheduleShape {
  return {
    'workflow.retry.initialInterval': durationText(retry?.initialInterval),
    'workflow.retry.backoffCoefficient':
      retry?.backoffCoefficient === undefined ? NONE : String(retry.backoffCoefficient),
    'workflow.retry.maximumInterval': durationText(retry?.maximumInterval),
    'workflow.retry.maximumAttempts': retry?.maximumAttempts ? String(retry.maximumAttempts) : 'unlimited',
    'workflow.retry.nonRetryableErrorTypes': stableJson([...(retry?.nonRetryableErrorTypes ?? [])].sort()),
  };
}

export function shapeOfDefinition(definition: ScheduleDefinition): ScheduleShape {
  const { spec, policies, workflow } = definition;
  const calendar = spec.cron === undefined ? undefined : parseCron(spec.cron);
  return {
    workflowType: definition.workflowType,
    taskQueue: definition.taskQueue,
    workflowIdPrefix: definition.workflowIdPrefix,
    input: stableJson(definition.input),
    'spec.cron': calendar?.ok ? renderCalendar(calendar.calendar) : NONE,
    'spec.interval': spec.interval ? intervalText(spec.interval.every, spec.interval.offset) : NONE,
    'spec.timezone': spec.timezone,
    'spec.jitter': durationText(spec.jitter),
    'policies.overlap': policies.overlap,
    'policies.catchupWindow': durationText(policies.catchupWindow),
    'policies.pauseOnFailure': String(policies.pauseOnFailure),
    ...retryFields(workflow.retry),
    'workflow.executionTimeout': durationText(workflow.executionTimeout),
    'workflow.runTimeout': durationText(workflow.runTimeout),
    'workflow.taskTimeout': durationText(workflow.taskTimeout),
  };
}

/** The same fields read back from describe(); the server has compiled cron text into calendars. */
export function shapeOfDescription(description: ScheduleDescription): ScheduleShape {
  const { spec, action, policies } = description;
  const calendars = (spec.calendars ?? []).map((calendar) => renderCalendar(calendarFromDescription(calendar)));
  const intervals = (spec.intervals ?? []).map((interval) => intervalText(interval.every, interval.offset));
  return {
    workflowType: action.workflowType,
    taskQueue: action.taskQueue,
    workflowIdPrefix: action.workflowId,
    input: stableJson(action.args?.length === 1 ? action.args[0] : (action.args ?? [])),
    'spec.cron': calendars.length > 0 ? calendars.join(' | ') : NONE,
    'spec.interval': intervals.length > 0 ? intervals.join(' | ') : NONE,
    'spec.timezone': spec.timezone || 'UTC',
    'spec.jitter': durationText(spec.jitter),
    'policies.overlap': policies.overlap ?? 'SKIP',
    'policies.catchupWindow': durationText(policies.catchupWindow),
    'policies.pauseOnFailure': String(policies.pauseOnFailure),
    ...retryFields(action.retry as RetryFields | undefined),
    'workflow.executionTimeout': durationText(asMs(action.workflowExecutionTimeout)),
    'workflow.runTimeout': durationText(asMs(action.workflowRunTimeout)),
    'workflow.taskTimeout': durationText(asMs(action.workflowTaskTimeout)),
  };
}

/** describe() decodes durations to milliseconds; the type allows the string form too. */
function asMs(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

/** What a definition becomes on the server: spec, action and policies; the memo marks it as ours. */
export function scheduleOptions(definition: ScheduleDefinition): ScheduleOptions {
  const { spec, policies, workflow } = definition;
  return {
    scheduleId: definition.id,
    spec: {
      cronExpressions: spec.cron === undefined ? undefined : [spec.cron],
      intervals: spec.interval ? [{ every: spec.interval.every, offset: spec.interval.offset }] : undefined,
      timezone: spec.timezone,
      jitter: spec.jitter,
    },
    action: {
      type: 'startWorkflow',
      workflowType: definition.workflowType,
      taskQueue: definition.taskQueue,
      workflowId: definition.workflowIdPrefix,
      args: [definition.input],
      retry: {
        initialInterval: workflow.retry.initialInterval,
        backoffCoefficient: workflow.retry.backoffCoefficient,
        maximumInterval: workflow.retry.maximumInterval,
        maximumAttempts: workflow.retry.maximumAttempts,
        nonRetryableErrorTypes: workflow.retry.nonRetryableErrorTypes,
      },
      workflowExecutionTimeout: workflow.executionTimeout,
      workflowRunTimeout: workflow.runTimeout,
      workflowTaskTimeout: workflow.taskTimeout,
    },
    policies: {
      overlap: policies.overlap,
      catchupWindow: policies.catchupWindow,
      pauseOnFailure: policies.pauseOnFailure,
    },
    memo: managedMemo(definition.namespace),
  };
}
