import { CancellationScope, condition } from '@temporalio/workflow';
import type { PartitionReport, PartitionRequest, RunRef } from '../activities/types';
import type { RunLedger } from './ledger';

/** The activities the passes call, by their contract. */
export interface PassActivities {
  syncPartition(request: PartitionRequest): Promise<PartitionReport>;
  completeStream(request: RunRef & { stream: string }): Promise<{ deleted: number }>;
}

export interface PassOptions {
  maxSeconds: number;
  /** True when the run must stop starting activities and continue as new. */
  mustStop: () => boolean;
  /** Told of every activity started, for the continue-as-new count. */
  started: () => void;
}

/** At most `size` activities at once, each in a numbered lane: a lane's calls are counted across its activities. */
class Lanes {
  private readonly busy: boolean[];
  constructor(size: number) {
    this.busy = Array.from({ length: size }, () => false);
  }

  async run<T>(task: (lane: number) => Promise<T>): Promise<T> {
    // condition() wakes every waiter whose test holds at once: each must check again before it takes a lane.
    while (!this.busy.includes(false)) await condition(() => this.busy.includes(false));
    const lane = this.busy.indexOf(false);
    this.busy[lane] = true;
    try {
      return await task(lane);
    } finally {
      this.busy[lane] = false;
    }
  }
}

/**
 * How the run's visibility budget is shared: each lane gets a whole number of calls per window, the
 * remainder going to the first lanes, so the lanes' shares add up to the budget exactly and all lanes
 * together never exceed it in any second. Hence at most as many lanes as calls per second.
 */
export function shareBudget(
  visibilityRps: number,
  partitions: number,
  open: number,
): { lanes: number; callsPerLane: number[] } {
  const budget = Math.max(1, Math.floor(visibilityRps));
  const lanes = Math.max(1, Math.min(partitions, budget, open));
  const callsPerLane = Array.from(
    { length: lanes },
    (_, lane) => Math.floor(budget / lanes) + (lane < budget % lanes ? 1 : 0),
  );
  return { lanes, callsPerLane };
}

/**
 * The plan's visibility calls of the last window, charged to the lanes: each lane takes at most its
 * share, the one with most room first, so every lane's first activity counts what the plan spent and
 * the run stays within its budget from its first call. The plan's own gate ran at the whole budget,
 * so its calls fit. Undefined (a plan that did not report them): every lane assumes the worst.
 */
export function chargePlanCalls(
  callsPerLane: readonly number[],
  planCalls: readonly number[] | undefined,
): Array<number[] | undefined> {
  if (planCalls === undefined) return callsPerLane.map(() => undefined);
  const charged = callsPerLane.map((): number[] => []);
  for (const at of planCalls) {
    const room = callsPerLane.map((calls, lane) => calls - charged[lane]!.length);
    const lane = room.indexOf(Math.max(...room));
    if (room[lane]! <= 0) return callsPerLane.map(() => undefined);
    charged[lane]!.push(at);
  }
  return charged;
}

/**
 * Runs every open partition of every stream, a few at once, then completes each stream whose partitions
 * are all done. The first failure cancels the chunks still running (they stop at a page boundary) and is
 * rethrown once they have; so nothing is written after the run records its end. Returns true when
 * every pass is complete, false when the run must continue as new first.
 */
export async function runPasses(
  acts: PassActivities,
  ledger: RunLedger,
  ref: RunRef,
  options: PassOptions,
): Promise<boolean> {
  const open = ledger.names().reduce((n, stream) => n + ledger.openPartitions(stream).length, 0);
  const { lanes: size, callsPerLane } = shareBudget(
    ledger.plan.settings.visibilityRps,
    ledger.plan.settings.partitions,
    open,
  );
  const lanes = new Lanes(size);
  // Each lane's visibility calls of the last window, as its previous activity (or the plan) reported them.
  const laneCalls = chargePlanCalls(callsPerLane, ledger.plan.visibilityCalls);
  const scope = new CancellationScope();
  let failure: Error | undefined;
  const stopping = () => failure !== undefined || options.mustStop();
  const fail = (error: unknown) => {
    if (failure === undefined) {
      failure = error instanceof Error ? error : new Error(String(error));
      scope.cancel();
    }
  };

  const runPartition = async (stream: string, partition: number) => {
    while (!ledger.partitionDone(stream, partition) && !stopping()) {
      const progress = await lanes.run(async (lane) => {
        if (stopping()) return undefined;
        options.started();
        const request = {
          ...ref,
          stream,
          partition,
          maxSeconds: options.maxSeconds,
          visibilityCallsPerSecond: callsPerLane[lane]!,
          visibilityHistory: laneCalls[lane],
        };
        const report = await acts.syncPartition(request);
        laneCalls[lane] = report.visibilityCalls;
        return report;
      });
      if (progress) ledger.record(stream, progress);
    }
  };
  const runStream = async (stream: string) => {
    await Promise.all(ledger.openPartitions(stream).map((p) => runPartition(stream, p).catch(fail)));
    if (stopping() || !ledger.readyToComplete(stream)) return;
    options.started();
    ledger.complete(stream, (await acts.completeStream({ ...ref, stream })).deleted);
  };

  await scope.run(() => Promise.all(ledger.names().map((stream) => runStream(stream).catch(fail))));
  if (failure !== undefined) throw failure;
  return ledger.done();
}
