import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { alertBody } from '../../src/alerts/format';
import type { IncidentRow } from '../../src/db/incidents';
import type { RunFacts } from '../../src/db/sync-runs';
import { buildAlert } from '../../src/alerts/messages';
import { formatDuration } from '../../src/duration';

/** The generic body, as far as the checks read it. */
interface JsonBody {
  source: string;
  title: string;
  kind: string;
  event: string;
  syncRun: { workflowId: string };
  occurrences: number;
}
/** A Slack body: the first block is a section (text), the last a context (elements). */
interface SlackBody {
  text: string;
  blocks: Array<{ type: string; text?: { text: string }; elements?: Array<{ text: string }> }>;
}

const SECRETS = ['tsk_live_key_123456', 'PgPassw0rd'];
const context = {
  schema: 'temporal_sync',
  workerNamespace: 'ops',
  webUiUrl: 'https://cloud.temporal.io/',
  secrets: SECRETS,
};
const incident: IncidentRow = {
  id: '7',
  namespace: 'payments',
  kind: 'sync_failed',
  subject: '',
  opened_at: new Date('2026-01-01T10:00:00Z'),
  last_seen_at: new Date('2026-01-01T12:00:00Z'),
  closed_at: null,
  occurrences: 3,
  last_error: 'could not connect to postgres://sync:PgPassw0rd@db/x with key tsk_live_key_123456 <script>',
  opened_by: 'sync_run:41',
  closed_by: null,
};
const run: RunFacts = {
  id: '41',
  namespace: 'payments',
  workflow_id: 'hourly sync/2026',
  run_id: 'r-1',
  status: 'failed',
  started_at: new Date('2026-01-01T10:00:00Z'),
  finished_at: new Date('2026-01-01T10:00:05Z'),
  streams: ['workflows', 'schedules'],
  error: incident.last_error,
};

describe('alert messages', () => {
  it('names the incident, the run and a link to it, with every secret redacted', () => {
    const { workflowId, message } = buildAlert(context, incident, 'opened', run, new Date('2026-01-01T09:00:00Z'));
    assert.equal(workflowId, 'temporal-sync-alert/temporal_sync/payments/7/opened');
    assert.equal(message.link, 'https://cloud.temporal.io/namespaces/ops/workflows/hourly%20sync%2F2026/r-1/history');
    assert.equal(message.error, 'could not connect to postgres://sync:[redacted]@db/x with key [redacted] <script>');
    assert.match(message.summary, /^Sync of namespace "payments" failed: could not connect/);
    assert.equal(message.lastSuccessAt, '2026-01-01T09:00:00.000Z');
    for (const secret of SECRETS) assert.ok(!JSON.stringify(message).includes(secret));
  });

  it('says how many failed runs a recovery closes', () => {
    const closed = { ...incident, closed_at: new Date('2026-01-01T12:30:00Z') };
    const { message } = buildAlert(context, closed, 'closed', { ...run, id: '45', status: 'completed' }, null);
    assert.equal(
      message.summary,
      'Sync of namespace "payments" recovered: run 45 completed after 3 failed runs since 2026-01-01T10:00:00.000Z',
    );
  });

  it('posts a generic JSON body with every fact, and a Slack body with text and blocks', () => {
    const { message } = buildAlert(context, incident, 'opened', run, null);
    const json = JSON.parse(alertBody(message, 'json', SECRETS)) as JsonBody;
    assert.equal(json.source, 'temporal-sync');
    assert.equal(json.title, 'Sync failing');
    assert.equal(json.kind, 'sync_failed');
    assert.equal(json.event, 'opened');
    assert.equal(json.syncRun.workflowId, 'hourly sync/2026');
    assert.equal(json.occurrences, 3);

    const slack = JSON.parse(alertBody(message, 'slack', SECRETS)) as SlackBody;
    assert.match(slack.text, /^Sync failing: Sync of namespace "payments" failed/);
    assert.equal(slack.blocks[0]!.type, 'section');
    assert.match(slack.blocks[0]!.text!.text, /&lt;script&gt;/, 'Slack markup in an error is escaped');
    assert.match(
      slack.blocks.at(-1)!.elements![0]!.text,
      /^<https:\/\/cloud\.temporal\.io\/.*\|Open the run in Temporal>$/,
    );
  });

  it('redacts the body once more, and keeps a Slack message under its size limit', () => {
    const { message } = buildAlert({ ...context, secrets: [] }, incident, 'opened', run, null);
    const body = alertBody({ ...message, error: `${'x'.repeat(5000)} tsk_live_key_123456` }, 'json', SECRETS);
    assert.ok(!body.includes('tsk_live_key_123456'));
    const long = alertBody({ ...message, summary: 'y'.repeat(5000) }, 'slack', SECRETS);
    assert.ok((JSON.parse(long) as SlackBody).blocks[0]!.text!.text.length <= 3000);
  });

  it('says durations the way people do', () => {
    assert.equal(formatDuration(42_000), '42s');
    assert.equal(formatDuration(200_000), '3m20s');
    assert.equal(formatDuration(7_500_000), '2h5m');
    assert.equal(formatDuration(90_000_000), '1d1h');
  });
});
