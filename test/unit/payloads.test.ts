import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NUL_REPLACEMENT, storableJson, toStorable } from '../../src/json';
import { decodePayload, decodePayloadMap } from '../../src/source/payloads';

const encode = (text: string) => new TextEncoder().encode(text);
const payload = (encoding: string, data: string | Uint8Array) => ({
  metadata: { encoding: encode(encoding) },
  data: typeof data === 'string' ? encode(data) : data,
});

describe('decoding payloads', () => {
  it('decodes JSON, protobuf JSON and null payloads to values', () => {
    assert.deepEqual(decodePayload(payload('json/plain', '{"a":[1,"x"]}')), { a: [1, 'x'] });
    assert.deepEqual(decodePayload(payload('json/protobuf', '{"field":1}')), { field: 1 });
    assert.equal(decodePayload(payload('binary/null', '')), null);
  });

  it('keeps binary, encrypted and malformed payloads as bytes with their encoding named', () => {
    assert.deepEqual(decodePayload(payload('binary/plain', new Uint8Array([0, 255]))), {
      _encoding: 'binary/plain',
      _base64: 'AP8=',
    });
    assert.deepEqual(decodePayload(payload('json/plain', '{not json')), {
      _encoding: 'json/plain',
      _base64: Buffer.from('{not json').toString('base64'),
    });
    assert.deepEqual(decodePayload({ data: encode('x') }), { _encoding: '(none)', _base64: 'eA==' });
  });

  it('gives null for an empty map', () => {
    assert.equal(decodePayloadMap({}), null);
    assert.equal(decodePayloadMap(undefined), null);
  });
});

describe('making values storable in Postgres', () => {
  it('replaces NUL in strings and keys, which text and jsonb refuse', () => {
    assert.deepEqual(toStorable({ 'k\u0000ey': ['a\u0000b'] }), {
      [`k${NUL_REPLACEMENT}ey`]: [`a${NUL_REPLACEMENT}b`],
    });
  });

  it('keeps a literal backslash-u0000 text as it is', () => {
    assert.equal(toStorable('\\u0000'), '\\u0000');
  });

  it('turns Dates, bigints, bytes and non-finite numbers into JSON', () => {
    assert.deepEqual(toStorable({ d: new Date(0), b: 10n, u: new Uint8Array([1]), n: Number.NaN, skip: undefined }), {
      d: '1970-01-01T00:00:00.000Z',
      b: '10',
      u: 'AQ==',
      n: null,
    });
  });

  it('handles nesting deeper than the call stack allows', () => {
    let deep: unknown = 'bottom';
    for (let i = 0; i < 100_000; i += 1) deep = [deep];
    let value = toStorable(deep);
    let depth = 0;
    while (Array.isArray(value)) {
      value = value[0]!;
      depth += 1;
    }
    assert.equal(depth, 100_000);
    assert.equal(value, 'bottom');
  });
});

describe('storable JSON in one pass (what the upserts send)', () => {
  const tricky = {
    'k\u0000ey': ['a\u0000b', { 'in\u0000ner': 'x\u0000' }],
    literal: '\\u0000',
    d: new Date(0),
    invalid: new Date(Number.NaN),
    b: 10n,
    u: new Uint8Array([1, 2]),
    buffer: Buffer.from([255]),
    n: [Number.NaN, Number.POSITIVE_INFINITY, 1.5],
    skip: undefined,
    list: [undefined, null, true],
  };

  it('reads back as the storable copy would', () => {
    assert.deepEqual(JSON.parse(storableJson(tricky)), toStorable(tricky));
    assert.deepEqual(JSON.parse(storableJson([tricky, 'top\u0000'])), toStorable([tricky, 'top\u0000']));
  });

  it('replaces NUL but keeps a literal backslash-u0000 text', () => {
    assert.equal(JSON.parse(storableJson('\u0000')), NUL_REPLACEMENT);
    assert.equal(JSON.parse(storableJson('\\u0000')), '\\u0000');
  });
});
