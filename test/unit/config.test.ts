import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadCommandConfig, loadConfig } from '../../src/config';

const valid = { DATABASE_URL: 'postgres://sync:s3cret-pass@127.0.0.1:5432/warehouse' };

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.problems;
  }
  assert.fail('expected a ConfigError');
}

describe('configuration from the environment', () => {
  it('gives working defaults with only DATABASE_URL set', () => {
    const config = loadConfig(valid);
    assert.equal(config.schema, 'temporal_sync');
    assert.equal(config.taskQueue, 'temporal-sync');
    assert.equal(config.workerNamespace, 'default');
    assert.equal(config.sourceNamespace, 'default');
    assert.equal(config.separateSourceConnection, false);
    assert.equal(config.migrateOnStart, true);
  });

  it('syncs another namespace than the one the worker polls', () => {
    const config = loadConfig({
      ...valid,
      TEMPORAL_NAMESPACE: 'ops',
      TEMPORAL_SYNC_SOURCE_NAMESPACE: 'payments.a1b2c',
    });
    assert.equal(config.workerNamespace, 'ops');
    assert.equal(config.sourceNamespace, 'payments.a1b2c');
  });

  it('names a missing DATABASE_URL and says what to set', () => {
    assert.deepEqual(problemsOf({}), [
      'DATABASE_URL is required: set it to a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/mydb',
    ]);
  });

  it('rejects a DATABASE_URL that is not a postgres URL, without echoing it', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://u:hunter22@db/x' });
    assert.match(problem!, /^DATABASE_URL must be a postgres:\/\//);
    assert.doesNotMatch(problem!, /hunter22/);
  });

  it('rejects a schema name that could inject SQL', () => {
    const [problem] = problemsOf({ ...valid, TEMPORAL_SYNC_SCHEMA: 'x; DROP TABLE users; --' });
    assert.match(problem!, /^TEMPORAL_SYNC_SCHEMA must be a plain lower-case SQL identifier/);
  });

  it('rejects a TEMPORAL_ADDRESS without a port', () => {
    assert.match(problemsOf({ ...valid, TEMPORAL_ADDRESS: 'localhost' })[0]!, /^TEMPORAL_ADDRESS must be host:port/);
  });

  it('rejects numbers that are not whole, or out of range', () => {
    assert.match(
      problemsOf({ ...valid, TEMPORAL_SYNC_DB_POOL_MAX: 'many' })[0]!,
      /^TEMPORAL_SYNC_DB_POOL_MAX must be a whole number/,
    );
    assert.match(
      problemsOf({ ...valid, TEMPORAL_SYNC_DB_POOL_MAX: '0' })[0]!,
      /^TEMPORAL_SYNC_DB_POOL_MAX must be at least 1/,
    );
    assert.match(
      problemsOf({ ...valid, TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS: '2.5' })[0]!,
      /^TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS must be a whole number/,
    );
  });

  it('rejects an unknown log level and a non-boolean flag', () => {
    assert.match(problemsOf({ ...valid, TEMPORAL_SYNC_LOG_LEVEL: 'loud' })[0]!, /^TEMPORAL_SYNC_LOG_LEVEL /);
    assert.match(problemsOf({ ...valid, TEMPORAL_SYNC_MIGRATE_ON_START: 'yes' })[0]!, /must be true or false/);
  });

  it('rejects an empty task queue', () => {
    assert.match(
      problemsOf({ ...valid, TEMPORAL_SYNC_TASK_QUEUE: '  ' })[0]!,
      /^TEMPORAL_SYNC_TASK_QUEUE must not be empty/,
    );
  });

  it('takes TEMPORAL_TASK_QUEUE and PG_SCHEMA for the task queue and the schema', () => {
    const config = loadConfig({ ...valid, TEMPORAL_TASK_QUEUE: 'sync-q', PG_SCHEMA: 'warehouse' });
    assert.equal(config.taskQueue, 'sync-q');
    assert.equal(config.schema, 'warehouse');
    assert.equal(loadCommandConfig({ TEMPORAL_TASK_QUEUE: 'sync-q' }).taskQueue, 'sync-q');
    const same = loadConfig({ ...valid, PG_SCHEMA: 'warehouse', TEMPORAL_SYNC_SCHEMA: 'warehouse' });
    assert.equal(same.schema, 'warehouse');
  });

  it('names the variable the user set when an alias holds a bad value, and refuses two that disagree', () => {
    assert.match(
      problemsOf({ ...valid, PG_SCHEMA: 'x; DROP TABLE users' })[0]!,
      /^PG_SCHEMA must be a plain lower-case/,
    );
    assert.deepEqual(problemsOf({ ...valid, TEMPORAL_TASK_QUEUE: 'a', TEMPORAL_SYNC_TASK_QUEUE: 'b' }), [
      'TEMPORAL_TASK_QUEUE and TEMPORAL_SYNC_TASK_QUEUE are both set, to different values: set only one of them',
    ]);
  });

  it('reports every bad variable at once', () => {
    assert.equal(problemsOf({ TEMPORAL_SYNC_SCHEMA: 'Bad-Name', TEMPORAL_ADDRESS: 'nope' }).length, 3);
  });

  it('collects the database password and API keys as secrets to redact', () => {
    const config = loadConfig({ ...valid, TEMPORAL_API_KEY: 'key-abc-123' });
    assert.ok(config.secrets.includes('s3cret-pass'));
    assert.ok(config.secrets.includes('key-abc-123'));
  });

  it('reads the alert settings, treats the webhook URL as a secret, and refuses a bad one without echoing it', () => {
    const hook = 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX';
    const config = loadConfig({
      ...valid,
      TEMPORAL_SYNC_ALERT_WEBHOOK_URL: hook,
      TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT: 'slack',
      TEMPORAL_SYNC_STALENESS_SECONDS: '900',
    });
    assert.deepEqual(config.alerts, { webhookUrl: hook, format: 'slack', stalenessSeconds: 900, webUiUrl: undefined });
    assert.ok(config.secrets.includes(hook));
    assert.ok(config.secrets.includes('/services/T000/B000/XXXXsecretXXXX'));
    assert.equal(loadConfig(valid).alerts.stalenessSeconds, 7200);
    assert.equal(loadConfig(valid).alerts.webhookUrl, undefined);

    const problems = problemsOf({
      ...valid,
      TEMPORAL_SYNC_ALERT_WEBHOOK_URL: 'ftp://hooks.example/Tsecret',
      TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT: 'teams',
      TEMPORAL_SYNC_STALENESS_SECONDS: 'soon',
    });
    assert.equal(problems.length, 3, problems.join('\n'));
    assert.match(problems[0]!, /^TEMPORAL_SYNC_ALERT_WEBHOOK_URL must be an http:\/\/ or https:\/\/ URL$/);
    assert.match(problems[1]!, /^TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT /);
    assert.match(problems[2]!, /^TEMPORAL_SYNC_STALENESS_SECONDS must be a whole number$/);
    assert.ok(!problems.join('\n').includes('Tsecret'));
  });
});
