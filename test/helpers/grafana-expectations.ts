import { ageBand, bucketOf, DAY, expectedStats, HOUR, isOpen, percentileCont, timeliness } from './analytics-expected';
import type { SeedFire, SeedRun, SeedSyncRun } from './analytics-seed';

/** What one panel should return: its rows, and which columns may differ by how much (ages tick on). */
export interface ExpectedPanel {
  rows: Array<Record<string, unknown>>;
  /** Columns compared within this many units (seconds), for values that depend on now(). */
  approx?: Record<string, number>;
  /** Table panels whose exact order is part of the answer; time series are always checked for time order. */
  ordered?: boolean;
  /** For tables sorted by a measure (ties in any order): the measure, which must not grow down the rows. */
  descending?: (row: Record<string, unknown>) => number;
}

interface FireCounts {
  due: number;
  on_time: number;
  late: number;
  missed: number;
  worst: number | null;
}

export interface SeedSchedule {
  namespace: string;
  schedule_id: string;
  paused: boolean;
  num_actions_taken: number;
  num_actions_missed_catchup_window: number;
  num_actions_skipped_overlap: number;
}

export interface Seeded {
  runs: SeedRun[];
  fires: SeedFire[];
  schedules: SeedSchedule[];
  syncRuns: SeedSyncRun[];
}

export interface Scenario {
  namespaces: string[];
  types: string[];
  from: Date;
  to: Date;
  intervalMs: number;
}

const inRange = (ms: number, s: Scenario) => ms >= s.from.getTime() && ms <= s.to.getTime();
/** `workflow_type IN (...)` never matches a NULL type, whatever the selection. */
const selected = (run: SeedRun, s: Scenario) =>
  s.namespaces.includes(run.namespace) && run.workflow_type !== null && s.types.includes(run.workflow_type);
const groupOf = (ms: number, s: Scenario) => (Math.floor(ms / s.intervalMs) * s.intervalMs) / 1000;
const ratio = (a: number, b: number) => (b === 0 ? null : a / b);
/** The keys below are JSON arrays of what a row is grouped by. */
const parseKey = <T extends unknown[]>(key: string): T => JSON.parse(key) as T;

/** Sums of the hourly view's rows whose bucket is in the range, per key. */
function hourlySums(data: Seeded, s: Scenario, key: (group: number, run: SeedRun) => unknown[]) {
  return expectedStats(
    data.runs.filter((run) => selected(run, s)),
    HOUR,
    (bucket, run) => (inRange(bucket, s) ? JSON.stringify(key(groupOf(bucket, s), run)) : null),
  );
}

function completedDurations(data: Seeded, s: Scenario, key: (run: SeedRun) => unknown[]): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const run of data.runs) {
    if (!selected(run, s) || run.status !== 'COMPLETED' || !inRange(run.close_time!.getTime(), s)) continue;
    const k = JSON.stringify(key(run));
    groups.set(k, [...(groups.get(k) ?? []), run.execution_time_seconds!]);
  }
  return groups;
}

const byTime = (a: Record<string, unknown>, b: Record<string, unknown>) => (a.time as number) - (b.time as number);

