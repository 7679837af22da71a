import type { temporal } from '@temporalio/proto';

type Payload = temporal.api.common.v1.IPayload;

/** Encodings the default converter reads itself: a codec server is never asked about these. */
const PLAIN = new Set(['binary/null', 'binary/plain', 'json/plain', 'json/protobuf']);
const text = new TextDecoder();

/** A payload in the remote codec protocol's JSON: metadata values and data in base64. */
interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

const toWire = (payload: Payload): WirePayload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  ),
  data: Buffer.from(payload.data ?? new Uint8Array()).toString('base64'),
});

const fromWire = (payload: WirePayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(payload.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(payload.data ?? '', 'base64'),
});

/** True for a payload only a codec can turn back into what was written (encrypted, compressed). */
export function isEncoded(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && !PLAIN.has(text.decode(encoding));
}

export interface RemoteCodec {
  /** Decodes the payloads that need it, in place, in one request; on any failure leaves them raw and says how many. */
  decodeInPlace(payloads: Payload[]): Promise<{ decoded: number; failed: number }>;
}

export interface RemoteCodecOptions {
  /** The codec server, as for the Web UI and the CLI: POST <endpoint>/decode. */
  endpoint: string;
  /** The Authorization header's value (a secret), if the server wants one. */
  authorization?: string | undefined;
  namespace: string;
  timeoutMs?: number;
}

async function post(options: RemoteCodecOptions, payloads: Payload[]): Promise<Payload[]> {
  const response = await fetch(`${options.endpoint.replace(/\/+$/, '')}/decode`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-namespace': options.namespace,
      ...(options.authorization ? { authorization: options.authorization } : {}),
    },
    body: JSON.stringify({ payloads: payloads.map(toWire) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
  });
  if (!response.ok) throw new Error(`the codec server answered HTTP ${response.status}`);
  const body = (await response.json()) as { payloads?: WirePayload[] };
  if (!Array.isArray(body.payloads) || body.payloads.length !== payloads.length) {
    throw new Error('the codec server answered with another number of payloads');
  }
  return body.payloads.map(fromWire);
}

/**
 * A namespace's codec server (the documented remote codec protocol): the encoded payloads of a page
 * go in one request. A server that is down, refuses or answers nonsense costs nothing but the decoding:
 * the payloads stay raw (kept with their encoding named, as any undecodable payload is).
 */
export function createRemoteCodec(options: RemoteCodecOptions): RemoteCodec {
  return {
    async decodeInPlace(payloads) {
      const encoded = payloads.filter(isEncoded);
      if (encoded.length === 0) return { decoded: 0, failed: 0 };
      try {
        const decoded = await post(options, encoded);
        encoded.forEach((payload, index) => Object.assign(payload, decoded[index]));
        return { decoded: encoded.length, failed: 0 };
      } catch {
        return { decoded: 0, failed: encoded.length };
      }
    },
  };
}
