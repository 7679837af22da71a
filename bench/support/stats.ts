/** Small helpers for timing and summarising repeated measurements. */

export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

export interface Measurement {
  /** Wall time of each repeat, in milliseconds. */
  runsMs: number[];
  medianMs: number;
  rows: number;
  rowsPerSecond: number;
}

export function summarise(runsMs: number[], rows: number): Measurement {
  const medianMs = median(runsMs);
  return {
    runsMs: runsMs.map(round1),
    medianMs: round1(medianMs),
    rows,
    rowsPerSecond: Math.round((rows / medianMs) * 1000),
  };
}

export const round1 = (value: number): number => Math.round(value * 10) / 10;
export const round2 = (value: number): number => Math.round(value * 100) / 100;

export function log(line: string): void {
  process.stdout.write(`${line}\n`);
}
