/** The contracts of alerting: plain JSON, so they can travel through workflow history (never a secret). */

/** sync_failed and stale are about the sync; the others about the data it found (a schedule, a workflow type). */
export type IncidentKind = 'sync_failed' | 'stale' | 'schedule_missed' | 'schedule_skipped' | 'stuck_workflows';

/** One message about an incident: it opened, or it closed. Built by an activity, already redacted. */
export interface AlertMessage {
  incidentId: string;
  event: 'opened' | 'closed';
  kind: IncidentKind;
  namespace: string;
  /** What it is about within the namespace: the schedule ID, the workflow type; null for the sync's own. */
  subject: string | null;
  /** One line a person reads first. */
  summary: string;
  openedAt: string;
  closedAt: string | null;
  /** Failed runs (or stale checks) the incident has seen; repeats did not send a message. */
  occurrences: number;
  /** The last error of a failed sync, or what makes the data stale. */
  error: string | null;
  /** The run that opened or closed the incident, when a run did. */
  syncRun: {
    id: string;
    workflowId: string;
    runId: string;
    status: string;
    startedAt: string;
    finishedAt: string | null;
  } | null;
  lastSuccessAt: string | null;
  /** The run in the Temporal Web UI, when TEMPORAL_SYNC_UI_URL is set. */
  link: string | null;
}

export interface AlertToSend {
  /** Deterministic per incident and event, so a retried decision cannot start a second delivery. */
  workflowId: string;
  message: AlertMessage;
}

/** What an outcome meant for the incidents: the messages due now (none for a repeat). */
export interface AlertDecision {
  alerts: AlertToSend[];
}

export interface OutcomeRequest {
  syncRunId: string;
  outcome: 'completed' | 'failed';
}

export interface StalenessCheckRequest {
  /** The checking workflow's run: recognises a retried check. */
  workflowId: string;
  runId: string;
}

export interface DeliveryResult {
  delivered: boolean;
  status: number | null;
}
