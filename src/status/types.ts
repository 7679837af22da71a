/** What `npm run status` reports: read from the tables and from Temporal, then judged by verdict.ts. */

import type { IncidentKind } from '../alerts/types';

export interface RunRef {
  syncRunId: string;
  workflowId: string;
  mode: string;
  startedAt: string;
  finishedAt: string;
}

export interface StreamStatus {
  stream: string;
  lastSuccess: (RunRef & { rows: number; durationMs: number }) | null;
  cursor: string | null;
  lastFullSyncAt: string | null;
  rows: { live: number; deleted: number };
}

export interface IncidentStatus {
  id: string;
  kind: IncidentKind;
  /** The schedule or workflow type a data incident is about; '' for the sync's own. */
  subject: string;
  openedAt: string;
  lastSeenAt: string;
  occurrences: number;
  lastError: string | null;
  /** When the webhook accepted the opening message; null if none was sent (yet). */
  notifiedAt: string | null;
}

export interface NamespaceStatus {
  namespace: string;
  streams: StreamStatus[];
  lastFailure: (RunRef & { status: string; error: string | null }) | null;
  /** The newest finished run (completed or failed; cancelled ones say nothing about health). */
  /** The newest finished run (completed, failed, terminated or timed out; cancelled ones say nothing about health). */
  lastFinished: { syncRunId: string; status: string; finishedAt: string } | null;
  running: number;
  openIncidents: IncidentStatus[];
  /** Schedules that missed, skipped or dropped fires within the staleness window, the most fires first. */
  scheduleProblems: Array<{
    scheduleId: string;
    kind: string;
    fires: number;
    since: string;
    until: string;
    /** Why, in one sentence: the policy that caused it. */
    text: string;
  }>;
  /** Workflow types with stuck open runs, the most first (at most five), each with what holds them up. */
  stuckTypes: Array<{ workflowType: string; runs: number; text: string }>;
}

export interface ManagedSchedule {
  scheduleId: string;
  workflowType: string | null;
  paused: boolean;
  note: string | null;
  nextActionAt: string | null;
}

/** A run whose record says `running` while its workflow has closed on the server. */
export interface EndedRun {
  syncRunId: string;
  namespace: string;
  workflowId: string;
  /** The server's status of the run, e.g. TERMINATED, TIMED_OUT. */
  serverStatus: string;
}

export type SchedulesStatus =
  | { reachable: true; namespace: string; schedules: ManagedSchedule[]; endedRuns: EndedRun[] }
  | { reachable: false; namespace: string; error: string };

export interface DatabaseSnapshot {
  /** The database's clock: ages are measured on it, as the sync's own times are. */
  checkedAt: string;
  namespaces: NamespaceStatus[];
}

export type VerdictStatus = 'ok' | 'stale' | 'failing' | 'unknown';

export interface Verdict {
  status: VerdictStatus;
  reasons: string[];
}

/** One namespace's verdict, the worst of what its runs and streams say. */
export interface NamespaceVerdict extends Verdict {
  namespace: string;
}

export interface StatusReport extends DatabaseSnapshot {
  stalenessSeconds: number;
  temporal: SchedulesStatus;
  /** Every namespace's verdict, the worst first (the namespaces in `namespaces` are in the same order). */
  namespaceVerdicts: NamespaceVerdict[];
  verdict: Verdict;
}
