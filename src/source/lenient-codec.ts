import type { PayloadCodec } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import { storableJson } from '../json';
import { decodePayload } from './payloads';

type Payload = temporal.api.common.v1.IPayload;

/** Encodings the SDK's default payload converter can decode by itself. */
const DEFAULT_ENCODINGS = new Set(['binary/null', 'binary/plain', 'json/plain']);
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The payload as it is when the default converter can decode it, else JSON of its raw form. */
function lenientPayload(payload: Payload): Payload {
  const encodingBytes = payload.metadata?.encoding;
  const encoding = encodingBytes ? decoder.decode(encodingBytes) : undefined;
  if (encoding !== undefined && DEFAULT_ENCODINGS.has(encoding)) {
    if (encoding !== 'json/plain') return payload;
    try {
      JSON.parse(decoder.decode(payload.data ?? new Uint8Array()));
      return payload;
    } catch {
      // falls through to the raw form below
    }
  }
  return {
    metadata: { encoding: encoder.encode('json/plain') },
    data: encoder.encode(storableJson(decodePayload(payload))),
  };
}

/**
 * A codec for the *source* client only: payloads the default converter would throw on
 * (`Unknown encoding`, encrypted data, protobuf JSON) are handed on as JSON of their raw form,
 * so describing one schedule with an odd argument never fails the whole stream.
 */
export const lenientDecodingCodec: PayloadCodec = {
  encode: (payloads: Payload[]) => Promise.resolve(payloads),
  decode: (payloads: Payload[]) => Promise.resolve(payloads.map(lenientPayload)),
};
