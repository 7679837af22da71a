import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadConfig, SECRET_VARIABLES, SHUTDOWN_MARGIN_SECONDS } from '../../src/config';
import { HTTP_ROUTES } from '../../src/observability/http-server';
import { graceSeconds, readYamlDocuments, requiredVariables, ROOT, unknownSyncVariables } from './files';
import type {
  ConfigMap,
  Deployment,
  Job,
  KubeObject,
  Kustomization,
  Labels,
  PodDisruptionBudget,
  Secret,
  Service,
} from './shapes';

const DIR = 'deploy/kubernetes';
const APPLY_DIR = `${DIR}/apply-schedules`;
const kustomization = readYamlDocuments(`${DIR}/kustomization.yaml`)[0] as Kustomization;
const applyKustomization = readYamlDocuments(`${APPLY_DIR}/kustomization.yaml`)[0] as Kustomization;
const imageComponent = readYamlDocuments(`${DIR}/image/kustomization.yaml`)[0] as Kustomization;
const resourcesOf = (dir: string, of: Kustomization): KubeObject[] =>
  of.resources.flatMap((file) => readYamlDocuments(`${dir}/${file}`) as KubeObject[]);
/** What `kubectl apply -k deploy/kubernetes` applies, again on every deploy. */
const manifests = resourcesOf(DIR, kustomization);
const applyManifests = resourcesOf(APPLY_DIR, applyKustomization);
const findIn = (list: KubeObject[], kind: string) => {
  const found = list.filter((manifest) => manifest.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in the kustomization`);
  return found[0]!;
};
const find = (kind: string) => findIn(manifests, kind);
const deployment = find('Deployment') as Deployment;
const configMap = find('ConfigMap') as ConfigMap;
const job = findIn(applyManifests, 'Job') as Job;
const service = find('Service') as Service;
const pdb = find('PodDisruptionBudget') as PodDisruptionBudget;
const secretExample = readYamlDocuments(`${DIR}/secret.example.yaml`)[0] as Secret;
const podSpec = deployment.spec.template.spec;
const worker = podSpec.containers[0]!;
const config = configMap.data;

const matches = (selector: Labels, labels: Labels) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

describe('deploy/kubernetes', () => {
  it('lists files that exist, and leaves the Secret example out', () => {
    for (const file of kustomization.resources) assert.ok(existsSync(path.join(ROOT, DIR, file)), file);
    for (const file of applyKustomization.resources) {
      assert.ok(existsSync(path.join(ROOT, APPLY_DIR, file)), file);
    }
    assert.ok(!kustomization.resources.includes('secret.example.yaml'));
    assert.equal(secretExample.kind, 'Secret');
  });

  it('re-applies with a new image: no Job (its pod template is immutable) in the kustomization applied on every deploy', () => {
    const immutable = manifests.filter((manifest) => ['Job', 'Pod'].includes(manifest.kind));
    assert.deepEqual(
      immutable.map((manifest) => `${manifest.kind}/${manifest.metadata.name}`),
      [],
      'kubectl apply -k with a new image tag would fail: field is immutable',
    );
    assert.deepEqual(
      applyManifests.map((manifest) => manifest.kind),
      ['Job'],
      'the schedules Job has a kustomization of its own',
    );
  });

  it('gives the Deployment and the Job one image setting, so both run the same build', () => {
    assert.equal(imageComponent.kind, 'Component');
    assert.deepEqual(kustomization.components, ['image']);
    assert.deepEqual(applyKustomization.components, ['../image']);
    assert.equal(kustomization.images, undefined, 'no second image setting to drift apart');
    assert.equal(applyKustomization.images, undefined, 'no second image setting to drift apart');
    assert.deepEqual(
      imageComponent.images?.map((image) => image.name),
      [worker.image.split(':')[0]],
    );
  });

  it('lets a drain evict unready pods, and spreads the replicas over nodes', () => {
    assert.equal(pdb.spec.unhealthyPodEvictionPolicy, 'AlwaysAllow', 'readiness follows Temporal and Postgres');
    const labels = deployment.spec.template.metadata.labels;
    const constraints = podSpec.topologySpreadConstraints ?? [];
    const byNode = constraints.find((constraint) => constraint.topologyKey === 'kubernetes.io/hostname');
    assert.ok(byNode, 'a spread over kubernetes.io/hostname');
    assert.equal(byNode.maxSkew, 1);
    assert.equal(byNode.whenUnsatisfiable, 'DoNotSchedule');
    assert.equal(byNode.nodeTaintsPolicy, 'Honor', 'a cordoned node does not count');
    assert.ok(matches(byNode.labelSelector.matchLabels, labels), 'it counts the worker pods');
  });

  it('gives the worker every variable the config schema requires, secrets from the Secret', () => {
    const refs = worker.envFrom;
    assert.ok(refs.some((ref) => ref.configMapRef?.name === configMap.metadata.name));
    assert.ok(refs.some((ref) => ref.secretRef?.name === secretExample.metadata.name));
    const provided = { ...config, ...secretExample.stringData };
    for (const name of requiredVariables()) assert.ok(name in provided, `${name} is set`);
    assert.doesNotThrow(() => loadConfig(provided), 'the worker accepts this configuration');
  });

  it('keeps secrets out of the ConfigMap and real values out of the Secret example', () => {
    for (const name of SECRET_VARIABLES) assert.ok(!(name in config), `${name} is not in the ConfigMap`);
    const url = new URL(secretExample.stringData.DATABASE_URL!);
    assert.equal(url.password, 'PASSWORD', 'a placeholder password');
    for (const [name, value] of Object.entries(secretExample.stringData)) {
      if (name !== 'DATABASE_URL') assert.match(value, /^(REPLACE_ME)?$/, name);
    }
  });

  it('sets only variables the worker knows', () => {
    assert.deepEqual(unknownSyncVariables(Object.keys(config)), []);
  });

  it('probes paths the worker serves, on the port it listens on', () => {
    const port = worker.ports.find((p) => p.name === 'metrics');
    assert.ok(port, 'a port named metrics');
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
      const container = spec.containers[0]!;
      assert.equal(container.securityContext.readOnlyRootFilesystem, true);
      assert.equal(container.securityContext.allowPrivilegeEscalation, false);
      assert.deepEqual(container.securityContext.capabilities.drop, ['ALL']);
      const tmp = container.volumeMounts.find((mount) => mount.mountPath === '/tmp');
      assert.ok(tmp, 'a volume mounted on /tmp');
      assert.ok(spec.volumes.find((volume) => volume.name === tmp.name)?.emptyDir);
      assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
      assert.ok(container.resources.limits.memory);
    }
  });

  it('runs the built worker, and a Job that applies the schedules with the same configuration', () => {
    assert.deepEqual(worker.command, ['node', 'dist/worker.js']);
    const apply = job.spec.template.spec.containers[0]!;
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
    assert.equal(service.spec.ports[0]!.targetPort, 'metrics');
    assert.equal(service.metadata.annotations['prometheus.io/path'], HTTP_ROUTES.metrics);
    assert.equal(service.metadata.annotations['prometheus.io/port'], config.TEMPORAL_SYNC_METRICS_PORT);
    assert.ok(pdb.spec.minAvailable < deployment.spec.replicas, 'a drain can still evict one pod');
  });
});
