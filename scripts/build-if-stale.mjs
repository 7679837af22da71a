// Runs before `npm start`: the compiled worker is what starts, and after a fresh `npm ci` (or an edit
// to src/) there is none, or an old one. Plain Node on purpose: it must run without dev dependencies.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outputs = ['dist/worker.js', 'dist/workflows.bundle.js'].map((file) => path.join(root, file));
const sources = path.join(root, 'src');

function newestChange(directory) {
  return readdirSync(directory, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(directory, entry.name);
    const changed = entry.isDirectory() ? newestChange(full) : statSync(full).mtimeMs;
    return Math.max(newest, changed);
  }, 0);
}

const missing = outputs.filter((file) => !existsSync(file));
// No src/ (a production image holds dist/ only): what is built is all there is.
const stale =
  missing.length === 0 &&
  existsSync(sources) &&
  Math.min(...outputs.map((file) => statSync(file).mtimeMs)) < newestChange(sources);
if (missing.length > 0 || stale) {
  const why =
    missing.length > 0 ? `${path.relative(root, missing[0])} is missing` : 'src/ changed since the last build';
  if (!existsSync(path.join(root, 'node_modules', 'typescript'))) {
    process.stderr.write(
      `npm start: ${why}, and the build tools are not installed: run npm ci (with dev dependencies), then npm run build\n`,
    );
    process.exit(1);
  }
  process.stderr.write(`npm start: ${why}; building first (npm run build)\n`);
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
