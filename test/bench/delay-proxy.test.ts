import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startDelayProxy, throughProxy, type DelayProxy } from '../../bench/support/delay-proxy';
import { TEST_DATABASE_URL } from '../helpers/postgres';

/** Median milliseconds of `SELECT 1` round trips on one connection (the first few warm it up). */
async function medianRoundTrip(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const times: number[] = [];
    for (let i = 0; i < 25; i++) {
      const started = performance.now();
      await client.query('SELECT 1');
      if (i >= 5) times.push(performance.now() - started);
    }
    return times.sort((x, y) => x - y)[Math.floor(times.length / 2)]!;
  } finally {
    await client.end();
  }
}

describe('the delay proxy between a client and Postgres', () => {
  let proxy: DelayProxy;

  before(async () => {
    const target = new URL(TEST_DATABASE_URL);
    proxy = await startDelayProxy(`${target.hostname}:${target.port || 5432}`, 2);
  });

  after(async () => {
    await proxy?.stop();
  });

  it('adds its delay each way to a real round trip: 2 ms each way, about 4 ms more per query', async () => {
    const direct = await medianRoundTrip(TEST_DATABASE_URL);
    const delayed = await medianRoundTrip(throughProxy(TEST_DATABASE_URL, proxy));
    const added = delayed - direct;
    assert.ok(
      added >= 3.9 && added < 9,
      `added ${added.toFixed(2)} ms (direct ${direct.toFixed(2)}, through the proxy ${delayed.toFixed(2)})`,
    );
  });
});
