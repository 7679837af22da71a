// Runs in the image's build stage, after `npm prune --omit=dev`: removes from node_modules what the
// production worker never loads, so the runtime image carries only what runs.
//  - webpack, swc and their loaders: @temporalio/worker depends on them to bundle workflow code, but
//    the image's worker loads the bundle `npm run build` made (dist/workflows.bundle.js). The SDK
//    still require()s webpack when it loads, so a small placeholder stands in for it and fails with
//    a clear message if anything ever tries to bundle in the image.
//  - packages only those reach, and type declarations (@types/*), which Node never loads;
//  - the Temporal core-bridge's native binaries for other platforms, and its Rust sources;
//  - TypeScript files (.ts, .d.ts): sources and declarations that Node never loads here.
// Plain Node on purpose: it runs with the production tree only.
//
//   node prune-runtime-deps.mjs --in-image-build   (in the build stage's /app: package.json, node_modules)
// It deletes most of node_modules, so it refuses to run without that flag or in a git checkout.
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { URL } from 'node:url';

const BUILD_ONLY = new Set(['webpack', 'swc-loader', '@swc/core', 'source-map-loader']);
const isBuildOnly = (name) => BUILD_ONLY.has(name) || name.startsWith('@types/');
const CORE_BRIDGE_SOURCES = ['sdk-core', 'src', 'ts', 'bridge-macros', 'scripts', 'Cargo.toml', 'Cargo.lock'];
const WEBPACK_PLACEHOLDER = `'use strict';
// Placeholder: this image has no webpack. Its worker loads the workflow bundle built by npm run build
// (dist/workflows.bundle.js); @temporalio/worker require()s webpack at load time, but only calls it
// to bundle workflow code from source, which belongs in the build stage.
function unavailable() {
  throw new Error(
    'webpack is not in this image: the worker loads the prebuilt dist/workflows.bundle.js ' +
      '(or TEMPORAL_SYNC_WORKFLOW_BUNDLE); bundling workflow code from source needs the build stage',
  );
}
module.exports = { webpack: unavailable };
`;

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/** The directory a package named `name` resolves to from `fromDir`, as Node's lookup finds it. */
function resolvePackageDir(name, fromDir, root) {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === root || dir === path.dirname(dir)) return undefined;
  }
}

/** Every package directory reachable from the app's dependencies without passing a build-only one. */
function reachablePackages(root) {
  const reached = new Set();
  const visit = (dir, manifest) => {
    const required = Object.keys(manifest.dependencies ?? {});
    const optional = [
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ];
    for (const name of [...required, ...optional]) {
      if (isBuildOnly(name)) continue;
      const found = resolvePackageDir(name, dir, root);
      if (found === undefined) {
        if (required.includes(name))
          throw new Error(`${name}, a dependency of ${manifest.name ?? 'the app'}, is not installed`);
        continue;
      }
      if (reached.has(found)) continue;
      reached.add(found);
      visit(found, readJson(path.join(found, 'package.json')));
    }
  };
  visit(root, readJson(path.join(root, 'package.json')));
  return reached;
}

/** Every installed package directory, nested ones included. */
function installedPackages(nodeModules) {
  if (!existsSync(nodeModules)) return [];
  return readdirSync(nodeModules).flatMap((entry) => {
    if (entry.startsWith('.')) return [];
    const full = path.join(nodeModules, entry);
    const dirs = entry.startsWith('@') ? readdirSync(full).map((name) => path.join(full, name)) : [full];
    return dirs.flatMap((dir) => [dir, ...installedPackages(path.join(dir, 'node_modules'))]);
  });
}

function sizeOf(target) {
  const stats = statSync(target, { throwIfNoEntry: false });
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(target).reduce((sum, entry) => sum + sizeOf(path.join(target, entry)), 0);
}

function remove(target) {
  const bytes = sizeOf(target);
  rmSync(target, { recursive: true, force: true });
  return bytes;
}

/** Keeps the core-bridge binary for the platform this stage builds for, and no Rust sources. */
function pruneCoreBridge(root) {
  const bridge = resolvePackageDir('@temporalio/core-bridge', root, root);
  if (bridge === undefined) throw new Error('@temporalio/core-bridge is not installed');
  const { getPrebuiltTargetName } = createRequire(path.join(bridge, 'package.json'))('./common.js');
  const target = getPrebuiltTargetName();
  const releases = path.join(bridge, 'releases');
  if (!existsSync(path.join(releases, target, 'index.node'))) throw new Error(`no core-bridge binary for ${target}`);
  let bytes = 0;
  for (const entry of readdirSync(releases)) if (entry !== target) bytes += remove(path.join(releases, entry));
  for (const entry of CORE_BRIDGE_SOURCES) bytes += remove(path.join(bridge, entry));
  return { target, bytes };
}

/** Deletes TypeScript files and the scope folders left empty; returns the bytes freed. */
function pruneTypeScriptAndEmptyScopes(dir) {
  let bytes = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      bytes += pruneTypeScriptAndEmptyScopes(full);
      if (entry.name.startsWith('@') && readdirSync(full).length === 0) rmSync(full, { recursive: true });
    } else if (/\.[cm]?ts$/.test(entry.name)) {
      bytes += remove(full);
    }
  }
  return bytes;
}

function writeWebpackPlaceholder(nodeModules) {
  const dir = path.join(nodeModules, 'webpack');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    path.join(dir, 'package.json'),
    `${JSON.stringify({ name: 'webpack', version: '0.0.0-placeholder', main: 'index.js' }, null, 2)}\n`,
  );
  writeFileSync(path.join(dir, 'index.js'), WEBPACK_PLACEHOLDER);
}

function main() {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(
      readFileSync(new URL(import.meta.url), 'utf8')
        .split('\n')
        .slice(0, 13)
        .join('\n')
        .replace(/^\/\/ ?/gm, '') + '\n',
    );
    return;
  }
  const root = process.cwd();
  if (process.argv.slice(2).join(' ') !== '--in-image-build' || existsSync(path.join(root, '.git'))) {
    throw new Error(
      `it deletes most of node_modules: run it only in the image's build stage, with --in-image-build (try --help)`,
    );
  }
  const nodeModules = path.join(root, 'node_modules');
  if (!existsSync(path.join(root, 'package.json')) || !existsSync(nodeModules)) {
    throw new Error(`run it where package.json and node_modules are (here: ${root})`);
  }
  const keep = reachablePackages(root);
  const unused = installedPackages(nodeModules).filter((dir) => !keep.has(dir));
  const unusedBytes = unused.reduce((sum, dir) => sum + remove(dir), 0);
  // Links to removed commands, and npm's record of the tree before the removal.
  remove(path.join(nodeModules, '.bin'));
  remove(path.join(nodeModules, '.package-lock.json'));
  writeWebpackPlaceholder(nodeModules);
  const bridge = pruneCoreBridge(root);
  const typeScriptBytes = pruneTypeScriptAndEmptyScopes(nodeModules);
  const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
  process.stdout.write(
    `runtime node_modules: kept ${keep.size} packages (${mb(sizeOf(nodeModules))}); removed ${unused.length} ` +
      `build-only packages (${mb(unusedBytes)}), core-bridge files not for ${bridge.target} (${mb(bridge.bytes)}) ` +
      `and TypeScript files (${mb(typeScriptBytes)})\n`,
  );
}

try {
  main();
} catch (error) {
  process.stderr.write(
    `pruning the runtime dependencies failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
}
