import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * Everything the live deploy checks need before they start, each step timed on one line: the tools,
 * the stand-in images, the image built from the Dockerfile, the strict decoder, the Kubernetes tools.
 * Nothing is skipped without saying so.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const CACHE = process.env.TEMPORAL_SYNC_CACHE ?? path.join(os.homedir(), '.cache', 'temporal-sync');
const CONTAINERS_CONF = path.join(ROOT, 'scripts/deploy/containers.conf');
const IMAGE = 'localhost/temporal-sync:test-deploy';
/** docker-compose.yml's `image: temporal-sync:latest`, as podman's Docker API resolves the short name. */
const COMPOSE_IMAGE = 'docker.io/library/temporal-sync:latest';
const KUBE_VERSION = 'v1.33.13';
const KUSTOMIZE_VERSION = 'v5.8.2';
const GO = '/usr/local/go/bin';

type Part = 'image' | 'compose' | 'kubernetes';

const toolEnv = (): NodeJS.ProcessEnv => ({
  ...process.env,
  CONTAINERS_CONF,
  PATH: `${process.env.PATH ?? ''}:${GO}`,
  GOTOOLCHAIN: 'local',
});

/** Runs a command with its output shown; rejects with one line when it fails. */
function exec(command: string, args: string[], env: NodeJS.ProcessEnv = {}, cwd = ROOT): Promise<void> {
  const child = spawn(command, args, { cwd, stdio: 'inherit', env: { ...toolEnv(), ...env } });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${path.basename(command)} ${args.join(' ')} failed (${code ?? signal})`)),
    );
  });
}

async function step<T>(title: string, work: () => Promise<T>): Promise<T> {
  process.stdout.write(`\n== ${title}\n`);
  const started = Date.now();
  const result = await work();
  process.stdout.write(`-- ${title}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  return result;
}

const onPath = (command: string): string | undefined => {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { env: toolEnv(), encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
};

function checkTools(parts: Part[]): void {
  const needed = new Set<string>(['go']);
  if (parts.includes('image') || parts.includes('compose'))
    for (const tool of ['podman', 'mmdebstrap']) needed.add(tool);
  if (parts.includes('compose')) needed.add('docker-compose');
  const missing = [...needed].filter((tool) => !onPath(tool));
  if (missing.length > 0) {
    throw new Error(
      `missing ${missing.join(', ')}: .ci/run installs them (apt-get install podman buildah mmdebstrap skopeo runc uidmap docker-compose etcd-server; Go at ${GO})`,
    );
  }
}

/** The one base image the Dockerfile builds on, which the stand-in must be tagged as. */
function dockerfileBase(): { image: string; major: string } {
  const froms = [...readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^FROM\s+(\S+)/gim)].map((m) => m[1]!);
  const bases = new Set(froms);
  const match = /^node:(\d+)-bookworm-slim$/.exec(froms[0] ?? '');
  if (bases.size !== 1 || !match)
    throw new Error(
      `the stand-in is built for node:<major>-bookworm-slim, the Dockerfile uses ${[...bases].join(', ')}`,
    );
  return { image: `docker.io/library/${froms[0]!}`, major: match[1]! };
}

/** The host's CA bundle for npm inside the build (the containers here see a TLS-inspecting proxy). */
function npmCaDir(): string {
  const bundle = [
    process.env.SSL_CERT_FILE,
    process.env.NODE_EXTRA_CA_CERTS,
    '/etc/ssl/certs/ca-certificates.crt',
  ].find((file) => file && existsSync(file));
  const dir = path.join(CACHE, 'podman', 'npm-ca');
  mkdirSync(dir, { recursive: true });
  if (bundle) copyFileSync(bundle, path.join(dir, 'ca-certificates.crt'));
  writeFileSync(path.join(dir, 'npmrc'), bundle ? 'cafile=/usr/local/etc/ca-certificates.crt\n' : '');
  return dir;
}

async function buildImage(): Promise<void> {
  // The mount exists during RUN steps only: npm's global config under /usr/local/etc, not in the image.
  await exec('podman', [
    'build',
    '--pull=never',
    '--format',
    'docker',
    '--volume',
    `${npmCaDir()}:/usr/local/etc:ro`,
    '--tag',
    IMAGE,
    '.',
  ]);
  await exec('podman', ['tag', IMAGE, COMPOSE_IMAGE]);
}

