/** Counts the executions a visibility query matches (CountWorkflowExecutions, within the run's budget). */
export type CountExecutions = (query: string) => Promise<number>;

export interface PartitionTarget {
  /** How many partitions to aim for; 1 keeps the pass whole. */
  partitions: number;
  /** A pass with fewer rows than this per partition is not worth splitting further. */
  minRows: number;
  /** The run's start: the ranges are found below it; the last one is open above. */
  before: Date;
  /** Count calls planning may make at most; past it the ranges found so far stand. */
  maxCounts?: number;
}

const HOUR_MS = 3_600_000;
/** Going back 2^20 hours (about 120 years) finds the oldest run of any namespace. */
const LOOKBACK_STEPS = 21;

export const startTimeRange = (from: Date | null, to: Date | null): string =>
  [from && `StartTime >= '${from.toISOString()}'`, to && `StartTime < '${to.toISOString()}'`]
    .filter(Boolean)
    .join(' AND ');

const within = (base: string, range: string) => (base === '' ? range : range === '' ? base : `(${base}) AND ${range}`);

interface Slice {
  from: Date;
  to: Date;
  rows: number;
}

/**
 * Splits a pass into disjoint StartTime ranges of roughly equal size, from counts: the oldest start is
 * found by going back in doubling steps, then ranges too big are halved until each holds about its
 * share, and neighbours small enough are merged again. The first range is open below and the last open
 * above, so together they cover every run whatever its start; counts only size them (they may be
 * approximate, or move while planning), they never decide what is read. Returns the partitions' queries.
 */
export async function planPartitions(base: string, count: CountExecutions, target: PartitionTarget): Promise<string[]> {
  let budget = target.maxCounts ?? 200;
  const counted = async (query: string) => {
    budget -= 1;
    return count(query);
  };
  const total = await counted(base);
  const wanted = Math.min(target.partitions, Math.ceil(total / Math.max(1, target.minRows)));
  if (wanted <= 1) return [base];
  const share = total / wanted;

  const hi = target.before;
  let lo = new Date(0);
  for (let step = 0; step < LOOKBACK_STEPS && budget > 0; step += 1) {
    const candidate = new Date(hi.getTime() - 2 ** step * HOUR_MS);
    if ((await counted(within(base, startTimeRange(null, candidate)))) === 0) {
      lo = candidate;
      break;
    }
  }

  if (budget <= 0) return [base];
  const slices: Slice[] = [];
  const split = async (from: Date, to: Date, rows: number): Promise<void> => {
    if (rows <= share * 1.5 || to.getTime() - from.getTime() < 2 || budget <= 0) {
      slices.push({ from, to, rows });
      return;
    }
    const mid = new Date(from.getTime() + Math.floor((to.getTime() - from.getTime()) / 2));
    const left = await counted(within(base, startTimeRange(from, mid)));
    await split(from, mid, left);
    await split(mid, to, Math.max(0, rows - left));
  };
  await split(lo, hi, await counted(within(base, startTimeRange(lo, hi))));

  // Neighbours merge while they fit a share, and a small leftover (under half a share) joins its neighbour.
  const merged: Slice[] = [];
  for (const slice of slices) {
    const last = merged.at(-1);
    const sum = (last?.rows ?? 0) + slice.rows;
    const small = last !== undefined && Math.min(last.rows, slice.rows) < share / 2 && sum <= share * 2;
    if (last && (sum <= share || small)) merged[merged.length - 1] = { from: last.from, to: slice.to, rows: sum };
    else merged.push(slice);
  }
  if (merged.length <= 1) return [base];
  return merged.map((slice, index) =>
    within(base, startTimeRange(index === 0 ? null : slice.from, index === merged.length - 1 ? null : slice.to)),
  );
}
