import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS } from '../../src/config';
import { graceSeconds, readToml, readYamlDocuments } from './files';
import type { ComposeFile, ConfigMap, FlyToml, KubeObject } from './shapes';

/*
 * Each platform's test checks that its kill timeout is its own grace time plus the margin; this one
 * checks the files agree with each other, so the worker drains the same way wherever it runs.
 */

function workerEnvironments(): Record<string, Record<string, unknown>> {
  const kubernetes = (readYamlDocuments('deploy/kubernetes/configmap.yaml') as KubeObject[]).find(
    (manifest) => manifest.kind === 'ConfigMap',
  ) as ConfigMap;
  const compose = readYamlDocuments('docker-compose.yml')[0] as ComposeFile;
  return {
    'deploy/fly.toml [env]': (readToml('deploy/fly.toml') as FlyToml).env,
    'deploy/kubernetes ConfigMap': kubernetes.data,
    'docker-compose.yml worker environment': compose.services.worker!.environment,
  };
}

describe('shutdown grace time across the deployment files', () => {
  const graces = Object.fromEntries(
    Object.entries(workerEnvironments()).map(([where, env]) => [where, graceSeconds(env)]),
  );

  it('every file gives the worker the same grace time', () => {
    assert.equal(new Set(Object.values(graces)).size, 1, JSON.stringify(graces));
  });

  it("that grace time is the worker's own default", () => {
    for (const [where, grace] of Object.entries(graces)) {
      assert.equal(grace, DEFAULT_SHUTDOWN_GRACE_SECONDS, `${where}: ${JSON.stringify(graces)}`);
    }
  });
});
