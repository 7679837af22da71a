import { DAYS_OF_WEEK, MONTHS, type CalendarSpecDescription } from '@temporalio/client';

/**
 * A calendar as the set of values each field matches. The server compiles a cron string into a
 * structured calendar whose ranges may be written differently from the cron text, so the two sides
 * of a diff are compared as value sets, never as text.
 */
export interface CalendarSets {
  second: number[];
  minute: number[];
  hour: number[];
  dayOfMonth: number[];
  month: number[];
  dayOfWeek: number[];
  /** Empty means every year. */
  year: number[];
}

interface FieldRule {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  /** First value of `names`: 1 for months, 0 for days. */
  namesFrom?: number;
}

const MINUTE: FieldRule = { name: 'minute', min: 0, max: 59 };
const HOUR: FieldRule = { name: 'hour', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRule = { name: 'day of month', min: 1, max: 31 };
const MONTH: FieldRule = { name: 'month', min: 1, max: 12, names: MONTHS, namesFrom: 1 };
const DAY_OF_WEEK: FieldRule = { name: 'day of week', min: 0, max: 6, names: DAYS_OF_WEEK, namesFrom: 0 };

const SHORTHANDS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@hourly': '0 * * * *',
};

const range = (from: number, to: number, step = 1): number[] => {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
};

const sortedUnique = (values: number[]): number[] => [...new Set(values)].sort((a, b) => a - b);

function parseValue(text: string, rule: FieldRule): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    // Cron allows 7 for Sunday as well as 0.
    if (rule === DAY_OF_WEEK && value === 7) return 0;
    if (value < rule.min || value > rule.max) {
      throw new Error(`${rule.name} ${value} is out of range ${rule.min}-${rule.max}`);
    }
    return value;
  }
  const index = rule.names?.findIndex((name) => name.slice(0, 3) === text.toUpperCase()) ?? -1;
  if (index < 0) throw new Error(`"${text}" is not a valid ${rule.name}`);
  return index + (rule.namesFrom ?? 0);
}

function parseField(text: string, rule: FieldRule): number[] {
  const values: number[] = [];
  for (const item of text.split(',')) {
    const [base = '', stepText] = item.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`"${item}" has a bad step in the ${rule.name} field`);
    let from: number;
    let to: number;
    if (base === '*' || base === '?') {
      [from, to] = [rule.min, rule.max];
    } else if (base.includes('-')) {
      const [start = '', end = ''] = base.split('-');
      [from, to] = [parseValue(start, rule), parseValue(end, rule)];
      // "5-7" for days of the week ends on Sunday, which parseValue turned into 0.
      if (rule === DAY_OF_WEEK && to === 0 && end.trim() === '7') to = 7;
      if (to < from) throw new Error(`"${item}" is a backwards range in the ${rule.name} field`);
    } else {
      from = parseValue(base, rule);
      to = stepText === undefined ? from : rule.max;
    }
    values.push(...range(from, to, step).map((value) => (rule === DAY_OF_WEEK ? value % 7 : value)));
  }
  return sortedUnique(values);
}

export type CronParseResult = { ok: true; calendar: CalendarSets } | { ok: false; problem: string };

/** A five-field cron expression (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly. */
export function parseCron(expression: string): CronParseResult {
  const text = SHORTHANDS[expression.trim().toLowerCase()] ?? expression.trim();
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return {
      ok: false,
      problem: `"${expression}" must have five fields (minute hour day-of-month month day-of-week) or be @hourly, @daily, @weekly, @monthly or @yearly`,
    };
  }
  const [minute = '', hour = '', dayOfMonth = '', month = '', dayOfWeek = ''] = fields;
  try {
    return {
      ok: true,
      calendar: {
        second: [0],
        minute: parseField(minute, MINUTE),
        hour: parseField(hour, HOUR),
        dayOfMonth: parseField(dayOfMonth, DAY_OF_MONTH),
        month: parseField(month, MONTH),
        dayOfWeek: parseField(dayOfWeek, DAY_OF_WEEK),
        year: [],
      },
    };
  } catch (error) {
    return { ok: false, problem: `"${expression}": ${(error as Error).message}` };
  }
}

function expandRanges<Unit>(
  ranges: ReadonlyArray<{ start: Unit; end: Unit; step: number }>,
  toNumber: (unit: Unit) => number,
) {
  return sortedUnique(
    ranges.flatMap(({ start, end, step }) => {
      const from = toNumber(start);
      return range(from, Math.max(from, toNumber(end)), Math.max(step, 1));
    }),
  );
}

/** The value sets of a calendar as describe() returns it. */
export function calendarFromDescription(spec: CalendarSpecDescription): CalendarSets {
  const identity = (value: number) => value;
  return {
    second: expandRanges(spec.second, identity),
    minute: expandRanges(spec.minute, identity),
    hour: expandRanges(spec.hour, identity),
    dayOfMonth: expandRanges(spec.dayOfMonth, identity),
    month: expandRanges(spec.month, (name) => MONTHS.indexOf(name) + 1),
    dayOfWeek: expandRanges(spec.dayOfWeek, (name) => DAYS_OF_WEEK.indexOf(name)),
    year: expandRanges(spec.year, identity),
  };
}

/** The common step of evenly spaced values, if they are. */
function commonStep(values: number[]): number | undefined {
  if (values.length < 2) return undefined;
  const step = values[1]! - values[0]!;
  return values.every((value, index) => index === 0 || value - values[index - 1]! === step) ? step : undefined;
}

function renderField(values: number[], min: number, max: number, star = true): string {
  if (values.length === 0) return '*';
  if (star && values.length === max - min + 1 && values[0] === min && values[values.length - 1] === max) return '*';
  const step = commonStep(values);
  if (step !== undefined && step > 1) {
    const first = values[0]!;
    const last = values[values.length - 1]!;
    if (first === min && last + step > max) return `*/${step}`;
    if (values.length >= 3) return `${first}-${last}/${step}`;
  }
  const parts: string[] = [];
  let start = values[0]!;
  let previous = start;
  for (const value of [...values.slice(1), Number.NaN]) {
    if (value === previous + 1) {
      previous = value;
      continue;
    }
    parts.push(start === previous ? `${start}` : `${start}-${previous}`);
    start = previous = value;
  }
  return parts.join(',');
}

/** Cron-like text for a calendar: five fields when it fires at second 0 every year, otherwise seven. */
export function renderCalendar(calendar: CalendarSets): string {
  const middle = [
    renderField(calendar.minute, 0, 59),
    renderField(calendar.hour, 0, 23),
    renderField(calendar.dayOfMonth, 1, 31),
    renderField(calendar.month, 1, 12),
    renderField(calendar.dayOfWeek, 0, 6),
  ];
  const everyYear = calendar.year.length === 0;
  if (everyYear && calendar.second.length === 1 && calendar.second[0] === 0) return middle.join(' ');
  const year = everyYear ? '*' : renderField(calendar.year, calendar.year[0]!, Number.MAX_SAFE_INTEGER, false);
  return [renderField(calendar.second, 0, 59), ...middle, year].join(' ');
}
