/** Everything the report shows, read from the analytics views for one namespace and window. */

export type BucketWidth = 'hour' | 'day';

export interface ReportWindow {
  /** Inclusive, on a bucket boundary. */
  since: Date;
  /** Exclusive, on a bucket boundary. */
  until: Date;
  /** The charts' resolution: hours for windows up to three days, days beyond. */
  bucket: BucketWidth;
}

export interface StatusCounts {
  started: number;
  closed: number;
  completed: number;
  failed: number;
  timedOut: number;
  canceled: number;
  terminated: number;
  continuedAsNew: number;
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface TypeSummary extends Percentiles {
  workflowType: string | null;
  started: number;
  /** Closed, continue-as-new excluded: the failure rate's denominator. */
  ended: number;
  failed: number;
  timedOut: number;
  failureRate: number | null;
  completed: number;
}

export interface OpenRun {
  workflowId: string;
  runId: string;
  workflowType: string | null;
  taskQueue: string | null;
  startTime: Date;
  ageSeconds: number;
}

export interface FireCounts {
  due: number;
  onTime: number;
  late: number;
  missed: number;
}

export interface ScheduleSummary extends FireCounts {
  scheduleId: string;
  worstDelaySeconds: number | null;
}

export interface ScheduleCounters {
  scheduleId: string;
  paused: boolean;
  actionsTaken: number;
  missedCatchupWindow: number;
  skippedOverlap: number;
}

export interface Freshness {
  stream: string;
  lastSuccessAt: Date | null;
  secondsSinceSuccess: number | null;
  lastSuccessMode: string | null;
  lastRunStatus: string | null;
  lastFailureAt: Date | null;
  lastFailureError: string | null;
}

export interface ReportData {
  namespace: string;
  schema: string;
  window: ReportWindow;
  generatedAt: Date;
  stalenessSeconds: number;
  totals: StatusCounts;
  throughput: Array<StatusCounts & { bucket: Date }>;
  failuresByType: Array<{ bucket: Date; workflowType: string | null; failures: number }>;
  types: TypeSummary[];
  durations: { overall: Percentiles & { completed: number }; overTime: Array<Percentiles & { bucket: Date }> };
  open: { total: number; bands: Array<{ band: string; runs: number }>; oldest: OpenRun[] };
  /** null: the schedule fire log is not in this database yet. */
  fires: { days: Array<FireCounts & { bucket: Date }>; schedules: ScheduleSummary[] } | null;
  scheduleCounters: ScheduleCounters[];
  freshness: Freshness[];
}
