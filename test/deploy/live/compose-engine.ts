import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { waitFor } from '../../helpers/wait';
import { CONTAINERS_CONF, podman, run } from './podman';

/** podman's Docker-API socket (`podman system service`), started for one test file and stopped by PID. */
export interface DockerApi {
  socket: string;
  stop(): Promise<void>;
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ socketPath: socket, path: '/_ping', timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('error', () => resolve(false));
    request.on('timeout', () => request.destroy());
  });
}

export async function startDockerApi(): Promise<DockerApi> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-podman-api-'));
  const socket = path.join(dir, 'podman.sock');
  const child: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    env: { ...process.env, CONTAINERS_CONF },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await waitFor('podman system service to answer', async () => ((await ping(socket)) ? true : undefined), {
    timeoutMs: 30_000,
  });
  return {
    socket,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Healthcheck {
  Interval?: number;
}

/** The first moment each container of the project was seen healthy, by container name. */
export type HealthyAt = Map<string, number>;

/**
 * Runs every health check of a compose project at its own interval, as Docker's engine would: no
 * systemd runs here, so podman schedules none itself (`podman healthcheck run` runs one by hand).
 */
export function scheduleHealthChecks(project: string): { healthyAt: HealthyAt; stop(): Promise<void> } {
  const healthyAt: HealthyAt = new Map();
  const lastRun = new Map<string, number>();
  let running = true;
  const tick = async () => {
    const names = (
      await podman(['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}}'])
    )
      .split('\n')
      .filter(Boolean);
    for (const name of names) {
      const check = JSON.parse(
        (await run('podman', ['inspect', '--format', '{{json .Config.Healthcheck}}', name])).stdout || 'null',
      ) as Healthcheck | null;
      if (!check) continue;
      const intervalMs = Math.max(1000, (check.Interval ?? 30e9) / 1e6);
      if (Date.now() - (lastRun.get(name) ?? 0) < intervalMs) continue;
      lastRun.set(name, Date.now());
      const result = await run('podman', ['healthcheck', 'run', name], { timeoutMs: 30_000 });
      if (result.code === 0 && !healthyAt.has(name)) healthyAt.set(name, Date.now());
    }
  };
  const loop = (async () => {
    while (running) {
      await tick().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  })();
  return {
    healthyAt,
    // Waits for a check in flight: one still running when its container is removed leaves its conmon behind.
    async stop() {
      running = false;
      await loop;
    },
  };
}
