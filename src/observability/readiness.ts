import { pingDatabase } from '../db/pool';
import type { Worker } from '@temporalio/worker';
import type pg from 'pg';
import { describeCause } from '../startup-errors';
import type { ReadinessReport } from './http-server';

const CHECK_TIMEOUT_MS = 2_000;

async function check(probe: () => Promise<unknown>): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS);
      }),
    ]);
    return 'ok';
  } catch (error) {
    return describeCause(error);
  } finally {
    clearTimeout(timer);
  }
}

export interface ReadinessTargets {
  worker(): Worker | undefined;
  pool: pg.Pool;
  /** A cheap call per Temporal connection, by name ('temporal', and 'source' when it has its own). */
  temporal(): Record<string, () => Promise<unknown>>;
}

/**
 * Ready means: the worker is polling (RUNNING: not starting, not draining), and a cheap call to
 * Temporal (GetSystemInfo, allowed on Cloud too) and to Postgres (a trivial query) each answer within 2 s.
 */
export async function checkReadiness(targets: ReadinessTargets): Promise<ReadinessReport> {
  const state = targets.worker()?.getState();
  const checks: Record<string, string> = {
    worker: state === 'RUNNING' ? 'ok' : `not polling (${state ?? 'starting'})`,
  };
  const probes: Record<string, () => Promise<unknown>> = {
    database: () => pingDatabase(targets.pool),
    ...targets.temporal(),
  };
  const results = await Promise.all(Object.values(probes).map((probe) => check(probe)));
  Object.keys(probes).forEach((name, index) => (checks[name] = results[index]!));
  if (checks.temporal === undefined) checks.temporal = 'not connected yet';
  return { ready: Object.values(checks).every((value) => value === 'ok'), checks };
}
