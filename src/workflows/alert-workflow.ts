import { proxyActivities } from '@temporalio/workflow';
import type { createActivities } from '../activities';
import type { AlertMessage, DeliveryResult } from '../alerts/types';

type Activities = ReturnType<typeof createActivities>;

/**
 * Delivers one alert. Its retries are its own: a receiver that is down or slow is tried again with
 * backoff for hours, each attempt cut short by the HTTP timeout, while the sync that raised the
 * alert has long finished. The message carries no secret; the webhook URL stays in the worker.
 */
export async function AlertWorkflow(message: AlertMessage): Promise<DeliveryResult> {
  const { deliverAlert } = proxyActivities<Activities>({
    startToCloseTimeout: '1 minute',
    scheduleToCloseTimeout: '6 hours',
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '5 minutes',
      maximumAttempts: 100,
    },
  });
  return deliverAlert(message);
}