function workflowPanels(data: Seeded, s: Scenario, now: Date): Record<string, ExpectedPanel> {
  const total = hourlySums(data, s, () => []).get('[]');
  const byGroup = [...hourlySums(data, s, (group) => [group]).entries()].map(([k, v]) => ({
    time: parseKey<[number]>(k)[0],
    ...v,
  }));
  const byGroupType = [...hourlySums(data, s, (group, run) => [group, run.workflow_type]).entries()].map(([k, v]) => {
    const [time, metric] = parseKey<[number, string]>(k);
    return { time, metric, ...v };
  });
  const byType = [...hourlySums(data, s, (_g, run) => [run.workflow_type]).entries()].map(([k, v]) => ({
    type: parseKey<[string]>(k)[0],
    ...v,
  }));
  const open = data.runs.filter((run) => selected(run, s) && isOpen(run));
  const age = (run: SeedRun) => (now.getTime() - run.start_time.getTime()) / 1000;
  return {
    'Runs started': { rows: [{ 'Runs started': total?.started ?? 0 }] },
    'Failure rate': {
      rows: [
        { 'Failure rate': total ? ratio(total.failed + total.timed_out, total.closed - total.continued_as_new) : null },
      ],
    },
    'Open runs': { rows: [{ 'Open runs': open.length }] },
    'Oldest open run': { rows: [{ 'Oldest open run': Math.max(...open.map(age)) }], approx: { 'Oldest open run': 60 } },
    'Closed runs by status': {
      rows: byGroup.sort(byTime).map((g) => ({
        time: g.time,
        completed: g.completed,
        failed: g.failed,
        'timed out': g.timed_out,
        canceled: g.canceled,
        terminated: g.terminated,
        'continued as new': g.continued_as_new,
      })),
    },
    'Failures by type (failed + timed out)': {
      rows: byGroupType.map((g) => ({ time: g.time, metric: g.metric, value: g.failed + g.timed_out })),
    },
    'Runs started by type': { rows: byGroupType.map((g) => ({ time: g.time, metric: g.metric, value: g.started })) },
    'Top failing types': {
      descending: (row) => (row.Failed as number) + (row['Timed out'] as number),
      rows: byType
        .map((t) => ({
          'Workflow type': t.type,
          Ended: t.closed - t.continued_as_new,
          Failed: t.failed,
          'Timed out': t.timed_out,
          'Failure rate': ratio(t.failed + t.timed_out, t.closed - t.continued_as_new),
        }))
        .sort((a, b) => b.Failed + b['Timed out'] - (a.Failed + a['Timed out']))
        .slice(0, 20),
    },
    'Open runs by age': { rows: openByAge(open, now), ordered: true },
    'Longest-running open runs': {
      ordered: true,
      approx: { 'Open for': 60 },
      rows: [...open]
        .sort((a, b) => a.start_time.getTime() - b.start_time.getTime())
        .slice(0, 20)
        .map((run) => ({
          'Workflow ID': run.workflow_id,
          'Workflow type': run.workflow_type,
          'Task queue': run.task_queue,
          Started: run.start_time,
          'Open for': age(run),
          Namespace: run.namespace,
        })),
    },
  };
}

function openByAge(open: SeedRun[], now: Date): Array<Record<string, unknown>> {
  const order = ['under 1 hour', '1 hour to 1 day', '1 to 7 days', '7 to 30 days', 'over 30 days'];
  const counts = new Map<string, number>();
  for (const run of open) {
    const band = ageBand((now.getTime() - run.start_time.getTime()) / 1000);
    counts.set(band, (counts.get(band) ?? 0) + 1);
  }
  return order.filter((band) => counts.has(band)).map((band) => ({ 'Open for': band, 'Open runs': counts.get(band) }));
}

function durationPanels(data: Seeded, s: Scenario): Record<string, ExpectedPanel> {
  const overTime = [...completedDurations(data, s, (run) => [groupOf(run.close_time!.getTime(), s)]).entries()];
  const perType = [...completedDurations(data, s, (run) => [run.workflow_type]).entries()];
  return {
    'Duration of completed runs (p50, p95, p99)': {
      rows: overTime
        .map(([k, values]) => ({
          time: parseKey<[number]>(k)[0],
          p50: percentileCont(values, 0.5),
          p95: percentileCont(values, 0.95),
          p99: percentileCont(values, 0.99),
        }))
        .sort(byTime),
    },
    'Duration by type (completed runs)': {
      descending: (row) => row.p95 as number,
      rows: perType.map(([k, values]) => ({
        'Workflow type': parseKey<[string]>(k)[0],
        Completed: values.length,
        p50: percentileCont(values, 0.5),
        p95: percentileCont(values, 0.95),
        p99: percentileCont(values, 0.99),
        Longest: Math.max(...values),
      })),
    },
  };
}

