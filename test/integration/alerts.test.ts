import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { alertSettings, type AlertSettings } from '../../src/alerts/settings';
import type { DeliveryResult } from '../../src/alerts/types';
import { loadConfig } from '../../src/config';
import type { StalenessCheckResult } from '../../src/workflows/staleness-check';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { countRuns } from '../helpers/seed';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { runSync, startSyncWorker, type RunningWorker } from '../helpers/workers';

const API_KEY = 'tsk_live_AlertApiKey_7171_do_not_send';
const DB_PASSWORD = 'PgPassw0rd-Alert-4b1d';

describe('alerts: one message per incident, delivered without holding up the sync', () => {
  let temporal: TestTemporal;
  let receiver: WebhookReceiver;
  let secrets: string[];
  let baseSettings: AlertSettings;
  const cleanups: Array<() => Promise<void>> = [];

  before(async () => {
    temporal = await startTemporal();
    receiver = await startWebhookReceiver();
    // The worker's configuration as an operator would write it: a password, an API key, a webhook.
    const databaseUrl = new URL(TEST_DATABASE_URL);
    databaseUrl.password = DB_PASSWORD;
    const config = loadConfig({
      DATABASE_URL: databaseUrl.toString(),
      TEMPORAL_API_KEY: API_KEY,
      TEMPORAL_SYNC_ALERT_WEBHOOK_URL: receiver.url,
      TEMPORAL_SYNC_UI_URL: 'http://localhost:8233/',
    });
    secrets = config.secrets;
    baseSettings = alertSettings(config);
    // Two executions that stay open (no worker polls their queue), so a sync always has a page to write.
    for (const id of ['alerted-1', 'alerted-2']) {
      await temporal.sourceClient.workflow.start('neverRuns', { taskQueue: 'nobody', workflowId: id });
    }
    await waitFor('the executions to be listed', async () =>
      (await countRuns(temporal.sourceClient)) >= 2 ? true : undefined,
    );
  });
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
    await receiver?.close();
    await temporal?.stop();
  });

  async function setUp(label: string, settings: Partial<AlertSettings> = {}) {
    const db = await createTestDatabase(label);
    const worker = await startSyncWorker(temporal, db, { secrets, alerts: { ...baseSettings, ...settings } });
    cleanups.push(async () => {
      await worker.stop();
      await db.dispose();
    });
    return { db, worker };
  }

  /** Makes every write to `workflow` fail as a revoked privilege would, with secrets in the message. */
  async function denyWrites(db: TestDatabase): Promise<() => Promise<void>> {
    await db.pool.query(`
      CREATE FUNCTION "${db.schema}".deny_writes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'permission denied for table workflow (password ${DB_PASSWORD}, api key ${API_KEY})'
          USING ERRCODE = '42501';
      END $$;
      CREATE TRIGGER deny_writes BEFORE INSERT ON "${db.schema}".workflow
        FOR EACH STATEMENT EXECUTE FUNCTION "${db.schema}".deny_writes();`);
    return async () => {
      await db.pool.query(`DROP TRIGGER deny_writes ON "${db.schema}".workflow`);
    };
  }

  let syncs = 0;
  async function failingSync(worker: RunningWorker): Promise<string> {
    const workflowId = `alert-failing-${++syncs}`;
    const error = await runSync(temporal, worker, { mode: 'full' }, workflowId).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof WorkflowFailedError, 'the sync failed');
    return workflowId;
  }
  async function succeedingSync(worker: RunningWorker): Promise<string> {
    const workflowId = `alert-ok-${++syncs}`;
    await runSync(temporal, worker, { mode: 'full' }, workflowId);
    return workflowId;
  }

  /** The AlertWorkflows a run started: read from its history, the record of what it decided. */
  async function alertsStartedBy(workflowId: string): Promise<string[]> {
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    return (history.events ?? []).flatMap(
      (event) => event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? [],
    );
  }

  async function delivered(alertWorkflowId: string): Promise<void> {
    const result = (await temporal.client.workflow.getHandle(alertWorkflowId).result()) as DeliveryResult;
    assert.equal(result.delivered, true);
  }

  function checkStaleness(worker: RunningWorker, workflowId: string): Promise<StalenessCheckResult> {
    return temporal.client.workflow.execute('StalenessCheckWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId,
      args: [],
    });
  }

  function assertNoSecret(text: string): void {
    for (const secret of [API_KEY, DB_PASSWORD, receiver.token]) {
      assert.ok(!text.includes(secret), `contains a secret (${secret.slice(0, 10)}…)`);
    }
  }

  it('sends one alert however many runs fail, one recovery when a run succeeds, and no secret', async () => {
    const { db, worker } = await setUp('alerts_failing');
    const allow = await denyWrites(db);
    const before = receiver.received.length;

    const failed = [await failingSync(worker), await failingSync(worker), await failingSync(worker)];
    const started = await Promise.all(failed.map(alertsStartedBy));
    assert.equal(started[0]!.length, 1, 'the first failure opens the incident and starts one alert');
    assert.deepEqual(started.slice(1), [[], []], 'the repeats start none');
    await delivered(started[0]![0]!);
    const opened = receiver.received.slice(before);
    assert.equal(opened.length, 1, 'exactly one message for three failed runs');
    const body = opened[0]!.json;
    assert.equal(body.kind, 'sync_failed');
    assert.equal(body.event, 'opened');
    assert.equal(body.namespace, 'sync-source');
    assert.match(
      String(body.error),
      /permission denied for table workflow \(password \[redacted\], api key \[redacted\]\)/,
    );
    assert.match(
      String(body.link),
      /^http:\/\/localhost:8233\/namespaces\/default\/workflows\/alert-failing-\d+\/[\w-]+\/history$/,
    );
    assert.equal((body.syncRun as { workflowId: string }).workflowId, failed[0]);

    await allow();
    const recovered = await succeedingSync(worker);
    const [recovery] = await alertsStartedBy(recovered);
    assert.ok(recovery, 'the first success after the failures starts the recovery alert');
    await delivered(recovery);
    assert.deepEqual(await alertsStartedBy(await succeedingSync(worker)), [], 'a second success sends nothing');
    const messages = receiver.received.slice(before);
    assert.equal(messages.length, 2);
    assert.equal(messages[1]!.json.event, 'closed');
    assert.equal(messages[1]!.json.occurrences, 3);
    assert.match(String(messages[1]!.json.summary), /recovered: run \d+ completed after 3 failed runs/);

    for (const message of messages) assertNoSecret(message.body);
    for (const id of [failed[0]!, started[0]![0]!, recovery]) {
      assertNoSecret(JSON.stringify(await temporal.client.workflow.getHandle(id).fetchHistory()));
    }
    const { rows } = await db.pool.query(
      `SELECT occurrences, closed_at IS NOT NULL AS closed, open_notified_at IS NOT NULL AS open_sent,
              close_notified_at IS NOT NULL AS close_sent FROM "${db.schema}".alert_incident`,
    );
    assert.deepEqual(rows, [{ occurrences: 3, closed: true, open_sent: true, close_sent: true }]);
  });

  it('sends nothing for activity attempts that fail and then succeed', async () => {
    const { db, worker } = await setUp('alerts_retried');
    await db.pool.query(`
      CREATE SEQUENCE "${db.schema}".attempts;
      CREATE FUNCTION "${db.schema}".fail_twice() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF nextval('"${db.schema}".attempts') <= 2 THEN RAISE EXCEPTION 'injected transient failure'; END IF;
        RETURN NULL;
      END $$;
      CREATE TRIGGER fail_twice BEFORE INSERT ON "${db.schema}".workflow
        FOR EACH STATEMENT EXECUTE FUNCTION "${db.schema}".fail_twice();`);
    const before = receiver.received.length;
    const workflowId = await succeedingSync(worker);
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    const attempts = (history.events ?? []).flatMap((event) => event.activityTaskStartedEventAttributes?.attempt ?? []);
    assert.ok(Math.max(...attempts) >= 3, `the write was retried (attempts ${attempts.join(',')})`);
    assert.deepEqual(await alertsStartedBy(workflowId), []);
    const { rows } = await db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${db.schema}".alert_incident`);
    assert.equal(rows[0]!.n, 0, 'no incident');
    assert.equal(receiver.received.length, before);
  });

  it('ends a run with a retry policy, as the schedules start them, at its first attempt on a cause retrying cannot fix, with one alert', async () => {
    const { db, worker } = await setUp('alerts_policy');
    await denyWrites(db);
    const before = receiver.received.length;
    const workflowId = `alert-policy-${++syncs}`;
    const handle = await temporal.client.workflow.start('SyncWorkflow', {
      taskQueue: worker.taskQueue,
      workflowId,
      args: [{ mode: 'full' }],
      retry: { maximumAttempts: 3, initialInterval: '1 second', backoffCoefficient: 1 },
    });
    const failure = await handle.result().then(
      () => undefined,
      (error: unknown) => error,
    );
    assert.ok(failure instanceof WorkflowFailedError, 'the sync failed');
    assert.ok(failure.cause instanceof ApplicationFailure, 'it ends with an application failure');
    assert.equal(failure.cause.type, 'DatabaseAccessDenied');
    assert.equal(failure.cause.nonRetryable, true, 'which the retry policy does not retry');
    const { rows: runs } = await db.pool.query(`SELECT status FROM "${db.schema}".sync_run WHERE workflow_id = $1`, [
      workflowId,
    ]);
    assert.deepEqual(runs, [{ status: 'failed' }], 'one attempt ran, not three');
    const started = await alertsStartedBy(workflowId);
    assert.equal(started.length, 1, 'the failure opens the incident and starts one alert');
    await delivered(started[0]!);
    assert.equal(receiver.received.length, before + 1);
  });

  it('sends one Slack message when no sync succeeded within the window, none on the next check, one when fresh', async () => {
    const { worker } = await setUp('alerts_stale', { stalenessSeconds: 5, format: 'slack' });
    const before = receiver.received.length;
    await succeedingSync(worker);
    const fresh = await checkStaleness(worker, 'staleness-1');
    assert.deepEqual(fresh, { ...fresh, stale: false, alertsStarted: 0 });

    await new Promise((resolve) => setTimeout(resolve, 5500));
    const stale = await checkStaleness(worker, 'staleness-2');
    assert.equal(stale.stale, true);
    assert.equal(stale.alertsStarted, 1);
    await delivered((await alertsStartedBy('staleness-2'))[0]!);
    const again = await checkStaleness(worker, 'staleness-3');
    assert.deepEqual([again.stale, again.alertsStarted], [true, 0], 'a second stale check sends nothing');

    await succeedingSync(worker);
    const recovered = await checkStaleness(worker, 'staleness-4');
    assert.deepEqual([recovered.stale, recovered.alertsStarted], [false, 1]);
    await delivered((await alertsStartedBy('staleness-4'))[0]!);

    const messages = receiver.received.slice(before);
    assert.equal(messages.length, 2);
    const [opened, closed] = messages.map((message) => message.json as { text: string; blocks: unknown[] });
    assert.match(
      opened!.text,
      /^Data stale: Data of namespace "sync-source" is stale: no successful sync has finished for \d+s/,
    );
    assert.ok(Array.isArray(opened!.blocks) && opened!.blocks.length >= 2, 'Slack blocks');
    assert.match(closed!.text, /^Data fresh again: /);
  });

  it('finishes the sync at once while the webhook is down or slow, and retries the alert until it is delivered', async () => {
    const { db, worker } = await setUp('alerts_down', { httpTimeoutMs: 1000 });
    const allow = await denyWrites(db);
    const before = receiver.received.length;
    await receiver.down();
    try {
      const started = Date.now();
      const failed = await failingSync(worker);
      const elapsed = Date.now() - started;
      // The webhook stays down until after the sync has ended: the bound is only a sanity limit.
      assert.ok(elapsed < 20_000, `the failed sync ended in ${elapsed} ms with the webhook down`);
      const [alertId] = await alertsStartedBy(failed);
      assert.ok(alertId);
      await waitFor('a retried delivery attempt', async () => {
        const description = await temporal.client.workflow.getHandle(alertId).describe();
        const attempt = description.raw.pendingActivities?.[0]?.attempt ?? 0;
        return attempt >= 3 ? true : undefined;
      });
      assert.equal(receiver.received.length, before, 'nothing arrived while the receiver was down');
      await receiver.up();
      await delivered(alertId);
      assert.equal(receiver.received.length, before + 1);

      // Slow: each attempt is cut off at the HTTP timeout and tried again; the sync does not wait for any.
      receiver.setDelay(3000);
      await allow();
      const startedOk = Date.now();
      const recovered = await succeedingSync(worker);
      assert.ok(Date.now() - startedOk < 20_000, 'the successful sync ended at once with the webhook slow');
      const [recoveryId] = await alertsStartedBy(recovered);
      assert.ok(recoveryId);
      await waitFor('an attempt cut off by the timeout', () => (receiver.abandoned() >= 1 ? true : undefined));
      receiver.setDelay(0);
      await delivered(recoveryId);
      assert.equal(receiver.received.length, before + 2);
      assert.equal(receiver.received.at(-1)!.json.event, 'closed');
    } finally {
      receiver.setDelay(0);
      await receiver.up().catch(() => undefined);
    }
  });

  it('completes the sync when the alert bookkeeping itself fails', async () => {
    const { db, worker } = await setUp('alerts_broken');
    await db.pool.query(`DROP TABLE "${db.schema}".alert_incident`);
    const workflowId = await succeedingSync(worker);
    const { rows } = await db.pool.query(`SELECT status FROM "${db.schema}".sync_run`);
    assert.deepEqual(rows, [{ status: 'completed' }]);
    const history = await temporal.client.workflow.getHandle(workflowId).fetchHistory();
    assert.ok(
      (history.events ?? []).some((event) => event.activityTaskFailedEventAttributes),
      'the alert decision failed, and the run completed all the same',
    );
  });
});
