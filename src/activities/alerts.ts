import { Context } from '@temporalio/activity';
import { alertBody } from '../alerts/format';
import { buildAlert } from '../alerts/messages';
import { DEFAULT_ALERT_SETTINGS, type AlertSettings } from '../alerts/settings';
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
import { decideOnData } from './data-alerts';
import { checkDestination } from './destination';
import type { SyncDependencies } from './dependencies';
import { reconcileEndedRuns } from './reconcile';

export interface NamespaceFreshness {
  namespace: string;
  stale: boolean;
  lastSuccessAt: string | null;
}

/** Stale when any namespace is; `lastSuccessAt` is the stalest namespace's. */
export interface StalenessVerdict extends AlertDecision {
  stale: boolean;
  lastSuccessAt: string | null;
  namespaces: NamespaceFreshness[];
}

const settingsOf = (deps: SyncDependencies): AlertSettings => deps.alerts ?? DEFAULT_ALERT_SETTINGS;

/** The messages due for these changes; none without a webhook (the incidents are recorded all the same). */
function due(
  deps: SyncDependencies,
  changes: IncidentChange[],
  event: 'opened' | 'closed',
  run: RunFacts | undefined,
  lastSuccessAt: Date | null,
): AlertDecision {
  const settings = settingsOf(deps);
  for (const { incident, notify } of changes) {
    Context.current().log.info(notify ? `incident ${event}` : 'incident still open: no new alert', {
      incident: incident.id,
      kind: incident.kind,
      subject: incident.subject,
      occurrences: incident.occurrences,
    });
  }
  if (settings.webhookUrl === undefined) return { alerts: [] };
  const context = {
    schema: deps.schema,
    workerNamespace: settings.workerNamespace,
    webUiUrl: settings.webUiUrl,
    secrets: deps.secrets,
  };
  return {
    alerts: changes
      .filter((change) => change.notify)
      .map((change) => buildAlert(context, change.incident, event, run, lastSuccessAt)),
  };
}

/** A failed run (its record already closed): opens its namespace's incident, or is a repeat of the open one. */
async function failed(deps: SyncDependencies, run: RunFacts): Promise<AlertDecision> {
  const change = await recordFailedRun(deps.pool, deps.schema, {
    namespace: run.namespace,
    syncRunId: run.id,
    error: redactSecrets(run.error ?? `the run ended ${run.status}`, deps.secrets),
  });
  const { lastSuccessAt } = await readLastSuccess(deps.pool, deps.schema, run.namespace);
  return due(deps, change ? [change] : [], 'opened', run, lastSuccessAt);
}

/** A finished SyncWorkflow run: a failure opens (or repeats) an incident, a success closes it. */
export async function decideOnOutcome(
  deps: SyncDependencies,
  request: OutcomeRequest & { destination?: string },
): Promise<AlertDecision> {
  checkDestination(deps, request, { retryable: true });
  const run = await readRunFacts(deps.pool, deps.schema, request.syncRunId);
  if (!run) return { alerts: [] };
  if (request.outcome === 'failed') return failed(deps, run);
  const closed = await closeIncidents(deps.pool, deps.schema, {
    namespace: run.namespace,
    kind: 'sync_failed',
    event: `sync_run:${run.id}`,
    afterSyncRunId: run.id,
  });
  const data = await decideOnData(deps, run);
  const decisions = [
    due(deps, [...closed, ...data.closed], 'closed', run, run.finished_at),
    due(deps, data.opened, 'opened', run, run.finished_at),
  ];
  return { alerts: decisions.flatMap((decision) => decision.alerts) };
}

/**
 * Closes the records of runs that ended outside their own code (terminated, timed out), each a failure;
 * every namespace's, as they are all this deployment's runs.
 */
export async function reconcileRuns(
  deps: SyncDependencies,
  _request: { namespace?: string | undefined },
): Promise<AlertDecision> {
  const decisions: AlertDecision[] = [];
  for (const run of await reconcileEndedRuns(deps)) decisions.push(await failed(deps, run));
  return { alerts: decisions.flatMap((decision) => decision.alerts) };
}

