import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError, loadCommandConfig, loadConfig } from '../../src/config';
import { makeTlsFiles, type TlsFiles } from '../helpers/tls';

const valid = { DATABASE_URL: 'postgres://sync:s3cret-pass@127.0.0.1:5432/warehouse' };

function problemsOf(env: Record<string, string>, load: (env: NodeJS.ProcessEnv) => unknown = loadConfig): string[] {
  try {
    load(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, String(error));
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
    assert.equal(config.metricsPort, 9464);
    assert.equal(config.startupWaitSeconds, 60);
    assert.equal(config.temporal.worker.address, 'localhost:7233');
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

  it('gives an empty DATABASE_URL one line, not two that contradict each other', () => {
    assert.deepEqual(problemsOf({ DATABASE_URL: '' }), [
      'DATABASE_URL is empty: set it to a postgres:// URL, e.g. postgres://user@127.0.0.1:5432/mydb',
    ]);
  });

  it('rejects a DATABASE_URL that is not a postgres URL, without echoing it', () => {
    const [problem] = problemsOf({ DATABASE_URL: 'mysql://u:hunter22@db/x' });
    assert.match(problem!, /^DATABASE_URL must be a postgres:\/\//);
    assert.doesNotMatch(problem!, /hunter22/);
  });

  it('names DATABASE_URL for a raw % in the password, and says how to write it', () => {
    assert.deepEqual(problemsOf({ DATABASE_URL: 'postgres://app:50%off@db:5432/x' }), [
      'DATABASE_URL has a % in its password that does not start a percent-encoded character (%XX): write a literal % as %25',
    ]);
    assert.equal(
      new URL(loadConfig({ DATABASE_URL: 'postgres://app:50%25off@db:5432/x' }).databaseUrl).password,
      '50%25off',
    );
  });

  it("refuses Postgres's own schemas", () => {
    for (const schema of ['information_schema', 'pg_catalog', 'pg_toast']) {
      assert.deepEqual(problemsOf({ ...valid, TEMPORAL_SYNC_SCHEMA: schema }), [
        'TEMPORAL_SYNC_SCHEMA must not be information_schema or start with pg_: those schemas belong to Postgres itself',
      ]);
    }
  });

  it('rejects a schema name that could inject SQL', () => {
    const [problem] = problemsOf({ ...valid, TEMPORAL_SYNC_SCHEMA: 'x; DROP TABLE users; --' });
    assert.match(problem!, /^TEMPORAL_SYNC_SCHEMA must be a plain lower-case SQL identifier/);
  });

  it('rejects a TEMPORAL_ADDRESS without a port, or with one out of range, before anything connects', () => {
    const expected = 'TEMPORAL_ADDRESS must be host:port with a port from 1 to 65535, e.g. 127.0.0.1:7233';
    for (const address of ['localhost', 'localhost:99999', ':7233', 'localhost:0', '']) {
      assert.deepEqual(problemsOf({ ...valid, TEMPORAL_ADDRESS: address }), [expected], address);
      assert.deepEqual(problemsOf({ TEMPORAL_ADDRESS: address }, loadCommandConfig), [expected], address);
    }
    assert.equal(loadConfig({ ...valid, TEMPORAL_ADDRESS: '[::1]:7233' }).temporal.worker.address, '[::1]:7233');
  });

  it('reads numbers in decimal digits only: no hex, no exponent, no empty value read as 0', () => {
    assert.deepEqual(problemsOf({ ...valid, TEMPORAL_SYNC_METRICS_PORT: '0x6B1F' }), [
      'TEMPORAL_SYNC_METRICS_PORT must be a whole number, in decimal digits',
    ]);
    assert.deepEqual(problemsOf({ ...valid, TEMPORAL_SYNC_METRICS_PORT: '' }), [
      'TEMPORAL_SYNC_METRICS_PORT is empty: set a whole number from 0 to 65535, or unset it for the default (9464)',
    ]);
    assert.match(problemsOf({ ...valid, TEMPORAL_SYNC_DB_POOL_MAX: '1e1' })[0]!, /must be a whole number/);
    assert.equal(loadConfig({ ...valid, TEMPORAL_SYNC_METRICS_PORT: ' 9100 ' }).metricsPort, 9100);
    assert.equal(loadConfig({ ...valid, TEMPORAL_SYNC_METRICS_PORT: '0' }).metricsPort, 0);
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
    assert.match(
      problemsOf({ ...valid, TEMPORAL_SYNC_STARTUP_WAIT_SECONDS: '7200' })[0]!,
      /^TEMPORAL_SYNC_STARTUP_WAIT_SECONDS must be between 0 and 3600/,
    );
  });

  it('rejects an unknown log level and a non-boolean flag, TEMPORAL_TLS included', () => {
    assert.match(problemsOf({ ...valid, TEMPORAL_SYNC_LOG_LEVEL: 'loud' })[0]!, /^TEMPORAL_SYNC_LOG_LEVEL must be /);
    assert.match(problemsOf({ ...valid, TEMPORAL_SYNC_MIGRATE_ON_START: 'yes' })[0]!, /must be true or false/);
    assert.deepEqual(problemsOf({ ...valid, TEMPORAL_TLS: 'yes' }), ['TEMPORAL_TLS must be true or false']);
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

  it('reports every bad variable at once, one line each', () => {
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
    assert.match(problems[1]!, /^TEMPORAL_SYNC_ALERT_WEBHOOK_FORMAT must be json or slack$/);
    assert.match(problems[2]!, /^TEMPORAL_SYNC_STALENESS_SECONDS must be a whole number/);
    assert.ok(!problems.join('\n').includes('Tsecret'));
  });
});

describe('the Temporal connection, by Temporal conventions', () => {
  let directory: string;
  let tls: TlsFiles;
  let file: string;
  const profiles = (address: string) => `
[profile.default]
address = "${address}"

[profile.payments]
address = "payments.example:7233"
namespace = "payments-prod"
api_key = "profile-api-key-0123456789"
`;

  before(() => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'temporal-sync-config-'));
    file = path.join(directory, 'temporal.toml');
    writeFileSync(file, profiles('default.example:7233'));
    tls = makeTlsFiles();
  });
  after(() => {
    rmSync(directory, { recursive: true, force: true });
    tls.remove();
  });

  it("takes the profile's namespace for the worker, the source and the commands, as the temporal CLI does", () => {
    const env = { ...valid, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'payments' };
    const config = loadConfig(env);
    assert.equal(config.temporal.worker.address, 'payments.example:7233');
    assert.equal(config.workerNamespace, 'payments-prod');
    assert.equal(config.sourceNamespace, 'payments-prod');
    assert.ok(config.secrets.includes('profile-api-key-0123456789'), "the profile's API key is a secret too");
    assert.equal(loadCommandConfig(env).namespace, 'payments-prod');
    assert.equal(
      loadConfig({ ...env, TEMPORAL_NAMESPACE: 'override' }).workerNamespace,
      'override',
      'environment over profile',
    );
    assert.equal(loadConfig({ ...valid, TEMPORAL_CONFIG_FILE: file }).temporal.worker.address, 'default.example:7233');
  });

  it('reads a source profile of its own with TEMPORAL_SYNC_SOURCE_PROFILE', () => {
    const config = loadConfig({ ...valid, TEMPORAL_CONFIG_FILE: file, TEMPORAL_SYNC_SOURCE_PROFILE: 'payments' });
    assert.equal(config.separateSourceConnection, true);
    assert.equal(config.temporal.source.address, 'payments.example:7233');
    assert.equal(config.sourceNamespace, 'payments-prod');
    assert.equal(config.workerNamespace, 'default');
    assert.equal(config.temporal.worker.address, 'default.example:7233');
  });

  it('names the file and the profile when they are wrong', () => {
    assert.deepEqual(problemsOf({ ...valid, TEMPORAL_CONFIG_FILE: path.join(directory, 'nope.toml') }), [
      `TEMPORAL_CONFIG_FILE names a file that does not exist: ${path.join(directory, 'nope.toml')}`,
    ]);
    assert.deepEqual(problemsOf({ ...valid, TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' }), [
      `TEMPORAL_PROFILE names profile "staging" in TEMPORAL_CONFIG_FILE (${file}), which does not define it`,
    ]);
    const broken = path.join(directory, 'broken.toml');
    writeFileSync(broken, '[profile.x]\napi_key = "never-printed-0123456789\n');
    const [problem] = problemsOf({ ...valid, TEMPORAL_CONFIG_FILE: broken });
    assert.match(
      problem!,
      new RegExp(
        `^TEMPORAL_CONFIG_FILE \\(${broken}\\) is not valid TOML \\(line 2, column \\d+: control characters are not allowed in strings\\)$`,
      ),
    );
    assert.doesNotMatch(problem!, /never-printed/);
    const badAddress = path.join(directory, 'bad-address.toml');
    writeFileSync(badAddress, profiles('nowhere:99999'));
    assert.deepEqual(problemsOf({ ...valid, TEMPORAL_CONFIG_FILE: badAddress }), [
      `address of profile "default" in TEMPORAL_CONFIG_FILE (${badAddress}) must be host:port with a port from 1 to 65535, e.g. 127.0.0.1:7233`,
    ]);
  });

  it('reads a file with no profile in it as no profile (the dev stack points its worker at one)', () => {
    const empty = path.join(directory, 'empty.toml');
    writeFileSync(empty, '# nothing here\n');
    assert.equal(loadConfig({ ...valid, TEMPORAL_CONFIG_FILE: empty }).temporal.worker.address, 'localhost:7233');
    assert.deepEqual(problemsOf({ ...valid, TEMPORAL_CONFIG_FILE: empty, TEMPORAL_PROFILE: 'prod' }), [
      `TEMPORAL_PROFILE names profile "prod" in TEMPORAL_CONFIG_FILE (${empty}), which does not define it`,
    ]);
  });

  it('names a TLS file that is missing, or holds no key or certificate, before anything connects', () => {
    const missing = path.join(directory, 'missing.pem');
    assert.deepEqual(
      problemsOf({ ...valid, TEMPORAL_TLS_CLIENT_CERT_PATH: missing, TEMPORAL_TLS_CLIENT_KEY_PATH: tls.key }),
      [`TEMPORAL_TLS_CLIENT_CERT_PATH names a file that does not exist: ${missing}`],
    );
    assert.deepEqual(
      problemsOf({ ...valid, TEMPORAL_TLS_CLIENT_CERT_PATH: tls.cert, TEMPORAL_TLS_CLIENT_KEY_PATH: tls.garbage }),
      [
        `TEMPORAL_TLS_CLIENT_KEY_PATH names a file (${tls.garbage}) that holds no PEM private key (a BEGIN PRIVATE KEY block)`,
      ],
    );
    assert.deepEqual(
      problemsOf({ ...valid, TEMPORAL_TLS_SERVER_CA_CERT_DATA: 'not a certificate' }, loadCommandConfig),
      ['TEMPORAL_TLS_SERVER_CA_CERT_DATA holds no PEM certificate (a BEGIN CERTIFICATE block)'],
    );
    assert.deepEqual(problemsOf({ ...valid, TEMPORAL_TLS_CLIENT_CERT_PATH: tls.cert }), [
      `TEMPORAL_TLS_CLIENT_CERT_PATH is set without a client key (TEMPORAL_TLS_CLIENT_KEY_PATH or _DATA)`,
    ]);
    assert.deepEqual(
      problemsOf({ ...valid, TEMPORAL_TLS_CLIENT_CERT_PATH: tls.cert, TEMPORAL_TLS_CLIENT_KEY_PATH: tls.otherKey }),
      [
        'TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH do not belong together: the certificate is not for that key',
      ],
    );
  });

  it('checks the source connection under its own names', () => {
    assert.deepEqual(
      problemsOf({
        ...valid,
        TEMPORAL_SYNC_SOURCE_ADDRESS: 'source.example:7233',
        TEMPORAL_SYNC_SOURCE_TLS_CLIENT_CERT_DATA: 'garbage',
        TEMPORAL_SYNC_SOURCE_TLS_CLIENT_KEY_PATH: tls.key,
      }),
      ['TEMPORAL_SYNC_SOURCE_TLS_CLIENT_CERT_DATA holds no PEM certificate (a BEGIN CERTIFICATE block)'],
    );
  });

  it('accepts a certificate and its key, and keeps the key as a secret', () => {
    const config = loadConfig({
      ...valid,
      TEMPORAL_TLS_CLIENT_CERT_PATH: tls.cert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: tls.key,
    });
    const options = config.temporal.worker.connectionOptions;
    assert.ok(options.tls && typeof options.tls === 'object' && options.tls.clientCertPair, 'mTLS is on');
    assert.ok(config.secrets.some((secret) => secret.includes('PRIVATE KEY')));
  });
});
