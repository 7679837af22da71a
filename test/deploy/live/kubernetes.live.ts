import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments, parseDocument } from 'yaml';
import type { Kustomization, PodSpec, TopologySpreadConstraint } from '../shapes';
import { startApiServer, type ApiServer } from './apiserver';
import { required, ROOT, run } from './podman';

/*
 * deploy/kubernetes rendered by kustomize and checked against the Kubernetes API's own types; where a
 * kube-apiserver is cached on the machine, also admitted by a real one. Not proved: that pods run
 * (no kubelet, scheduler or controllers), nor anything of a particular cloud's cluster.
 */
const KUSTOMIZATIONS = ['deploy/kubernetes', 'deploy/kubernetes/apply-schedules'];
const DECODER = required('TEMPORAL_SYNC_DEPLOY_CHECK');
const KUBECTL = process.env.TEMPORAL_SYNC_KUBECTL;
const APISERVER = process.env.TEMPORAL_SYNC_KUBE_APISERVER;
const NAMESPACE = 'temporal-sync-restricted';

/** A rendered object, as far as the pod templates are concerned. */
interface Rendered {
  metadata: { name: string };
  spec?: { template?: { spec?: PodSpec } };
}

async function render(dir: string): Promise<string> {
  const result = KUBECTL
    ? await run(KUBECTL, ['kustomize', dir])
    : await run(required('TEMPORAL_SYNC_KUSTOMIZE'), ['build', dir]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout;
}

const objects = (yaml: string): Rendered[] => parseAllDocuments(yaml).map((document) => document.toJS() as Rendered);

async function decode(yaml: string): Promise<{ code: number | null; output: string }> {
  const result = await run(DECODER, ['kubernetes'], { input: yaml });
  return { code: result.code, output: `${result.stdout}${result.stderr}` };
}

/** A copy of deploy/kubernetes whose every `images:` entry for temporal-sync carries `tag`. */
function copyWithImageTag(tag: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-kustomize-'));
  cpSync(path.join(ROOT, 'deploy/kubernetes'), dir, { recursive: true });
  const retag = (folder: string): number =>
    readdirSync(folder).reduce((count, entry) => {
      const full = path.join(folder, entry);
      if (statSync(full).isDirectory()) return count + retag(full);
      if (entry !== 'kustomization.yaml') return count;
      const document = parseDocument(readFileSync(full, 'utf8'));
      const images = (document.toJS() as Kustomization).images;
      const index = images?.findIndex((image) => image.name === 'temporal-sync') ?? -1;
      if (index < 0) return count;
      document.setIn(['images', index, 'newTag'], tag);
      writeFileSync(full, document.toString());
      return count + 1;
    }, 0);
  assert.ok(retag(dir) > 0, 'a kustomization sets the temporal-sync image');
  return dir;
}

describe('deploy/kubernetes, rendered and decoded strictly', () => {
  for (const dir of KUSTOMIZATIONS) {
    it(`${dir}: every object decodes against k8s.io/api with no unknown field`, async () => {
      const { code, output } = await decode(await render(path.join(ROOT, dir)));
      assert.equal(code, 0, output);
      assert.match(output, /^all \d+ objects decode strictly/m);
    });
  }

  it('the decoder is strict: a misspelt field fails', async () => {
    const yaml = (await render(path.join(ROOT, KUSTOMIZATIONS[0]!))).replace(
      'readOnlyRootFilesystem: true',
      'readonlyRootFilesystem: true',
    );
    const { code, output } = await decode(yaml);
    assert.equal(code, 1);
    assert.match(
      output,
      /unknown field "spec\.template\.spec\.containers\[0\]\.securityContext\.readonlyRootFilesystem"/,
    );
  });
});

if (!APISERVER || !KUBECTL) {
  process.stdout.write(
    `# NOT RUN: the server-side Kubernetes checks: ${process.env.TEMPORAL_SYNC_KUBE_APISERVER_MISSING ?? 'no kube-apiserver or kubectl'}\n`,
  );
} else {
  describeOnApiServer({ apiserver: APISERVER, kubectl: KUBECTL, etcd: required('TEMPORAL_SYNC_ETCD') });
}

function describeOnApiServer(binaries: { apiserver: string; kubectl: string; etcd: string }): void {
  describe('deploy/kubernetes on a real kube-apiserver, in a namespace enforcing PodSecurity restricted', () => {
    let server: ApiServer;
    const copies: string[] = [];
    const kubectl = async (args: string[], input?: string) => {
      const result = await server.kubectl(args, input);
      assert.equal(result.code, 0, `kubectl ${args.join(' ')}: ${result.stderr}`);
      return result;
    };
    const image = async (kind: string, name: string) =>
      (await kubectl(['get', kind, name, '-n', NAMESPACE, '-o', 'jsonpath={.spec.template.spec.containers[0].image}']))
        .stdout;

    before(async () => {
      server = await startApiServer(binaries);
      await kubectl(['create', 'namespace', NAMESPACE]);
      await kubectl([
        'label',
        'namespace',
        NAMESPACE,
        ...['enforce', 'warn', 'audit'].map((mode) => `pod-security.kubernetes.io/${mode}=restricted`),
      ]);
      // The controller manager that would create it does not run here; pods need it to be admitted.
      await kubectl(['create', 'serviceaccount', 'default', '-n', NAMESPACE]);
      await kubectl(['apply', '-n', NAMESPACE, '-f', path.join(ROOT, 'deploy/kubernetes/secret.example.yaml')]);
    });
    after(async () => {
      for (const dir of copies) rmSync(dir, { recursive: true, force: true });
      await server?.stop();
    });

    it('accepts every object in a server-side dry run', async () => {
      for (const dir of KUSTOMIZATIONS) {
        const result = await kubectl(
          ['apply', '--server-side', '--dry-run=server', '-n', NAMESPACE, '-f', '-'],
          await render(path.join(ROOT, dir)),
        );
        assert.doesNotMatch(result.stderr, /warning/i, result.stderr);
      }
    });

    it('applies them with no PodSecurity warning; their pod templates are admitted as pods, a weaker one is not', async () => {
      const rendered = await render(path.join(ROOT, KUSTOMIZATIONS[0]!));
      const applied = await kubectl(['apply', '-n', NAMESPACE, '-f', '-'], rendered);
      assert.doesNotMatch(applied.stderr, /warning/i, applied.stderr);
      const templates = [...objects(rendered), ...objects(await render(path.join(ROOT, KUSTOMIZATIONS[1]!)))].flatMap(
        (object) => {
          const spec = object.spec?.template?.spec;
          return spec ? [{ name: String(object.metadata.name), spec }] : [];
        },
      );
      assert.equal(templates.length, 2, 'the Deployment and the Job');
      const podOf = (name: string, spec: PodSpec) =>
        JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NAMESPACE }, spec });
      for (const { name, spec } of templates)
        await kubectl(['create', '--dry-run=server', '-f', '-'], podOf(`${name}-pod`, spec));

      const weaker = structuredClone(templates[0]!.spec);
      delete weaker.securityContext.runAsNonRoot;
      weaker.containers[0]!.securityContext.allowPrivilegeEscalation = true;
      const refused = await server.kubectl(['create', '--dry-run=server', '-f', '-'], podOf('weaker-pod', weaker));
      assert.notEqual(refused.code, 0, 'the namespace enforces restricted');
      assert.match(refused.stderr, /violates PodSecurity "restricted/);
    });

    it('keeps the fields a drain and the spread need', async () => {
      const get = async (kind: string, jsonpath: string) =>
        (await kubectl(['get', kind, 'temporal-sync', '-n', NAMESPACE, '-o', `jsonpath=${jsonpath}`])).stdout;
      assert.equal(await get('poddisruptionbudget', '{.spec.unhealthyPodEvictionPolicy}'), 'AlwaysAllow');
      const spread = JSON.parse(
        await get('deployment', '{.spec.template.spec.topologySpreadConstraints}'),
      ) as TopologySpreadConstraint[];
      assert.deepEqual(
        spread.map((constraint) => constraint.topologyKey),
        ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'],
      );
      assert.deepEqual(spread[0]!.matchLabelKeys, ['pod-template-hash']);
    });

    it('re-applies with a new image tag (what a CI/CD pipeline does on every release)', async () => {
      const first = copyWithImageTag('0.1.0');
      const second = copyWithImageTag('0.2.0');
      copies.push(first, second);
      await kubectl(['apply', '-n', NAMESPACE, '-k', first]);
      await kubectl(['apply', '-n', NAMESPACE, '-k', second]);
      assert.equal(await image('deployment', 'temporal-sync'), 'temporal-sync:0.2.0');
    });

    it("runs the schedules Job again for each release, as the docs say, with the Deployment's image", async () => {
      for (const tag of ['0.1.0', '0.2.0']) {
        const copy = copyWithImageTag(tag);
        copies.push(copy);
        await kubectl(['delete', '-n', NAMESPACE, '-k', path.join(copy, 'apply-schedules'), '--ignore-not-found']);
        await kubectl(['apply', '-n', NAMESPACE, '-k', path.join(copy, 'apply-schedules')]);
        assert.equal(await image('job', 'temporal-sync-apply-schedules'), `temporal-sync:${tag}`);
      }
      assert.equal(await image('deployment', 'temporal-sync'), await image('job', 'temporal-sync-apply-schedules'));
    });
  });
}
