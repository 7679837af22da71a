import { WorkflowNotFoundError } from '@temporalio/client';
import { finishRun, readRunFacts, runningRuns, type FinishedStatus, type RunFacts } from '../db/sync-runs';
import type { SyncDependencies } from './dependencies';

/** How a closed workflow's end is recorded, when its own code could not record it. */
const ENDINGS: Record<string, { status: FinishedStatus; error: string }> = {
  TERMINATED: { status: 'terminated', error: 'the run was terminated on the server before it could record its end' },
  TIMED_OUT: { status: 'timed_out', error: 'the run reached its execution timeout before it could record its end' },
  FAILED: { status: 'failed', error: 'the run failed before it could record its end' },
  CANCELLED: { status: 'cancelled', error: 'the run was cancelled before it could record its end' },
  COMPLETED: { status: 'failed', error: 'the workflow completed without recording its end' },
};

async function serverEnding(
  deps: SyncDependencies,
  run: { workflowId: string; currentRunId: string | null },
): Promise<{ status: FinishedStatus; error: string } | undefined> {
  try {
    // The run holding the record; one that continued as new hands it to the next as that one starts.
    const description = await deps
      .workerClient!.workflow.getHandle(run.workflowId, run.currentRunId ?? undefined)
      .describe();
    const name = description.status.name;
    if (name === 'RUNNING' || name === 'CONTINUED_AS_NEW') return undefined;
    return ENDINGS[name] ?? { status: 'failed', error: `the run ended ${name} before it could record its end` };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError)
      return { status: 'failed', error: 'the run is no longer on the server' };
    throw error;
  }
}

/**
 * Closes every `running` record whose workflow has closed on the server (terminated, timed out, or
 * failed before it could write its end) with what the server says, and the counts its pages committed.
 * Returns the records it closed as failures, for the incident log.
 */
export async function reconcileEndedRuns(deps: SyncDependencies): Promise<RunFacts[]> {
  if (!deps.workerClient) return [];
  const closed: RunFacts[] = [];
  for (const run of await runningRuns(deps.pool, deps.schema)) {
    const ending = await serverEnding(deps, run);
    if (!ending) continue;
    const { status } = await finishRun(deps.pool, deps.schema, { id: run.id, ...ending });
    const facts = await readRunFacts(deps.pool, deps.schema, run.id);
    if (facts && status !== 'cancelled' && status !== 'completed') closed.push(facts);
  }
  return closed;
}
