import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { PayloadCodec } from '@temporalio/common';
import { temporal } from '@temporalio/proto';

type Payload = temporal.api.common.v1.IPayload;
const ENCODING = 'binary/encrypted';
const PayloadType = temporal.api.common.v1.Payload;

/**
 * An AES-256-GCM payload codec as users write one (the SDK's encryption sample): each payload becomes
 * a `binary/encrypted` payload whose data is IV, ciphertext and tag of the original payload's bytes.
 */
export function aesCodec(key: Buffer): PayloadCodec {
  const encrypt = (payload: Payload): Payload => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const sealed = Buffer.concat([cipher.update(PayloadType.encode(payload).finish()), cipher.final()]);
    return {
      metadata: { encoding: Buffer.from(ENCODING) },
      data: Buffer.concat([iv, sealed, cipher.getAuthTag()]),
    };
  };
  const decrypt = (payload: Payload): Payload => {
    if (Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCODING) return payload;
    const data = Buffer.from(payload.data ?? []);
    const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, 12));
    decipher.setAuthTag(data.subarray(data.length - 16));
    const plain = Buffer.concat([decipher.update(data.subarray(12, data.length - 16)), decipher.final()]);
    return PayloadType.decode(plain);
  };
  return {
    encode: (payloads) => Promise.resolve(payloads.map(encrypt)),
    decode: (payloads) => Promise.resolve(payloads.map(decrypt)),
  };
}
