import { Context } from '@temporalio/activity';
import { alertBody } from '../alerts/format';
import {
  closeIncidents,
  markNotified,
  readFreshness,
  readRun,
  recordFailedRun,
  recordStale,
  type IncidentChange,
  type RunFacts,
} from '../alerts/incidents';
import { buildAlert } from '../alerts/messages';
import { formatDuration } from '../duration';
import { DEFAULT_ALERT_SETTINGS } from '../alerts/settings';
import { postWebhook } from '../alerts/webhook';
import type {
  AlertDecision,
  AlertMessage,
  DeliveryResult,
  OutcomeRequest,
  StalenessCheckRequest,
} from '../alerts/types';
import { redactSecrets } from '../redact';
import { guardWith } from './errors';
import type { SyncDependencies } from './index';

export interface StalenessVerdict extends AlertDecision {
  stale: boolean;
  lastSuccessAt: string | null;
}

/** Activities that turn outcomes into incidents and deliver their alerts. */
export function createAlertActivities(deps: SyncDependencies) {
  const { pool, schema, namespace, secrets } = deps;
  const settings = deps.alerts ?? DEFAULT_ALERT_SETTINGS;
  const guarded = guardWith(secrets);
  const context = { schema, workerNamespace: settings.workerNamespace, webUiUrl: settings.webUiUrl, secrets };
  const log = () => Context.current().log;

  /** The messages due for these changes; none without a webhook (the incidents are recorded all the same). */
  const due = (
    changes: IncidentChange[],
    event: 'opened' | 'closed',
    run: RunFacts | undefined,
    lastSuccessAt: Date | null,
  ): AlertDecision => {
    for (const { incident, notify } of changes) {
      log().info(notify ? `incident ${event}` : 'incident still open: no new alert', {
        incident: incident.id,
        kind: incident.kind,
        occurrences: incident.occurrences,
      });
    }
    if (settings.webhookUrl === undefined) return { alerts: [] };
    return {
      alerts: changes
        .filter((change) => change.notify)
        .map((change) => buildAlert(context, change.incident, event, run, lastSuccessAt)),
    };
  };

  return {
    /** A finished SyncWorkflow run: a failure opens (or repeats) an incident, a success closes it. */
    decideOnOutcome: guarded(async (request: OutcomeRequest): Promise<AlertDecision> => {
      const run = await readRun(pool, schema, request.syncRunId);
      if (!run) return { alerts: [] };
      if (request.outcome === 'failed') {
        const change = await recordFailedRun(pool, schema, {
          namespace,
          syncRunId: run.id,
          error: redactSecrets(run.error ?? 'the run failed', secrets),
        });
        const { lastSuccessAt } = await readFreshness(pool, schema, namespace);
        return due(change ? [change] : [], 'opened', run, lastSuccessAt);
      }
      const closed = await closeIncidents(pool, schema, {
        namespace,
        kind: 'sync_failed',
        event: `sync_run:${run.id}`,
        afterSyncRunId: run.id,
      });
      return due(closed, 'closed', run, run.finished_at);
    }),

    /** Stale when no successful sync finished within the window (counted from install if none ever did). */
    checkStaleness: guarded(async (request: StalenessCheckRequest): Promise<StalenessVerdict> => {
      const freshness = await readFreshness(pool, schema, namespace);
      const since = freshness.lastSuccessAt ?? freshness.installedAt ?? freshness.now;
      const ageMs = freshness.now.getTime() - since.getTime();
      const limit = formatDuration(settings.stalenessSeconds * 1000);
      const event = `check:${request.workflowId}:${request.runId}`;
      const lastSuccessAt = freshness.lastSuccessAt?.toISOString() ?? null;
      if (ageMs > settings.stalenessSeconds * 1000) {
        const error = freshness.lastSuccessAt
          ? `no successful sync has finished for ${formatDuration(ageMs)} (last at ${lastSuccessAt}; the limit is ${limit})`
          : `no successful sync has finished since the tables were created ${formatDuration(ageMs)} ago (the limit is ${limit})`;
        const change = await recordStale(pool, schema, { namespace, event, error });
        return {
          stale: true,
          lastSuccessAt,
          ...due(change ? [change] : [], 'opened', undefined, freshness.lastSuccessAt),
        };
      }
      const closed = await closeIncidents(pool, schema, { namespace, kind: 'stale', event });
      return { stale: false, lastSuccessAt, ...due(closed, 'closed', undefined, freshness.lastSuccessAt) };
    }),

    /** Posts one alert to the webhook; retried by AlertWorkflow's policy, never by the sync. */
    deliverAlert: guarded(async (message: AlertMessage): Promise<DeliveryResult> => {
      if (settings.webhookUrl === undefined) return { delivered: false, status: null };
      const status = await postWebhook(
        settings.webhookUrl,
        alertBody(message, settings.format, secrets),
        settings.httpTimeoutMs,
      );
      await markNotified(pool, schema, message.incidentId, message.event);
      return { delivered: true, status };
    }),
  };
}
