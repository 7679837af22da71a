import type pg from 'pg';
import { readFreshness } from '../db/analytics-freshness';
import { readOpenRuns } from '../db/analytics-open-runs';
import { readScheduleCounters, readScheduleFires } from '../db/analytics-schedules';
import {
  readDurations,
  readFailuresByType,
  readThroughput,
  readTotals,
  readTypeSummaries,
} from '../db/analytics-workflows';
import type { ReportData, ReportWindow } from './model';

export interface CollectOptions {
  db: pg.Pool | pg.PoolClient;
  schema: string;
  namespace: string;
  window: ReportWindow;
  stalenessSeconds: number;
  now: Date;
  /** Told before each query: its name, its number and how many there are. */
  progress: (step: string, index: number, total: number) => void;
}

const OLDEST_OPEN_SHOWN = 15;
const STEPS = 9;

/** Runs the report's queries one after another (one connection's worth of load) and gathers their answers. */
export async function collectReport(options: CollectOptions): Promise<ReportData> {
  const { db, schema, namespace, window } = options;
  let done = 0;
  const step = <T>(name: string, query: () => Promise<T>): Promise<T> => {
    options.progress(name, ++done, STEPS);
    return query();
  };
  const totals = await step('totals', () => readTotals(db, schema, namespace, window));
  const throughput = await step('throughput', () => readThroughput(db, schema, namespace, window));
  const failuresByType = await step('failures by type', () => readFailuresByType(db, schema, namespace, window));
  const types = await step('workflow types', () => readTypeSummaries(db, schema, namespace, window));
  const durations = await step('durations', () => readDurations(db, schema, namespace, window));
  const open = await step('open runs', () => readOpenRuns(db, schema, namespace, OLDEST_OPEN_SHOWN));
  const fires = await step('schedule fires', () => readScheduleFires(db, schema, namespace, window));
  const scheduleCounters = await step('schedule counters', () => readScheduleCounters(db, schema, namespace));
  const freshness = await step('freshness', () => readFreshness(db, schema, namespace));
  return {
    namespace,
    schema,
    window,
    generatedAt: options.now,
    stalenessSeconds: options.stalenessSeconds,
    totals,
    throughput,
    failuresByType,
    types,
    durations,
    open,
    fires,
    scheduleCounters,
    freshness,
  };
}
