import type pg from 'pg';
import { scheduleProblemText, stuckText } from './findings';
import type { IncidentKind } from './types';
import { scheduleProblemsOfRun, schedulesFiringAgain, stuckTypes, type ScheduleProblem } from '../db/data-findings';
import { closeIncidents, openSubjects, recordDataProblem, type IncidentChange } from '../db/incidents';
import type { RunFacts } from '../db/sync-runs';
import { redactSecrets } from '../redact';

/** What the data of a completed run opened and closed. */
export interface DataChanges {
  opened: IncidentChange[];
  closed: IncidentChange[];
}

/** What deciding on a run's data needs: the destination, and the secrets its texts must not carry. */
export interface IncidentDeps {
  pool: pg.Pool;
  schema: string;
  secrets: readonly string[];
}

/** A stream's own incidents: decided after a completed run that read the stream. */
export type DataIncidents = (deps: IncidentDeps, run: RunFacts) => Promise<DataChanges>;

const SCHEDULE_KINDS: Array<[IncidentKind, ScheduleProblem['kind'][]]> = [
  ['schedule_missed', ['missed_catchup_window']],
  ['schedule_skipped', ['skipped_overlap', 'buffer_dropped']],
];

/** A subject for a workflow type the server did not name ('' belongs to the sync's own incidents). */
const typeSubject = (type: string) => (type === '' ? '(no type)' : type);

/**
 * Schedules that missed or skipped fires in this run's describes open one incident each (per kind), a
 * repeat while it goes on; one that took an action since, with nothing new, closes it. Decided only
 * when the run described schedules.
 */
export async function scheduleIncidents(deps: IncidentDeps, run: RunFacts): Promise<DataChanges> {
  const changes: DataChanges = { opened: [], closed: [] };
  const problems = await scheduleProblemsOfRun(deps.pool, deps.schema, run.id);
  const event = `sync_run:${run.id}`;
  for (const [kind, counters] of SCHEDULE_KINDS) {
    const found = new Map<string, string[]>();
    for (const problem of problems.filter((p) => counters.includes(p.kind)))
      found.set(problem.scheduleId, [...(found.get(problem.scheduleId) ?? []), scheduleProblemText(problem)]);
    for (const [subject, texts] of found) {
      const error = redactSecrets(texts.join('; '), deps.secrets);
      const change = await recordDataProblem(deps.pool, deps.schema, {
        namespace: run.namespace,
        kind,
        subject,
        event,
        error,
        syncRunId: run.id,
      });
      if (change) changes.opened.push(change);
    }
    const quiet = (await openSubjects(deps.pool, deps.schema, run.namespace, kind)).filter((id) => !found.has(id));
    const again = await schedulesFiringAgain(deps.pool, deps.schema, {
      namespace: run.namespace,
      scheduleIds: quiet,
      kinds: counters,
    });
    for (const subject of again)
      changes.closed.push(
        ...(await closeIncidents(deps.pool, deps.schema, { namespace: run.namespace, kind, subject, event })),
      );
  }
  return changes;
}

/** Each workflow type with stuck open runs opens (or repeats) its incident; a type with none left closes it. */
export async function stuckIncidents(deps: IncidentDeps, run: RunFacts): Promise<DataChanges> {
  const changes: DataChanges = { opened: [], closed: [] };
  const event = `sync_run:${run.id}`;
  const kind = 'stuck_workflows';
  const types = await stuckTypes(deps.pool, deps.schema, run.namespace);
  for (const type of types) {
    const change = await recordDataProblem(deps.pool, deps.schema, {
      namespace: run.namespace,
      kind,
      subject: typeSubject(type.workflowType),
      event,
      error: redactSecrets(stuckText(type), deps.secrets),
      syncRunId: run.id,
    });
    if (change) changes.opened.push(change);
  }
  const stuck = new Set(types.map((type) => typeSubject(type.workflowType)));
  for (const subject of await openSubjects(deps.pool, deps.schema, run.namespace, kind)) {
    if (!stuck.has(subject))
      changes.closed.push(
        ...(await closeIncidents(deps.pool, deps.schema, { namespace: run.namespace, kind, subject, event })),
      );
  }
  return changes;
}
