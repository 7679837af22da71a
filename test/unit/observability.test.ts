import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/observability/logger';
import { describeCause, describePostgresUrl } from '../../src/startup-errors';

const SECRET = 'key-9f8e7d6c5b4a';

function capture(format: 'json' | 'pretty', level: 'INFO' | 'DEBUG' = 'INFO') {
  const lines: string[] = [];
  const logger = createLogger({ level, format, secrets: [SECRET], write: (line) => lines.push(line) });
  return { logger, lines };
}

describe('the logger', () => {
  it('writes one JSON object per line with level, time, message and the context fields', () => {
    const { logger, lines } = capture('json');
    logger.info('page written', { workflowId: 'wf-1', activityType: 'syncWorkflowExecutions', rows: 10 });
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.endsWith('\n') && !lines[0]!.slice(0, -1).includes('\n'), 'exactly one line');
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(entry.level, 'info');
    assert.equal(entry.msg, 'page written');
    assert.equal(entry.workflowId, 'wf-1');
    assert.equal(entry.activityType, 'syncWorkflowExecutions');
    assert.equal(entry.rows, 10);
    assert.ok(!Number.isNaN(Date.parse(String(entry.time))), 'an ISO timestamp');
  });

  it('redacts secrets in the message, nested fields and errors, and connection-string passwords', () => {
    const { logger, lines } = capture('json');
    logger.error(`failed with ${SECRET}`, {
      nested: { deeper: [`token=${SECRET}`] },
      error: new Error(`connect postgres://u:pw-xyz@db:5432/x with ${SECRET}`),
    });
    assert.doesNotMatch(lines.join(''), new RegExp(SECRET));
    assert.doesNotMatch(lines.join(''), /pw-xyz/);
    const entry = JSON.parse(lines[0]!) as { msg: string; error: { message: string } };
    assert.equal(entry.msg, 'failed with [redacted]');
    assert.equal(entry.error.message, 'connect postgres://u:[redacted]@db:5432/x with [redacted]');
  });

  it('drops what is below its level, and writes readable lines in pretty format', () => {
    const { logger, lines } = capture('pretty');
    logger.debug('not shown');
    logger.warn('shown', { taskQueue: 'q' });
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT\S+Z WARN {2}shown {2}taskQueue=q\n$/);
  });

  it('survives fields JSON cannot hold: bigint, symbols, cycles beyond its depth', () => {
    const { logger, lines } = capture('json');
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    logger.info('odd fields', { big: 10n, [Symbol('internal')]: 1, cyclic });
    const entry = JSON.parse(lines[0]!) as { big: string };
    assert.equal(entry.big, '10');
  });
});

describe('start-up error causes', () => {
  it('turns transport errors into a reason a person can act on', () => {
    assert.equal(
      describeCause(
        new Error(
          'tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", Os { code: 111, kind: ConnectionRefused })))',
        ),
      ),
      'connection refused (nothing listens there)',
    );
    assert.equal(
      describeCause(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })),
      'connection refused (nothing listens there)',
    );
    assert.equal(describeCause(new Error('getaddrinfo ENOTFOUND db.internal')), 'host name not found');
    assert.equal(
      describeCause(
        new Error(
          'Namespace x was not found or otherwise could not be described: Status { details: "NamespaceNotFoundFailure" }',
        ),
      ),
      'the namespace does not exist',
    );
    assert.equal(describeCause(new Error('password authentication failed for user "app"')), 'authentication failed');
    assert.equal(
      describeCause(new Error('listen EADDRINUSE: address already in use 0.0.0.0:9464')),
      'the port is already in use',
    );
    assert.equal(describeCause(new Error('first line\nsecond line')), 'first line');
  });

  it('describes a Postgres URL without its user or password', () => {
    assert.equal(describePostgresUrl('postgres://app:secret@db.internal:6432/sync'), 'db.internal:6432/sync');
    assert.equal(describePostgresUrl('postgresql://db/sync'), 'db:5432/sync');
  });
});
