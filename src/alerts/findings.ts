import type { ScheduleProblem, StuckType } from '../db/data-findings';
import { formatDuration } from '../duration';

const fires = (n: number) => (n === 1 ? '1 fire' : `${n} fires`);
const span = (problem: ScheduleProblem) => `between ${problem.since.toISOString()} and ${problem.until.toISOString()}`;

/** One sentence per counter that moved: how many fires, why (the policy that caused it), when. */
export function scheduleProblemText(problem: ScheduleProblem): string {
  const policy = problem.overlapPolicy ?? 'unknown';
  if (problem.kind === 'missed_catchup_window') {
    const window =
      problem.catchupWindowSeconds === null ? 'unknown' : formatDuration(problem.catchupWindowSeconds * 1000);
    return `${fires(problem.fires)} missed: due longer ago than the catch-up window (${window}) when the scheduler could start them, ${span(problem)}`;
  }
  if (problem.kind === 'skipped_overlap')
    return `${fires(problem.fires)} skipped by overlap policy ${policy} (a run it started was still open), ${span(problem)}`;
  return `${fires(problem.fires)} dropped: the buffer of overlap policy ${policy} was full, ${span(problem)}`;
}

/** What holds a workflow type's stuck runs up, in one sentence. */
export function stuckText(type: StuckType): string {
  const parts = [type.runs === 1 ? '1 open run stuck' : `${type.runs} open runs stuck`];
  if (type.activityType !== null)
    parts.push(
      `activity "${type.activityType}" failing at attempt ${type.activityAttempt ?? '?'}` +
        (type.lastFailure ? `: ${type.lastFailure}` : ''),
    );
  if (type.workflowTaskAttempt !== null) parts.push(`workflow task failing (attempt ${type.workflowTaskAttempt})`);
  if (type.reportedProblems.length > 0) parts.push(`the server reports ${type.reportedProblems.join(', ')}`);
  return parts.join('; ');
}
