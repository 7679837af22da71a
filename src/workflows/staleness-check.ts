import { ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { createActivities } from '../activities';
import { startAlerts } from './alerting';

type Activities = ReturnType<typeof createActivities>;

/** No options yet: `{}` or nothing, so a schedule or the UI can start it as it is. */
const stalenessCheckInputSchema = z.object({}).strict().optional();

export interface StalenessCheckResult {
  stale: boolean;
  lastSuccessAt: string | null;
  alertsStarted: number;
}

/**
 * Checks that a sync of the namespace succeeded within TEMPORAL_SYNC_STALENESS_SECONDS: the first
 * check that finds it stale opens an incident (one alert), later ones repeat silently, and the first
 * fresh one closes it (one recovery alert). Meant to run on a schedule, e.g. every 15 minutes.
 */
export async function StalenessCheckWorkflow(rawInput?: unknown): Promise<StalenessCheckResult> {
  const parsed = stalenessCheckInputSchema.safeParse(rawInput ?? undefined);
  if (!parsed.success) {
    throw ApplicationFailure.create({
      type: 'InvalidSyncInput',
      message: `Invalid StalenessCheckWorkflow input: it takes no options (got ${JSON.stringify(rawInput)})`,
      nonRetryable: true,
    });
  }
  const { checkStaleness } = proxyActivities<Activities>({
    startToCloseTimeout: '30 seconds',
    retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 5 },
  });
  const info = workflowInfo();
  const verdict = await checkStaleness({ workflowId: info.workflowId, runId: info.runId });
  const alertsStarted = await startAlerts(verdict);
  return { stale: verdict.stale, lastSuccessAt: verdict.lastSuccessAt, alertsStarted };
}
