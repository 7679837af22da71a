import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Client, type WorkflowHandle } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NUL_REPLACEMENT } from '../../src/json';
import { keyed, scheduleKey, workflowKey } from '../helpers/compare';
import { createTestDatabase, tableRows, type TestDatabase } from '../helpers/postgres';
import { countRuns } from '../helpers/seed';
import { SOURCE_NAMESPACE, startTemporal, type TestTemporal } from '../helpers/temporal';
import { waitFor } from '../helpers/wait';
import { runSync, startSyncWorker, type RunningWorker } from '../helpers/workers';

const encode = (text: string) => new TextEncoder().encode(text);
const NO_WORKER = 'no-worker-polls-this';

/** IDs and types a careless connector breaks on. */
const STRANGE_IDS = [
  `quotes "double" and 'single'`,
  'back\\slash \\\\ and \\u0000 literally',
  'emoji 🚀🔥 and ünïcødé 日本語',
  "'); DROP TABLE workflow; --",
  `long ${'x'.repeat(990)}`,
  '  leading and trailing spaces  ',
];

/** Wraps every payload as an "encrypted" one, as a user's codec would: our reader has no key. */
const encryptingCodec: PayloadCodec = {
  encode: (payloads) =>
    Promise.resolve(
      payloads.map((payload) => ({
        metadata: { encoding: encode('binary/encrypted'), 'encryption-key-id': encode('test-key') },
        data: Buffer.from(JSON.stringify({ sealed: Buffer.from(payload.data ?? []).toString('base64') })),
      })),
    ),
  decode: (payloads) => Promise.resolve(payloads),
};

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i += 1) value = { level: depth - i, child: value };
  return value;
}

