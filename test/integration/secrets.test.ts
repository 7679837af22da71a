import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';

const API_KEY = 'tsk_live_SecretApiKey_4242_do_not_print';
const DB_PASSWORD = 'PgPassw0rd-Secret-9f3e';
const TLS_KEY_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQSecretKeyMaterial';
const TLS_KEY = `-----BEGIN PRIVATE KEY-----\n${TLS_KEY_BODY}\n-----END PRIVATE KEY-----\n`;
const TLS_CERT = '-----BEGIN CERTIFICATE-----\nMIIBfakecertificate\n-----END CERTIFICATE-----\n';

function withPassword(url: string): string {
  const withSecret = new URL(url);
  withSecret.password = DB_PASSWORD; // trust auth on the test server ignores it; the worker still carries it
  return withSecret.toString();
}

/** Everything a person could read: text as it is, and every base64 payload decoded. */
function readable(value: unknown): string {
  const text = JSON.stringify(value);
  const decoded = [...text.matchAll(/"data":"([A-Za-z0-9+/=]+)"/g)].map((match) =>
    Buffer.from(match[1]!, 'base64').toString('utf8'),
  );
  return [text, ...decoded].join('\n');
}

function assertNoSecret(where: string, text: string, extra: string[] = []): void {
  for (const secret of [API_KEY, DB_PASSWORD, TLS_KEY_BODY, ...extra]) {
    assert.ok(!text.includes(secret), `${where} contains a secret (${secret.slice(0, 12)}…)`);
    assert.ok(!text.includes(Buffer.from(secret).toString('base64')), `${where} contains a secret in base64`);
  }
}

