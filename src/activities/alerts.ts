import { Context } from '@temporalio/activity';
import { alertBody } from '../alerts/format';
import { buildAlert } from '../alerts/messages';
import { DEFAULT_ALERT_SETTINGS } from '../alerts/settings';
import type {
  AlertDecision,
  AlertMessage,
  DeliveryResult,
  OutcomeRequest,
  StalenessCheckRequest,
} from '../alerts/types';
import { postWebhook } from '../alerts/webhook';
import { closeIncidents, markNotified, recordFailedRun, recordStale, type IncidentChange } from '../db/incidents';
import { readInstalledAt } from '../db/migrate';
import { readLastSuccess, readRunFacts, type RunFacts } from '../db/sync-runs';
import { formatDuration } from '../duration';
import { redactSecrets } from '../redact';
import { checkDestination } from './destination';
import type { SyncDependencies } from './dependencies';
import { reconcileEndedRuns } from './reconcile';

export interface StalenessVerdict extends AlertDecision {
  stale: boolean;
  lastSuccessAt: string | null;
}

/** Activities that turn outcomes into incidents and deliver their alerts. */
export function createAlertActivities(deps: SyncDependencies) {
  const { pool, schema, secrets } = deps;
  const settings = deps.alerts ?? DEFAULT_ALERT_SETTINGS;
  const context = { schema, workerNamespace: settings.workerNamespace, webUiUrl: settings.webUiUrl, secrets };

  /** The messages due for these changes; none without a webhook (the incidents are recorded all the same). */
  const due = (
    changes: IncidentChange[],
    event: 'opened' | 'closed',
    run: RunFacts | undefined,
    lastSuccessAt: Date | null,
  ): AlertDecision => {
    for (const { incident, notify } of changes) {
      Context.current().log.info(notify ? `incident ${event}` : 'incident still open: no new alert', {
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

  /** A failed run (its record already closed): opens its namespace's incident, or is a repeat of the open one. */
  const failed = async (run: RunFacts & { namespace: string }): Promise<AlertDecision> => {
    const change = await recordFailedRun(pool, schema, {
      namespace: run.namespace,
      syncRunId: run.id,
      error: redactSecrets(run.error ?? `the run ended ${run.status}`, secrets),
    });
    const { lastSuccessAt } = await readLastSuccess(pool, schema, run.namespace);
    return due(change ? [change] : [], 'opened', run, lastSuccessAt);
  };

  return {
    /** A finished SyncWorkflow run: a failure opens (or repeats) an incident, a success closes it. */
    async decideOnOutcome(request: OutcomeRequest & { destination?: string }): Promise<AlertDecision> {
      checkDestination(deps, request, { retryable: true });
      const run = await readRunFacts(pool, schema, request.syncRunId);
      if (!run) return { alerts: [] };
      if (request.outcome === 'failed') return failed(run);
      const closed = await closeIncidents(pool, schema, {
        namespace: run.namespace,
        kind: 'sync_failed',
        event: `sync_run:${run.id}`,
        afterSyncRunId: run.id,
      });
      return due(closed, 'closed', run, run.finished_at);
    },

    /** Closes the records of runs that ended outside their own code (terminated, timed out), each a failure. */
    async reconcileRuns(request: { namespace?: string | undefined }): Promise<AlertDecision> {
      const namespace = request.namespace ?? deps.sources.defaultNamespace;
      const ended = await reconcileEndedRuns(deps, namespace);
      const decisions = [];
      for (const run of ended) decisions.push(await failed({ ...run, namespace }));
      return { alerts: decisions.flatMap((decision) => decision.alerts) };
    },

    /** Stale when no successful sync finished within the window (counted from install if none ever did). */
    async checkStaleness(request: StalenessCheckRequest): Promise<StalenessVerdict> {
      const namespace = deps.sources.defaultNamespace;
      const { now, lastSuccessAt } = await readLastSuccess(pool, schema, namespace);
      const since = lastSuccessAt ?? (await readInstalledAt(pool, schema)) ?? now;
      const ageMs = now.getTime() - since.getTime();
      const limit = formatDuration(settings.stalenessSeconds * 1000);
      const event = `check:${request.workflowId}:${request.runId}`;
      const last = lastSuccessAt?.toISOString() ?? null;
      if (ageMs <= settings.stalenessSeconds * 1000) {
        const closed = await closeIncidents(pool, schema, { namespace, kind: 'stale', event });
        return { stale: false, lastSuccessAt: last, ...due(closed, 'closed', undefined, lastSuccessAt) };
      }
      const error = lastSuccessAt
        ? `no successful sync has finished for ${formatDuration(ageMs)} (last at ${last}; the limit is ${limit})`
        : `no successful sync has finished since the tables were created ${formatDuration(ageMs)} ago (the limit is ${limit})`;
      const change = await recordStale(pool, schema, { namespace, event, error });
      return { stale: true, lastSuccessAt: last, ...due(change ? [change] : [], 'opened', undefined, lastSuccessAt) };
    },

    /** Posts one alert to the webhook; retried by AlertWorkflow's policy, never by the sync. */
    async deliverAlert(message: AlertMessage): Promise<DeliveryResult> {
      if (settings.webhookUrl === undefined) return { delivered: false, status: null };
      const status = await postWebhook(
        settings.webhookUrl,
        alertBody(message, settings.format, secrets),
        settings.httpTimeoutMs,
      );
      await markNotified(pool, schema, message.incidentId, message.event);
      return { delivered: true, status };
    },
  };
}
