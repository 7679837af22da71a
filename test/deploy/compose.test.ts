import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
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

  // What this proves: the grafana service is opt-in (a plain `up`, which the deploy test runs, leaves
  // it out), its read-only mounts name files that exist and land where the provisioning expects
  // them, and it sets every variable the data source file uses. What it does not: that Grafana
  // starts, loads the provisioning or reaches Postgres (Grafana's image cannot be pulled here);
  // test/integration/grafana-dashboard.test.ts runs the dashboard's SQL instead.
  it('offers Grafana under the grafana profile, with the provisioning mounted read-only from files that exist', () => {
    const grafana = services.grafana!;
    assert.deepEqual(grafana.profiles, ['grafana']);
    assert.match(grafana.image, /^grafana\/grafana-oss:/);
    assert.ok(healthyDependency(grafana, 'postgres'));
    const mounts = new Map(
      (grafana.volumes ?? []).map((volume) => {
        const [source, target, mode] = volume.split(':');
        assert.equal(mode, 'ro', `${volume} is read-only`);
        assert.ok(source!.startsWith('./'), `${volume} mounts a path of the repository`);
        assert.ok(existsSync(source!), `${source} exists`);
        return [target!, source!];
      }),
    );
    const datasources = mounts.get('/etc/grafana/provisioning/datasources');
    const providers = mounts.get('/etc/grafana/provisioning/dashboards');
    assert.ok(datasources && providers, 'both provisioning folders are mounted');
    const datasource = readFileSync(path.join(datasources, 'temporal-sync.yaml'), 'utf8').replace(/^\s*#.*$/gm, '');
    for (const [, name] of datasource.matchAll(/\$\{(\w+)\}/g)) assert.ok(name! in grafana.environment, name);
    const provider = readFileSync(path.join(providers, 'temporal-sync.yaml'), 'utf8');
    const dashboardsAt = /path: (\S+)/.exec(provider)?.[1];
    assert.ok(dashboardsAt && mounts.has(dashboardsAt), `the dashboards are mounted at ${dashboardsAt}`);
    assert.ok(existsSync(path.join(mounts.get(dashboardsAt)!, 'temporal-sync.json')));
  });
});
