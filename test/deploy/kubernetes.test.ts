import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, SECRET_VARIABLES, SHUTDOWN_MARGIN_SECONDS } from '../../src/config';
import { HTTP_ROUTES } from '../../src/observability/http-server';
import { graceSeconds, readYamlDocuments, requiredVariables, ROOT, unknownSyncVariables } from './files';

/* eslint-disable @typescript-eslint/no-explicit-any -- Kubernetes manifests read as plain data */
type Manifest = Record<string, any>;

const DIR = 'deploy/kubernetes';
const kustomization = readYamlDocuments(`${DIR}/kustomization.yaml`)[0] as Manifest;
const manifests: Manifest[] = (kustomization.resources as string[]).flatMap((file) =>
  readYamlDocuments(`${DIR}/${file}`),
);
const find = (kind: string) => {
  const found = manifests.filter((manifest) => manifest.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in the kustomization`);
  return found[0]!;
};
const deployment = find('Deployment');
const configMap = find('ConfigMap');
const job = find('Job');
const service = find('Service');
const pdb = find('PodDisruptionBudget');
const secretExample = readYamlDocuments(`${DIR}/secret.example.yaml`)[0] as Manifest;
const podSpec = deployment.spec.template.spec;
const worker = podSpec.containers[0];
const config: Record<string, string> = configMap.data;

const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('deploy/kubernetes', () => {
  it('lists files that exist, and leaves the Secret example out', () => {
    for (const file of kustomization.resources as string[]) assert.ok(existsSync(path.join(ROOT, DIR, file)), file);
    assert.ok(!(kustomization.resources as string[]).includes('secret.example.yaml'));
    assert.equal(secretExample.kind, 'Secret');
  });

  it('gives the worker every variable the config schema requires, secrets from the Secret', () => {
    const refs = worker.envFrom as Manifest[];
    assert.ok(refs.some((ref) => ref.configMapRef?.name === configMap.metadata.name));
    assert.ok(refs.some((ref) => ref.secretRef?.name === secretExample.metadata.name));
    const provided = { ...config, ...secretExample.stringData };
    for (const name of requiredVariables()) assert.ok(name in provided, `${name} is set`);
    assert.doesNotThrow(() => loadConfig(provided), 'the worker accepts this configuration');
  });

  it('keeps secrets out of the ConfigMap and real values out of the Secret example', () => {
    for (const name of SECRET_VARIABLES) assert.ok(!(name in config), `${name} is not in the ConfigMap`);
    const url = new URL(secretExample.stringData.DATABASE_URL);
    assert.equal(url.password, 'PASSWORD', 'a placeholder password');
    for (const [name, value] of Object.entries(secretExample.stringData as Record<string, string>)) {
      if (name !== 'DATABASE_URL') assert.match(value, /^(REPLACE_ME)?$/, name);
    }
  });

  it('sets only variables the worker knows', () => {
    assert.deepEqual(unknownSyncVariables(Object.keys(config)), []);
  });

  it('probes paths the worker serves, on the port it listens on', () => {
    const port = worker.ports.find((p: Manifest) => p.name === 'metrics');
    assert.equal(String(port.containerPort), config.TEMPORAL_SYNC_METRICS_PORT);
    assert.equal(worker.livenessProbe.httpGet.path, HTTP_ROUTES.liveness);
    assert.equal(worker.readinessProbe.httpGet.path, HTTP_ROUTES.readiness);
    assert.equal(worker.startupProbe.httpGet.path, HTTP_ROUTES.liveness);
    for (const probe of [worker.livenessProbe, worker.readinessProbe, worker.startupProbe]) {
      assert.equal(probe.httpGet.port, 'metrics');
    }
  });

  it('gives the drain its grace time plus the margin before the kill', () => {
    assert.equal(podSpec.terminationGracePeriodSeconds, graceSeconds(config) + SHUTDOWN_MARGIN_SECONDS);
  });

  it('runs as non-root with a read-only root filesystem and a writable /tmp, with resources set', () => {
    for (const spec of [podSpec, job.spec.template.spec]) {
      assert.equal(spec.securityContext.runAsNonRoot, true);
      assert.ok(spec.securityContext.runAsUser > 0);
      const container = spec.containers[0];
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
      const tmp = container.volumeMounts.find((mount: Manifest) => mount.mountPath === '/tmp');
      assert.ok(spec.volumes.find((volume: Manifest) => volume.name === tmp.name).emptyDir);
      assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
      assert.ok(container.resources.limits.memory);
    }
  });

  it('runs the built worker, and a Job that applies the schedules with the same configuration', () => {
    assert.deepEqual(worker.command, ['node', 'dist/worker.js']);
    const apply = job.spec.template.spec.containers[0];
    assert.deepEqual(apply.command, ['node', 'dist/cli/schedules.js', 'apply']);
    assert.ok(
      existsSync(path.join(ROOT, 'src', 'cli', 'schedules.ts')),
      'the command the Job runs is built from src/cli/schedules.ts',
    );
    assert.equal(apply.image, worker.image);
    assert.deepEqual(apply.envFrom, worker.envFrom);
    assert.notEqual(job.spec.template.spec.restartPolicy, 'Always');
  });

  it('points the metrics Service and the PodDisruptionBudget at the worker pods', () => {
    const labels = deployment.spec.template.metadata.labels;
    assert.ok(matches(deployment.spec.selector.matchLabels, labels));
    assert.ok(matches(service.spec.selector, labels));
    assert.ok(matches(pdb.spec.selector.matchLabels, labels));
    assert.ok(!matches(service.spec.selector, job.spec.template.metadata.labels), 'the Job is not scraped');
    assert.equal(service.spec.type, 'ClusterIP', 'not exposed outside the cluster');
    assert.equal(service.spec.ports[0].targetPort, 'metrics');
    assert.equal(service.metadata.annotations['prometheus.io/path'], HTTP_ROUTES.metrics);
    assert.equal(service.metadata.annotations['prometheus.io/port'], config.TEMPORAL_SYNC_METRICS_PORT);
    assert.ok(pdb.spec.minAvailable < deployment.spec.replicas, 'a drain can still evict one pod');
  });
});
