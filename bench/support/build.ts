import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { log } from './stats';

const ROOT = path.resolve(__dirname, '../..');

/** `npm run build`: the benches measure the compiled worker with its prebuilt bundle, as production runs it. */
export function buildWorker(): void {
  log('build: npm run build');
  try {
    execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'pipe' });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: Buffer; stderr?: Buffer };
    process.stderr.write(`${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`);
    throw new Error('npm run build failed');
  }
}
