import { redactSecrets } from '../redact';
import type { AlertMessage } from './types';

const TITLES: Record<AlertMessage['kind'], Record<AlertMessage['event'], string>> = {
  sync_failed: { opened: 'Sync failing', closed: 'Sync recovered' },
  stale: { opened: 'Data stale', closed: 'Data fresh again' },
  schedule_missed: { opened: 'Schedule missed fires', closed: 'Schedule fires again' },
  schedule_skipped: { opened: 'Schedule skipped fires', closed: 'Schedule fires again' },
  stuck_workflows: { opened: 'Workflows stuck', closed: 'Workflows no longer stuck' },
};

/** Slack's mrkdwn reads &, < and > as markup: escape them so an error message shows as written. */
function slackEscape(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Slack refuses a section longer than 3000 characters; a long stack trace is cut, not lost in transit. */
function clip(text: string, max = 2800): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function redactStrings<T>(value: T, secrets: readonly string[]): T {
  if (typeof value === 'string') return redactSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactStrings(item, secrets)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactStrings(item, secrets)])) as T;
  }
  return value;
}

/** The generic JSON body: every fact of the message, flat enough for any receiver to route on. */
export function jsonBody(message: AlertMessage): Record<string, unknown> {
  return {
    source: 'temporal-sync',
    title: TITLES[message.kind][message.event],
    ...message,
  };
}

/** A Slack incoming-webhook body: `text` for notifications, `blocks` for the channel. */
export function slackBody(message: AlertMessage): { text: string; blocks: unknown[] } {
  const title = TITLES[message.kind][message.event];
  const icon = message.event === 'opened' ? ':red_circle:' : ':large_green_circle:';
  const facts = [
    `*Namespace:* ${slackEscape(message.namespace)}`,
    ...(message.subject
      ? [`*${message.kind === 'stuck_workflows' ? 'Workflow type' : 'Schedule'}:* ${slackEscape(message.subject)}`]
      : []),
    `*Opened:* ${message.openedAt}`,
    ...(message.closedAt ? [`*Closed:* ${message.closedAt}`] : []),
    ...(message.syncRun ? [`*Sync run:* ${message.syncRun.id} (${slackEscape(message.syncRun.workflowId)})`] : []),
    ...(message.lastSuccessAt ? [`*Last success:* ${message.lastSuccessAt}`] : []),
    `*Occurrences:* ${message.occurrences}`,
  ];
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${icon} *${title}*\n${clip(slackEscape(message.summary))}` } },
    { type: 'section', fields: facts.map((text) => ({ type: 'mrkdwn', text })) },
  ];
  if (message.link) {
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `<${message.link}|Open the run in Temporal>` }],
    });
  }
  return { text: clip(`${title}: ${message.summary}`), blocks };
}

/** The request body for the configured format, with every known secret removed once more. */
export function alertBody(message: AlertMessage, format: 'json' | 'slack', secrets: readonly string[]): string {
  const body = format === 'slack' ? slackBody(message) : jsonBody(message);
  return JSON.stringify(redactStrings(body, secrets));
}
