import type { PartitionProgress, RunPlan, StreamProgress } from '../activities/types';

/** One stream's numbers as the progress query and the summary show them. */
export interface StreamNumbers {
  full: boolean;
  pages: number;
  rows: number;
  deleted: number;
  done: boolean;
  partitions: { done: number; total: number };
  /** Pages (counted within their partition) at which a retried attempt picked a partition up again. */
  resumedAtPages: number[];
}

export interface SyncProgress {
  syncRunId: string | null;
  mode: 'full' | 'incremental';
  startedAt: string | null;
  continuedAsNew: number;
  streams: Record<string, StreamNumbers>;
}

export interface SyncSummary {
  syncRunId: string;
  /** 'full' when every stream read everything, otherwise 'incremental'. */
  mode: 'full' | 'incremental';
  streams: Record<string, StreamNumbers>;
  startedAt: string;
  durationMs: number;
  continuedAsNew: number;
}

/**
 * The run's numbers, in one place: built from the plan (what Postgres holds for the run) and kept up
 * to date from what each activity reports, which is again what Postgres holds. Pure.
 */
export class RunLedger {
  private readonly streams = new Map<string, StreamProgress>();

  constructor(readonly plan: RunPlan) {
    for (const stream of plan.streams) {
      const partitions = stream.partitions.map((p) => ({ ...p, resumedAtPages: [...p.resumedAtPages] }));
      this.streams.set(stream.stream, { ...stream, partitions });
    }
  }

  names(): string[] {
    return [...this.streams.keys()];
  }

  openPartitions(stream: string): number[] {
    return this.get(stream).partitions.flatMap((p) => (p.done ? [] : [p.partition]));
  }

  partitionDone(stream: string, partition: number): boolean {
    return this.get(stream).partitions.find((p) => p.partition === partition)?.done ?? true;
  }

  /** True once every partition of the stream is done and its pass is not yet completed. */
  readyToComplete(stream: string): boolean {
    const state = this.get(stream);
    return !state.completed && state.partitions.every((p) => p.done);
  }

  record(stream: string, progress: PartitionProgress): void {
    const state = this.get(stream);
    const { partition, pages, rows, done, resumedAtPages } = progress;
    const numbers = { partition, pages, rows, done, resumedAtPages };
    state.partitions = state.partitions.map((p) => (p.partition === partition ? numbers : p));
  }

  complete(stream: string, deleted: number): void {
    const state = this.get(stream);
    state.completed = true;
    state.deleted = deleted;
  }

  done(): boolean {
    return [...this.streams.values()].every((state) => state.completed);
  }

  numbers(): Record<string, StreamNumbers> {
    const result: Record<string, StreamNumbers> = {};
    for (const [name, state] of this.streams) {
      const sum = (pick: (p: PartitionProgress) => number) => state.partitions.reduce((n, p) => n + pick(p), 0);
      result[name] = {
        full: state.full,
        pages: sum((p) => p.pages),
        rows: sum((p) => p.rows),
        deleted: state.deleted,
        done: state.completed,
        partitions: { done: state.partitions.filter((p) => p.done).length, total: state.partitions.length },
        resumedAtPages: state.partitions.flatMap((p) => p.resumedAtPages),
      };
    }
    return result;
  }

  progress(): SyncProgress {
    const { syncRunId, mode, startedAt, continuedAsNew } = this.plan;
    return { syncRunId, mode, startedAt, continuedAsNew, streams: this.numbers() };
  }

  summary(nowMs: number): SyncSummary {
    const streams = this.numbers();
    const { syncRunId, startedAt, continuedAsNew } = this.plan;
    return {
      syncRunId,
      mode: (this.plan.readsEverything ?? Object.values(streams).every((s) => s.full)) ? 'full' : 'incremental',
      streams,
      startedAt,
      durationMs: nowMs - new Date(startedAt).getTime(),
      continuedAsNew,
    };
  }

  private get(stream: string): StreamProgress {
    const state = this.streams.get(stream);
    if (!state) throw new Error(`the run has no ${stream} stream`);
    return state;
  }
}
