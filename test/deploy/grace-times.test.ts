import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_SHUTDOWN_GRACE_SECONDS, envSchema, SHUTDOWN_MARGIN_SECONDS } from '../../src/config';
import { graceSeconds, readText, readToml, readYamlDocuments, ROOT } from './files';

/*
 * The shutdown grace time and the platforms' kill timeouts, across the files that set them: every
 * platform must wait the worker's grace time plus SHUTDOWN_MARGIN_SECONDS before it kills, and every
 * platform must give the worker the same grace time, the one the worker uses when nothing is set.
 */

/* eslint-disable @typescript-eslint/no-explicit-any -- deployment files read as plain data */
type Data = Record<string, any>;

const GRACE_VARIABLE = 'TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS';

interface Platform {
  /** The file that holds the kill timeout. */
  file: string;
  /** The setting, e.g. "kill_timeout". */
  killSetting: string;
  /** The kill timeout as written, for messages, e.g. "kill_timeout = 40" or "stop_grace_period unset (Compose's default)". */
  killWritten: string;
  killSeconds: number;
  /** Where the grace time comes from, for messages, e.g. "TEMPORAL_SYNC_SHUTDOWN_GRACE_SECONDS = '30' in [env]". */
  graceFrom: string;
  grace: number;
}

const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6 };

/** A Compose/Go-style duration ("40s", "1m30s", "500ms"), or where allowed a bare number of seconds, in seconds; NaN when it is neither. */
function durationSeconds(value: unknown, bareNumber: 'seconds' | 'refused'): number {
  if (typeof value === 'number') return bareNumber === 'seconds' ? value : Number.NaN;
  if (typeof value !== 'string' || !/^(\d+(\.\d+)?(h|ms|us|m|s))+$/.test(value)) return Number.NaN;
  let total = 0;
  for (const [, amount, , unit] of value.matchAll(/(\d+(\.\d+)?)(h|ms|us|m|s)/g)) {
    total += Number(amount) * UNIT_SECONDS[unit!]!;
  }
  return total;
}

/**
 * The grace time a set of variables gives the worker, read as the worker reads it: the config schema
 * must accept the value and agree with `graceSeconds` (test/deploy/files.ts), which the per-file tests use.
 */
function workerGrace(file: string, env: Record<string, unknown>, where: string): { grace: number; graceFrom: string } {
  const raw = env[GRACE_VARIABLE];
  const parsed = envSchema.shape[GRACE_VARIABLE].safeParse(raw);
  assert.ok(
    parsed.success,
    `${file}: the worker refuses ${GRACE_VARIABLE}=${JSON.stringify(raw)} ${where}: ${parsed.error?.issues[0]?.message}`,
  );
  const grace = graceSeconds(env);
  assert.equal(
    grace,
    parsed.data,
    `${file}: ${GRACE_VARIABLE}=${JSON.stringify(raw)} ${where} reads as ${grace} s here, ${parsed.data} s in the worker`,
  );
  const graceFrom =
    raw === undefined
      ? `the worker default DEFAULT_SHUTDOWN_GRACE_SECONDS = ${DEFAULT_SHUTDOWN_GRACE_SECONDS} (${GRACE_VARIABLE} not set ${where})`
      : `${GRACE_VARIABLE} = ${JSON.stringify(raw)} ${where}`;
  return { grace, graceFrom };
}

const written = (setting: string, value: unknown, platformDefault: string) =>
  value === undefined ? `${setting} unset (${platformDefault})` : `${setting} = ${JSON.stringify(value)}`;

function fly(): Platform {
  const file = 'deploy/fly.toml';
  const toml = readToml(file) as Data;
  const env: Data = toml.env ?? {};
  return {
    file,
    killSetting: 'kill_timeout',
    killWritten: written('kill_timeout', toml.kill_timeout, "Fly's default"),
    // Fly takes whole seconds or a duration string; unset, it waits 5 s.
    killSeconds: toml.kill_timeout === undefined ? 5 : durationSeconds(toml.kill_timeout, 'seconds'),
    ...workerGrace(file, env, 'in [env]'),
  };
}

