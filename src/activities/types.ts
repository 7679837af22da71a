import type { Stream } from '../workflows/input';

/** The contracts between SyncWorkflow and its activities: plain JSON both ways. */

export interface PlanSyncRequest {
  workflowId: string;
  runId: string;
  mode: 'full' | 'incremental';
  streams: Stream[];
  lookbackSeconds: number;
}

export interface StreamPlan {
  /** True when the pass reads everything (and so may mark unseen rows deleted). */
  full: boolean;
  /** The visibility query of the pass; empty lists everything. */
  query: string;
}

export interface SyncPlan {
  syncRunId: string;
  /** When the run began, on the database's clock (ISO). */
  startedAt: string;
  streams: Partial<Record<Stream, StreamPlan>>;
}

export interface StreamChunkRequest {
  syncRunId: string;
  query: string;
  pageSize: number;
  /** Base64 page token to start from; null starts at the first page. */
  pageToken: string | null;
  /** The activity returns after about this long, handing back the token to continue from. */
  maxSeconds: number;
}

export interface StreamChunkResult {
  /** Null when the listing is exhausted. */
  nextPageToken: string | null;
  pages: number;
  rows: number;
  /** The page this attempt resumed at from a heartbeat checkpoint, or null when it started fresh. */
  resumedAtPage: number | null;
}

/** Recorded after every page: what a retried attempt resumes from. */
export interface PageCheckpoint {
  nextPageToken: string | null;
  pages: number;
  rows: number;
}

export interface CompletePassRequest {
  stream: Stream;
  full: boolean;
  startedAt: string;
}

export interface FinishSyncRequest {
  syncRunId: string;
  status: 'completed' | 'failed' | 'cancelled';
  rowsPerStream: Record<string, number>;
  pagesPerStream: Record<string, number>;
  deletedPerStream: Record<string, number>;
  error: string | null;
}
