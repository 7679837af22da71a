import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { SHUTDOWN_MARGIN_SECONDS } from '../../../src/config';
import { createPool } from '../../../src/db/pool';
import { freeLoopbackPort } from '../../../src/observability/core-metrics';
import { HTTP_ROUTES } from '../../../src/observability/http-server';
import { graceSeconds, readYamlDocuments } from '../files';
import type { ComposeFile } from '../shapes';
import { tableRows } from '../../helpers/postgres';
import { scheduleHealthChecks, startDockerApi, type DockerApi } from './compose-engine';
import { podman, required, run, type Result } from './podman';

/*
 * docker-compose.yml, run by Debian's docker-compose 1.29.2 against podman's Docker API. The images
 * of postgres, temporalio/auto-setup and temporalio/ui cannot be pulled here: stand-ins built
 * locally under those names take their place (scripts/deploy/standins/). So this proves the file's
 * wiring (service names, ports, environment, health-gated start order, the worker image's health
 * check, the schedules job, one sync, a clean stop), not those images: not that auto-setup creates
 * its schema in Postgres (the stand-in keeps Temporal's state in memory), not the real Web UI.
 */
const PROJECT = `ts-compose-${process.pid}`;
const FILE = 'docker-compose.yml';
const services = (readYamlDocuments(FILE)[0] as ComposeFile).services;
/** What `up` starts: services behind a profile (Grafana) start only when it is asked for. */
const startedByUp = Object.entries(services).filter(([, spec]) => !spec.profiles?.length);
const GRACE_SECONDS = graceSeconds(services.worker!.environment) + SHUTDOWN_MARGIN_SECONDS;

