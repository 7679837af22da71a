import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { niceCeiling } from '../../src/report/charts/axis';
import { stackedBars } from '../../src/report/charts/bars';
import { formatDuration, formatPercent, plural } from '../../src/report/format';
import { renderReport } from '../../src/report/html';
import type { ReportData } from '../../src/report/model';
import { judge } from '../../src/report/verdict';
import { bucketsOf, parseTime, resolveWindow } from '../../src/report/window';

const NOW = new Date('2026-12-02T14:05:00Z');

function data(overrides: Partial<ReportData> = {}): ReportData {
  const counts = {
    started: 100,
    closed: 100,
    completed: 99,
    failed: 1,
    timedOut: 0,
    canceled: 0,
    terminated: 0,
    continuedAsNew: 0,
  };
  return {
    namespace: 'ns',
    schema: 'temporal_sync',
    window: resolveWindow({ days: 1 }, NOW),
    generatedAt: NOW,
    stalenessSeconds: 7200,
    totals: counts,
    throughput: [{ bucket: new Date('2026-12-02T10:00:00Z'), ...counts }],
    failuresByType: [],
    types: [],
    durations: { overall: { completed: 99, p50: 1, p95: 2, p99: 3 }, overTime: [] },
    open: { total: 0, bands: [], oldest: [] },
    fires: null,
    scheduleCounters: [],
    freshness: [
      {
        stream: 'workflows',
        lastSuccessAt: NOW,
        secondsSinceSuccess: 60,
        lastSuccessMode: 'incremental',
        lastRunStatus: 'completed',
        lastFailureAt: null,
        lastFailureError: null,
      },
    ],
    ...overrides,
  };
}

describe('report: the window', () => {
  it('--days N is today (UTC) and the N - 1 days before it; daily bars beyond three days', () => {
    assert.deepEqual(resolveWindow({ days: 7 }, NOW), {
      since: new Date('2026-11-26T00:00:00Z'),
      until: new Date('2026-12-03T00:00:00Z'),
      bucket: 'day',
    });
    const three = resolveWindow({ days: 3 }, NOW);
    assert.equal(three.bucket, 'hour');
    assert.equal(bucketsOf(three).length, 72);
    assert.deepEqual(resolveWindow({}, NOW), resolveWindow({ days: 7 }, NOW), 'seven days by default');
  });

  it('widens --since/--until to whole buckets, UTC unless a zone is given', () => {
    assert.deepEqual(resolveWindow({ since: '2026-12-01T10:30', until: '2026-12-01 12:10:05+01:00' }, NOW), {
      since: new Date('2026-12-01T10:00:00Z'),
      until: new Date('2026-12-01T12:00:00Z'),
      bucket: 'hour',
    });
    assert.deepEqual(resolveWindow({ since: '2026-11-01' }, NOW).until, new Date('2026-12-03T00:00:00Z'));
    assert.equal(parseTime('2026-11-30', '--since').toISOString(), '2026-11-30T00:00:00.000Z');
  });

  it('refuses what it cannot read, with the flag and an example', () => {
    assert.throws(
      () => parseTime('last week', '--since'),
      /--since must be a date or a date and time, e\.g\. 2026-11-30/,
    );
    assert.throws(() => parseTime('2026-13-45', '--until'), /--until must be a date/);
    assert.throws(() => resolveWindow({ until: '2026-12-01' }, NOW), /--until needs --since/);
    assert.throws(
      () => resolveWindow({ since: '2026-12-01', until: '2026-12-01' }, NOW),
      /--since must be before --until/,
    );
    assert.throws(() => resolveWindow({ days: 2, since: '2026-12-01' }, NOW), /either --days or --since/);
  });
});

describe('report: numbers and charts', () => {
  it('writes durations, percentages and counts for a reader', () => {
    assert.deepEqual(
      [0.042, 3.456, 12.34, 125, 7384, 200_000].map((s) => formatDuration(s)),
      ['42 ms', '3.46 s', '12.3 s', '2 min 5 s', '2 h 3 min', '2 d 7 h'],
    );
    assert.equal(formatDuration(2_580, 1), '43 min');
    assert.equal(formatDuration(null), '–');
    assert.equal(formatPercent(0.19876), '19.9%');
    assert.equal(plural(1, 'run has', 'runs have'), '1 run has');
    assert.equal(plural(1234, 'fire'), '1,234 fires');
  });

  it('puts axes on round steps: whole numbers for counts, whole units for durations', () => {
    assert.deepEqual(
      [0, 3, 7, 25, 19_999].map((v) => niceCeiling(v)),
      [4, 4, 8, 40, 20_000],
    );
    assert.equal(
      niceCeiling(2_580, 60),
      4_800,
      'minutes: four steps of 20 min (80 min) are the first round ones past 43 min',
    );
  });

  it('draws stacked bars that carry their numbers and show names as text, never markup', () => {
    const svg = stackedBars({
      label: 'x',
      buckets: ['a', 'b'],
      series: [
        { name: '<img src=x onerror=alert(1)>', color: '#f00', values: [3, 0] },
        { name: 'ok', color: '#0f0', values: [1, 2] },
      ],
      format: String,
    });
    assert.equal((svg.match(/<rect /g) ?? []).length, 3, 'no rect for a zero');
    assert.doesNotMatch(svg, /<img/);
    assert.match(svg, /data-series="&lt;img src=x onerror=alert\(1\)&gt;" data-value="3"/);
  });
});

describe('report: the verdict and the page', () => {
  it('is healthy, worth a look, needs action or empty, by the documented thresholds', () => {
    assert.equal(judge(data()).level, 'ok');
    const rate = (failed: number) => data({ totals: { ...data().totals, failed, completed: 100 - failed } });
    assert.equal(judge(rate(3)).level, 'warn');
    assert.equal(judge(rate(10)).level, 'bad');
    const stale = data({ freshness: [{ ...data().freshness[0]!, secondsSinceSuccess: 7201 }] });
    assert.equal(judge(stale).level, 'bad');
    assert.match(
      judge(stale).reasons[0]!,
      /^The workflows data is 2 h old \(last successful sync 2026-12-02 14:05 UTC\)$/,
    );
    const quiet = data({ totals: { ...data().totals, started: 0, closed: 0, completed: 0, failed: 0 } });
    assert.deepEqual(judge(quiet), {
      level: 'empty',
      headline: 'No runs in this window',
      reasons: ['No run started or closed in this window.'],
    });
    const few = data({ totals: { ...data().totals, closed: 5, completed: 3, failed: 2 } });
    assert.equal(judge(few).level, 'ok', 'two failures out of five ended runs raise no alarm on their own');
  });

  it('is one document with no script, and a policy that would block anything fetched', () => {
    const html = renderReport(data({ namespace: '</title><script>alert(1)</script>' }));
    assert.doesNotMatch(html, /<script/);
    assert.match(
      html,
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">/,
    );
  });
});
