import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/observability/logger';
import { MIN_FREE_STANDING_SECRET_LENGTH, redactSecrets } from '../../src/redact';

/** The compose file's case: the database password is "temporal", a part of the queue and the host name. */
const compose = loadConfig({
  DATABASE_URL: 'postgres://temporal:temporal@postgres:5432/temporal',
  TEMPORAL_ADDRESS: 'temporal:7233',
});

describe('redaction by structure', () => {
  it('leaves a short password that is part of the task queue and the address alone, and readable', () => {
    const line =
      'temporal-sync worker ready: polling task queue "temporal-sync" in namespace "default" at temporal:7233';
    assert.ok(compose.secrets.includes('temporal'), 'the password is a known secret');
    assert.equal(redactSecrets(line, compose.secrets), line);
    assert.equal(redactSecrets('a word: temporal', compose.secrets), 'a word: temporal', 'not searched for alone');
  });

  it('removes a password from any URL, whatever its length, even when it is decoded and holds an @', () => {
    const cases: Array<[string, string]> = [
      ['connect postgres://u:pw@h:5432/db refused', 'connect postgres://u:[redacted]@h:5432/db refused'],
      ['postgresql://app:temporal@postgres/temporal', 'postgresql://app:[redacted]@postgres/temporal'],
      ['decoded postgres://u:p@ss@host/db', 'decoded postgres://u:[redacted]@host/db'],
      ['{"url":"https://user:k3y@hooks.example/x","n":1}', '{"url":"https://user:[redacted]@hooks.example/x","n":1}'],
      [
        'no credentials: postgres://u@h/db, http://h:8080/a?x=a@b',
        'no credentials: postgres://u@h/db, http://h:8080/a?x=a@b',
      ],
    ];
    for (const [text, expected] of cases) assert.equal(redactSecrets(text, []), expected, text);
  });

  it('removes the values of secret keys and settings, and PEM private keys', () => {
    const cases: Array<[string, string]> = [
      ['host=db password=abc user=app', 'host=db password=[redacted] user=app'],
      ['{"password":"abc","user":"app"}', '{"password":"[redacted]","user":"app"}'],
      ["config { apiKey: 'k1', port: 1 }", "config { apiKey: '[redacted]', port: 1 }"],
      ['PGPASSWORD=abc psql', 'PGPASSWORD=[redacted] psql'],
      [
        'TEMPORAL_API_KEY=k1 TEMPORAL_SYNC_SOURCE_API_KEY=k2',
        'TEMPORAL_API_KEY=[redacted] TEMPORAL_SYNC_SOURCE_API_KEY=[redacted]',
      ],
      ['authorization: Bearer abc.def', 'authorization: Bearer [redacted]'],
      [
        'key -----BEGIN PRIVATE KEY-----\nMIIEv\n-----END PRIVATE KEY----- done',
        'key -----BEGIN PRIVATE KEY-----[redacted]-----END PRIVATE KEY----- done',
      ],
      [
        '-----BEGIN EC PRIVATE KEY-----\\nMHcC\\n-----END EC PRIVATE KEY-----',
        '-----BEGIN EC PRIVATE KEY-----[redacted]-----END EC PRIVATE KEY-----',
      ],
      ['password authentication failed for user "app"', 'password authentication failed for user "app"'],
    ];
    for (const [text, expected] of cases) assert.equal(redactSecrets(text, []), expected, text);
  });

  it('removes long secrets wherever they stand as a whole token, never as a part of a longer word', () => {
    const key = 'tsk_live_SecretApiKey_4242';
    assert.ok(key.length >= MIN_FREE_STANDING_SECRET_LENGTH);
    assert.equal(redactSecrets(`key ${key} failed`, [key]), 'key [redacted] failed');
    assert.equal(redactSecrets(`"${key}",x:${key}.`, [key]), '"[redacted]",x:[redacted].');
    assert.equal(redactSecrets(`queue ${key}-queue`, [key]), `queue ${key}-queue`);
  });

  it('removes a webhook URL whole, and its path where it stands without the host', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@h/db',
      TEMPORAL_SYNC_ALERT_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX',
    });
    const text =
      'posting to https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX, path /services/T000/B000/XXXXsecretXXXX';
    assert.equal(redactSecrets(text, config.secrets), 'posting to [redacted], path [redacted]');
  });

  it('redacts log lines and the values of secret fields in the logger', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'INFO',
      format: 'json',
      secrets: compose.secrets,
      write: (line) => lines.push(line),
    });
    logger.info('ready: polling task queue "temporal-sync" at temporal:7233', {
      config: { password: 'temporal', host: 'postgres' },
      url: 'postgres://temporal:temporal@postgres:5432/temporal',
    });
    const entry = JSON.parse(lines[0]!) as { msg: string; config: Record<string, string>; url: string };
    assert.equal(entry.msg, 'ready: polling task queue "temporal-sync" at temporal:7233');
    assert.deepEqual(entry.config, { password: '[redacted]', host: 'postgres' });
    assert.equal(entry.url, 'postgres://temporal:[redacted]@postgres:5432/temporal');
  });
});
