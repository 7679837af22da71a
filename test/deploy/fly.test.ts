import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, SECRET_VARIABLES, SHUTDOWN_MARGIN_SECONDS } from '../../src/config';
import { HTTP_ROUTES } from '../../src/observability/http-server';
import { graceSeconds, markdownSection, readText, readToml, requiredVariables, unknownSyncVariables } from './files';
import type { FlyToml } from './shapes';

const fly = readToml('deploy/fly.toml') as FlyToml;
const env = fly.env;

/** Variables named in `fly secrets set` commands, in the file's comments or the deploy docs' Fly section. */
function documentedSecrets(): Set<string> {
  const text = `${readText('deploy/fly.toml')}\n${markdownSection('docs/deploying.md', 'Fly.io')}`;
  const names = new Set<string>();
  for (const line of text.split('\n').filter((candidate) => /fly secrets set/.test(candidate))) {
    for (const match of line.matchAll(/\b([A-Z][A-Z0-9_]+)=/g)) names.add(match[1]!);
  }
  return names;
}

describe('deploy/fly.toml', () => {
  it('runs the built worker as a process with no public service', () => {
    assert.equal(fly.processes.worker, 'node dist/worker.js');
    assert.equal(fly.http_service, undefined);
    assert.equal(fly.services, undefined);
  });

  it('sends SIGTERM and waits the grace time plus the margin before the kill', () => {
    assert.equal(fly.kill_signal, 'SIGTERM');
    assert.equal(fly.kill_timeout, graceSeconds(env) + SHUTDOWN_MARGIN_SECONDS);
  });

  it("exposes /metrics to Fly's scraper on the port the worker listens on, and checks paths it serves", () => {
    assert.equal(String(fly.metrics.port), env.TEMPORAL_SYNC_METRICS_PORT);
    assert.equal(fly.metrics.path, HTTP_ROUTES.metrics);
    const served = new Set<string>(Object.values(HTTP_ROUTES));
    for (const [name, check] of Object.entries(fly.checks)) {
      assert.ok(served.has(check.path), `check ${name} on ${check.path}`);
      assert.equal(String(check.port), env.TEMPORAL_SYNC_METRICS_PORT);
    }
  });

  it('sets every required variable, or documents it as a Fly secret; secrets never in [env]', () => {
    const secrets = documentedSecrets();
    for (const name of requiredVariables()) {
      assert.ok(name in env || secrets.has(name), `${name} is in [env] or set with fly secrets set`);
    }
    for (const name of SECRET_VARIABLES) assert.ok(!(name in env), `${name} is not in [env]`);
    assert.ok(secrets.has('DATABASE_URL'));
    assert.deepEqual(unknownSyncVariables(Object.keys(env)), []);
    assert.doesNotThrow(() => loadConfig({ ...env, DATABASE_URL: 'postgres://u:p@db.internal:5432/sync' }));
  });
});
