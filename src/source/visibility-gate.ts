import { grpcCode, GrpcStatus } from './grpc';

/**
 * Every visibility call of an activity (List/Count executions, ListSchedules: what Temporal Cloud
 * counts against the namespace's 30 calls per second) goes through a gate that keeps its lane within
 * its share of the run's budget, and waits out RESOURCE_EXHAUSTED with backoff instead of failing.
 *
 * The share is a sliding window: a call may start only when fewer than `callsPerSecond` calls were
 * answered within the last WINDOW_MS or are still out. The server counts a call when it arrives, which
 * is after it starts here and before its answer, however long the way (a busy event loop, the network):
 * so any two calls `callsPerSecond` apart arrive more than a second apart. The calls a lane made in
 * earlier activities (handed over by the workflow) count, so a lane's activities in a row never exceed
 * it together, and the lanes' shares add up to the run's budget (see shareBudget).
 */
export interface VisibilityGate {
  call<T>(request: () => Promise<T>): Promise<T>;
  /**
   * Closes the gate (a call still waiting for its turn, such as an abandoned prefetch, is refused) and
   * returns when the lane's calls of the last window were answered (epoch ms): what its next activity
   * must count.
   */
  handOver(): number[];
}

export interface GateOptions {
  /** This lane's calls in any window; the run's lanes together never exceed the run's budget. */
  callsPerSecond: number;
  /**
   * When the lane's calls of the last window were answered (epoch ms), as the lane's previous activity
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
  // When each call of the window was answered: the server counted it at some moment before that.
  const ended = options.history ? [...options.history].sort((a, b) => a - b) : assumedFull(limit, now());
  const inFlight = new Set<Promise<void>>();
  const forget = (at: number) => {
    while (ended.length > 0 && ended[0]! <= at - WINDOW_MS) ended.shift();
  };
  let closed = false;
  /** Waits until a call may start, and returns what to call once it is answered. */
  const turn = async (): Promise<() => void> => {
    for (;;) {
      if (closed) throw new GateClosed();
      const at = now();
      forget(at);
      if (ended.length + inFlight.size < limit) break;
      if (inFlight.size >= limit) await Promise.race(inFlight);
      else await options.pause(ended[ended.length - (limit - inFlight.size)]! + WINDOW_MS - at);
    }
    let answered!: () => void;
    const call = new Promise<void>((resolve) => (answered = resolve));
    inFlight.add(call);
    return () => {
      inFlight.delete(call);
      ended.push(now());
      ended.sort((a, b) => a - b);
      answered();
    };
  };
  return {
    async call(request) {
      for (let rejected = 0; ; rejected += 1) {
        const answered = await turn();
        const outcome = await Promise.resolve()
          .then(request)
          .then(
            (value) => ({ ok: true as const, value }),
            (error: unknown) => ({ ok: false as const, error }),
          );
        answered();
        if (outcome.ok) return outcome.value;
        if (grpcCode(outcome.error) !== GrpcStatus.RESOURCE_EXHAUSTED) throw outcome.error;
        options.throttled();
        const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** rejected);
        await options.pause(backoff * (0.8 + Math.random() * 0.4));
      }
    },
    handOver() {
      closed = true;
      const at = now();
      forget(at);
      // A call still out (an abandoned prefetch) counts as answered now: the next activity starts after.
      return [...ended, ...Array.from(inFlight, () => at)].sort((a, b) => a - b);
    },
  };
}
