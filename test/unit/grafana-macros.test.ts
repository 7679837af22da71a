import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expandGrafanaSql,
  formatInterval,
  goFloat,
  interpolateVariables,
  rfc3339Nano,
  type GrafanaContext,
} from '../helpers/grafana';

const context = (overrides: Partial<GrafanaContext> = {}): GrafanaContext => ({
  from: new Date('2017-04-21T05:01:17Z'),
  to: new Date('2017-04-21T05:06:17Z'),
  intervalMs: 300_000,
  variables: [
    { name: 'host', current: ['a', "o'b"], multi: true, includeAll: true, options: ['a', "o'b", 'c'] },
    { name: 'all', current: ['$__all'], multi: true, includeAll: true, options: ['x', 'y'] },
    { name: 'custom_all', current: '$__all', multi: false, includeAll: true, options: ['x'], allValue: '.*' },
    { name: 'single', current: "it's", multi: false, includeAll: false, options: [] },
  ],
  ...overrides,
});

describe('Grafana SQL expansion as the tests emulate it', () => {
  it('expands the macros as the PostgreSQL query editor docs show them', () => {
    const c = context();
    assert.equal(
      expandGrafanaSql('WHERE $__timeFilter(dateColumn)', c),
      "WHERE dateColumn BETWEEN '2017-04-21T05:01:17Z' AND '2017-04-21T05:06:17Z'",
    );
    assert.equal(expandGrafanaSql("$__timeGroup(dateColumn,'5m')", c), 'floor(extract(epoch from dateColumn)/300)*300');
    assert.equal(
      expandGrafanaSql("SELECT $__timeGroupAlias(dateColumn,'5m')", c),
      'SELECT floor(extract(epoch from dateColumn)/300)*300 AS "time"',
    );
    assert.equal(expandGrafanaSql('$__time(dateColumn)', c), 'dateColumn AS "time"');
    assert.equal(expandGrafanaSql('$__timeEpoch(dateColumn)', c), 'extract(epoch from dateColumn) as "time"');
    assert.equal(expandGrafanaSql('$__timeFrom() / $__timeTo()', c), "'2017-04-21T05:01:17Z' / '2017-04-21T05:06:17Z'");
    assert.equal(
      expandGrafanaSql('$__unixEpochFilter(t)', c),
      't >= 1492750877 AND t <= 1492751177',
      'epoch seconds of the range',
    );
  });

  it('adds AS "time" to a $__timeGroup followed by a comma, as Grafana still does for pre-5.3 dashboards', () => {
    assert.equal(
      expandGrafanaSql("SELECT $__timeGroup(c,'1h'), x", context()),
      'SELECT floor(extract(epoch from c)/3600)*3600 AS "time", x',
    );
  });

  it('puts $__interval and $__interval_ms in, and they can be the interval of a group', () => {
    const c = context({ intervalMs: 3_600_000 });
    assert.equal(expandGrafanaSql('$__interval $__interval_ms', c), '1h 3600000');
    assert.equal(
      expandGrafanaSql('$__timeGroupAlias(b, $__interval)', c),
      'floor(extract(epoch from b)/3600)*3600 AS "time"',
    );
    assert.equal(
      expandGrafanaSql('$__timeGroup(b, $__interval)', context({ intervalMs: 30 * 86_400_000 })),
      'floor(extract(epoch from b)/2.592e+06)*2.592e+06',
      'Go prints 2592 000 seconds as 2.592e+06',
    );
  });

  it('quotes multi-value and include-All variables, and the All value is every option', () => {
    const c = context();
    assert.equal(interpolateVariables('IN ($host)', c), "IN ('a','o''b')");
    assert.equal(interpolateVariables('IN (${host})', c), "IN ('a','o''b')");
    assert.equal(interpolateVariables('IN ([[host]])', c), "IN ('a','o''b')");
    assert.equal(interpolateVariables('IN ($all)', c), "IN ('x','y')");
    assert.equal(interpolateVariables('${host:csv}', c), "a,o'b");
    assert.equal(interpolateVariables('${host:sqlstring}', c), "'a','o''b'");
    assert.equal(interpolateVariables('${single:sqlstring}', c), "'it''s'");
    assert.equal(interpolateVariables('$custom_all', c), '.*', 'a custom all value goes in unformatted');
  });

  it('inserts a single-value variable with its quotes doubled and none around it; leaves unknown names alone', () => {
    const c = context();
    assert.equal(interpolateVariables("WHERE x = '$single'", c), "WHERE x = 'it''s'");
    assert.equal(interpolateVariables('$nobody and $__timeFilter(t)', c), '$nobody and $__timeFilter(t)');
  });

  it('refuses what it does not emulate instead of guessing', () => {
    assert.throws(() => expandGrafanaSql('$__timeGroup(t, 1h, 0)', context()), /fill/);
    assert.throws(() => expandGrafanaSql('$__notAMacro(t)', context()), /unknown macro/);
    assert.throws(() => interpolateVariables('${host:lucene}', context()), /not emulated/);
  });

  it("formats like Go: %v of float64 and RFC3339Nano, as printed by Go's own fmt here", () => {
    // go run: fmt.Printf("%v|", v) for these values printed 0.001|0.5|60|3600|86400|604800|999999|1e+06|2.592e+06|3.1536e+07|
    assert.deepEqual([0.001, 0.5, 60, 3600, 86400, 604800, 999999, 1e6, 2592000, 31536000].map(goFloat), [
      '0.001',
      '0.5',
      '60',
      '3600',
      '86400',
      '604800',
      '999999',
      '1e+06',
      '2.592e+06',
      '3.1536e+07',
    ]);
    assert.equal(rfc3339Nano(new Date('2026-01-02T03:04:05.120Z')), '2026-01-02T03:04:05.12Z');
    assert.equal(rfc3339Nano(new Date('2026-01-02T03:04:05.000Z')), '2026-01-02T03:04:05Z');
    assert.deepEqual([1, 1000, 90_000, 5_400_000, 86_400_000].map(formatInterval), ['1ms', '1s', '1m', '1h', '1d']);
  });
});
