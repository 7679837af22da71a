import { randomBytes } from 'node:crypto';

/**
 * An integer from source JSON that a JS number cannot hold exactly (beyond ±2^53: int64 IDs from Go
 * and Java workers). Kept as its digits, and written to jsonb as the same number.
 */
export class LosslessInteger {
  constructor(readonly digits: string) {}
  toJSON(): string {
    return `${MARKER}${this.digits}`;
  }
  toString(): string {
    return this.digits;
  }
}

export type JsonValue = null | boolean | number | string | LosslessInteger | JsonValue[] | { [key: string]: JsonValue };

/** Random per process: no text a source sends can spell it, so only our integers are unwrapped. */
const MARKER = `lossless-integer-${randomBytes(16).toString('hex')}:`;
const MARKED = new RegExp(`"${MARKER}(-?\\d+)"`, 'g');
/** A JSON string token, or an integer token that may not fit a double. */
const TOKENS = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![.\deE])/g;
const WRAP_KEY = MARKER.slice(0, -1);

function unsafe(digits: string): boolean {
  return !Number.isSafeInteger(Number(digits));
}

/**
 * JSON.parse that keeps integers beyond 2^53 exact (as LosslessInteger). Text without a run of 16
 * digits takes the native path; otherwise unsafe integers outside strings are wrapped before parsing.
 */
export function parseJsonLossless(text: string): JsonValue {
  if (!/\d{16}/.test(text)) return JSON.parse(text) as JsonValue;
  const wrapped = text.replace(TOKENS, (token) =>
    token.startsWith('"') || !unsafe(token) ? token : `{"${WRAP_KEY}":"${token}"}`,
  );
  return JSON.parse(wrapped, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const digits = (value as Record<string, unknown>)[WRAP_KEY];
      if (typeof digits === 'string' && Object.keys(value).length === 1) return new LosslessInteger(digits);
    }
    return value;
  }) as JsonValue;
}

/** The character that stands in for NUL, which Postgres text and jsonb cannot hold. */
export const NUL_REPLACEMENT = '\u2400';

export function withoutNul(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', NUL_REPLACEMENT) : text;
}

/**
 * Makes any JSON-like value storable in Postgres: NUL characters in strings and keys are replaced,
 * non-finite numbers become null, Dates become ISO strings. Iterative, so deep nesting cannot
 * overflow the stack.
 */
export function toStorable(value: unknown): JsonValue {
  const root: { value: JsonValue } = { value: null };
  const stack: Array<{ source: unknown; assign: (value: JsonValue) => void }> = [
    { source: value, assign: (v) => (root.value = v) },
  ];
  while (stack.length > 0) {
    const { source, assign } = stack.pop()!;
    assign(storableLeaf(source, stack));
  }
  return root.value;
}

type Pending = Array<{ source: unknown; assign: (value: JsonValue) => void }>;

function storableLeaf(source: unknown, stack: Pending): JsonValue {
  if (source === null || source === undefined) return null;
  if (typeof source === 'string') return withoutNul(source);
  if (typeof source === 'number') return Number.isFinite(source) ? source : null;
  if (typeof source === 'boolean' || source instanceof LosslessInteger) return source;
  if (typeof source === 'bigint') return source.toString();
  if (source instanceof Date) return Number.isNaN(source.getTime()) ? null : source.toISOString();
  if (source instanceof Uint8Array) return Buffer.from(source).toString('base64');
  if (Array.isArray(source)) {
    const target = new Array<JsonValue>(source.length).fill(null);
    source.forEach((item, index) => stack.push({ source: item, assign: (v) => (target[index] = v) }));
    return target;
  }
  if (typeof source !== 'object') return null;
  const target: Record<string, JsonValue> = {};
  for (const [key, item] of Object.entries(source)) {
    if (item === undefined || typeof item === 'function') continue;
    const storableKey = withoutNul(key);
    stack.push({ source: item, assign: (v) => (target[storableKey] = v) });
  }
  return target;
}

function hasNulKey(object: object): boolean {
  for (const key in object) if (key.includes('\u0000')) return true;
  return false;
}

/** JSON.stringify's replacer that applies toStorable's rules node by node, without copying the tree. */
function storableReplacer(this: unknown, key: string, value: unknown): unknown {
  if (typeof value === 'string') return withoutNul(value);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value !== 'object' || value === null) return value;
  // A Buffer arrives here already turned into { type, data } by its toJSON: look at the original.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array) return Buffer.from(original).toString('base64');
  if (!Array.isArray(value) && hasNulKey(value)) {
    const renamed: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) renamed[withoutNul(name)] = item;
    return renamed;
  }
  return value;
}

/**
 * JSON text of a value made storable: the same result as JSON.stringify(toStorable(value)) in one
 * pass, with every LosslessInteger written as the number it is.
 */
export function storableJson(value: unknown): string {
  const text = JSON.stringify(value, storableReplacer) ?? 'null';
  return text.includes(MARKER) ? text.replace(MARKED, '$1') : text;
}
