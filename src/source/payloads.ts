import type { temporal } from '@temporalio/proto';

import { parseJsonLossless, type JsonValue } from '../json';

type Payload = temporal.api.common.v1.IPayload;

/** What a payload becomes when its encoding cannot be turned into JSON: its bytes, with the encoding named. */
export interface RawPayload {
  _encoding: string;
  _base64: string;
  [key: string]: JsonValue;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function metadataText(payload: Payload, key: string): string | undefined {
  const bytes = payload.metadata?.[key];
  if (!bytes) return undefined;
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function rawForm(payload: Payload, encoding: string): RawPayload {
  return { _encoding: encoding, _base64: Buffer.from(payload.data ?? new Uint8Array()).toString('base64') };
}

/**
 * Decodes one payload to JSON without ever throwing: the default converter's encodings become
 * their values; anything else (encrypted, binary, malformed) keeps its bytes and names its encoding,
 * so one odd payload never costs the row it sits in.
 */
export function decodePayload(payload: Payload | null | undefined): JsonValue {
  if (!payload) return null;
  const encoding = metadataText(payload, 'encoding') ?? '(none)';
  if (encoding === 'binary/null') return null;
  if (encoding === 'json/plain' || encoding === 'json/protobuf') {
    try {
      return parseJsonLossless(utf8.decode(payload.data ?? new Uint8Array()));
    } catch {
      return rawForm(payload, encoding);
    }
  }
  return rawForm(payload, encoding);
}

/** Decodes a memo or search-attribute map; an empty or missing map becomes null. */
export function decodePayloadMap(fields: Record<string, Payload> | null | undefined): Record<string, JsonValue> | null {
  if (!fields) return null;
  const entries = Object.entries(fields);
  if (entries.length === 0) return null;
  const decoded: Record<string, JsonValue> = {};
  for (const [key, payload] of entries) decoded[key] = decodePayload(payload);
  return decoded;
}
