import os from 'node:os';
import { WINDOW_MS } from '../../src/source/visibility-gate';
import { shareBudget } from '../../src/workflows/passes';
import type { RowCost } from './sample';
import type { SyncFigures } from './scale-sync';
import { round2 } from './stats';

export const fmt = (value: number): string => Math.round(value).toLocaleString('en-US');

/** What the run's budget allows at most: its lanes' shares, per window of the gate's, pages of 1000. */
export function budgetCap(visibilityRps: number, partitions: number, open: number, pageSize = 1000) {
  const { lanes, callsPerLane } = shareBudget(visibilityRps, partitions, open);
  const calls = callsPerLane.reduce((sum, share) => sum + share, 0);
  return { lanes, calls, rowsPerSecond: Math.round((calls * pageSize * 1000) / WINDOW_MS) };
}

export function loadText(figures: Pick<SyncFigures, 'loadAverage'>): string {
  const peak = Math.max(figures.loadAverage.before[0]!, figures.loadAverage.after[0]!);
  return `load average ${figures.loadAverage.before[0]} → ${figures.loadAverage.after[0]}${peak > 3 ? ' (machine busy: load > 3)' : ''}`;
}

const sharesText = (values: Record<string, number>) =>
  Object.entries(values)
    .filter(([, value]) => value > 0)
    .map(([name, value]) => `${name} ${value}`)
    .join(', ');

/** Where a run's rate is limited: the budget, the cores, or neither (then latency or waiting). */
export function limitText(figures: SyncFigures, cap: ReturnType<typeof budgetCap>): string {
  const budgetShare = figures.rowsPerSecond / cap.rowsPerSecond;
  const parts = [
    `budget cap ${fmt(cap.rowsPerSecond)} rows/s (${cap.lanes} lanes, ${cap.calls} calls per ${WINDOW_MS} ms) reached ${Math.round(budgetShare * 100)}%`,
    `machine ${Math.round(figures.machineBusy * 100)}% busy (${os.cpus().length} cores)`,
  ];
  const verdict =
    figures.machineBusy >= 0.9
      ? 'limit: the cores (the machine is saturated)'
      : budgetShare >= 0.9
        ? 'limit: the visibility budget'
        : 'limit: neither cores nor budget saturated: latency per page and waiting (see the CPU per process)';
  return `${parts.join('; ')}; ${verdict}`;
}

export function syncLines(figures: SyncFigures, cap: ReturnType<typeof budgetCap>): string[] {
  const { calls } = figures;
  return [
    `  ${figures.label}: ${fmt(figures.rows)} rows in ${round2(figures.ms / 1000)} s = ${fmt(figures.rowsPerSecond)} rows/s ` +
      `(planned after ${figures.plannedAfterS ?? '?'} s, ${figures.partitions} partitions; ${loadText(figures)})`,
    `    source: ${fmt(calls.list)} List + ${fmt(calls.count)} Count calls, busiest second ${calls.peakPerSecond} calls, ` +
      `rejected ${calls.rejected}`,
    ...(calls.peakPerSecond > Number(figures.input.visibilityRps)
      ? [
          `    OVER THE BUDGET (${String(figures.input.visibilityRps)}/s): the busiest second's calls by partition, ` +
            `with their smallest gap: ${calls.busiestSecond
              .map((b) => `${b.call} ×${b.calls}${b.smallestGapMs === null ? '' : ` (${b.smallestGapMs} ms)`}`)
              .join('; ')}`,
        ]
      : []),
    `    cpu, share of one core: ${sharesText(figures.cores)}; machine ${Math.round(figures.machineBusy * 100)}% busy`,
    `    cpu per row, µs: ${sharesText(figures.cpuUsPerRow)}`,
    `    ${limitText(figures, cap)}`,
  ];
}

/** The workers' CPU per row against what its steps cost in isolation (measured on the sample in this process). */
export function workerSplit(figures: SyncFigures, cost: RowCost): Record<string, number> {
  const worker = Object.entries(figures.cpuUsPerRow)
    .filter(([name]) => name.startsWith('worker'))
    .reduce((sum, [, value]) => sum + value, 0);
  const known = cost.clientUs + cost.mapUs + cost.copyTextUs;
  return {
    workerCpuUs: round2(worker),
    clientReceiveAndDecodeUs: cost.clientUs,
    ofWhichProtobufDecodeUs: cost.decodeUs,
    mappingUs: cost.mapUs,
    copyTextUs: cost.copyTextUs,
    restUs: round2(worker - known),
  };
}

export interface Target {
  target: string;
  measured: string;
  met: boolean;
  limit: string;
}

export function targetLines(targets: Target[]): string[] {
  return targets.map(
    (t) => `  ${t.met ? 'MET   ' : 'MISSED'} ${t.target}: ${t.measured}${t.limit ? `\n         ${t.limit}` : ''}`,
  );
}
