import { formatDuration } from '../duration';
import { redactSecrets } from '../redact';
import type { IncidentRow } from '../db/incidents';
import type { RunFacts } from '../db/sync-runs';
import { workflowLink } from '../temporal/web-ui';
import type { AlertMessage, AlertToSend } from './types';

export interface MessageContext {
  schema: string;
  workerNamespace: string;
  webUiUrl: string | undefined;
  secrets: readonly string[];
}

/** The run's page in the Temporal Web UI, when its address is known. */
export function runLink(webUiUrl: string | undefined, namespace: string, workflowId: string, runId: string) {
  return webUiUrl === undefined ? null : workflowLink(webUiUrl, namespace, workflowId, runId);
}

/** Incidents about the data: the opening says what was found (last_error), the closing that it is over. */
function dataSummary(incident: IncidentRow, event: 'opened' | 'closed'): string | undefined {
  const where = `in namespace "${incident.namespace}"`;
  const problem = incident.last_error ?? 'a problem';
  if (incident.kind === 'schedule_missed' || incident.kind === 'schedule_skipped') {
    const schedule = `Schedule "${incident.subject}" ${where}`;
    return event === 'opened' ? `${schedule}: ${problem}` : `${schedule} fires normally again`;
  }
  if (incident.kind === 'stuck_workflows') {
    const type = `Workflow type "${incident.subject}" ${where}`;
    return event === 'opened' ? `${type}: ${problem}` : `${type} has no stuck runs any more`;
  }
  return undefined;
}

function summaryOf(incident: IncidentRow, event: 'opened' | 'closed', run: RunFacts | undefined): string {
  const data = dataSummary(incident, event);
  if (data !== undefined) return data;
  const ns = `namespace "${incident.namespace}"`;
  if (incident.kind === 'sync_failed') {
    if (event === 'opened') return `Sync of ${ns} failed: ${incident.last_error ?? 'unknown error'}`;
    const failures = incident.occurrences === 1 ? '1 failed run' : `${incident.occurrences} failed runs`;
    return `Sync of ${ns} recovered: run ${run?.id ?? '?'} completed after ${failures} since ${incident.opened_at.toISOString()}`;
  }
  if (event === 'opened') return `Data of ${ns} is stale: ${incident.last_error ?? 'no recent successful sync'}`;
  return `Data of ${ns} is fresh again after ${formatDuration((incident.closed_at ?? incident.last_seen_at).getTime() - incident.opened_at.getTime())} stale`;
}

/**
 * The message for an incident that opened or closed. Pure; every text in it is redacted, because it
 * travels through workflow history and to a third party.
 */
export function buildAlert(
  context: MessageContext,
  incident: IncidentRow,
  event: 'opened' | 'closed',
  run: RunFacts | undefined,
  lastSuccessAt: Date | null,
): AlertToSend {
  const redact = (text: string) => redactSecrets(text, context.secrets);
  const message: AlertMessage = {
    incidentId: incident.id,
    event,
    kind: incident.kind,
    namespace: incident.namespace,
    subject: incident.subject === '' ? null : incident.subject,
    summary: redact(summaryOf(incident, event, run)),
    openedAt: incident.opened_at.toISOString(),
    closedAt: incident.closed_at?.toISOString() ?? null,
    occurrences: incident.occurrences,
    error: incident.last_error === null ? null : redact(incident.last_error),
    syncRun: run
      ? {
          id: run.id,
          workflowId: run.workflow_id,
          runId: run.run_id,
          status: run.status,
          startedAt: run.started_at.toISOString(),
          finishedAt: run.finished_at?.toISOString() ?? null,
        }
      : null,
    lastSuccessAt: lastSuccessAt?.toISOString() ?? null,
    link: run ? runLink(context.webUiUrl, context.workerNamespace, run.workflow_id, run.run_id) : null,
  };
  return {
    workflowId: `temporal-sync-alert/${context.schema}/${incident.namespace}/${incident.id}/${event}`,
    message,
  };
}
