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

describe('Dockerfile', () => {
  it('is multi-stage on a Node 20 slim image', () => {
    assert.ok(stages.length >= 2, 'a build stage and a runtime stage');
    assert.ok(build, 'a stage named build');
    assert.match(runtime.from, /^node:20[.\w-]*-slim$/);
  });

  it('runs as a user that is not root', () => {
    const user = last(runtime, 'USER');
    assert.ok(user, 'the runtime stage sets USER');
    const [name] = user.args.split(':');
    assert.ok(!['root', '0'].includes(name!), `USER ${user.args}`);
    assert.match(name!, /^\d+$/, 'numeric, so Kubernetes runAsNonRoot can check it');
  });

  it('builds the bundle in the build stage and installs only production dependencies at runtime', () => {
    assert.ok(all(build!, 'RUN').some((run) => /npm run build/.test(run.args)));
    assert.ok(all(runtime, 'RUN').some((run) => /npm ci\b.*--omit=dev/.test(run.args)));
    assert.ok(
      all(runtime, 'COPY').some((copy) => /--from=build\s+\/app\/dist\s/.test(copy.args)),
      'the built dist/ (with workflows.bundle.js) comes from the build stage',
    );
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
      metrics: async () => ({ contentType: 'text/plain', body: '' }),
      readiness: async () => ({ ready: false, checks: {} }),
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
