import { grpcCode, GrpcStatus } from './grpc';

/**
 * Every visibility call of an activity (List/Count executions, ListSchedules: what Temporal Cloud
 * counts against the namespace's 30 calls per second) goes through a gate that spaces them by the
 * activity's share of the run's budget, and waits out RESOURCE_EXHAUSTED with backoff instead of failing.
 */
export interface VisibilityGate {
  call<T>(request: () => Promise<T>): Promise<T>;
}

export interface GateOptions {
  /** This activity's whole calls per second; the run's lanes together never exceed the run's budget. */
  callsPerSecond: number;
  /** Waits this long while the activity stays alive (heartbeats) and stops if it is cancelled. */
  pause(ms: number): Promise<void>;
  /** Told of each RESOURCE_EXHAUSTED answer (a metric). */
  throttled(): void;
  now?: () => number;
}

/** 5% wider than 1/rate, so jitter on the way cannot bunch two calls into one second of the server's. */
const SPACING_MARGIN = 1.05;
const BACKOFF_FIRST_MS = 1_000;
const BACKOFF_MAX_MS = 30_000;

export function createVisibilityGate(options: GateOptions): VisibilityGate {
  const now = options.now ?? Date.now;
  const spacingMs = (1000 * SPACING_MARGIN) / options.callsPerSecond;
  // The lane's previous activity may have called just before this one started: count from now.
  let nextAt = now() + spacingMs;
  const turn = async () => {
    const wait = nextAt - now();
    if (wait > 0) await options.pause(wait);
    nextAt = Math.max(now(), nextAt) + spacingMs;
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
  };
}
