import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { prepareBuild } from './prepare';

const HELP = `Usage: npm run test:deploy [-- --only PART[,PART]]

Checks the deployment files for real, on this machine (podman, docker-compose, kubectl, Go, etcd;
.ci/run installs them). PART is image, compose or kubernetes (default: all three).
  image       builds the image from the Dockerfile with podman, on a stand-in for its base image
              (built once per machine), and runs it against a dev server and the Postgres at
              TEST_DATABASE_URL: readiness, schedules apply and a full sync from inside it, SIGTERM
              with two replicas, read-only root, no capabilities, an arbitrary UID, HEALTHCHECK, size
  compose     docker-compose.yml against the Compose Specification, then up, one sync and down with
              Debian's docker-compose against podman's Docker API, on stand-ins for its third-party images
  kubernetes  renders deploy/kubernetes, decodes every object strictly against k8s.io/api; with a
              cached kube-apiserver (scripts/deploy/build-kube-apiserver.sh) also a server-side dry
              run, an apply into a PodSecurity "restricted" namespace and a re-apply with a new image
Caches live in ~/.cache/temporal-sync (TEMPORAL_SYNC_CACHE) and podman's image store.`;

const PARTS = ['image', 'compose', 'kubernetes'] as const;
type Part = (typeof PARTS)[number];

function parseParts(args: string[]): Part[] {
  if (args.length === 0) return [...PARTS];
  const only = args[0] === '--only' ? args[1] : args[0]?.startsWith('--only=') ? args[0].slice(7) : undefined;
  if (only === undefined || args.length > (args[0] === '--only' ? 2 : 1)) {
    throw new Error(`unexpected arguments '${args.join(' ')}' (try --help)`);
  }
  const parts = only.split(',');
  const unknown = parts.filter((part) => !(PARTS as readonly string[]).includes(part));
  if (unknown.length > 0) throw new Error(`--only takes ${PARTS.join(', ')}; not ${unknown.join(', ')}`);
  return parts as Part[];
}

function runTests(files: string[], env: Record<string, string>): Promise<number> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
    { stdio: 'inherit', env: { ...process.env, ...env } },
  );
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const parts = parseParts(args);
  const started = Date.now();
  const env = await prepareBuild(parts);
  const liveDir = path.join(__dirname, '..', '..', 'test', 'deploy', 'live');
  const files = readdirSync(liveDir)
    .filter((file) => file.endsWith('.live.ts') && parts.some((part) => file.startsWith(`${part}.`)))
    .map((file) => path.join(liveDir, file));
  if (files.length !== parts.length || !files.every((file) => existsSync(file))) {
    throw new Error(`expected one test file per part in ${liveDir}, found ${files.length}`);
  }
  process.stdout.write(`\n== deploy checks: ${parts.join(', ')}\n`);
  const code = await runTests(files, env);
  process.stdout.write(
    `\n== test:deploy ${code === 0 ? 'passed' : 'FAILED'} in ${Math.round((Date.now() - started) / 1000)} s\n`,
  );
  return code;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`test:deploy: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
