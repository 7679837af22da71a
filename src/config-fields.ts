import { z } from 'zod';

/** The value read from a variable's text, or the one problem with it (never repeating the value: it may be a secret). */
type Result<T> = { value: T } | { problem: string };
type Read<T> = (raw: string | undefined) => Result<T>;
/** Reads the text of a variable that is set. */
type Parse<T> = (text: string) => Result<T>;

/**
 * One environment variable: `read` gets the raw text (undefined when the variable is unset) and gives
 * the value or one problem, so a bad variable is one line, never two that contradict each other.
 * T is given at each use: inferred from the two result shapes, it would take in undefined.
 */
export function setting<T>(read: Read<T>) {
  return z
    .string()
    .optional()
    .transform((raw, context) => {
      const result = read(raw);
      if ('value' in result) return result.value;
      context.addIssue({ code: 'custom', message: result.problem });
      return z.NEVER;
    });
}

const withDefault = <T>(parse: Parse<T>, fallback: T) =>
  setting<T>((raw) => (raw === undefined ? { value: fallback } : parse(raw)));
const optional = <T>(parse: Parse<T>) =>
  setting<T | undefined>((raw) => (raw === undefined ? { value: undefined } : parse(raw)));

/**
 * A whole number in decimal digits. "0x6B1F" or "1e3" are refused rather than read as 27423 or 1000,
 * and an empty value is refused rather than read as 0.
 */
export const wholeNumber = (min: number, max: number, fallback: number) =>
  withDefault<number>((raw) => {
    const text = raw.trim();
    if (text === '') {
      return {
        problem: `is empty: set a whole number from ${min} to ${max}, or unset it for the default (${fallback})`,
      };
    }
    if (!/^\d+$/.test(text)) return { problem: 'must be a whole number, in decimal digits' };
    const value = Number(text);
    if (value < min || value > max) {
      return { problem: min === 1 && value < 1 ? 'must be at least 1' : `must be between ${min} and ${max}` };
    }
    return { value };
  }, fallback);

const choice =
  <T extends string>(choices: readonly T[]): Parse<T> =>
  (raw) => {
    const chosen = choices.find((candidate) => candidate === raw.trim());
    if (chosen !== undefined) return { value: chosen };
    return { problem: `must be ${choices.slice(0, -1).join(', ')} or ${choices.at(-1)!}` };
  };

export const oneOf = <const T extends string>(choices: readonly T[], fallback: T) =>
  withDefault(choice(choices), fallback);

/** One of `choices`, or undefined when unset. */
export const optionalOneOf = <const T extends string>(choices: readonly T[]) => optional(choice(choices));

const truth: Parse<boolean> = (raw) => {
  const text = raw.trim();
  if (['true', '1'].includes(text)) return { value: true };
  if (['false', '0'].includes(text)) return { value: false };
  return { problem: 'must be true or false' };
};

export const flag = (fallback: boolean) => withDefault(truth, fallback);

/** true or false, or undefined when unset (the default is someone else's, e.g. TEMPORAL_TLS's). */
export const optionalFlag = optional(truth);

const named: Parse<string> = (raw) => {
  const text = raw.trim();
  return text === '' ? { problem: 'must not be empty' } : { value: text };
};

/** Text that must not be empty (a name), `fallback` when unset. */
export const name = (fallback: string) => withDefault(named, fallback);

/** A name that may be unset, but not empty. */
export const optionalName = optional(named);

/** Optional text, where an empty value means unset (as platforms pass "FOO=" for "no FOO"). */
export const optionalText = setting<string | undefined>((raw) => ({
  value: raw === undefined || raw.trim() === '' ? undefined : raw,
}));

/** host:port, the port from 1 to 65535: checked here, not after the migrations ran. */
export function hostPortProblem(value: string): string | undefined {
  const match = /^(?:[^\s:/[\]]+|\[[0-9a-fA-F:.]+\]):(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[1]) : NaN;
  return port >= 1 && port <= 65535 ? undefined : 'must be host:port with a port from 1 to 65535, e.g. 127.0.0.1:7233';
}

export const hostPort = optional<string>((raw) => {
  const problem = hostPortProblem(raw);
  return problem ? { problem } : { value: raw.trim() };
});

export const optionalHttpUrl = setting<string | undefined>((raw) => {
  const text = raw?.trim() ?? '';
  if (text === '') return { value: undefined };
  try {
    const url = new URL(text);
    if (url.protocol === 'http:' || url.protocol === 'https:') return { value: text };
  } catch {
    // not a URL at all: the same answer
  }
  return { problem: 'must be an http:// or https:// URL' };
});

/** A Postgres identifier we create ourselves: never quoted from user text, so kept plain, and never Postgres's own. */
export const schemaName = (fallback: string) =>
  withDefault<string>((raw) => {
    const text = raw.trim();
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(text)) {
      return {
        problem:
          'must be a plain lower-case SQL identifier (a-z, 0-9, _; at most 63 characters; not starting with a digit)',
      };
    }
    if (text === 'information_schema' || text.startsWith('pg_')) {
      return { problem: 'must not be information_schema or start with pg_: those schemas belong to Postgres itself' };
    }
    return { value: text };
  }, fallback);

const URL_EXAMPLE = 'a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/mydb';

/** Why a DATABASE_URL cannot be used as it is written, or undefined. */
export function postgresUrlProblem(raw: string | undefined): string | undefined {
  if (raw === undefined) return `is required: set it to ${URL_EXAMPLE}`;
  if (raw.trim() === '') return `is empty: set it to ${URL_EXAMPLE}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return (
      `is not a URL: set it to ${URL_EXAMPLE}; in the password, write @ as %40, # as %23, / as %2F, ? as %3F ` +
      'and % as %25'
    );
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    return `must be a postgres:// or postgresql:// URL, e.g. postgres://user@127.0.0.1:5432/mydb`;
  }
  for (const [part, text] of [
    ['user name', url.username],
    ['password', url.password],
  ] as const) {
    try {
      decodeURIComponent(text);
    } catch {
      return `has a % in its ${part} that does not start a percent-encoded character (%XX): write a literal % as %25`;
    }
  }
  return undefined;
}

export const postgresUrl = setting<string>((raw) => {
  const problem = postgresUrlProblem(raw);
  return problem === undefined ? { value: raw! } : { problem };
});
