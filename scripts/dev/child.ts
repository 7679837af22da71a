import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';

export interface ChildProcess {
  name: string;
  pid: number;
  logFile: string;
  /** Resolves with the exit code (null when ended by a signal). */
  exited: Promise<number | null>;
  running(): boolean;
  /** Waits until the log holds a line matching `pattern`; fails early, with the log's tail, if the process exits. */
  waitForLog(pattern: RegExp, timeoutMs: number, signal: AbortSignal): Promise<string>;
  /** SIGTERM by PID, then SIGKILL after `graceMs`; resolves once the process is gone. */
  stop(graceMs: number): Promise<void>;
}

export interface SpawnOptions {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  logFile: string;
}

export function logTail(logFile: string, lines = 15): string {
  try {
    return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Starts a process in a process group of its own, writing straight to its log file: Ctrl-C in the
 * terminal reaches only the dev command, which stops its children in order (worker before the
 * servers it talks to), and a child never depends on the dev command's pipes.
 */
export function spawnChild(options: SpawnOptions): ChildProcess {
  const log = openSync(options.logFile, 'a');
  // The log keeps earlier runs; readiness is judged on this run's part only.
  const startOffset = fstatSync(log).size;
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  let running = true;
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      running = false;
      resolve(code);
    });
    child.on('error', () => {
      running = false;
      resolve(null);
    });
  });
  if (child.pid === undefined) throw new Error(`could not start ${options.name} (${options.command})`);
  const pid = child.pid;

  return {
    name: options.name,
    pid,
    logFile: options.logFile,
    exited,
    running: () => running,
    async waitForLog(pattern, timeoutMs, signal) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        let text = '';
        try {
          text = readFileSync(options.logFile).subarray(startOffset).toString('utf8');
        } catch {
          // not written yet
        }
        const line = text.split('\n').find((candidate) => pattern.test(candidate));
        if (line !== undefined) return line;
        if (!running)
          throw new Error(
            `${options.name} exited early; its log (${options.logFile}) ends:\n${logTail(options.logFile)}`,
          );
        if (signal.aborted) throw new Error('stopped');
        if (Date.now() > deadline) {
          throw new Error(
            `${options.name} not ready after ${timeoutMs / 1000} s; its log (${options.logFile}) ends:\n${logTail(options.logFile)}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop(graceMs) {
      if (!running) return;
      process.kill(pid, 'SIGTERM');
      const killed = setTimeout(() => {
        if (running) process.kill(pid, 'SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(killed);
    },
  };
}
