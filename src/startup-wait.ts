import { describeCause, isTransient, StartupError } from './startup-errors';

/**
 * The start-up wait: until `deadline`, a dependency that is not there yet (a container still
 * starting, a restart) is tried again, with a line per attempt, instead of the process exiting and
 * a platform restarting it in a loop. One deadline for all the dependencies of one start.
 */
export interface StartupWait {
  /** Epoch milliseconds after which no new attempt starts. */
  deadline: number;
  /** TEMPORAL_SYNC_STARTUP_WAIT_SECONDS, for the lines that say how long is left. */
  seconds: number;
  log: (line: string) => void;
}

export function startupWait(seconds: number, log: (line: string) => void, now = Date.now()): StartupWait {
  return { deadline: now + seconds * 1000, seconds, log };
}

/** The last error of a dependency that stayed away for the whole wait. */
export class GaveUpWaiting extends Error {
  constructor(
    readonly waitedSeconds: number,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'GaveUpWaiting';
  }
}

/** 1 s, 2 s, 3 s, then every 5 s: quick while a container starts, gentle on a server that is down. */
const pauseAfter = (attempt: number) => Math.min(5_000, attempt * 1_000);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `attempt` until it succeeds, fails for a cause waiting cannot fix, or the wait is over (then
 * GaveUpWaiting, with the last error as its cause). `what` names the target: "Postgres at db:5432/app".
 */
export async function retryWhileTransient<T>(
  what: string,
  attempt: () => Promise<T>,
  wait: StartupWait | undefined,
): Promise<T> {
  const started = Date.now();
  for (let tries = 1; ; tries += 1) {
    try {
      return await attempt();
    } catch (error) {
      const left = wait ? wait.deadline - Date.now() : 0;
      if (!isTransient(error) || wait === undefined) throw error;
      if (left <= 0) {
        if (wait.seconds === 0) throw error;
        throw new GaveUpWaiting(Math.round((Date.now() - started) / 1000), error);
      }
      const pause = Math.min(pauseAfter(tries), left);
      wait.log(
        `waiting for ${what}: ${describeCause(error)}; next try in ${Math.ceil(pause / 1000)} s ` +
          `(${Math.ceil(left / 1000)} s left of TEMPORAL_SYNC_STARTUP_WAIT_SECONDS=${wait.seconds})`,
      );
      await sleep(pause);
    }
  }
}

/** The reason for a failure line, with how long it was waited for when it was. */
export function reasonOf(error: unknown): string {
  const reason = describeCause(error);
  return error instanceof GaveUpWaiting ? `${reason}, still after waiting ${error.waitedSeconds} s` : reason;
}

export interface StartupTarget {
  /** What is reached, for the waiting lines: "Postgres at db:5432/app". */
  what: string;
  /** The start of the failure line: "cannot use Postgres at db:5432/app". */
  failure: string;
  /** The setting to fix, or how to choose it from the reason (a TLS failure points elsewhere than a refusal). */
  setting: string | ((reason: string) => string);
}

/**
 * Runs one start-up step, waiting while its cause is transient when `wait` is given; a failure
 * becomes a StartupError: "<failure>: <reason> (check <setting>)".
 */
export async function startupStep<T>(target: StartupTarget, step: () => Promise<T>, wait?: StartupWait): Promise<T> {
  try {
    return await retryWhileTransient(target.what, step, wait);
  } catch (error) {
    // A refusal to start that names its own setting (another destination on the task queue) stands as it is.
    if (error instanceof StartupError || (error instanceof Error && error.name === 'ConfigError')) throw error;
    const cause = describeCause(error);
    const named = typeof target.setting === 'string' ? target.setting : target.setting(cause);
    throw new StartupError(`${target.failure}: ${reasonOf(error)} (check ${named})`, named);
  }
}