/** Every namespace this deployment syncs, stale or fresh, each with its own incident and alerts. */
export async function checkStaleness(
  deps: SyncDependencies,
  request: StalenessCheckRequest,
): Promise<StalenessVerdict> {
  const verdicts: Array<NamespaceFreshness & AlertDecision> = [];
  const { namespaces, unlisted } = await deps.sources.namespaces();
  // A connection that does not answer now is no sign its namespaces are gone: they are the ones about
  // to go stale. Their freshness is in the tables, so those it listed last are still checked; only a
  // worker that never reached it (just started) has none to check, and their failing syncs alert.
  for (const { problem, lastListed } of unlisted) {
    Context.current().log.warn('namespaces not listed: checking those listed last', {
      problem: redactSecrets(problem, deps.secrets),
      lastListed,
    });
  }
  for (const namespace of new Set([...namespaces, ...unlisted.flatMap((entry) => entry.lastListed)]))
    verdicts.push(await checkNamespace(deps, request, namespace));
  const stale = verdicts.filter((verdict) => verdict.stale);
  const oldestFirst = [...(stale.length > 0 ? stale : verdicts)].sort((a, b) =>
    (a.lastSuccessAt ?? '').localeCompare(b.lastSuccessAt ?? ''),
  );
  return {
    stale: stale.length > 0,
    lastSuccessAt: oldestFirst[0]?.lastSuccessAt ?? null,
    namespaces: verdicts.map(({ namespace, stale: isStale, lastSuccessAt }) => ({
      namespace,
      stale: isStale,
      lastSuccessAt,
    })),
    alerts: verdicts.flatMap((verdict) => verdict.alerts),
  };
}

/** Stale when no successful sync finished within the window (counted from install if none ever did). */
async function checkNamespace(
  deps: SyncDependencies,
  request: StalenessCheckRequest,
  namespace: string,
): Promise<NamespaceFreshness & AlertDecision> {
  const { stalenessSeconds } = settingsOf(deps);
  const { now, lastSuccessAt } = await readLastSuccess(deps.pool, deps.schema, namespace);
  const since = lastSuccessAt ?? (await readInstalledAt(deps.pool, deps.schema)) ?? now;
  const ageMs = now.getTime() - since.getTime();
  const limit = formatDuration(stalenessSeconds * 1000);
  const event = `check:${request.workflowId}:${request.runId}`;
  const last = lastSuccessAt?.toISOString() ?? null;
  if (ageMs <= stalenessSeconds * 1000) {
    const closed = await closeIncidents(deps.pool, deps.schema, { namespace, kind: 'stale', event });
    return { namespace, stale: false, lastSuccessAt: last, ...due(deps, closed, 'closed', undefined, lastSuccessAt) };
  }
  const error = lastSuccessAt
    ? `no successful sync has finished for ${formatDuration(ageMs)} (last at ${last}; the limit is ${limit})`
    : `no successful sync has finished since the tables were created ${formatDuration(ageMs)} ago (the limit is ${limit})`;
  const change = await recordStale(deps.pool, deps.schema, { namespace, event, error });
  const opened = due(deps, change ? [change] : [], 'opened', undefined, lastSuccessAt);
  return { namespace, stale: true, lastSuccessAt: last, ...opened };
}

/** Posts one alert to the webhook; retried by AlertWorkflow's policy, never by the sync. */
export async function deliverAlert(deps: SyncDependencies, message: AlertMessage): Promise<DeliveryResult> {
  const settings = settingsOf(deps);
  if (settings.webhookUrl === undefined) return { delivered: false, status: null };
  const status = await postWebhook(
    settings.webhookUrl,
    alertBody(message, settings.format, deps.secrets),
    settings.httpTimeoutMs,
  );
  await markNotified(deps.pool, deps.schema, message.incidentId, message.event);
  return { delivered: true, status };
}
