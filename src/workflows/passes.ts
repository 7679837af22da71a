import { CancellationScope, condition } from '@temporalio/workflow';
import type { PartitionProgress, PartitionRequest, RunRef } from '../activities/types';
import type { RunLedger } from './ledger';

/** The activities the passes call, by their contract. */
export interface PassActivities {
  syncPartition(request: PartitionRequest): Promise<PartitionProgress>;
  completeStream(request: RunRef & { stream: string }): Promise<{ deleted: number }>;
}

export interface PassOptions {
  maxSeconds: number;
  /** True when the run must stop starting activities and continue as new. */
  mustStop: () => boolean;
  /** Told of every activity started, for the continue-as-new count. */
  started: () => void;
}

/** At most `size` activities at once: each lane holds one partition's chunk. */
class Lanes {
  private busy = 0;
  constructor(readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    // condition() wakes every waiter whose test holds at once: each must check again before it takes a lane.
    while (this.busy >= this.size) await condition(() => this.busy < this.size);
    this.busy += 1;
    try {
      return await task();
    } finally {
      this.busy -= 1;
    }
  }
}

/**
 * How the run's visibility budget is shared: each lane gets a whole number of calls per second and
 * spaces its calls by it, so all lanes together never exceed the budget in any second. Hence at most
 * as many lanes as calls per second.
 */
export function shareBudget(
  visibilityRps: number,
  partitions: number,
  open: number,
): { lanes: number; perLane: number } {
  const lanes = Math.max(1, Math.min(partitions, Math.floor(visibilityRps), open));
  return { lanes, perLane: Math.max(1, Math.floor(visibilityRps / lanes)) };
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
  const { lanes: size, perLane } = shareBudget(
    ledger.plan.settings.visibilityRps,
    ledger.plan.settings.partitions,
    open,
  );
  const lanes = new Lanes(size);
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
      const progress = await lanes.run(async () => {
        if (stopping()) return undefined;
        options.started();
        const request = {
          ...ref,
          stream,
          partition,
          maxSeconds: options.maxSeconds,
          visibilityCallsPerSecond: perLane,
        };
        return acts.syncPartition(request);
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
