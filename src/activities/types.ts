import type { AlertDecision } from '../alerts/types';

/** The contracts between SyncWorkflow and its activities: plain JSON both ways, no positions or queries. */

export interface RunSettings {
  pageSize: number;
  /** Partitions read at once. */
  partitions: number;
  minRowsPerPartition: number;
  /** Visibility calls per second for the whole run. */
  visibilityRps: number;
  lookbackSeconds: number;
}

export interface PlanRequest {
  workflowId: string;
  runId: string;
  mode: 'full' | 'incremental';
  /** Unset: every stream of the registry. */
  streams?: string[] | undefined;
  /** Unset: the worker's source namespace. */
  namespace?: string | undefined;
  pageSize?: number | undefined;
  partitions?: number | undefined;
  minRowsPerPartition: number;
  visibilityRps?: number | undefined;
  lookbackSeconds: number;
}

export interface ResumeRequest {
  workflowId: string;
  runId: string;
  /** The run this one continues (workflowInfo().continuedFromExecutionRunId): the server's word, not the input's. */
  continuedFromRunId: string;
  syncRunId: string;
  destination: string;
}

export interface PartitionProgress {
  partition: number;
  pages: number;
  rows: number;
  done: boolean;
  resumedAtPages: number[];
}

/** What a partition's activity reports: the partition's numbers, and the lane's visibility calls for its next activity. */
export interface PartitionReport extends PartitionProgress {
  /** When the lane's visibility calls of the last window were answered (epoch ms); absent from older workers. */
  visibilityCalls?: number[];
}

export interface StreamProgress {
  stream: string;
  full: boolean;
  /** Rows a full pass marked deleted (0 until the pass completes). */
  deleted: number;
  completed: boolean;
  partitions: PartitionProgress[];
}

/** A run as the workflow needs it: what to call, never what to read (queries and tokens stay in Postgres). */
export interface RunPlan {
  syncRunId: string;
  destination: string;
  namespace: string;
  mode: 'full' | 'incremental';
  /** When the run began, on the database's clock (ISO). */
  startedAt: string;
  continuedAsNew: number;
  settings: RunSettings;
  streams: StreamProgress[];
  /**
   * True when the run read everything its streams can read in full: a full run, or every stream's pass
   * full apart from streams that only ever read incrementally. Absent in plans recorded before it.
   */
  readsEverything?: boolean;
  /**
   * When the plan's visibility calls of the last window were answered (epoch ms), charged to the lanes'
   * first activities. Absent from a run continued as new and from plans recorded before it.
   */
  visibilityCalls?: number[];
}

/** Names the run and the destination it was planned for: every activity checks both. */
export interface RunRef {
  syncRunId: string;
  destination: string;
}

export interface PartitionRequest extends RunRef {
  stream: string;
  partition: number;
  /** The activity returns after about this long, its checkpoint committed. */
  maxSeconds: number;
  /** This activity's lane's share of the run's visibility budget, in calls per window. */
  visibilityCallsPerSecond: number;
  /** The lane's calls of the last window (epoch ms); absent when unknown, and then assumed to fill it. */
  visibilityHistory?: number[] | undefined;
}

export interface FinishRequest extends RunRef {
  status: 'completed' | 'failed' | 'cancelled';
  error: string | null;
}

export interface RunTotals {
  rowsPerStream: Record<string, number>;
  pagesPerStream: Record<string, number>;
  deletedPerStream: Record<string, number>;
}

export interface RejectedRunRequest {
  workflowId: string;
  runId: string;
  /** 'rejected' for refused input, else the mode the run was asked for. */
  mode: string;
  namespace?: string | undefined;
  error: string;
}

export type { AlertDecision };
