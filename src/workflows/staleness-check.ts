import { ApplicationFailure, log, patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { SyncActivities } from '../activities';
import { NonRetryable } from '../failures';
import { startAlerts } from './alerting';

/** No options yet: `{}` or nothing, so a schedule or the UI can start it as it is. */
const stalenessCheckInputSchema = z.object({}).strict().optional();

/** Checks recorded before it replay without closing the records of runs that ended outside their code. */
export const RECONCILE_PATCH = 'reconcile-ended-runs';

export interface StalenessCheckResult {
  stale: boolean;
  lastSuccessAt: string | null;
  alertsStarted: number;
}

/**
 * Checks that a sync of the namespace succeeded within TEMPORAL_SYNC_STALENESS_SECONDS: the first
 * check that finds it stale opens an incident (one alert), later ones repeat silently, and the first
 * fresh one closes it (one recovery alert). Before that it closes the records of runs that ended
 * outside their own code (terminated, timed out), each a failure. Meant to run every 15 minutes.
 */
export async function StalenessCheckWorkflow(rawInput?: unknown): Promise<StalenessCheckResult> {
  const parsed = stalenessCheckInputSchema.safeParse(rawInput ?? undefined);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: NonRetryable.InvalidSyncInput,
      message: `Invalid StalenessCheckWorkflow input: it takes no options (got ${JSON.stringify(rawInput)})`,
      nonRetryable: true,
    });
  }
  const { checkStaleness, reconcileRuns } = proxyActivities<SyncActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
  });
  let alertsStarted = 0;
  if (patched(RECONCILE_PATCH)) {
    try {
      alertsStarted += await startAlerts(await reconcileRuns({}));
    } catch (error) {
      log.warn('runs not reconciled; the next check tries again', { error: String(error) });
    }
  }
  const info = workflowInfo();
  const verdict = await checkStaleness({ workflowId: info.workflowId, runId: info.runId });
  alertsStarted += await startAlerts(verdict);
  return { stale: verdict.stale, lastSuccessAt: verdict.lastSuccessAt, alertsStarted };
}