/** The worker container's variables as Kubernetes resolves them: envFrom in order, then env over it. */
function kubernetes(): Platform {
  const dir = 'deploy/kubernetes';
  const kustomization = readYamlDocuments(`${dir}/kustomization.yaml`)[0] as Data;
  const manifests = (kustomization.resources as string[]).flatMap((resource) =>
    readYamlDocuments(`${dir}/${resource}`).map((manifest) => ({ resource, manifest: manifest as Data })),
  );
  // The Secret is created by hand from the example; it is not in the kustomization.
  const secretExample = {
    resource: 'secret.example.yaml',
    manifest: readYamlDocuments(`${dir}/secret.example.yaml`)[0] as Data,
  };
  const deployments = manifests.filter(({ manifest }) => manifest.kind === 'Deployment');
  assert.equal(deployments.length, 1, `${dir}: one Deployment in the kustomization`);
  const { resource: deploymentFile, manifest: deployment } = deployments[0]!;
  const podSpec = deployment.spec.template.spec;
  const container =
    (podSpec.containers as Data[]).find((candidate) => candidate.name === 'worker') ?? podSpec.containers[0];

  const dataOf = (kind: 'ConfigMap' | 'Secret', name: string) => {
    const found = [...manifests, secretExample].find(
      ({ manifest }) => manifest.kind === kind && manifest.metadata?.name === name,
    );
    if (!found) return undefined;
    const data: Data =
      kind === 'Secret' ? { ...found.manifest.data, ...found.manifest.stringData } : found.manifest.data;
    return { resource: found.resource, data: data ?? {} };
  };
  const env: Data = {};
  let where = `(nowhere in ${deploymentFile}'s worker container or what it references)`;
  for (const ref of (container.envFrom ?? []) as Data[]) {
    const source = ref.configMapRef
      ? dataOf('ConfigMap', ref.configMapRef.name)
      : ref.secretRef
        ? dataOf('Secret', ref.secretRef.name)
        : undefined;
    const kind = ref.configMapRef ? 'ConfigMap' : 'Secret';
    const name = ref.configMapRef?.name ?? ref.secretRef?.name;
    assert.ok(
      source || ref.configMapRef?.optional || ref.secretRef?.optional,
      `${dir}: no ${kind} ${name} for envFrom`,
    );
    if (!source) continue;
    for (const [variable, value] of Object.entries(source.data)) {
      const full = `${ref.prefix ?? ''}${variable}`;
      env[full] = value;
      if (full === GRACE_VARIABLE) where = `in ${dir}/${source.resource} (${kind} ${name})`;
    }
  }
  for (const entry of (container.env ?? []) as Data[]) {
    let value: unknown = entry.value;
    let from = `in ${dir}/${deploymentFile} (the worker container's env)`;
    const keyRef = entry.valueFrom?.configMapKeyRef ?? entry.valueFrom?.secretKeyRef;
    if (keyRef) {
      const source = dataOf(entry.valueFrom.configMapKeyRef ? 'ConfigMap' : 'Secret', keyRef.name);
      value = source?.data[keyRef.key];
      from = `in ${dir}/${source?.resource ?? '?'} (key ${keyRef.key}, referenced by ${deploymentFile})`;
    }
    env[entry.name] = value;
    if (entry.name === GRACE_VARIABLE) where = from;
  }
  return {
    file: `${dir}/${deploymentFile}`,
    killSetting: 'terminationGracePeriodSeconds',
    killWritten: written('terminationGracePeriodSeconds', podSpec.terminationGracePeriodSeconds, "Kubernetes' default"),
    // Whole seconds only; unset, Kubernetes waits 30 s.
    killSeconds: Number.isInteger(podSpec.terminationGracePeriodSeconds)
      ? podSpec.terminationGracePeriodSeconds
      : podSpec.terminationGracePeriodSeconds === undefined
        ? 30
        : Number.NaN,
    ...workerGrace(`${dir}/${deploymentFile}`, env, where),
  };
}

