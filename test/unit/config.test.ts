import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config';

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

  it('reports every bad variable at once', () => {
    assert.equal(problemsOf({ TEMPORAL_SYNC_SCHEMA: 'Bad-Name', TEMPORAL_ADDRESS: 'nope' }).length, 3);
  });

  it('collects the database password and API keys as secrets to redact', () => {
    const config = loadConfig({ ...valid, TEMPORAL_API_KEY: 'key-abc-123' });
    assert.ok(config.secrets.includes('s3cret-pass'));
    assert.ok(config.secrets.includes('key-abc-123'));
  });
});
