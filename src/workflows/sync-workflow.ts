import { continueAsNew, defineQuery, log, patched, setHandler, workflowInfo } from '@temporalio/workflow';
import type { RunPlan } from '../activities/types';
import { startAlerts } from './alerting';
import { defaultSyncInput, parseSyncInput, type ParsedSyncInput } from './input';
import { legacySyncWorkflow } from './legacy/sync-workflow-v1';
import { RunLedger, type SyncProgress, type SyncSummary } from './ledger';
import { describeFailure, inputRefusal, recordEnding, recordUnplanned, refuseInput, reportOutcome } from './outcome';
import { runPasses } from './passes';
import { syncActivities, type SyncWorkflowActivities } from './proxies';

export type { SyncProgress, SyncSummary } from './ledger';
export const progressQuery = defineQuery<SyncProgress>('progress');

/** Runs recorded before the stream contract replay through the frozen code they ran (see docs/design.md). */
export const STREAM_CONTRACT_PATCH = 'stream-contract';

/**
 * Syncs a namespace's streams into Postgres: plan the run (or take over the one this run continues),
 * read every partition of every pass a few at once, complete the passes, record the end. Everything the
 * run knows of its position lives in Postgres; a long run continues as new carrying only its record's ID.
 */
export async function SyncWorkflow(rawInput?: unknown): Promise<SyncSummary> {
  if (!patched(STREAM_CONTRACT_PATCH)) return legacySyncWorkflow(rawInput) as Promise<SyncSummary>;
  const parsed = parseSyncInput(rawInput);
  const acts = syncActivities(parsed.ok ? parsed.input : defaultSyncInput());
  if (!parsed.ok) return refuseInput(acts, parsed.problems.join('; '));
  const input = parsed.input;
  const plan = await planOrResume(acts, input);
  const ledger = new RunLedger(plan);
  setHandler(progressQuery, () => ledger.progress());
  const ref = { syncRunId: plan.syncRunId, destination: plan.destination };
  let activities = 0;
  try {
    const complete = await runPasses(acts, ledger, ref, {
      maxSeconds: input.activityMaxSeconds,
      started: () => (activities += 1),
      mustStop: () => activities >= input.continueAsNewAfterActivities || workflowInfo().continueAsNewSuggested,
    });
    if (complete) {
      await acts.finishSyncRun({ ...ref, status: 'completed', error: null });
      const summary = ledger.summary(Date.now());
      await reportOutcome(acts, ref, 'completed');
      return summary;
    }
  } catch (error) {
    throw await recordEnding(acts, ref, error);
  }
  return continueAsNew<typeof SyncWorkflow>({
    ...input,
    continueRun: { syncRunId: plan.syncRunId, destination: plan.destination },
  });
}

/**
 * A fresh run plans (after closing the records of runs that ended outside their code); a run that
 * continues another as new takes over its record, which only the run it continues can hand over.
 */
async function planOrResume(acts: SyncWorkflowActivities, input: ParsedSyncInput): Promise<RunPlan> {
  const { workflowId, runId, attempt, continuedFromExecutionRunId } = workflowInfo();
  const {
    continueRun,
    streams,
    namespace,
    mode,
    pageSize,
    partitions,
    minRowsPerPartition,
    visibilityRps,
    lookbackSeconds,
  } = input;
  // A retry attempt (attempt > 1) starts the pass again: the attempt it retries recorded its own end.
  const resume = continueRun && attempt === 1 ? continueRun : undefined;
  if (resume && continuedFromExecutionRunId === undefined) {
    return refuseInput(acts, 'continueRun: only a sync that continues as new sets it; start the sync without it');
  }
  try {
    if (resume) {
      return await acts.resumeSyncRun({
        workflowId,
        runId,
        continuedFromRunId: continuedFromExecutionRunId!,
        ...resume,
      });
    }
    await reconcile(acts, namespace);
    const request = {
      mode,
      streams,
      namespace,
      pageSize,
      partitions,
      minRowsPerPartition,
      visibilityRps,
      lookbackSeconds,
    };
    return await acts.planSyncRun({ workflowId, runId, ...request });
  } catch (error) {
    const refusal = inputRefusal(error);
    if (refusal !== undefined) return refuseInput(acts, refusal);
    throw await recordUnplanned(acts, { mode, namespace }, error);
  }
}

/** Closes the records of runs that ended outside their own code; bookkeeping that never holds up the sync. */
async function reconcile(acts: SyncWorkflowActivities, namespace: string | undefined): Promise<void> {
  try {
    await startAlerts(await acts.reconcileRuns({ namespace }));
  } catch (error) {
    log.warn('runs not reconciled; the next sync tries again', { error: describeFailure(error) });
  }
}
