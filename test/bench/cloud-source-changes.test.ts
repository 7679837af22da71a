import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { startCloudSource, type CloudSource } from '../../bench/support/cloud-source';
import { incrementalQuery } from '../../src/source/visibility-query';

/**
 * The cloud-like source's data is a function of its seed and the mutations applied to it: two
 * processes with the same seed serve the same executions and change the same ones, so a "no
 * change" and a "1% changed" incremental pass can be measured again and again on equal data.
 */

const N = 5000;
const NAMESPACE = 'changes';

interface Running {
  source: CloudSource;
  connection: Connection;
  client: Client;
}

async function start(seed: number): Promise<Running> {
  const source = await startCloudSource({ namespaces: { [NAMESPACE]: N }, seed, visibilityRps: 0 });
  const connection = await Connection.connect({ address: source.address });
  return { source, connection, client: new Client({ connection, namespace: NAMESPACE }) };
}

async function keys(client: Client, query: string): Promise<string[]> {
  const out: string[] = [];
  let nextPageToken: Uint8Array | undefined;
  do {
    const page = await client.workflowService.listWorkflowExecutions({ namespace: NAMESPACE, query, nextPageToken });
    for (const e of page.executions) out.push(`${e.execution?.workflowId} ${e.execution?.runId} ${e.status}`);
    nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
  } while (nextPageToken);
  return out;
}

const count = async (client: Client, query: string) =>
  Number((await client.workflowService.countWorkflowExecutions({ namespace: NAMESPACE, query })).count);

describe('the cloud-like source: same seed, same data, same changes', () => {
  let a: Running;
  let b: Running;

  before(async () => {
    [a, b] = await Promise.all([start(1), start(1)]);
  });

  after(async () => {
    for (const running of [a, b]) {
      await running?.connection.close();
      await running?.source.stop();
    }
  });

  it('serves the same executions for the same seed and others for another seed', async () => {
    assert.deepEqual(await keys(a.client, ''), await keys(b.client, ''));
    const other = await start(2);
    try {
      const [mine, theirs] = [await keys(a.client, ''), await keys(other.client, '')];
      assert.equal(theirs.length, N);
      assert.equal(theirs.filter((key) => mine.includes(key)).length, 0);
    } finally {
      await other.connection.close();
      await other.source.stop();
    }
  });

  it('closes, starts and expires executions deterministically, and the incremental query sees exactly those', async () => {
    const runningBefore = await count(a.client, "ExecutionStatus = 'Running'");
    const at = new Date(Math.floor(Date.now() / 1000) * 1000);
    for (const running of [a, b]) {
      assert.deepEqual(await running.source.mutate({ namespace: NAMESPACE, close: 10, start: 5, at }), {
        closed: 10,
        started: 5,
        expired: 0,
        at: at.toISOString().replace('.000Z', 'Z'),
      });
    }
    const closedNow = `CloseTime >= '${at.toISOString()}'`;
    const startedNow = `StartTime >= '${at.toISOString()}'`;
    assert.deepEqual(await keys(a.client, closedNow), await keys(b.client, closedNow));
    assert.equal((await keys(a.client, closedNow)).length, 10);
    assert.deepEqual(await keys(a.client, startedNow), await keys(b.client, startedNow));
    assert.equal(await count(a.client, `${startedNow} AND ExecutionStatus = 'Running'`), 5);
    assert.equal(await count(a.client, ''), N + 5);
    assert.equal(await count(a.client, "ExecutionStatus = 'Running'"), runningBefore - 10 + 5);
    // The pass after the change reads the open runs and the 10 closed since its cursor...
    assert.equal(await count(a.client, incrementalQuery(at, 0)), runningBefore - 5 + 10);
    // ...and a pass with a later cursor, nothing having changed since, only the open ones.
    assert.equal(await count(a.client, incrementalQuery(new Date(at.getTime() + 1), 0)), runningBefore - 5);

    const oldest = (await keys(a.client, '')).slice(-100);
    assert.equal((await a.source.mutate({ namespace: NAMESPACE, expire: 100 })).expired, 100);
    const after = await keys(a.client, '');
    assert.equal(after.length, N + 5 - 100);
    assert.equal(after.filter((key) => oldest.includes(key)).length, 0);
    await assert.rejects(
      a.source.mutate({ namespace: NAMESPACE, close: 1, at: new Date(at.getTime() - 1000) }),
      /no earlier than/,
    );
  });
});
