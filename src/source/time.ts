import type { google } from '@temporalio/proto';

type Timestamp = google.protobuf.ITimestamp;
type Duration = google.protobuf.IDuration;
/** protobufjs gives 64-bit integers as Long objects; only this much of them is used. */
type LongLike = { toNumber(): number };

/** A protobuf 64-bit integer (Long, number or string) as a number; absent is 0. */
export function longToNumber(value: number | LongLike | string | null | undefined): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return Number(value);
  return value.toNumber();
}

/**
 * A protobuf Timestamp as an ISO-8601 string with microseconds, the precision of timestamptz.
 * The SDK's own decoding floors to milliseconds; this keeps what Postgres can hold.
 */
export function timestampToIso(timestamp: Timestamp | null | undefined): string | null {
  if (!timestamp) return null;
  const seconds = longToNumber(timestamp.seconds);
  const nanos = timestamp.nanos ?? 0;
  if (seconds === 0 && nanos === 0) return null;
  const millisIso = new Date(seconds * 1000).toISOString(); // 2024-01-02T03:04:05.000Z
  const micros = Math.floor(nanos / 1000)
    .toString()
    .padStart(6, '0');
  return `${millisIso.slice(0, 19)}.${micros}Z`;
}

export function timestampToEpochMicros(timestamp: Timestamp | null | undefined): number | null {
  if (!timestamp) return null;
  return longToNumber(timestamp.seconds) * 1_000_000 + Math.floor((timestamp.nanos ?? 0) / 1000);
}

/** A protobuf Duration in seconds; null when unset. */
export function durationSeconds(duration: Duration | null | undefined): number | null {
  if (!duration) return null;
  return longToNumber(duration.seconds) + (duration.nanos ?? 0) / 1e9;
}
