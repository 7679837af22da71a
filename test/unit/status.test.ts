import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatStatus } from '../../src/status/format';
import type { DatabaseSnapshot, NamespaceStatus, SchedulesStatus } from '../../src/status/types';
import { EXIT_CODES, judge } from '../../src/status/verdict';

const NOW = '2026-01-01T12:00:00.000Z';
const minutesAgo = (minutes: number) => new Date(Date.parse(NOW) - minutes * 60_000).toISOString();

function namespace(name: string, lastSuccessMinutesAgo: number | null, lastFailed = false): NamespaceStatus {
  const success =
    lastSuccessMinutesAgo === null
      ? null
      : {
          syncRunId: '10',
          workflowId: 'hourly',
          mode: 'incremental',
          startedAt: minutesAgo(lastSuccessMinutesAgo + 1),
          finishedAt: minutesAgo(lastSuccessMinutesAgo),
          rows: 120,
          durationMs: 60_000,
        };
  return {
    namespace: name,
    streams: [
      {
        stream: 'workflows',
        lastSuccess: success,
        cursor: success?.startedAt ?? null,
        lastFullSyncAt: null,
        rows: { live: 500, deleted: 4 },
      },
    ],
    lastFailure: lastFailed
      ? {
          syncRunId: '11',
          workflowId: 'hourly-2',
          mode: 'incremental',
          startedAt: minutesAgo(3),
          finishedAt: minutesAgo(2),
          status: 'failed',
          error: 'permission denied',
        }
      : null,
    lastFinished: lastFailed
      ? { syncRunId: '11', status: 'failed', finishedAt: minutesAgo(2) }
      : success
        ? { syncRunId: '10', status: 'completed', finishedAt: success.finishedAt }
        : null,
    running: 0,
    openIncidents: [],
    scheduleProblems: [],
    stuckTypes: [],
  };
}

const reachable: SchedulesStatus = {
  reachable: true,
  namespace: 'default',
  schedules: [
    {
      scheduleId: 'temporal-sync-hourly',
      workflowType: 'SyncWorkflow',
      paused: false,
      note: null,
      nextActionAt: '2026-01-01T13:00:00.000Z',
    },
  ],
  endedRuns: [],
};
const unreachable: SchedulesStatus = {
  reachable: false,
  namespace: 'default',
  error: '127.0.0.1:7233: connection refused',
};
const snapshot = (...namespaces: NamespaceStatus[]): DatabaseSnapshot => ({ checkedAt: NOW, namespaces });

const verdictOf = (...args: Parameters<typeof judge>) => judge(...args).verdict;

describe('status verdict and report', () => {
  it('is ok when every stream succeeded within the window and Temporal answered', () => {
    assert.deepEqual(verdictOf(snapshot(namespace('a', 30)), reachable, 3600), { status: 'ok', reasons: [] });
  });

  it('is stale when a stream has no success within the window, never synced, or nothing was synced at all', () => {
    const verdict = verdictOf(snapshot(namespace('a', 30), namespace('b', 61), namespace('c', null)), reachable, 3600);
    assert.equal(verdict.status, 'stale');
    assert.deepEqual(verdict.reasons, [
      'namespace "b", workflows: last successful sync 1h1m ago (limit 1h)',
      'namespace "c", workflows: no successful sync yet',
    ]);
    assert.deepEqual(verdictOf(snapshot(), reachable, 3600), { status: 'stale', reasons: ['no sync has run yet'] });
  });

  it('is failing when the latest finished run failed, which outranks stale and unknown', () => {
    const verdict = verdictOf(snapshot(namespace('a', 30, true), namespace('b', 600)), unreachable, 3600);
    assert.equal(verdict.status, 'failing');
    assert.equal(verdict.reasons.length, 3);
    assert.match(verdict.reasons[0]!, /^namespace "a": the last run \(11\) failed at .*: permission denied$/);
  });

  it('puts the namespaces worst first, and fails one whose running record belongs to a run the server has closed', () => {
    const ended: SchedulesStatus = {
      ...reachable,
      endedRuns: [{ syncRunId: '12', namespace: 'c', workflowId: 'hourly-3', serverStatus: 'TERMINATED' }],
    };
    const { verdict, namespaces } = judge(
      snapshot(namespace('a', 30), namespace('b', 61), namespace('c', 30)),
      ended,
      3600,
    );
    assert.deepEqual(
      namespaces.map((ns) => [ns.namespace, ns.status]),
      [
        ['c', 'failing'],
        ['b', 'stale'],
        ['a', 'ok'],
      ],
    );
    assert.equal(verdict.status, 'failing');
    assert.match(verdict.reasons[0]!, /^namespace "c": run 12 \(hourly-3\) ended TERMINATED on the server/);
  });

  it('is unknown when Temporal cannot be asked, though the tables look fine', () => {
    const verdict = verdictOf(snapshot(namespace('a', 30)), unreachable, 3600);
    assert.equal(verdict.status, 'unknown');
    assert.deepEqual([EXIT_CODES.ok, EXIT_CODES.stale, EXIT_CODES.failing, EXIT_CODES.unknown], [0, 1, 2, 3]);
  });

  it('prints one block per namespace, the schedules and the verdict with its reasons', () => {
    const ns = namespace('payments', 5, true);
    ns.openIncidents.push({
      id: '3',
      kind: 'sync_failed',
      subject: '',
      openedAt: minutesAgo(2),
      lastSeenAt: minutesAgo(2),
      occurrences: 1,
      lastError: 'permission denied',
      notifiedAt: minutesAgo(2),
    });
    const judged = judge(snapshot(ns), reachable, 7200);
    const text = formatStatus({
      ...snapshot(ns),
      stalenessSeconds: 7200,
      temporal: reachable,
      namespaceVerdicts: judged.namespaces,
      verdict: judged.verdict,
    });
    assert.equal(
      text,
      [
        'temporal-sync status at 2026-01-01T12:00:00.000Z (stale after 2h)',
        '',
        'namespaces, the worst first:',
        '  FAILING  payments  the last run (11) failed at 2026-01-01T11:58:00.000Z: permission denied',
        '',
        'namespace payments',
        '  workflows  last success: run 10 (incremental) finished 2026-01-01T11:55:00.000Z (5m ago), 120 rows in 1m',
        '             cursor 2026-01-01T11:54:00.000Z (6m old); rows: 500 live, 4 deleted',
        '  last failure: run 11 (the latest run) at 2026-01-01T11:58:00.000Z (2m ago): permission denied',
        '  open incident 3: sync_failed since 2026-01-01T11:58:00.000Z, 1 occurrence(s), alert sent 2026-01-01T11:58:00.000Z: permission denied',
        '',
        'managed schedules (namespace default):',
        '  temporal-sync-hourly  SyncWorkflow, active, next 2026-01-01T13:00:00.000Z',
        '',
        'verdict: FAILING',
        '  - namespace "payments": the last run (11) failed at 2026-01-01T11:58:00.000Z: permission denied',
        '',
      ].join('\n'),
    );
  });
});