/** KEY=VALUE lines of an env file, as Compose reads them (comments and blank lines skipped). */
function readEnvFile(file: string): Data {
  const env: Data = {};
  for (const line of readText(file).split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) env[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

/** The worker service's variables: its env_file(s), then environment over them (map or KEY=VALUE list). */
function compose(): Platform {
  const file = 'docker-compose.yml';
  const worker = (readYamlDocuments(file)[0] as Data).services.worker as Data;
  const env: Data = {};
  let where = `(nowhere in the worker service of ${file})`;
  const envFiles = worker.env_file === undefined ? [] : [worker.env_file].flat();
  for (const entry of envFiles as Array<string | Data>) {
    const envFile = typeof entry === 'string' ? entry : (entry.path as string);
    if (!existsSync(path.join(ROOT, envFile))) {
      assert.ok(typeof entry !== 'string' && entry.required === false, `${file}: env_file ${envFile} does not exist`);
      continue;
    }
    const values = readEnvFile(envFile);
    Object.assign(env, values);
    if (GRACE_VARIABLE in values) where = `in ${envFile} (the worker's env_file)`;
  }
  const environment: Data = Array.isArray(worker.environment)
    ? Object.fromEntries(
        (worker.environment as string[]).map((pair) => {
          const equals = pair.indexOf('=');
          return equals < 0 ? [pair, undefined] : [pair.slice(0, equals), pair.slice(equals + 1)];
        }),
      )
    : (worker.environment ?? {});
  Object.assign(env, environment);
  if (GRACE_VARIABLE in environment) where = `in ${file} (the worker's environment)`;
  return {
    file,
    killSetting: 'services.worker.stop_grace_period',
    killWritten: written('services.worker.stop_grace_period', worker.stop_grace_period, "Compose's default"),
    // A duration string ("40s"); unset, Compose waits 10 s.
    killSeconds: worker.stop_grace_period === undefined ? 10 : durationSeconds(worker.stop_grace_period, 'refused'),
    ...workerGrace(file, env, where),
  };
}

const PLATFORMS: Array<[name: string, read: () => Platform]> = [
  ['deploy/fly.toml', fly],
  ['deploy/kubernetes', kubernetes],
  ['docker-compose.yml', compose],
];

describe('shutdown grace time and kill timeouts, across the deployment files', () => {
  it('the worker default and the margin: what the config gives when nothing is set, in whole seconds', () => {
    assert.equal(
      envSchema.shape[GRACE_VARIABLE].parse(undefined),
      DEFAULT_SHUTDOWN_GRACE_SECONDS,
      `src/config.ts: ${GRACE_VARIABLE} unset is not DEFAULT_SHUTDOWN_GRACE_SECONDS (${DEFAULT_SHUTDOWN_GRACE_SECONDS})`,
    );
    assert.ok(
      Number.isInteger(SHUTDOWN_MARGIN_SECONDS) && SHUTDOWN_MARGIN_SECONDS > 0,
      `src/config.ts: SHUTDOWN_MARGIN_SECONDS = ${SHUTDOWN_MARGIN_SECONDS}, not a positive whole number of seconds`,
    );
  });

  for (const [name, read] of PLATFORMS) {
    it(`${name}: the kill timeout is the file's own grace time plus SHUTDOWN_MARGIN_SECONDS`, () => {
      const platform = read();
      assert.ok(
        Number.isFinite(platform.killSeconds),
        `${platform.file}: ${platform.killWritten} is not a duration the platform reads`,
      );
      assert.equal(
        platform.killSeconds,
        platform.grace + SHUTDOWN_MARGIN_SECONDS,
        `${platform.file}: ${platform.killWritten} (${platform.killSeconds} s), ` +
          `but the grace time is ${platform.grace} s (${platform.graceFrom}) and SHUTDOWN_MARGIN_SECONDS is ` +
          `${SHUTDOWN_MARGIN_SECONDS} s (src/config.ts): it should be ${platform.grace + SHUTDOWN_MARGIN_SECONDS} s`,
      );
    });
  }

  it('every file gives the worker the same grace time', () => {
    const platforms = PLATFORMS.map(([, read]) => read());
    const graces = new Set(platforms.map((platform) => platform.grace));
    assert.equal(
      graces.size,
      1,
      `the grace times differ: ${platforms.map((platform) => `${platform.file} ${platform.grace} s (${platform.graceFrom})`).join('; ')}`,
    );
  });

  it("every file's grace time is the worker's own default", () => {
    for (const platform of PLATFORMS.map(([, read]) => read())) {
      assert.equal(
        platform.grace,
        DEFAULT_SHUTDOWN_GRACE_SECONDS,
        `${platform.file}: grace time ${platform.grace} s (${platform.graceFrom}), but the worker's default is ` +
          `DEFAULT_SHUTDOWN_GRACE_SECONDS = ${DEFAULT_SHUTDOWN_GRACE_SECONDS} s (src/config.ts)`,
      );
    }
  });
});
