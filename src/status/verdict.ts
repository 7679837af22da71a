import { formatDuration } from '../duration';
import type {
  DatabaseSnapshot,
  EndedRun,
  NamespaceStatus,
  NamespaceVerdict,
  SchedulesStatus,
  Verdict,
  VerdictStatus,
} from './types';

/** Exit codes follow the Nagios plugin convention, so the command can back a monitoring check as it is. */
export const EXIT_CODES: Record<VerdictStatus, number> = { ok: 0, stale: 1, failing: 2, unknown: 3 };

const SEVERITY: VerdictStatus[] = ['ok', 'unknown', 'stale', 'failing'];

const worst = (levels: VerdictStatus[]): VerdictStatus =>
  levels.reduce<VerdictStatus>((a, b) => (SEVERITY.indexOf(b) > SEVERITY.indexOf(a) ? b : a), 'ok');

/** What one namespace's runs and streams say: failing (its newest finished run failed, or a run ended on the server without recording it), stale, or ok. */
function judgeNamespace(
  ns: NamespaceStatus,
  ended: EndedRun[],
  now: number,
  stalenessSeconds: number,
): NamespaceVerdict {
  const found: Array<[VerdictStatus, string]> = [];
  if (ns.lastFinished && ns.lastFinished.status !== 'completed' && ns.lastFailure) {
    const how = ns.lastFailure.status === 'failed' ? 'failed' : `ended ${ns.lastFailure.status}`;
    const error = ns.lastFailure.error ?? 'no error recorded';
    found.push([
      'failing',
      `namespace "${ns.namespace}": the last run (${ns.lastFailure.syncRunId}) ${how} at ${ns.lastFailure.finishedAt}: ${error}`,
    ]);
  }
  for (const run of ended) {
    found.push([
      'failing',
      `namespace "${ns.namespace}": run ${run.syncRunId} (${run.workflowId}) ended ${run.serverStatus} on the server ` +
        'before it could record its end (the next sync or staleness check records it)',
    ]);
  }
  for (const stream of ns.streams) {
    const success = stream.lastSuccess;
    const age = success ? now - Date.parse(success.finishedAt) : undefined;
    if (age === undefined)
      found.push(['stale', `namespace "${ns.namespace}", ${stream.stream}: no successful sync yet`]);
    else if (age > stalenessSeconds * 1000) {
      const limit = formatDuration(stalenessSeconds * 1000);
      found.push([
        'stale',
        `namespace "${ns.namespace}", ${stream.stream}: last successful sync ${formatDuration(age)} ago (limit ${limit})`,
      ]);
    }
  }
  return {
    namespace: ns.namespace,
    status: worst(found.map(([level]) => level)),
    reasons: found.map(([, reason]) => reason),
  };
}

/**
 * Every namespace's verdict, the worst first, and the overall one: failing (a namespace's newest
 * finished run failed, or a run ended outside its code), stale (a stream has no successful sync within
 * the window, or nothing was ever synced), unknown (Temporal could not be asked), else ok. Pure.
 */
export function judge(
  snapshot: DatabaseSnapshot,
  temporal: SchedulesStatus,
  stalenessSeconds: number,
): { verdict: Verdict; namespaces: NamespaceVerdict[] } {
  const now = Date.parse(snapshot.checkedAt);
  const ended = temporal.reachable ? temporal.endedRuns : [];
  const namespaces = snapshot.namespaces
    .map((ns) =>
      judgeNamespace(
        ns,
        ended.filter((run) => run.namespace === ns.namespace),
        now,
        stalenessSeconds,
      ),
    )
    .sort((a, b) => SEVERITY.indexOf(b.status) - SEVERITY.indexOf(a.status) || a.namespace.localeCompare(b.namespace));
  const found: Array<[VerdictStatus, string]> = namespaces.flatMap((ns) =>
    ns.reasons.map((reason): [VerdictStatus, string] => [ns.status, reason]),
  );
  if (snapshot.namespaces.length === 0) found.push(['stale', 'no sync has run yet']);
  if (!temporal.reachable) found.push(['unknown', `Temporal unreachable, schedules not checked: ${temporal.error}`]);
  const status = worst([...namespaces.map((ns) => ns.status), ...found.map(([level]) => level)]);
  return { verdict: { status, reasons: found.map(([, reason]) => reason) }, namespaces };
}
