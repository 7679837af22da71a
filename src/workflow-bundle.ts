import { existsSync } from 'node:fs';
import path from 'node:path';

/** Where `npm run build` writes the prebuilt workflow bundle: beside the compiled worker in dist/. */
export const BUILT_WORKFLOW_BUNDLE = path.join(__dirname, 'workflows.bundle.js');

/**
 * The prebuilt workflow bundle to load, if any: TEMPORAL_SYNC_WORKFLOW_BUNDLE when set, else the one
 * `npm run build` left beside the compiled worker. Without one the worker bundles its workflows at start,
 * which takes seconds and a few hundred MB: fine in development, not in production.
 */
export function prebuiltWorkflowBundle(configuredPath: string | undefined): { codePath: string } | undefined {
  if (configuredPath !== undefined) return { codePath: path.resolve(configuredPath) };
  return existsSync(BUILT_WORKFLOW_BUNDLE) ? { codePath: BUILT_WORKFLOW_BUNDLE } : undefined;
}