function schedulePanels(data: Seeded, s: Scenario, now: Date): Record<string, ExpectedPanel> {
  const days = new Map<string, FireCounts>();
  const perSchedule = new Map<string, FireCounts>();
  for (const fire of data.fires) {
    const day = bucketOf(fire.scheduled_time, DAY);
    if (!s.namespaces.includes(fire.namespace) || !inRange(day, s)) continue;
    const verdict = timeliness(fire, now);
    const delay = fire.actual_start_time
      ? (fire.actual_start_time.getTime() - fire.scheduled_time.getTime()) / 1000
      : null;
    for (const [map, key] of [
      [days, JSON.stringify([groupOf(day, s), fire.schedule_id])],
      [perSchedule, fire.schedule_id],
    ] as const) {
      const entry = map.get(key) ?? { due: 0, on_time: 0, late: 0, missed: 0, worst: null };
      map.set(key, entry);
      if (verdict !== 'pending') entry.due++;
      if (verdict === 'on_time' || verdict === 'late' || verdict === 'missed') entry[verdict]++;
      if (delay !== null) entry.worst = Math.max(entry.worst ?? -Infinity, delay);
    }
  }
  return {
    'Schedule on-time rate': {
      rows: [...days.entries()]
        .map(([k, v]) => {
          const [time, metric] = parseKey<[number, string]>(k);
          return { time, metric, value: ratio(v.on_time, v.due) };
        })
        .sort(byTime),
    },
    'Schedule misses': {
      descending: (row) => (row.Late as number) + (row.Missed as number),
      rows: [...perSchedule.entries()].map(([id, v]) => ({
        Schedule: id,
        Due: v.due,
        'On time': v.on_time,
        Late: v.late,
        Missed: v.missed,
        'On-time rate': ratio(v.on_time, v.due),
        'Worst delay': v.worst,
      })),
    },
    'Schedules: actions the server missed or skipped': {
      descending: (row) => (row['Missed (catch-up window)'] as number) + (row['Skipped (overlap)'] as number),
      rows: data.schedules
        .filter((schedule) => s.namespaces.includes(schedule.namespace))
        .map((schedule) => ({
          Schedule: schedule.schedule_id,
          Namespace: schedule.namespace,
          Paused: schedule.paused,
          'Actions taken': schedule.num_actions_taken,
          'Missed (catch-up window)': schedule.num_actions_missed_catchup_window,
          'Skipped (overlap)': schedule.num_actions_skipped_overlap,
        })),
    },
  };
}

function freshnessPanels(data: Seeded, s: Scenario, now: Date): Record<string, ExpectedPanel> {
  const rows: Array<Record<string, unknown>> = [];
  for (const namespace of s.namespaces) {
    const mine = data.syncRuns.filter((run) => run.namespace === namespace);
    for (const stream of [...new Set(mine.flatMap((run) => run.streams))]) {
      const withStream = mine.filter((run) => run.streams.includes(stream) && run.finished_at !== null);
      const latest = (status?: string) =>
        withStream
          .filter((run) => (status ? run.status === status : run.status !== 'running'))
          .sort((a, b) => b.finished_at!.getTime() - a.finished_at!.getTime())[0];
      const ok = latest('completed');
      const failed = latest('failed');
      rows.push({
        Namespace: namespace,
        Stream: stream,
        'Last success': ok?.finished_at ?? null,
        Age: ok ? (now.getTime() - ok.finished_at!.getTime()) / 1000 : null,
        Mode: ok?.mode ?? null,
        Rows: ok ? (ok.rows_per_stream[stream] ?? null) : null,
        'Last run': latest()?.status ?? null,
        'Last failure': failed?.finished_at ?? null,
        Error: failed?.error ?? null,
      });
    }
  }
  const ages = rows.map((row) => row.Age as number | null);
  return {
    'Since last successful sync': {
      rows: [
        {
          'Since last successful sync': ages.some((a) => a !== null)
            ? Math.max(...ages.filter((a): a is number => a !== null))
            : null,
        },
      ],
      approx: { 'Since last successful sync': 60 },
    },
    'Sync freshness': { rows, approx: { Age: 60 }, descending: (row) => (row.Age as number | null) ?? Infinity },
  };
}

/** Every panel's expected result for a scenario, keyed by panel title. */
export function expectedPanels(data: Seeded, s: Scenario, now: Date): Record<string, ExpectedPanel> {
  return {
    ...workflowPanels(data, s, now),
    ...durationPanels(data, s),
    ...schedulePanels(data, s, now),
    ...freshnessPanels(data, s, now),
  };
}

/** The types the workflow_type variable should offer: those with a start or close in an hour of the range. */
export function expectedTypeOptions(data: Seeded, namespaces: string[], from: Date, to: Date): string[] {
  const s: Scenario = { namespaces, types: [], from, to, intervalMs: HOUR };
  const types = new Set<string>();
  for (const run of data.runs) {
    if (!namespaces.includes(run.namespace) || run.workflow_type === null) continue;
    const times = [run.start_time, run.close_time].filter((t): t is Date => t !== null);
    if (times.some((t) => inRange(bucketOf(t, HOUR), s))) types.add(run.workflow_type);
  }
  return [...types];
}
