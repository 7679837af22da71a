import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { Metadata, status } from '@grpc/grpc-js';
import { ServiceError } from '@temporalio/client';
import { createVisibilityGate, GateClosed } from '../../src/source/visibility-gate';
import { chargePlanCalls, shareBudget } from '../../src/workflows/passes';

/** A gRPC error as @grpc/grpc-js rejects a call with it. */
function grpcError(code: status, message: string): Error {
  return Object.assign(new Error(`${code} ${status[code]}: ${message}`), {
    code,
    details: message,
    metadata: new Metadata(),
  });
}

/** A clock that only moves when the gate pauses (or a request takes time), and the gate on it. */
function fakeClock(callsPerSecond: number, history?: (nowMs: number) => number[], startMs = 1_000_000) {
  let nowMs = startMs;
  const pauses: number[] = [];
  let throttled = 0;
  const gate = createVisibilityGate({
    callsPerSecond,
    history: history?.(nowMs),
    now: () => nowMs,
    pause: (ms) => {
      pauses.push(ms);
      nowMs += ms;
      return Promise.resolve();
    },
    throttled: () => (throttled += 1),
  });
  /** Makes `count` calls one after another, each taking `takesMs`; when each started, from the clock's start. */
  const startsOf = async (count: number, takesMs: number): Promise<number[]> => {
    const times: number[] = [];
    for (let i = 0; i < count; i += 1) {
      times.push(
        await gate.call(() => {
          const at = nowMs;
          nowMs += takesMs;
          return Promise.resolve(at - startMs);
        }),
      );
    }
    return times;
  };
  return {
    gate,
    startsOf,
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

  it('with its history unknown, assumes a full window that just ended: spaces calls by 1.05/callsPerSecond s, the first included', async () => {
    const clock = fakeClock(4);
    assert.deepEqual(await clock.startsOf(5, 0), [262.5, 525, 787.5, 1050, 1312.5]);
    assert.deepEqual(clock.pauses, [262.5, 262.5, 262.5, 262.5, 262.5]);
  });

  for (const callsPerSecond of [1, 2, 7, 30]) {
    it(`never makes more than ${callsPerSecond} call(s) in any one second over 200 calls`, async () => {
      const clock = fakeClock(callsPerSecond);
      const times = await clock.startsOf(200, 0);
      assert.ok(busiestSecond(times) <= callsPerSecond, `${busiestSecond(times)} calls in one second`);
      const spanSeconds = times.at(-1)! / 1000;
      assert.ok(Math.abs(spanSeconds - (200 * 1.05) / callsPerSecond) < 1e-6, `200 calls took ${spanSeconds} s`);
    });
  }

  it('with an empty history, makes its share of calls at once, then one as each leaves the 1.05 s window', async () => {
    const clock = fakeClock(3, () => []);
    assert.deepEqual(await clock.startsOf(7, 0), [0, 0, 0, 1050, 1050, 1050, 2100]);
    assert.deepEqual(clock.pauses, [1050, 1050]);
  });

  it("counts the calls it was handed: the lane's earlier activities, the plan's calls charged to it", async () => {
    const clock = fakeClock(2, (now) => [now - 1000]);
    assert.deepEqual(await clock.startsOf(3, 0), [0, 50, 1050]);
  });

  it('hands over the calls of the last window, and refuses any call after that', async () => {
    const clock = fakeClock(3, () => []);
    await clock.gate.call(() => Promise.resolve('first'));
    clock.advance(600);
    await clock.gate.call(() => Promise.resolve('second'));
    clock.advance(600);
    assert.deepEqual(clock.gate.handOver(), [clock.start + 600], 'the first call left the window 1050 ms after it');
    await assert.rejects(
      clock.gate.call(() => Promise.resolve('never made')),
      (error) => error instanceof GateClosed,
    );
  });

  it('counts a call until it is answered: the server may count it as late as that', async () => {
    const clock = fakeClock(2, () => []);
    // The first was answered at 300, so the third may start 1050 ms after that, not after its start.
    assert.deepEqual(await clock.startsOf(3, 300), [0, 300, 1350]);
  });

  it('does not wait again when the request itself took longer than the spacing', async () => {
    const clock = fakeClock(10);
    assert.deepEqual(await clock.startsOf(3, 400), [105, 505, 905]);
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

/** A deterministic pseudo-random sequence in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("the run's budget shared by its lanes", () => {
  it('gives the lanes whole shares that add up to the budget, never more lanes than calls per second', () => {
    for (const budget of [1, 2, 3, 7, 10, 29, 30]) {
      for (const partitions of [1, 2, 4, 8, 64]) {
        for (const open of [1, 3, 4, 100]) {
          const { lanes, callsPerLane } = shareBudget(budget, partitions, open);
          assert.equal(lanes, Math.min(budget, partitions, open));
          assert.equal(callsPerLane.length, lanes);
          assert.equal(
            callsPerLane.reduce((sum, calls) => sum + calls, 0),
            budget,
            `${budget}/s over ${lanes} lanes`,
          );
          assert.ok(Math.max(...callsPerLane) - Math.min(...callsPerLane) <= 1, 'shares differ by at most one');
        }
      }
    }
  });

  it("charges the plan's calls to the lanes with most room, and assumes the worst when the plan did not report them", () => {
    assert.deepEqual(chargePlanCalls([3, 3, 2, 2], [5]), [[5], [], [], []]);
    assert.deepEqual(chargePlanCalls([3, 3, 2, 2], [1, 2, 3, 4, 5]), [[1, 3], [2, 4], [5], []]);
    assert.deepEqual(chargePlanCalls([2, 2], [1, 2, 3, 4, 5]), [undefined, undefined], 'more than the budget: unknown');
    assert.deepEqual(chargePlanCalls([2, 2], undefined), [undefined, undefined]);
  });

  for (const [budget, partitions] of [
    [10, 4],
    [30, 8],
    [7, 3],
    [2, 4],
  ] as const) {
    it(`keeps a plan and ${partitions} lanes of activities in a row within ${budget} calls arriving in any second`, async () => {
      const next = random(budget * 100 + partitions);
      const start = 1_000_000;
      // The plan: a few Counts at the whole budget, each taking 0 to 30 ms.
      const plan = fakeClock(budget, () => [], start);
      const planArrivals: number[] = [];
      for (let i = 0; i < 1 + Math.floor(next() * 2 * budget); i += 1) {
        const planCall = await plan.gate.call(() => {
          const calledAt = plan.now();
          const takes = next() * 30;
          plan.advance(takes);
          return Promise.resolve(calledAt + next() * takes);
        });
        planArrivals.push(planCall);
      }
      const planCalls = plan.gate.handOver();
      const { callsPerLane } = shareBudget(budget, partitions, partitions);
      const charged = chargePlanCalls(callsPerLane, planCalls);
      const all = [...planArrivals];
      // Each lane on its own clock from the plan's end: activities in a row, each a few pages, handed over.
      for (const [lane, share] of callsPerLane.entries()) {
        let history = charged[lane];
        let at = plan.now() + next() * 20;
        for (let activity = 0; activity < 4; activity += 1) {
          const clock = fakeClock(share, history === undefined ? undefined : () => history!, at);
          for (let page = 0; page < 1 + Math.floor(next() * 6); page += 1) {
            // The server counts the call when it arrives: anywhere between its start and its answer.
            all.push(
              await clock.gate.call(() => {
                const calledAt = clock.now();
                const takes = next() * 120;
                clock.advance(takes);
                return Promise.resolve(calledAt + next() * takes);
              }),
            );
          }
          clock.advance(next() * 300);
          history = clock.gate.handOver();
          at = clock.now() + next() * 40;
        }
      }
      all.sort((a, b) => a - b);
      assert.ok(busiestSecond(all) <= budget, `${busiestSecond(all)} calls in one second`);
    });
  }
});
