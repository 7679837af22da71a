import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, ScheduleNotFoundError } from '@temporalio/client';
import type { Duration } from '@temporalio/common';
import { freeLoopbackPort } from '../../src/observability/core-metrics';
import { SYNC_METRIC_NAMES } from '../../src/observability/metrics';
import type { StatusReport } from '../../src/status/types';
import type { SyncSummary } from '../../src/workflows/sync-workflow';
import { aesCodec } from '../helpers/aes-codec';
import { startCodecServer, type CodecServer } from '../helpers/codec-server';
import { runCli, runEntryPoint } from '../helpers/command';
import { comparable, keyed, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, TEST_DATABASE_URL, type TestDatabase } from '../helpers/postgres';
import { expectedWorkflowRows } from '../helpers/seed';
import { startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { workflowBundleFile } from '../helpers/workers';

const ACCOUNT_A = ['sync-source', 'team-a2', 'team-a3'];
const ACCOUNT_B = 'team-b1';
const KEY_A = `tsk_account_a_${randomBytes(8).toString('hex')}`;
const KEY_B = `tsk_account_b_${randomBytes(8).toString('hex')}`;
const CODEC_AUTH = `Bearer codec-${randomBytes(8).toString('hex')}`;
const SECRETS = [KEY_A, KEY_B, CODEC_AUTH];
const TASK_QUEUE = 'namespaces-sync';

/** Starts `count` runs that stay open (no worker polls their queue) and terminates every third. */
async function seed(client: Client, count: number, memo: (i: number) => Record<string, unknown>): Promise<void> {
  for (let i = 0; i < count; i += 1) {
    const handle = await client.workflow.start('neverRuns', {
      taskQueue: 'nobody',
      workflowId: `${client.options.namespace}-run-${i}`,
      memo: memo(i),
    });
    if (i % 3 === 0) await handle.terminate('seeded as terminated');
  }
  await waitFor(`${count} runs listed in ${client.options.namespace}`, async () => {
    const { count: listed } = await client.workflowService.countWorkflowExecutions({
      namespace: client.options.namespace,
    });
    return Number(listed) === count ? true : undefined;
  });
}

describe('one deployment for many namespaces on two servers', () => {
  let a: TestTemporal;
  let b: TestTemporal;
  let bPort: number;
  let bFolder: string;
  let db: TestDatabase;
  let receiver: WebhookReceiver;
  let codec: CodecServer;
  let worker: WorkerProcess;
  const key = randomBytes(32);
  const clients = new Map<string, Client>();

  const startB = () =>
    startTemporal(['--namespace', ACCOUNT_B, '--db-filename', path.join(bFolder, 'temporal.db')], { port: bPort });
  const clientB = () =>
    new Client({
      connection: b.env.connection,
      namespace: ACCOUNT_B,
      dataConverter: { payloadCodecs: [aesCodec(key)] },
    });

  /** The namespaces definition, as an operator writes it: two accounts, each key named, never written. */
  const definition = (namespaces = `[sync-source, "team-*"]`, addressA = a.address) => `
connections:
  account-a: { address: "${addressA}", apiKeyEnv: KEY_A, tls: { disabled: true } }
  account-b:
    address: "${b.address}"
    apiKeyEnv: KEY_B
    tls: { disabled: true }
    codec: { endpoint: "${codec.url}", authEnv: CODEC_AUTH_B }
namespaces:
  - { all: true, connection: account-a, include: ${namespaces} }
  - { namespace: ${ACCOUNT_B}, connection: account-b, pageSize: 2 }
`;
  const deploymentEnv = (namespaces?: string, addressA?: string) => ({
    DATABASE_URL: TEST_DATABASE_URL,
    TEMPORAL_SYNC_SCHEMA: db.schema,
    TEMPORAL_ADDRESS: a.address,
    TEMPORAL_SYNC_TASK_QUEUE: TASK_QUEUE,
    TEMPORAL_SYNC_NAMESPACES: definition(namespaces, addressA),
    KEY_A,
    KEY_B,
    CODEC_AUTH_B: CODEC_AUTH,
    TEMPORAL_SYNC_ALERT_WEBHOOK_URL: receiver.url,
  });

  before(async () => {
    bPort = await freeLoopbackPort();
    bFolder = mkdtempSync(path.join(tmpdir(), 'temporal-sync-account-b-'));
    a = await startTemporal(['--namespace', 'team-a2', '--namespace', 'team-a3']);
    b = await startB();
    receiver = await startWebhookReceiver();
    codec = await startCodecServer(aesCodec(key), CODEC_AUTH);
    db = await createTestDatabase('namespaces');
    for (const [index, namespace] of ACCOUNT_A.entries()) {
      const client = new Client({ connection: a.env.connection, namespace });
      clients.set(namespace, client);
      await seed(client, 4 + index * 3, (i) => ({ team: namespace, i }));
    }
    await seed(clientB(), 9, (i) => ({ owner: 'team-b', i, secret: 'only the codec knows' }));
    worker = spawnWorker({
      ...deploymentEnv(),
      TEMPORAL_SYNC_WORKFLOW_BUNDLE: await workflowBundleFile(),
      TEMPORAL_SYNC_LOG_FORMAT: 'json',
      TEMPORAL_SYNC_LOG_LEVEL: 'debug',
    });
    await worker.waitForOutput(/worker ready/);
  });
  after(async () => {
    await worker?.stop('SIGKILL');
    await db?.dispose();
    await codec?.close();
    await receiver?.close();
    await b?.stop();
    await a?.stop();
    if (bFolder) rmSync(bFolder, { recursive: true, force: true });
  });

  const sync = (namespace: string, extra: Record<string, unknown> = {}, options: { timeout?: Duration } = {}) =>
    a.client.workflow.execute('SyncWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: `sync-${namespace}-${randomBytes(3).toString('hex')}`,
      args: [{ mode: 'full', namespace, ...extra }],
      ...(options.timeout ? { workflowExecutionTimeout: options.timeout } : {}),
    }) as Promise<SyncSummary>;

  async function assertNamespaceEqualsServer(namespace: string, client: Client): Promise<void> {
    const expected = await expectedWorkflowRows(client);
    const stored = keyed(await tableRows(db.pool, db.schema, 'workflow', namespace), workflowKey);
    assert.equal(stored.size, expected.length, `${namespace}: one row per listed execution, nothing else`);
    for (const row of expected) {
      const found = stored.get(workflowKey(row as never));
      assert.ok(found, `${namespace}: a row for ${row.workflow_id}`);
      assert.equal(found.deleted_at, null);
      if (namespace !== ACCOUNT_B) assert.deepEqual(comparable(found), comparable(row));
    }
  }

  it('syncs every namespace of both accounts into its own rows, equal to what each server lists, and decodes memos through the codec', async () => {
    const summaries = await Promise.all([...ACCOUNT_A, ACCOUNT_B].map((namespace) => sync(namespace)));
    assert.ok(summaries.every((summary) => summary.streams.workflows!.full));
    for (const namespace of ACCOUNT_A) await assertNamespaceEqualsServer(namespace, clients.get(namespace)!);
    await assertNamespaceEqualsServer(ACCOUNT_B, clientB());
    const { rows } = await db.pool.query<{ namespace: string; n: number }>(
      `SELECT namespace, count(*)::int AS n FROM "${db.schema}".workflow GROUP BY namespace ORDER BY namespace`,
    );
    assert.deepEqual(
      rows.map((row) => [row.namespace, row.n]),
      [
        ['sync-source', 4],
        ['team-a2', 7],
        ['team-a3', 10],
        [ACCOUNT_B, 9],
      ],
      'each namespace its own rows, and none of the worker namespace (default)',
    );
    const memos = await tableRows(db.pool, db.schema, 'workflow', ACCOUNT_B);
    for (const row of memos) {
      assert.deepEqual(row.memo, {
        owner: 'team-b',
        i: Number(String(row.workflow_id).split('-').at(-1)),
        secret: 'only the codec knows',
      });
    }
    assert.ok(
      codec.requests.every((request) => request.namespace === ACCOUNT_B),
      'the codec is asked only for its namespace',
    );
    assert.ok(codec.requests.length >= Math.ceil(9 / 2), 'one request a page (page size 2 for this namespace)');
  });

  it('a namespace whose server stops mid-sync fails alone, with one alert naming it; when back, the next sync catches up', async () => {
    const alertsBefore = receiver.received.length;
    const stalled = sync(ACCOUNT_B, { activityMaxSeconds: 0 }, { timeout: '20 seconds' }).then(
      () => 'completed',
      () => 'failed',
    );
    await waitFor('a page of team-b1 written', async () => {
      const { rows } = await db.pool.query<{ pages: number }>(
        `SELECT coalesce(sum(p.pages), 0)::int AS pages FROM "${db.schema}".sync_partition p
         JOIN "${db.schema}".sync_run r ON r.id = p.sync_run_id WHERE r.namespace = $1 AND r.status = 'running'`,
        [ACCOUNT_B],
      );
      return rows[0]!.pages > 0 ? true : undefined;
    });
    await b.stop();
    const others = await Promise.all(ACCOUNT_A.map((namespace) => sync(namespace, { mode: 'incremental' })));
    assert.equal(others.length, 3, 'the other namespaces complete while one server is down');
    assert.equal(await stalled, 'failed', 'the sync of the namespace whose server stopped does not complete');
    // The staleness check closes the records of runs that ended outside their code, and alerts.
    await a.client.workflow.execute('StalenessCheckWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId: `check-${Date.now()}`,
    });
    const alert = await waitFor('one alert naming the namespace', () => {
      const fresh = receiver.received.slice(alertsBefore).filter((request) => request.json.kind === 'sync_failed');
      return Promise.resolve(fresh.length > 0 ? fresh : undefined);
    });
    assert.equal(alert.length, 1, 'one alert for the incident');
    assert.equal(alert[0]!.json.namespace, ACCOUNT_B);
    assert.match(String(alert[0]!.json.summary), new RegExp(ACCOUNT_B));

    b = await startB();
    await sync(ACCOUNT_B);
    await assertNamespaceEqualsServer(ACCOUNT_B, clientB());
  });

  it('stores memos raw, and counts them, when the codec server is down, and the pass still completes', async () => {
    await codec.close();
    const summary = await sync(ACCOUNT_B);
    assert.equal(summary.streams.workflows!.rows, 9);
    const memos = await tableRows(db.pool, db.schema, 'workflow', ACCOUNT_B);
    for (const row of memos) {
      const memo = row.memo as Record<string, { _encoding?: string }>;
      assert.equal(memo.owner?._encoding, 'binary/encrypted', 'the raw payload, with its encoding named');
    }
    const metrics = await (await fetch(`http://127.0.0.1:${worker.httpPort()}/metrics`)).text();
    const undecoded = metrics
      .split('\n')
      .find((line) => line.startsWith(`${SYNC_METRIC_NAMES.codecFailed}{namespace="${ACCOUNT_B}"}`));
    assert.ok(undecoded && Number(undecoded.split(' ').at(-1)) >= 9 * 3, `counted: ${undecoded}`);
  });

  it('shows every namespace in npm run status, the worst first, in text and in JSON', async () => {
    const env = deploymentEnv();
    const text = await runEntryPoint('status', [], env);
    assert.match(text.stdout, /^namespaces, the worst first:$/m, text.stdout + text.stderr);
    for (const namespace of [...ACCOUNT_A, ACCOUNT_B])
      assert.match(text.stdout, new RegExp(`^  [A-Z]+ +${namespace} `, 'm'));
    const json = await runEntryPoint('status', ['--json'], env);
    const report = JSON.parse(json.stdout) as StatusReport;
    assert.deepEqual(report.namespaceVerdicts.map((v) => v.namespace).sort(), [...ACCOUNT_A, ACCOUNT_B].sort());
    const severity = ['failing', 'stale', 'unknown', 'ok'];
    const order = report.namespaceVerdicts.map((v) => severity.indexOf(v.status));
    assert.deepEqual(
      order,
      [...order].sort((x, y) => x - y),
      'the worst first',
    );
  });

  it('creates each namespace its own schedules, lists them by namespace, and prunes those of a namespace removed', async () => {
    const applied = await runCli('schedules', ['apply'], deploymentEnv());
    assert.equal(applied.code, 0, applied.stdout + applied.stderr);
    for (const namespace of [...ACCOUNT_A, ACCOUNT_B]) {
      assert.match(applied.stdout, new RegExp(`^namespace ${namespace}:$`, 'm'));
      assert.match(applied.stdout, new RegExp(`\\+ temporal-sync-hourly-incremental--${namespace}: created`));
    }
    const listed = await runCli('schedules', ['list'], deploymentEnv());
    assert.match(listed.stdout, /^namespace team-a2:\n {2}ID /m, listed.stdout);
    const described = await a.client.schedule.getHandle(`temporal-sync-daily-full--${ACCOUNT_B}`).describe();
    assert.deepEqual(described.action.type === 'startWorkflow' ? described.action.args : [], [
      { mode: 'full', pageSize: 2, namespace: ACCOUNT_B },
    ]);
    const pruned = await runCli('schedules', ['apply', '--prune'], deploymentEnv('[sync-source, team-a2]'));
    assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
    assert.match(pruned.stdout, /- temporal-sync-hourly-incremental--team-a3: deleted/);
    assert.match(pruned.stdout, /- temporal-sync-daily-full--team-a3: deleted/);
  });

  const scheduleExists = (id: string) =>
    a.client.schedule
      .getHandle(id)
      .describe()
      .then(
        () => true,
        (error: unknown) => {
          if (error instanceof ScheduleNotFoundError) return false;
          throw error;
        },
      );

  it('an `all` connection that cannot list its namespaces: --prune refuses and deletes nothing, apply and diff apply or show the others and fail', async () => {
    // Nobody listens on a free loopback port: account-a's server is "down" for the command.
    const down = `127.0.0.1:${await freeLoopbackPort()}`;
    const env = deploymentEnv('[sync-source, team-a2]', down);
    const kept = ['sync-source', 'team-a2'].flatMap((ns) => [
      `temporal-sync-hourly-incremental--${ns}`,
      `temporal-sync-daily-full--${ns}`,
    ]);
    for (const id of kept) assert.ok(await scheduleExists(id), `${id} exists before`);
    const check = new RegExp(
      `TEMPORAL_SYNC_NAMESPACES: namespaces\\[0\\]: connection "account-a" at ${down.replace(/\./g, '\\.')} did not list its namespaces \\(.+\\): check TEMPORAL_SYNC_NAMESPACES: connections\\.account-a\\.address`,
    );

    const pruned = await runCli('schedules', ['apply', '--prune'], env);
    assert.equal(pruned.code, 1, pruned.stdout + pruned.stderr);
    assert.equal(pruned.stdout, '', 'refused before printing any change');
    assert.match(pruned.stderr, /^schedules: cannot prune: /);
    assert.match(pruned.stderr, check);
    assert.match(pruned.stderr, /nothing was changed/);
    for (const id of kept) assert.ok(await scheduleExists(id), `${id} is not deleted`);

    const applied = await runCli('schedules', ['apply'], env);
    assert.equal(applied.code, 1, 'a connection not listed is a failure, even with the others applied');
    assert.match(
      applied.stdout,
      new RegExp(`^namespace ${ACCOUNT_B}:\n {2}= temporal-sync-hourly-incremental--${ACCOUNT_B}: unchanged$`, 'm'),
    );
    assert.doesNotMatch(applied.stdout, /sync-source|team-a2/);
    assert.match(applied.stderr, check);
    assert.match(applied.stderr, /the schedules of its namespaces were left as they are$/m);

    const diffed = await runCli('schedules', ['diff'], env);
    assert.equal(diffed.code, 2, 'diff could not tell: trouble, not "differs"');
    assert.match(diffed.stderr, check);
    const diffPrune = await runCli('schedules', ['diff', '--prune'], env);
    assert.equal(diffPrune.code, 2);
    assert.match(diffPrune.stderr, /^schedules: cannot prune: /);

    for (const result of [pruned, applied, diffed, diffPrune])
      for (const secret of SECRETS)
        assert.ok(!(result.stdout + result.stderr).includes(secret), 'no secret in what the command prints');
    for (const id of kept) assert.ok(await scheduleExists(id), `${id} still exists`);
  });

  it('schedules diff shows, namespace by namespace, what apply would create, update and prune, and changes nothing', async () => {
    const same = await runCli('schedules', ['diff', '--prune'], deploymentEnv('[sync-source, team-a2]'));
    assert.equal(same.code, 0, same.stdout + same.stderr);
    assert.match(same.stdout, /^nothing to change$/m);

    const env = {
      ...deploymentEnv('[sync-source, team-a3]'),
      TEMPORAL_SYNC_SCHEDULES: JSON.stringify({
        schedules: [{ id: 'temporal-sync-daily-full', spec: { cron: '0 4 * * *', jitter: '5m' } }],
      }),
    };
    const dailyBefore = await a.client.schedule.getHandle('temporal-sync-daily-full--sync-source').describe();
    const diffed = await runCli('schedules', ['diff', '--prune'], env);
    assert.equal(diffed.code, 1, diffed.stdout + diffed.stderr);
    // The lines under each `namespace X:` heading, up to the next.
    const groups = new Map<string, string[]>();
    let current: string[] | undefined;
    for (const line of diffed.stdout.split('\n')) {
      const heading = /^namespace (.+):$/.exec(line);
      if (heading) groups.set(heading[1]!, (current = []));
      else if (line.startsWith('  ')) current?.push(line.trim());
    }
    assert.deepEqual([...groups.keys()], ['(every namespace)', 'sync-source', 'team-a2', 'team-a3', ACCOUNT_B]);
    assert.deepEqual(
      groups.get('team-a3')!.filter((line) => line.startsWith('+')),
      [
        '+ temporal-sync-hourly-incremental--team-a3: would be created',
        '+ temporal-sync-daily-full--team-a3: would be created',
      ],
    );
    // Prunes come in the order the server lists them.
    assert.deepEqual(groups.get('team-a2')!.sort(), [
      '- temporal-sync-daily-full--team-a2: would be deleted (managed, no longer defined)',
      '- temporal-sync-hourly-incremental--team-a2: would be deleted (managed, no longer defined)',
    ]);
    assert.deepEqual(groups.get('sync-source'), [
      '~ temporal-sync-daily-full--sync-source: would be updated',
      'spec.cron: 30 3 * * * → 0 4 * * *',
      '= temporal-sync-hourly-incremental--sync-source: unchanged',
    ]);
    assert.deepEqual(groups.get(ACCOUNT_B), [
      `~ temporal-sync-daily-full--${ACCOUNT_B}: would be updated`,
      'spec.cron: 30 3 * * * → 0 4 * * *',
      `= temporal-sync-hourly-incremental--${ACCOUNT_B}: unchanged`,
    ]);
    assert.match(diffed.stdout, /^6 change\(s\) not made \(dry run\)$/m);

    assert.equal(await scheduleExists('temporal-sync-hourly-incremental--team-a3'), false, 'nothing created');
    assert.ok(await scheduleExists('temporal-sync-daily-full--team-a2'), 'nothing deleted');
    const dailyAfter = await a.client.schedule.getHandle('temporal-sync-daily-full--sync-source').describe();
    assert.deepEqual(dailyAfter.spec, dailyBefore.spec, 'nothing updated');
    assert.deepEqual(dailyAfter.info.lastUpdatedAt, dailyBefore.info.lastUpdatedAt);
  });

  it('never lets a namespace secret out: not in logs, histories, tables or alerts', async () => {
    const texts: string[] = [worker.output(), ...receiver.received.map((request) => request.body)];
    for await (const execution of a.client.workflow.list()) {
      texts.push(
        JSON.stringify(await a.client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory()),
      );
    }
    for (const table of ['workflow', 'schedule', 'sync_run', 'sync_partition', 'alert_incident']) {
      const { rows } = await db.pool.query<{ t: string }>(
        `SELECT to_jsonb(x)::text AS t FROM "${db.schema}".${table} x`,
      );
      texts.push(...rows.map((row) => row.t));
    }
    assert.ok(texts.length > 20);
    for (const secret of SECRETS) {
      assert.ok(!texts.some((text) => text.includes(secret)), `a secret (${secret.slice(0, 12)}…) leaked`);
    }
  });
});
