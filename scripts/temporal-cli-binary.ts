import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** v1.5.1 is the last CLI that `go install` accepts (later ones carry a replace directive). */
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal@v1.5.1';

export type TemporalCliSource = 'TEMPORAL_CLI_PATH' | 'PATH' | 'cache' | 'go install';

export interface TemporalCli {
  path: string;
  source: TemporalCliSource;
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Outside the repository, so the binary is built once per machine and never committed. */
export function temporalCliCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const cacheRoot = env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(cacheRoot, 'temporal-sync', 'bin');
}

function onPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const directory of (env.PATH ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.join(directory, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Finds a `temporal` CLI without downloading anything: TEMPORAL_CLI_PATH, then `temporal` on PATH,
 * then a cached build. Returns undefined when there is none.
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): TemporalCli | undefined {
  const explicit = env.TEMPORAL_CLI_PATH;
  if (explicit !== undefined && explicit !== '') {
    if (!isExecutable(explicit)) throw new Error(`TEMPORAL_CLI_PATH=${explicit} is not an executable file`);
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  const found = onPath(env);
  if (found) return { path: found, source: 'PATH' };
  const cached = path.join(temporalCliCacheDir(env), 'temporal');
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  return undefined;
}

/** Builds the CLI from its Go module into the cache (a few minutes, once per machine). */
export async function buildTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<TemporalCli> {
  const directory = temporalCliCacheDir(env);
  mkdirSync(directory, { recursive: true });
  try {
    await run('go', ['install', TEMPORAL_CLI_MODULE], {
      env: { ...env, GOBIN: directory },
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    throw new Error(
      `could not build the temporal CLI with 'go install ${TEMPORAL_CLI_MODULE}': ${(error as Error).message}`,
      { cause: error },
    );
  }
  return { path: path.join(directory, 'temporal'), source: 'go install' };
}

/**
 * The CLI by the project's order: TEMPORAL_CLI_PATH, PATH, cache, `go install`. Undefined when Go is
 * not installed either; callers then fall back to the SDK's own download.
 */
export async function obtainTemporalCli(env: NodeJS.ProcessEnv = process.env): Promise<TemporalCli | undefined> {
  const found = findTemporalCli(env);
  if (found) return found;
  try {
    await run('go', ['version']);
  } catch {
    return undefined;
  }
  return buildTemporalCli(env);
}
