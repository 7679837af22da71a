import { grpcCode, GrpcStatus } from './grpc';

/**
 * Every visibility call of an activity (List/Count executions, ListSchedules: what Temporal Cloud
 * counts against the namespace's 30 calls per second) goes through a gate that keeps its lane within
 * its share of the run's budget, and waits out RESOURCE_EXHAUSTED with backoff instead of failing.
 *
 * The share is a sliding window: at most `callsPerSecond` calls in any window of WINDOW_MS. The calls
 * a lane made in earlier activities (handed over by the workflow) count, so a lane's activities in a
 * row never exceed it together, and the lanes' shares add up to the run's budget (see shareBudget).
 */
export interface VisibilityGate {
  call<T>(request: () => Promise<T>): Promise<T>;
  /**
   * Closes the gate (a call still waiting for its turn, such as an abandoned prefetch, is refused) and
   * returns when the lane's calls of the last window started (epoch ms): what its next activity must count.
   */
  handOver(): number[];
}

export interface GateOptions {
  /** This lane's calls in any window; the run's lanes together never exceed the run's budget. */
  callsPerSecond: number;
  /**
   * When the lane's calls of the last window started (epoch ms), as the lane's previous activity
   * reported them. Undefined when unknown (a retried attempt, a run continued as new, an older
   * workflow): the gate assumes a full window of calls that ended just now.
   */
  history?: readonly number[] | undefined;
  /** Waits this long while the activity stays alive (heartbeats) and stops if it is cancelled. */
  pause(ms: number): Promise<void>;
  /** Told of each RESOURCE_EXHAUSTED answer (a metric). */
  throttled(): void;
  now?: () => number;
}

/** 5% wider than a second, so jitter on the way cannot bunch two windows' calls into one second of the server's. */
export const WINDOW_MS = 1050;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

/** A full window of calls, evenly spaced, the last one now: after it the lane calls once per spacing, as a steady lane would. */
function assumedFull(callsPerSecond: number, nowMs: number): number[] {
  const spacing = WINDOW_MS / callsPerSecond;
  return Array.from({ length: callsPerSecond }, (_, index) => nowMs - (callsPerSecond - 1 - index) * spacing);
}

/** A call asked of a gate after its lane was handed over: it is not made. */
export class GateClosed extends Error {
  constructor() {
    super("the visibility gate was handed over to the lane's next activity: no more calls from this one");
    this.name = 'GateClosed';
  }
}

export function createVisibilityGate(options: GateOptions): VisibilityGate {
  const now = options.now ?? Date.now;
  const limit = Math.max(1, Math.floor(options.callsPerSecond));
  const calls = options.history ? [...options.history].sort((a, b) => a - b) : assumedFull(limit, now());
  const forget = (at: number) => {
    while (calls.length > 0 && calls[0]! <= at - WINDOW_MS) calls.shift();
  };
  let closed = false;
  const turn = async () => {
    for (;;) {
      if (closed) throw new GateClosed();
      const at = now();
      forget(at);
      if (calls.length < limit) {
        calls.push(at);
        return;
      }
      await options.pause(calls[calls.length - limit]! + WINDOW_MS - at);
    }
  };
  return {
    async call(request) {
      for (let rejected = 0; ; rejected += 1) {
        await turn();
        try {
          return await request();
        } catch (error) {
          if (grpcCode(error) !== GrpcStatus.RESOURCE_EXHAUSTED) throw error;
          options.throttled();
          const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** rejected);
          await options.pause(backoff * (0.8 + Math.random() * 0.4));
        }
      }
    },
    handOver() {
      closed = true;
      forget(now());
      return [...calls];
    },
  };
}
