/**
 * What a child process of ours (a worker, a command, the dev stack's servers) keeps of this process's
 * environment: enough to run Node and find the caches, with the locale and time zone. Never the
 * shell's TEMPORAL_*, DATABASE_URL or Temporal profile, which would point the child elsewhere.
 */
export const INHERITED_VARIABLES = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ', 'XDG_CACHE_HOME'] as const;

/** The inherited variables that are set, with `extra` laid over them. */
export function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const inherited = INHERITED_VARIABLES.flatMap((name) => {
    const value = process.env[name];
    return value === undefined ? [] : [[name, value] as const];
  });
  return { ...Object.fromEntries(inherited), ...extra };
}
