import { formatDuration } from '../duration';
import type { DatabaseSnapshot, SchedulesStatus, Verdict, VerdictStatus } from './types';

/** Exit codes follow the Nagios plugin convention, so the command can back a monitoring check as it is. */
export const EXIT_CODES: Record<VerdictStatus, number> = { ok: 0, stale: 1, failing: 2, unknown: 3 };

const SEVERITY: VerdictStatus[] = ['ok', 'unknown', 'stale', 'failing'];

/**
 * The overall verdict, worst first: failing (a namespace's newest finished run failed), stale (a stream
 * has no successful sync within the window, or nothing was ever synced), unknown (Temporal could not be
 * asked about the schedules), else ok. Pure.
 */
export function judge(snapshot: DatabaseSnapshot, temporal: SchedulesStatus, stalenessSeconds: number): Verdict {
  const now = Date.parse(snapshot.checkedAt);
  const found: Array<[VerdictStatus, string]> = [];
  if (snapshot.namespaces.length === 0) found.push(['stale', 'no sync has run yet']);
  for (const ns of snapshot.namespaces) {
    if (ns.lastFinished && ns.lastFinished.status !== 'completed' && ns.lastFailure) {
      found.push([
        'failing',
        `namespace "${ns.namespace}": the last run (${ns.lastFailure.syncRunId}) ${ns.lastFailure.status === 'failed' ? 'failed' : `ended ${ns.lastFailure.status}`} at ${ns.lastFailure.finishedAt}: ${ns.lastFailure.error ?? 'no error recorded'}`,
      ]);
    }
    for (const stream of ns.streams) {
      const success = stream.lastSuccess;
      const age = success ? now - Date.parse(success.finishedAt) : undefined;
      if (age === undefined) {
        found.push(['stale', `namespace "${ns.namespace}", ${stream.stream}: no successful sync yet`]);
      } else if (age > stalenessSeconds * 1000) {
        found.push([
          'stale',
          `namespace "${ns.namespace}", ${stream.stream}: last successful sync ${formatDuration(age)} ago (limit ${formatDuration(stalenessSeconds * 1000)})`,
        ]);
      }
    }
  }
  if (!temporal.reachable) found.push(['unknown', `Temporal unreachable, schedules not checked: ${temporal.error}`]);
  const status = found.reduce<VerdictStatus>(
    (worst, [level]) => (SEVERITY.indexOf(level) > SEVERITY.indexOf(worst) ? level : worst),
    'ok',
  );
  return { status, reasons: found.map(([, reason]) => reason) };
}
