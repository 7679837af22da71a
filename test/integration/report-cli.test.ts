import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { insertRuns, insertSyncRuns, makeRuns } from '../helpers/analytics-seed';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { runReport } from '../helpers/report-cli';

const NS = 'cli-namespace';

describe('npm run report on the command line', () => {
  let db: TestDatabase;
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    db = await createTestDatabase('report_cli');
    dir = mkdtempSync(path.join(os.tmpdir(), 'temporal-sync-report-'));
    env = { DATABASE_URL: db.databaseUrl, TEMPORAL_SYNC_SCHEMA: db.schema };
    const now = new Date();
    await insertRuns(db.pool, db.schema, makeRuns(NS, 50, now, 24, 3));
    await insertSyncRuns(db.pool, db.schema, [
      {
        namespace: NS,
        workflow_id: 'sync-1',
        mode: 'full',
        streams: ['workflows', 'schedules'],
        status: 'completed',
        started_at: new Date(now.getTime() - 120_000),
        finished_at: new Date(now.getTime() - 60_000),
        rows_per_stream: { workflows: 50 },
        error: null,
      },
    ]);
  });

  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.dispose();
  });

  it('--help says what it does and which variables it reads', async () => {
    const run = await runReport(['--help'], {});
    assert.equal(run.code, 0);
    assert.match(run.stdout, /^Usage: npm run report/);
    assert.match(run.stdout, /DATABASE_URL, TEMPORAL_SYNC_SCHEMA/);
  });

  it('refuses bad input with one line and exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--days', '0'],
        /^report: --days must be a whole number from 1 to 3660 \(got "0"\) \(see npm run report -- --help\)\n$/,
      ],
      [['--days', 'week'], /--days must be a whole number/],
      [['--since', 'yesterday'], /--since must be a date or a date and time, e\.g\. 2026-11-30/],
      [['--since', '2026-12-02', '--until', '2026-12-01'], /--since must be before --until/],
      [['--days', '3', '--since', '2026-12-01'], /either --days or --since\/--until/],
      [['--colour'], /Unknown option '--colour'/],
    ];
    for (const [args, message] of cases) {
      const run = await runReport(args, env);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
      assert.equal(run.stderr.trim().split('\n').length, 1, `one line for ${args.join(' ')}`);
    }
    const noDatabase = await runReport(['--days', '1'], {});
    assert.equal(noDatabase.code, 2);
    assert.match(noDatabase.stderr, /DATABASE_URL is required/);
  });

  it('names the namespaces it knows when asked for another one', async () => {
    const run = await runReport(['--namespace', 'nope', '--out', path.join(dir, 'x.html')], env);
    assert.equal(run.code, 2);
    assert.match(
      run.stderr,
      /namespace "nope" is not in schema "ts_test_report_cli_\w+": the tables hold "cli-namespace"/,
    );
  });

  it('takes the only namespace when none is given, and says so in a report of an empty window', async () => {
    const out = path.join(dir, 'empty.html');
    const run = await runReport(['--since', '2020-01-01', '--until', '2020-01-02', '--out', out], env);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${out}\n`);
    assert.match(run.stderr, /report: querying totals \(1\/9\)\.\.\./);
    assert.match(run.stderr, /report: wrote .*empty\.html/);
    const html = readFileSync(out, 'utf8');
    assert.match(html, /data-field="namespace">cli-namespace</);
    assert.match(html, /No run started or closed in this window/);
    assert.match(html, /No data in this window/);
  });

  it('--open hands the file to xdg-open', async () => {
    const bin = path.join(dir, 'bin');
    const record = path.join(dir, 'opened.txt');
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'xdg-open'), `#!/bin/sh\nprintf '%s' "$1" > '${record}'\n`);
    chmodSync(path.join(bin, 'xdg-open'), 0o755);
    const out = path.join(dir, 'opened.html');
    const run = await runReport(['--days', '1', '--out', out, '--open'], {
      ...env,
      PATH: `${bin}:${process.env.PATH}`,
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readFileSync(record, 'utf8'), out);
    const without = await runReport(['--days', '1', '--out', out, '--open'], { ...env, PATH: '/nonexistent' });
    assert.equal(without.code, 0, 'the report is written even with nothing to open it');
    assert.match(without.stderr, /xdg-open is not installed here: open .*opened\.html in a browser/);
  });

  it('says to migrate when the views are missing', async () => {
    const run = await runReport(['--days', '1'], { ...env, TEMPORAL_SYNC_SCHEMA: 'no_such_schema_here' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /run npm run migrate, or check TEMPORAL_SYNC_SCHEMA/);
  });
});
