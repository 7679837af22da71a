import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration, parseDuration } from '../../src/duration';

describe('durations, one form for reading and writing', () => {
  it('says ages the way people read them: whole seconds, the two largest units', () => {
    assert.equal(formatDuration(0), '0s');
    assert.equal(formatDuration(400), '0s');
    assert.equal(formatDuration(42_000), '42s');
    assert.equal(formatDuration(200_000), '3m20s');
    assert.equal(formatDuration(3_600_000), '1h');
    assert.equal(formatDuration(7_523_000), '2h5m');
    assert.equal(formatDuration(86_700_000), '1d', 'a day and 5 minutes: the minutes are below the two units');
    assert.equal(formatDuration(-5), '0s');
  });

  it('keeps every unit when asked to be exact, so a schedule diff shows a change of a second', () => {
    assert.equal(formatDuration(3_723_000, { exact: true }), '1h2m3s');
    assert.equal(formatDuration(90_250, { exact: true }), '1m30s250ms');
  });

  it('reads back what it writes', () => {
    for (const ms of [1_000, 90_000, 5_400_000, 86_400_000 + 61_000]) {
      assert.equal(parseDuration(formatDuration(ms, { exact: true })), ms);
    }
    assert.equal(parseDuration('1h 30m'), undefined);
  });
});