describe('bad data from the source', () => {
  let temporal: TestTemporal;
  let db: TestDatabase;
  let worker: RunningWorker;
  const encryptedBytes = randomBytes(48);

  before(async () => {
    temporal = await startTemporal();
    db = await createTestDatabase('bad_data');
    worker = await startSyncWorker(temporal, db);
    const client = temporal.sourceClient;
    const handles: WorkflowHandle[] = [];
    for (const id of STRANGE_IDS) {
      handles.push(
        await client.workflow.start(`Odd "Type" 'ü' ${id.slice(0, 20)}`, { taskQueue: NO_WORKER, workflowId: id }),
      );
    }
    handles.push(
      await client.workflow.start('Memos', {
        taskQueue: NO_WORKER,
        workflowId: 'nul characters',
        memo: { 'key\u0000with nul': 'value\u0000with nul', list: ['a\u0000', { 'k\u0000': 1 }] },
      }),
    );
    handles.push(
      await client.workflow.start('Memos', { taskQueue: NO_WORKER, workflowId: 'deep', memo: { deep: nested(500) } }),
    );
    handles.push(
      await client.workflow.start('Memos', {
        taskQueue: NO_WORKER,
        workflowId: 'huge',
        memo: { huge: 'h'.repeat(512 * 1024) },
      }),
    );
    await client.workflowService.startWorkflowExecution({
      namespace: SOURCE_NAMESPACE,
      workflowId: 'raw payloads',
      workflowType: { name: 'Memos' },
      taskQueue: { name: NO_WORKER },
      requestId: randomUUID(),
      memo: {
        fields: {
          encrypted: { metadata: { encoding: encode('binary/encrypted') }, data: encryptedBytes },
          binary: { metadata: { encoding: encode('binary/plain') }, data: new Uint8Array([0, 1, 2, 255]) },
          broken: { metadata: { encoding: encode('json/plain') }, data: encode('{"oops":') },
          protobuf: {
            metadata: { encoding: encode('json/protobuf'), messageType: encode('x.Y') },
            data: encode('{"a":1}'),
          },
        },
      },
    });
    // Half of them closed, half still running.
    for (const handle of handles.filter((_, index) => index % 2 === 0)) await handle.terminate('closed for the test');
    const encryptingClient = new Client({
      connection: temporal.env.connection,
      namespace: SOURCE_NAMESPACE,
      dataConverter: { payloadCodecs: [encryptingCodec] },
    });
    await encryptingClient.schedule.create({
      scheduleId: 'encrypted schedule',
      spec: { intervals: [{ every: '1 day' }] },
      memo: { owner: 'someone with a key' },
      action: { type: 'startWorkflow', workflowType: 'Memos', taskQueue: NO_WORKER, args: [{ secret: 'sealed' }] },
    });
    await waitFor('every run listed', async () =>
      (await countRuns(client)) === STRANGE_IDS.length + 4 ? true : undefined,
    );
  });

  after(async () => {
    await worker?.stop();
    await db?.dispose();
    await temporal?.stop();
  });

  it('stores every run, strange IDs to the letter, and loses no row to a payload it cannot read', async () => {
    const summary = await runSync(temporal, worker, { mode: 'full' });
    assert.equal(summary.streams.workflows?.rows, STRANGE_IDS.length + 4);
    const rows = keyed(await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE), workflowKey);
    const ids = new Set([...rows.values()].map((row) => row.workflow_id));
    for (const id of STRANGE_IDS) assert.ok(ids.has(id), `row for ${JSON.stringify(id.slice(0, 40))}`);
    const { rows: tables } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'workflow'`,
      [db.schema],
    );
    assert.equal(tables[0]!.n, 1, 'the table is still there');
    const types = [...rows.values()].map((row) => String(row.workflow_type));
    assert.ok(types.some((type) => type.startsWith(`Odd "Type" 'ü'`)));
  });

  it('replaces NUL characters, which Postgres cannot hold, in memo keys and values', async () => {
    const [row] = (await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE)).filter(
      (r) => r.workflow_id === 'nul characters',
    );
    assert.deepEqual(row!.memo, {
      [`key${NUL_REPLACEMENT}with nul`]: `value${NUL_REPLACEMENT}with nul`,
      list: [`a${NUL_REPLACEMENT}`, { [`k${NUL_REPLACEMENT}`]: 1 }],
    });
  });

  it('keeps deep and huge memos whole', async () => {
    const rows = await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE);
    const deep = rows.find((r) => r.workflow_id === 'deep')!.memo as { deep: unknown };
    assert.deepEqual(deep.deep, nested(500));
    const huge = rows.find((r) => r.workflow_id === 'huge')!.memo as { huge: string };
    assert.equal(huge.huge.length, 512 * 1024);
  });

  it('keeps binary, encrypted and malformed payloads in raw form with their encoding named', async () => {
    const row = (await tableRows(db.pool, db.schema, 'workflow', SOURCE_NAMESPACE)).find(
      (r) => r.workflow_id === 'raw payloads',
    )!;
    assert.deepEqual(row.memo, {
      encrypted: { _encoding: 'binary/encrypted', _base64: encryptedBytes.toString('base64') },
      binary: { _encoding: 'binary/plain', _base64: 'AAEC/w==' },
      broken: { _encoding: 'json/plain', _base64: Buffer.from('{"oops":').toString('base64') },
      protobuf: { a: 1 },
    });
  });

  it('syncs a schedule whose action and memo it cannot decrypt, keeping them raw', async () => {
    const schedules = keyed(await tableRows(db.pool, db.schema, 'schedule', SOURCE_NAMESPACE), scheduleKey);
    const row = schedules.get('encrypted schedule');
    assert.ok(row, 'the schedule is stored');
    const memo = row.memo as Record<string, { _encoding: string }>;
    assert.equal(memo.owner?._encoding, 'binary/encrypted');
    const action = row.schedule_action as { workflowType: string; args: Array<{ _encoding: string }> };
    assert.equal(action.workflowType, 'Memos');
    assert.equal(action.args[0]?._encoding, 'binary/encrypted');
  });
});
