import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { DEFAULT_METRICS_PORT } from '../../src/config';
import { freeLoopbackPort } from '../../src/observability/core-metrics';
import { HTTP_ROUTES, startObservabilityServer } from '../../src/observability/http-server';
import { readText } from './files';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  from: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** A Dockerfile as its stages and instructions (continuation lines joined, comments dropped). */
function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword!.toUpperCase() === 'FROM') {
      const [from, as, name] = args.split(/\s+/);
      stages.push({ from: from!, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      assert.ok(stages.length > 0, `${keyword} before any FROM`);
      stages.at(-1)!.instructions.push({ keyword: keyword!.toUpperCase(), args });
    }
  }
  return stages;
}

const stages = parseDockerfile(readText('Dockerfile'));
const runtime = stages.at(-1)!;
const build = stages.find((stage) => stage.name === 'build');
const all = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const last = (stage: Stage, keyword: string) => all(stage, keyword).at(-1);
/** The exec form (JSON array) of CMD or HEALTHCHECK CMD; the shell form would need a shell and hides signals. */
const execForm = (args: string) => JSON.parse(args.slice(args.indexOf('['))) as string[];

/**
 * End of life of the Node LTS lines (nodejs.org's release schedule). The image must run on one that is
 * still supported and that the Temporal SDK supports: its engines field, and its CI's newest line.
 */
const NODE_LTS_END_OF_LIFE: Record<number, string> = { 20: '2026-04-30', 22: '2027-04-30', 24: '2028-04-30' };
/** The newest Node the SDK's CI runs its integration tests on ("min and max officially supported"). */
const SDK_NEWEST_TESTED_NODE = 24;

function sdkMinimumNode(): number {
  const engines = (
    JSON.parse(readText('node_modules/@temporalio/worker/package.json')) as { engines: { node: string } }
  ).engines.node;
  return Number(/(\d+)/.exec(engines)![1]);
}

describe('Dockerfile', () => {
  it('is multi-stage, every stage on the same Node LTS slim image, one the Temporal SDK supports', () => {
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    assert.ok(build, 'a stage named build');
    assert.equal(new Set(stages.map((stage) => stage.from)).size, 1, 'the build compiles for the Node it runs on');
    const match = /^node:(\d+)-bookworm-slim$/.exec(runtime.from);
    assert.ok(match, `a Debian slim Node image (glibc, for the SDK's native core): ${runtime.from}`);
    const major = Number(match[1]);
    const endOfLife = NODE_LTS_END_OF_LIFE[major];
    assert.ok(endOfLife, `Node ${major} is an LTS line`);
    assert.ok(new Date(endOfLife) > new Date(), `Node ${major} is past its end of life (${endOfLife})`);
    assert.ok(major >= sdkMinimumNode() && major <= SDK_NEWEST_TESTED_NODE, `the SDK supports Node ${major}`);
  });

  it('fails the build when npm ci installs nothing: every npm ci is followed by npm ls in the same step', () => {
    const installs = stages.flatMap((stage) => all(stage, 'RUN')).filter((run) => /\bnpm ci\b/.test(run.args));
    assert.ok(installs.length > 0, 'npm ci runs in the build');
    for (const install of installs) {
      assert.match(
        install.args,
        /\bnpm ci\b[^;|]*&&\s*npm ls\b/,
        `npm ls checks what npm ci left: RUN ${install.args}`,
      );
    }
  });

  it('runs as a user that is not root', () => {
    const user = last(runtime, 'USER');
    assert.ok(user, 'the runtime stage sets USER');
    const [name] = user.args.split(':');
    assert.ok(!['root', '0'].includes(name!), `USER ${user.args}`);
    assert.match(name!, /^\d+$/, 'numeric, so Kubernetes runAsNonRoot can check it');
  });

  it('builds the bundle, then prunes to what runs; the runtime stage copies only that', () => {
    const runs = all(build!, 'RUN').map((run) => run.args);
    const buildAt = runs.findIndex((run) => /npm run build/.test(run));
    const pruneAt = runs.findIndex((run) => /npm prune --omit=dev/.test(run));
    assert.ok(buildAt >= 0, 'npm run build in the build stage');
    assert.ok(pruneAt > buildAt, 'dev dependencies pruned after the build');
    assert.match(
      runs[pruneAt]!,
      /npm prune --omit=dev[^;|]*&&\s*npm ls\b.*&&\s*node \S*prune-runtime-deps\.mjs --in-image-build/,
    );
    assert.deepEqual(all(runtime, 'RUN'), [], 'the runtime stage installs nothing itself');
    const copied = all(runtime, 'COPY').map((copy) => copy.args.replace(/\s+/g, ' '));
    assert.deepEqual(copied.sort(), [
      '--from=build /app/dist ./dist',
      '--from=build /app/node_modules ./node_modules',
      '--from=build /app/package.json ./',
    ]);
  });

  it('starts the built worker, as npm start does (with its heap cap), in exec form so it gets SIGTERM', () => {
    const cmd = execForm(last(runtime, 'CMD')!.args);
    const start = (JSON.parse(readText('package.json')) as { scripts: { start: string } }).scripts.start;
    assert.deepEqual(cmd, ['node', 'dist/worker.js']);
    const env = Object.fromEntries(
      all(runtime, 'ENV').flatMap((instruction) =>
        instruction.args
          .split(/\s+/)
          .map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
      ),
    );
    // The image's NODE_OPTIONS carries npm start's flags, so Fly and Kubernetes, which name the command
    // themselves, run the worker as npm start does.
    assert.deepEqual([cmd[0], ...(env.NODE_OPTIONS ?? '').split(' '), ...cmd.slice(1)], start.split(' '));
    assert.notEqual(last(runtime, 'STOPSIGNAL')?.args, 'SIGKILL');
    assert.equal(last(runtime, 'EXPOSE')?.args, String(DEFAULT_METRICS_PORT));
  });

  it('has a HEALTHCHECK on /healthz that works with node alone, and fails when nothing answers', async () => {
    const healthcheck = last(runtime, 'HEALTHCHECK');
    assert.ok(healthcheck, 'HEALTHCHECK');
    const command = execForm(healthcheck.args);
    assert.equal(command[0], 'node', 'no curl or wget in the image');
    assert.ok(command.join(' ').includes(HTTP_ROUTES.liveness));

    const run = (port: number) =>
      new Promise<number | null>((resolve) => {
        const child = spawn(process.execPath, command.slice(1), {
          env: { PATH: process.env.PATH ?? '', TEMPORAL_SYNC_METRICS_PORT: String(port) },
          stdio: 'ignore',
        });
        child.on('exit', (code) => resolve(code));
      });
    const server = await startObservabilityServer('127.0.0.1', 0, {
      metrics: () => Promise.resolve({ contentType: 'text/plain', body: '' }),
      readiness: () => Promise.resolve({ ready: false, checks: {} }),
    });
    try {
      assert.equal(await run(server.port), 0, 'healthy while the worker answers');
    } finally {
      await server.close();
    }
    assert.equal(await run(await freeLoopbackPort()), 1, 'unhealthy when nothing answers');
  });

  it('keeps secrets and the local build out of the context (.dockerignore)', () => {
    const ignored = readText('.dockerignore').split('\n');
    for (const entry of ['node_modules', 'dist', '.env', '.git', '*.pem', '*.key']) {
      assert.ok(ignored.includes(entry), entry);
    }
  });
});
