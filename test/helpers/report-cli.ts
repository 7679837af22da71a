import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

export interface ReportRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run report` as a user runs it: its own process, a plain environment plus `env`; killed by PID after 60 s. */
export function runReport(args: string[], env: Record<string, string>): Promise<ReportRun> {
  const keep = ['HOME', 'TMPDIR', 'LANG', 'XDG_CACHE_HOME'];
  const base = Object.fromEntries(keep.flatMap((name) => (process.env[name] ? [[name, process.env[name]]] : [])));
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli/report.ts'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
