const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;
type Unit = keyof typeof UNIT_MS;
const UNITS = Object.keys(UNIT_MS) as Unit[];

const DURATION = /^(?:\d+(?:ms|s|m|h|d))+$/;
const PART = /(\d+)(ms|s|m|h|d)/g;

/** "90s", "5m", "1h30m", "2d" or a number of seconds, as milliseconds; undefined when it is none of these. */
export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  const text = value.trim();
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART)) total += Number(amount) * UNIT_MS[unit as Unit];
  return total;
}

/**
 * A duration in the form the schedule definitions take ("1h30m", "2d", "45s"), so what the product
 * prints can be written back. For people by default: whole seconds, the two largest units ("2h5m",
 * "3m20s", "1d"). `exact` keeps every unit down to milliseconds, for a diff that must show any change.
 */
export function formatDuration(ms: number, { exact = false }: { exact?: boolean } = {}): string {
  let rest = Math.max(0, exact ? Math.round(ms) : Math.round(ms / 1000) * 1000);
  const amounts = UNITS.map((unit) => {
    const amount = Math.floor(rest / UNIT_MS[unit]);
    rest %= UNIT_MS[unit];
    return [unit, amount] as const;
  });
  const first = amounts.findIndex(([, amount]) => amount > 0);
  if (first < 0) return '0s';
  // For people, the largest unit fixes the two shown: "1d" leaves minutes out.
  const shown = exact ? amounts.slice(first) : amounts.slice(first, first + 2);
  return shown
    .filter(([, amount]) => amount > 0)
    .map(([unit, amount]) => `${amount}${unit}`)
    .join('');
}
