import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Metadata, status } from '@grpc/grpc-js';
import { ServiceError } from '@temporalio/client';
import { createVisibilityGate } from '../../src/source/visibility-gate';

/** A gRPC error as @grpc/grpc-js rejects a call with it. */
function grpcError(code: status, message: string): Error {
  return Object.assign(new Error(`${code} ${status[code]}: ${message}`), {
    code,
    details: message,
    metadata: new Metadata(),
  });
}

/** A clock that only moves when the gate pauses (or a request takes time), and the gate on it. */
function fakeClock(callsPerSecond: number) {
  let nowMs = 1_000_000;
  const pauses: number[] = [];
  let throttled = 0;
  const gate = createVisibilityGate({
    callsPerSecond,
    now: () => nowMs,
    pause: (ms) => {
      pauses.push(ms);
      nowMs += ms;
      return Promise.resolve();
    },
    throttled: () => (throttled += 1),
  });
  return {
    gate,
    pauses,
    throttled: () => throttled,
    now: () => nowMs,
    advance: (ms: number) => (nowMs += ms),
    start: nowMs,
  };
}

/** A request that answers each call with the next outcome (the last one repeats): an Error rejects it. */
function answering<T>(...outcomes: Array<T | Error>) {
  let calls = 0;
  const request = (): Promise<T> => {
    const outcome = outcomes[Math.min(calls, outcomes.length - 1)];
    calls += 1;
    return outcome instanceof Error ? Promise.reject(outcome) : Promise.resolve(outcome as T);
  };
  return { request, calls: () => calls };
}

/** The most calls in any window [t, t + 1000 ms). */
function busiestSecond(times: number[]): number {
  let most = 0;
  for (const [index, from] of times.entries()) {
    most = Math.max(most, times.slice(index).filter((at) => at < from + 1000).length);
  }
  return most;
}

describe('the visibility gate: spacing calls within the budget, waiting out RESOURCE_EXHAUSTED', () => {
  beforeEach(() => {
    // Backoff jitter is 0.8x to 1.2x; 0.5 makes it exactly 1x so backoffs can be written out.
    mock.method(Math, 'random', () => 0.5);
  });
  afterEach(() => mock.restoreAll());

  it('spaces calls by 1.05/callsPerSecond seconds, the first one included', async () => {
    const clock = fakeClock(4);
    const times: number[] = [];
    for (let i = 0; i < 5; i += 1) times.push(await clock.gate.call(() => Promise.resolve(clock.now())));
    const start = clock.start;
    assert.deepEqual(
      times.map((at) => at - start),
      [262.5, 525, 787.5, 1050, 1312.5],
    );
    assert.deepEqual(clock.pauses, [262.5, 262.5, 262.5, 262.5, 262.5]);
  });

  for (const callsPerSecond of [1, 2, 7, 30]) {
    it(`never makes more than ${callsPerSecond} call(s) in any one second over 200 calls`, async () => {
      const clock = fakeClock(callsPerSecond);
      const times: number[] = [];
      for (let i = 0; i < 200; i += 1) times.push(await clock.gate.call(() => Promise.resolve(clock.now())));
      assert.ok(busiestSecond(times) <= callsPerSecond, `${busiestSecond(times)} calls in one second`);
      const spanSeconds = (times.at(-1)! - clock.start) / 1000;
      assert.ok(Math.abs(spanSeconds - (200 * 1.05) / callsPerSecond) < 1e-6, `200 calls took ${spanSeconds} s`);
    });
  }

  it('does not wait again when the request itself took longer than the spacing', async () => {
    const clock = fakeClock(10);
    const times: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      times.push(
        await clock.gate.call(() => {
          const at = clock.now();
          clock.advance(400);
          return Promise.resolve(at);
        }),
      );
    }
    assert.deepEqual(
      times.map((at) => at - clock.start),
      [105, 505, 905],
    );
    assert.deepEqual(clock.pauses, [105]);
  });

  it('retries RESOURCE_EXHAUSTED after a backoff that doubles up to 30 s, counts it, and never throws it', async () => {
    const clock = fakeClock(10);
    const exhausted = grpcError(status.RESOURCE_EXHAUSTED, 'namespace rate limit exceeded');
    const source = answering<string>(...Array<Error>(8).fill(exhausted), 'listed');
    const result = await clock.gate.call(source.request);
    assert.equal(result, 'listed');
    assert.equal(source.calls(), 9);
    assert.equal(clock.throttled(), 8);
    // The first spacing, then one backoff per rejection (each longer than the spacing: no extra wait).
    assert.deepEqual(clock.pauses, [105, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('keeps its backoff jitter within 0.8x and 1.2x', async () => {
    mock.restoreAll();
    const clock = fakeClock(10);
    const exhausted = grpcError(status.RESOURCE_EXHAUSTED, 'slow down');
    await clock.gate.call(answering<string>(...Array<Error>(6).fill(exhausted), 'listed').request);
    const backoffs = clock.pauses.slice(1);
    const nominal = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];
    assert.equal(backoffs.length, nominal.length);
    for (const [index, ms] of backoffs.entries()) {
      assert.ok(ms >= nominal[index]! * 0.8 && ms <= nominal[index]! * 1.2, `backoff ${index}: ${ms} ms`);
    }
  });

  it('also recognises RESOURCE_EXHAUSTED wrapped in the SDK ServiceError', async () => {
    const clock = fakeClock(10);
    const wrapped = new ServiceError('count failed', {
      cause: grpcError(status.RESOURCE_EXHAUSTED, 'too many requests'),
    });
    const result = await clock.gate.call(answering<number>(wrapped, 3).request);
    assert.equal(result, 3);
    assert.equal(clock.throttled(), 1);
  });

  it('throws any other error at once, without retrying or counting it', async () => {
    for (const error of [
      grpcError(status.UNAVAILABLE, 'connection refused'),
      grpcError(status.INVALID_ARGUMENT, 'invalid query'),
      new Error('socket hang up'),
    ]) {
      const clock = fakeClock(10);
      const source = answering<string>(error, 'never reached');
      await assert.rejects(clock.gate.call(source.request), (thrown) => thrown === error);
      assert.equal(source.calls(), 1, `${error.message}: tried once`);
      assert.equal(clock.throttled(), 0);
      assert.deepEqual(clock.pauses, [105], 'only the spacing before the call, no backoff');
    }
  });
});
