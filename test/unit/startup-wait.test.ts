import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeCause, isTransient } from '../../src/startup-errors';
import { GaveUpWaiting, reasonOf, retryWhileTransient, startupStep, startupWait } from '../../src/startup-wait';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
const refused = () => withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED');

describe('the start-up wait', () => {
  it('waits only for causes that can pass: a server not up yet, not a wrong setting', () => {
    const transient = [
      refused(),
      withCode('getaddrinfo EAI_AGAIN postgres', 'EAI_AGAIN'),
      withCode('getaddrinfo ENOTFOUND temporal', 'ENOTFOUND'),
      withCode('the database system is starting up', '57P03'),
      new Error('Connection terminated unexpectedly'),
      new Error('Failed to connect before the deadline'),
      new Error(
        'tonic::transport::Error(Transport, ConnectError(ConnectError("tcp connect error", Os { code: 111, kind: ConnectionRefused })))',
      ),
      new Error('Failed to call GetSystemInfo: code: \'The operation was cancelled\', message: "Timeout expired"'),
      Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14, details: '', metadata: {} }),
    ];
    for (const error of transient) assert.equal(isTransient(error), true, error.message);
    const lasting = [
      withCode('password authentication failed for user "app"', '28P01'),
      withCode('database "nope" does not exist', '3D000'),
      new Error('Namespace nope is not found'),
      new Error('tonic::transport::Error(Transport, InvalidCertificate)'),
      new Error('something else'),
    ];
    for (const error of lasting) assert.equal(isTransient(error), false, error.message);
    assert.equal(
      describeCause(withCode('the database system is starting up', '57P03')),
      'the database system is starting up',
    );
  });

  it('tries again with a line per attempt until the dependency answers', async () => {
    const lines: string[] = [];
    let attempts = 0;
    const value = await retryWhileTransient(
      'Postgres at db:5432/app',
      () => {
        attempts += 1;
        return attempts < 3 ? Promise.reject(refused()) : Promise.resolve('connected');
      },
      startupWait(30, (line) => lines.push(line)),
    );
    assert.equal(value, 'connected');
    assert.deepEqual(lines, [
      'waiting for Postgres at db:5432/app: connection refused (nothing listens there); next try in 1 s (30 s left of TEMPORAL_SYNC_STARTUP_WAIT_SECONDS=30)',
      'waiting for Postgres at db:5432/app: connection refused (nothing listens there); next try in 2 s (29 s left of TEMPORAL_SYNC_STARTUP_WAIT_SECONDS=30)',
    ]);
  });

  it('fails at once for a lasting cause, or with a wait of 0', async () => {
    const lines: string[] = [];
    const denied = withCode('password authentication failed for user "app"', '28P01');
    await assert.rejects(
      retryWhileTransient(
        'Postgres',
        () => Promise.reject(denied),
        startupWait(60, (line) => lines.push(line)),
      ),
      (error) => error === denied,
    );
    const error = refused();
    await assert.rejects(
      retryWhileTransient(
        'Postgres',
        () => Promise.reject(error),
        startupWait(0, (line) => lines.push(line)),
      ),
      (thrown) => thrown === error,
    );
    assert.deepEqual(lines, []);
  });

  it('gives up when the wait is over, saying how long it waited', async () => {
    const started = Date.now();
    const step = startupStep(
      { what: 'Postgres at db:5432/app', failure: 'cannot use Postgres at db:5432/app', setting: 'DATABASE_URL' },
      () => Promise.reject(refused()),
      startupWait(2, () => {}),
    );
    await assert.rejects(step, {
      name: 'StartupError',
      message:
        'cannot use Postgres at db:5432/app: connection refused (nothing listens there), still after waiting 2 s (check DATABASE_URL)',
    });
    assert.ok(Date.now() - started < 4_000, 'bounded by the wait');
    assert.equal(
      reasonOf(new GaveUpWaiting(5, refused())),
      'connection refused (nothing listens there), still after waiting 5 s',
    );
  });
});
