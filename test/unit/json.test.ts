import assert from 'node:assert/strict';
import { afterEach, describe, it, mock } from 'node:test';
import { LosslessInteger, parseJsonLossless, storableJson } from '../../src/json';

/** Through the worker's path: parse the payload's JSON text, then write it as jsonb text. */
const roundTrip = (text: string) => storableJson(parseJsonLossless(text));

describe('JSON payloads kept exact: parseJsonLossless and storableJson', () => {
  afterEach(() => mock.restoreAll());

  it('keeps an integer just beyond 2^53 exact (a memo {"big": 9007199254740993})', () => {
    const parsed = parseJsonLossless('{"big": 9007199254740993}') as Record<string, unknown>;
    assert.ok(parsed.big instanceof LosslessInteger);
    assert.equal(String(parsed.big), '9007199254740993');
    assert.equal(storableJson(parsed), '{"big":9007199254740993}');
  });

  it('keeps positive and negative int64 extremes, in arrays and nested objects', () => {
    const text =
      '{"max":9223372036854775807,"min":-9223372036854775808,"ids":[12345678901234567890,-98765432109876543,1],' +
      '"deep":{"a":[{"b":18446744073709551615}]}}';
    assert.equal(roundTrip(text), text);
    assert.equal(roundTrip('-9007199254740993'), '-9007199254740993', 'a payload that is one big number');
    assert.equal(
      roundTrip('[[[9007199254740993]],{"x":[-9007199254740993]}]'),
      '[[[9007199254740993]],{"x":[-9007199254740993]}]',
    );
  });

  it('leaves numbers that fit a double as plain numbers', () => {
    const parsed = parseJsonLossless('{"safe":9007199254740991,"small":-42,"sixteen":1234567890123456}') as Record<
      string,
      unknown
    >;
    assert.equal(parsed.safe, 9007199254740991);
    assert.equal(parsed.small, -42);
    assert.equal(parsed.sixteen, 1234567890123456);
    assert.equal(storableJson(parsed), '{"safe":9007199254740991,"small":-42,"sixteen":1234567890123456}');
  });

  it('leaves strings with long digit runs as they are, next to a big integer', () => {
    const text =
      '{"card":"4111111111111111111","quoted":"say \\"12345678901234567890\\" twice","12345678901234567890":"key",' +
      '"n":12345678901234567890,"list":["99999999999999999999",99999999999999999999]}';
    const parsed = parseJsonLossless(text) as Record<string, unknown>;
    assert.equal(parsed.card, '4111111111111111111');
    assert.equal(parsed.quoted, 'say "12345678901234567890" twice');
    assert.equal(parsed['12345678901234567890'], 'key');
    assert.equal((parsed.list as unknown[])[0], '99999999999999999999');
    assert.equal(storableJson(parsed), text);
  });

  it('leaves numbers with fractions or exponents alone (as JSON.parse reads them)', () => {
    const text =
      '{"f":12345678901234567890.5,"g":0.12345678901234567890,"e":1e25,"E":12345678901234567890E2,"x":1.5e-17}';
    const parsed = parseJsonLossless(text);
    assert.deepEqual(parsed, JSON.parse(text));
    for (const value of Object.values(parsed as Record<string, unknown>)) assert.equal(typeof value, 'number');
    assert.equal(storableJson(parsed), JSON.stringify(JSON.parse(text)));
  });

  it('takes the native path for text without a run of 16 digits', () => {
    const text = '{"a":123456789012345,"b":"x","c":[1,2.5,-3e10],"d":{"e":null,"f":true}}';
    const parse = mock.method(JSON, 'parse');
    const parsed = parseJsonLossless(text);
    assert.equal(parse.mock.callCount(), 1);
    assert.deepEqual(parse.mock.calls[0]!.arguments, [text], 'JSON.parse without a reviver');
    assert.deepEqual(parsed, { a: 123456789012345, b: 'x', c: [1, 2.5, -3e10], d: { e: null, f: true } });
    assert.equal(
      storableJson(parsed),
      '{"a":123456789012345,"b":"x","c":[1,2.5,-30000000000],"d":{"e":null,"f":true}}',
    );
  });

  it('does not unwrap a source string that looks like the internal marker', () => {
    const lookalike = 'lossless-integer-00112233445566778899aabbccddeeff:12345678901234567890';
    const text = `{"s":"${lookalike}","n":12345678901234567890,"k":{"lossless-integer-00112233445566778899aabbccddeeff":"12345678901234567890"}}`;
    const parsed = parseJsonLossless(text) as Record<string, unknown>;
    assert.equal(parsed.s, lookalike);
    assert.deepEqual(parsed.k, { 'lossless-integer-00112233445566778899aabbccddeeff': '12345678901234567890' });
    assert.equal(storableJson(parsed), text);
  });

  it('writes NUL in strings and keys as \u2400, also next to a big integer', () => {
    const text = '{"a\\u0000b":"c\\u0000d","n":-12345678901234567890}';
    assert.equal(roundTrip(text), '{"a\u2400b":"c\u2400d","n":-12345678901234567890}');
  });
});