/** deploy-check, built once per version of its sources into the cache. */
async function buildChecker(): Promise<string> {
  const dir = path.join(ROOT, 'scripts/deploy/checkers');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(path.join(dir, file)));
  const binary = path.join(CACHE, 'deploy-check', hash.digest('hex').slice(0, 16), 'deploy-check');
  if (existsSync(binary)) {
    process.stdout.write(`deploy-check is cached at ${binary}\n`);
    return binary;
  }
  await exec('go', ['build', '-mod=readonly', '-trimpath', '-o', binary, '.'], { GOFLAGS: '' }, dir);
  return binary;
}

/** kubectl for rendering (and for the server-side part): the machine's, else the cached build, else kustomize alone. */
async function kubernetesTools(): Promise<Record<string, string>> {
  const apiserverDir = path.join(CACHE, 'kube-apiserver', KUBE_VERSION);
  const kubectl = onPath('kubectl') ?? [path.join(apiserverDir, 'kubectl')].find((file) => existsSync(file));
  const apiserver = path.join(apiserverDir, 'kube-apiserver');
  const env: Record<string, string> = {};
  if (kubectl) {
    env.TEMPORAL_SYNC_KUBECTL = kubectl;
  } else {
    const bin = path.join(CACHE, `kustomize-${KUSTOMIZE_VERSION}`);
    if (!existsSync(path.join(bin, 'kustomize'))) {
      process.stdout.write(
        `no kubectl here: building kustomize ${KUSTOMIZE_VERSION} with go install (about a minute, once)\n`,
      );
      await exec('go', ['install', `sigs.k8s.io/kustomize/kustomize/v5@${KUSTOMIZE_VERSION}`], { GOBIN: bin });
    }
    env.TEMPORAL_SYNC_KUSTOMIZE = path.join(bin, 'kustomize');
  }
  const etcd = onPath('etcd');
  if (existsSync(apiserver) && kubectl && etcd) {
    Object.assign(env, { TEMPORAL_SYNC_KUBE_APISERVER: apiserver, TEMPORAL_SYNC_ETCD: etcd });
    process.stdout.write(`kube-apiserver ${KUBE_VERSION} is cached at ${apiserver}: the server-side checks run\n`);
  } else {
    const why = !existsSync(apiserver)
      ? `no kube-apiserver is cached at ${apiserver} (build it once, ~20 min: scripts/deploy/build-kube-apiserver.sh)`
      : !kubectl
        ? 'no kubectl on PATH or in the cache'
        : 'no etcd on PATH (apt-get install etcd-server)';
    env.TEMPORAL_SYNC_KUBE_APISERVER_MISSING = why;
    process.stdout.write(
      `NOT RUN: the server-side Kubernetes checks (dry run, PodSecurity restricted, re-apply): ${why}\n`,
    );
  }
  return env;
}

/** Runs every preparation the chosen parts need; returns the environment the live tests read. */
export async function prepareBuild(parts: Part[]): Promise<Record<string, string>> {
  checkTools(parts);
  const env: Record<string, string> = { CONTAINERS_CONF };
  if (parts.includes('image') || parts.includes('compose')) {
    const base = dockerfileBase();
    await step(`stand-in for ${base.image} (once per machine)`, () =>
      exec(
        path.join(ROOT, 'scripts/deploy/standins/build-node-base.sh'),
        [],
        base.major === '24' ? {} : { NODE_VERSION: requireNodeVersion(base.major) },
      ),
    );
    await step(`image ${IMAGE} from the Dockerfile`, buildImage);
    Object.assign(env, {
      TEMPORAL_SYNC_TEST_IMAGE: IMAGE,
      TEMPORAL_SYNC_TEST_BASE_IMAGE: base.image,
      TEMPORAL_SYNC_TEST_COMPOSE_IMAGE: COMPOSE_IMAGE,
    });
  }
  if (parts.includes('compose')) {
    await step("stand-ins for the compose file's third-party images (once per machine)", () =>
      exec(path.join(ROOT, 'scripts/deploy/standins/build-compose-standins.sh'), []),
    );
  }
  if (parts.includes('compose') || parts.includes('kubernetes')) {
    env.TEMPORAL_SYNC_DEPLOY_CHECK = await step('deploy-check, the strict decoder (once per version)', buildChecker);
  }
  if (parts.includes('kubernetes')) Object.assign(env, await step('Kubernetes tools', kubernetesTools));
  return env;
}

function requireNodeVersion(major: string): string {
  const version = process.env.NODE_VERSION;
  if (!version?.startsWith(`${major}.`)) {
    throw new Error(
      `the Dockerfile builds on Node ${major}: set NODE_VERSION to the ${major}.x.y release the stand-in should carry`,
    );
  }
  return version;
}
