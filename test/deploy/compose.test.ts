import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfig, SHUTDOWN_MARGIN_SECONDS } from '../../src/config';
import { graceSeconds, readYamlDocuments, requiredVariables } from './files';
import type { ComposeFile, ComposeService } from './shapes';

const documents = readYamlDocuments('docker-compose.yml');
const compose = documents[0] as ComposeFile;
const services = compose.services;
const worker = services.worker!;
const env = worker.environment;

/** The service a host:port or URL points at, by compose's service-name DNS. */
function serviceAt(host: string): [string, ComposeService] {
  const entry = Object.entries(services).find(([name]) => name === host);
  assert.ok(entry, `a service named ${host}`);
  return entry;
}
const healthyDependency = (service: ComposeService, name: string) =>
  service.depends_on?.[name]?.condition === 'service_healthy';

describe('docker-compose.yml', () => {
  it('parses as one document with Temporal, its UI, Postgres, the worker and the schedules job', () => {
    assert.equal(documents.length, 1);
    assert.ok(!('name' in compose), 'no top-level name: docker-compose 1.x rejects it');
    for (const name of ['temporal', 'temporal-ui', 'postgres', 'worker', 'apply-schedules'])
      assert.ok(services[name], name);
  });

  it('wires the worker to Postgres and Temporal, and starts it once both are healthy', () => {
    const database = new URL(env.DATABASE_URL!);
    const [postgresName, postgres] = serviceAt(database.hostname);
    assert.match(postgres.image, /^postgres:/);
    assert.equal(database.port, '5432');
    assert.equal(database.pathname.slice(1), postgres.environment.POSTGRES_DB);
    assert.equal(decodeURIComponent(database.username), postgres.environment.POSTGRES_USER);
    assert.equal(decodeURIComponent(database.password), postgres.environment.POSTGRES_PASSWORD);

    const [host, port] = env.TEMPORAL_ADDRESS!.split(':');
    const [temporalName, temporal] = serviceAt(host!);
    assert.match(temporal.image, /^temporalio\//);
    assert.equal(port, '7233');
    for (const name of [postgresName, temporalName]) {
      assert.ok(services[name]!.healthcheck, `${name} has a healthcheck`);
      assert.ok(healthyDependency(worker, name), `the worker waits for ${name} to be healthy`);
    }
    assert.ok(worker.build, 'the worker is built from the Dockerfile');
  });

  it('gives the worker a configuration it accepts, and the grace time plus the margin to stop', () => {
    for (const name of requiredVariables()) assert.ok(name in env, name);
    assert.doesNotThrow(() => loadConfig(env));
    assert.equal(worker.stop_grace_period, `${graceSeconds(env) + SHUTDOWN_MARGIN_SECONDS}s`);
  });

  it('applies the schedules once, with the worker image and settings, after Temporal is up', () => {
    const job = services['apply-schedules']!;
    assert.deepEqual(job.command, ['node', 'dist/cli/schedules.js', 'apply']);
    assert.equal(job.image, worker.image);
    assert.deepEqual(job.environment, env);
    assert.equal(job.restart, 'no');
    assert.ok(healthyDependency(job, 'temporal'));
  });
});