describe('secrets and bad settings', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  const workers: WorkerProcess[] = [];

  before(async () => {
    temporal = await startTemporal();
    db = await createTestDatabase('secrets');
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver?.close();
    for (const worker of workers) await worker.stop('SIGKILL');
    await db?.dispose();
    await temporal?.stop();
  });

  it('keeps the API key, the database password and the webhook URL out of logs, errors, sync_run, history and alerts', async () => {
    const taskQueue = `secrets-${db.schema}`;
    const worker = spawnWorker({
      DATABASE_URL: withPassword(TEST_DATABASE_URL),
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_API_KEY: API_KEY,
      TEMPORAL_TLS: 'false',
      TEMPORAL_SYNC_TASK_QUEUE: taskQueue,
      // A namespace that does not exist: the run fails, and its failure travels everywhere.
      TEMPORAL_SYNC_SOURCE_NAMESPACE: 'namespace-that-does-not-exist',
      TEMPORAL_SYNC_LOG_LEVEL: 'debug',
      TEMPORAL_SYNC_ALERT_WEBHOOK_URL: receiver.url,
    });
    workers.push(worker);
    await worker.waitForOutput(/worker ready/);
    const handle = await temporal.client.workflow.start('SyncWorkflow', {
      taskQueue,
      workflowId: 'failing-with-secrets',
      args: [{ mode: 'full' }],
    });
    const error = await handle.result().then(
      () => undefined,
      (failure: unknown) => failure,
    );
    assert.ok(error instanceof WorkflowFailedError, 'the run failed');
    const [alert] = await waitFor('the failure alert', () =>
      receiver.received.length > 0 ? receiver.received : undefined,
    );
    assert.equal(alert!.json.kind, 'sync_failed');
    assertNoSecret('the alert', alert!.body, [receiver.token]);
    assert.equal(await worker.stop('SIGTERM'), 0);

    const { rows } = await db.pool.query<{ row: { status: string } }>(
      `SELECT to_jsonb(r) AS row FROM "${db.schema}".sync_run r`,
    );
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.row.status, 'failed');
    assertNoSecret('sync_run', readable(rows));
    assertNoSecret('the worker log', worker.output(), [receiver.token]);
    assertNoSecret('the failure', readable({ message: error.message, cause: String(error.cause), stack: error.stack }));
    assertNoSecret('the workflow history', readable(await handle.fetchHistory()), [receiver.token]);
    const alertWorkflowId = (await handle.fetchHistory()).events?.flatMap(
      (event) => event.startChildWorkflowExecutionInitiatedEventAttributes?.workflowId ?? [],
    )[0];
    assert.ok(alertWorkflowId, 'the failed run started an AlertWorkflow');
    const alertHistory = await temporal.client.workflow.getHandle(alertWorkflowId).fetchHistory();
    assertNoSecret('the alert workflow history', readable(alertHistory), [receiver.token]);
    assert.match(worker.output(), /DEBUG|debug/, 'the log was at its most talkative');
  });

  it('names a TLS key that is no key, and keeps it out of the message', async () => {
    const worker = spawnWorker({
      DATABASE_URL: withPassword(TEST_DATABASE_URL),
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_SYNC_SOURCE_ADDRESS: temporal.address,
      TEMPORAL_SYNC_SOURCE_TLS_CLIENT_CERT_DATA: TLS_CERT,
      TEMPORAL_SYNC_SOURCE_TLS_CLIENT_KEY_DATA: TLS_KEY,
    });
    workers.push(worker);
    assert.equal(await worker.exited, 2, 'a setting to fix');
    assert.deepEqual(worker.output().trimEnd().split('\n'), [
      'temporal-sync worker: TEMPORAL_SYNC_SOURCE_TLS_CLIENT_CERT_DATA holds no PEM certificate (a BEGIN CERTIFICATE block)',
      'temporal-sync worker: TEMPORAL_SYNC_SOURCE_TLS_CLIENT_KEY_DATA holds no PEM private key (a BEGIN PRIVATE KEY block)',
    ]);
    assertNoSecret('the start-up error', worker.output());
  });

  it('keeps the log readable when a short password is part of the task queue and the host name', async () => {
    // "local" is the database password, and also part of the task queue and of "localhost", the
    // address of Postgres and of Temporal: the compose file's case (password "temporal",
    // queue "temporal-sync", address temporal:7233), on names that resolve here.
    const port = new URL(`http://${temporal.address}`).port;
    const taskQueue = `local-sync-${db.schema}`;
    const worker = spawnWorker({
      DATABASE_URL: 'postgres://root:local@localhost:5432/test',
      TEMPORAL_SYNC_SCHEMA: db.schema,
      TEMPORAL_ADDRESS: `localhost:${port}`,
      TEMPORAL_SYNC_TASK_QUEUE: taskQueue,
      TEMPORAL_SYNC_SOURCE_NAMESPACE: 'namespace-that-does-not-exist',
      TEMPORAL_SYNC_LOG_FORMAT: 'json',
      TEMPORAL_SYNC_LOG_LEVEL: 'debug',
    });
    workers.push(worker);
    await worker.waitForOutput(/worker ready/);
    const handle = await temporal.client.workflow.start('SyncWorkflow', {
      taskQueue,
      workflowId: `short-password-${db.schema}`,
      args: [{ mode: 'full', streams: ['workflows'] }],
    });
    await handle.result().catch(() => undefined);
    assert.equal(await worker.stop('SIGTERM'), 0);
    const messages = worker
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => String((JSON.parse(line) as { msg: unknown }).msg));
    const ready = messages.find((message) => message.includes('worker ready')) ?? '';
    assert.match(ready, new RegExp(`polling task queue "${taskQueue}" in namespace "default" at localhost:${port};`));
    assert.match(ready, new RegExp(`into schema "${db.schema}"`));
    assert.doesNotMatch(worker.output(), /\[redacted\]/, 'nothing in this log is a secret: nothing is garbled');
    assert.doesNotMatch(worker.output(), /:local@/, 'the password never appears where it stands in the URL');
    const stored = await db.pool.query<{ error: string }>(
      `SELECT error FROM "${db.schema}".sync_run WHERE error IS NOT NULL`,
    );
    assert.ok(stored.rows.length > 0, 'the failed run recorded its error');
    assert.doesNotMatch(stored.rows[0]!.error, /\[redacted\]/, 'the stored error is readable too');
  });

  it('stops at once on bad settings, one line for each, with exit code 2', async () => {
    const worker = spawnWorker({
      DATABASE_URL: 'mysql://someone:hunter2@db/x',
      TEMPORAL_SYNC_SCHEMA: 'x; DROP TABLE users',
      TEMPORAL_SYNC_DB_POOL_MAX: 'lots',
    });
    workers.push(worker);
    assert.equal(await worker.exited, 2);
    const lines = worker.output().trimEnd().split('\n');
    assert.ok(
      lines.every((line) => line.startsWith('temporal-sync worker: ')),
      worker.output(),
    );
    assert.equal(lines.length, 3, worker.output());
    assert.match(worker.output(), /DATABASE_URL must be a postgres:\/\//);
    assert.match(worker.output(), /TEMPORAL_SYNC_SCHEMA must be a plain lower-case SQL identifier/);
    assert.match(worker.output(), /TEMPORAL_SYNC_DB_POOL_MAX must be a whole number/);
    assert.doesNotMatch(worker.output(), /hunter2/);
  });
});