describe('docker-compose.yml, up and down with docker-compose 1.29 on podman', () => {
  let api: DockerApi;
  let health: ReturnType<typeof scheduleHealthChecks>;
  let ports: Record<string, number>;
  let up: Result;

  const compose = (args: string[], timeoutMs = 300_000) =>
    run('docker-compose', ['--project-name', PROJECT, '--file', FILE, ...args], {
      env: {
        DOCKER_HOST: `unix://${api.socket}`,
        ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      },
      timeoutMs,
    });
  const container = (service: string) => `${PROJECT}_${service}_1`;
  const inspect = async (service: string, field: string) =>
    JSON.parse(await podman(['inspect', '--format', `{{json ${field}}}`, container(service)])) as unknown;
  const startedAt = async (service: string) => Date.parse(String(await inspect(service, '.State.StartedAt')));

  before(async () => {
    ports = {
      HOST_POSTGRES_PORT: await freeLoopbackPort(),
      HOST_TEMPORAL_PORT: await freeLoopbackPort(),
      HOST_TEMPORAL_UI_PORT: await freeLoopbackPort(),
      HOST_METRICS_PORT: await freeLoopbackPort(),
    };
    api = await startDockerApi();
    health = scheduleHealthChecks(PROJECT);
  });
  after(async () => {
    await health?.stop();
    if (api) await compose(['down', '--volumes', '--timeout', '0']);
    await api?.stop();
  });

  it('follows the Compose Specification (compose-go, strict) and the format docker-compose 1.29 reads', async () => {
    const spec = await run(required('TEMPORAL_SYNC_DEPLOY_CHECK'), ['compose', FILE]);
    assert.equal(spec.code, 0, `${spec.stdout}${spec.stderr}`);
    const legacy = await compose(['config', '--quiet']);
    assert.equal(legacy.code, 0, legacy.stderr);
  });

  it('starts each service once what it depends on is healthy, the worker with no restart', async () => {
    up = await compose(['up', '--detach', '--no-build']);
    assert.equal(up.code, 0, `${up.stdout}${up.stderr}`);
    process.stdout.write(
      `# docker-compose up: ${(up.ms / 1000).toFixed(1)} s (the temporal stand-in waits 15 s, as auto-setup takes ~20 s)\n`,
    );
    const healthy = (service: string) => {
      const at = health.healthyAt.get(container(service));
      assert.ok(at, `${service} was seen healthy`);
      return at;
    };
    for (const [service, spec] of startedByUp) {
      for (const [dependency, condition] of Object.entries(spec.depends_on ?? {})) {
        if (condition.condition !== 'service_healthy') continue;
        const started = await startedAt(service);
        assert.ok(started >= healthy(dependency), `${service} started after ${dependency} was healthy`);
      }
    }
    for (const [service] of Object.entries(services).filter(([, spec]) => spec.profiles?.length))
      await assert.rejects(inspect(service, '.State.Status'), /no such object/, `${service} is left out of a plain up`);
    assert.equal(await inspect('worker', '.RestartCount'), 0, 'the worker never restarted');
    assert.equal(await inspect('worker', '.State.Running'), true);
  });

  it('applies the schedules once, serves the worker and the UI stand-in on the host ports', async () => {
    const exitCode = Number((await podman(['wait', container('apply-schedules')], { timeoutMs: 120_000 })).trim());
    const logs = await run('podman', ['logs', container('apply-schedules')]);
    assert.equal(exitCode, 0, `${logs.stdout}${logs.stderr}`);
    assert.match(logs.stdout, /change\(s\) made$/m);
    const ready = await fetch(`http://127.0.0.1:${ports.HOST_METRICS_PORT}${HTTP_ROUTES.readiness}`);
    assert.equal(ready.status, 200, await ready.text());
    const ui = await fetch(`http://127.0.0.1:${ports.HOST_TEMPORAL_UI_PORT}/`);
    assert.equal(ui.status, 200, await ui.text());
  });

  it('runs one full sync in the worker container; the tables hold what the server lists', async () => {
    // podman exec, not docker-compose exec: an exec session through podman 4.3's Docker API leaves its
    // conmon process behind once the container is removed.
    const command = ['exec', container('worker'), 'node', 'dist/cli/sync.js', '--mode', 'full', '--wait'];
    const sync = await run('podman', command, { timeoutMs: 120_000 });
    assert.equal(sync.code, 0, `${sync.stdout}${sync.stderr}`);
    assert.match(sync.stdout, /^completed: full sync/m);

    const connection = await Connection.connect({ address: `127.0.0.1:${ports.HOST_TEMPORAL_PORT}` });
    const pool = createPool({
      databaseUrl: `postgres://temporal:temporal@127.0.0.1:${ports.HOST_POSTGRES_PORT}/temporal_sync`,
      max: 2,
      onIdleError: () => {},
    });
    try {
      const client = new Client({ connection, namespace: 'default' });
      const schedules: string[] = [];
      for await (const schedule of client.schedule.list()) schedules.push(schedule.scheduleId);
      const stored = await tableRows(pool, 'temporal_sync', 'schedule', 'default');
      assert.deepEqual(stored.map((row) => row.schedule_id).sort(), schedules.sort());
      assert.ok(schedules.length >= 2, 'the applied schedules');
      const runs = (await tableRows(pool, 'temporal_sync', 'workflow', 'default')).map((row) => String(row.run_id));
      const listed: string[] = [];
      for await (const execution of client.workflow.list()) listed.push(execution.runId);
      assert.ok(runs.length >= 1, 'the sync saw at least itself');
      for (const runId of runs) assert.ok(listed.includes(runId), `the server lists run ${runId}`);
    } finally {
      await pool.end();
      await connection.close();
    }
  });

  it(`stops within the worker's stop_grace_period (${GRACE_SECONDS} s), the worker draining to exit 0`, async () => {
    await health.stop();
    const stop = await compose(['stop']);
    assert.equal(stop.code, 0, stop.stderr);
    assert.equal(await inspect('worker', '.State.ExitCode'), 0, 'SIGTERM drained it; it was not killed');
    const down = await compose(['down', '--volumes']);
    assert.equal(down.code, 0, down.stderr);
    const seconds = (stop.ms + down.ms) / 1000;
    process.stdout.write(`# docker-compose stop + down: ${seconds.toFixed(1)} s\n`);
    assert.ok(seconds < GRACE_SECONDS, `stopped in ${seconds.toFixed(1)} s`);
  });
});
