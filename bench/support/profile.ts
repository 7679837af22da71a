import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const profileSchema = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string() }),
      children: z.array(z.number()).optional(),
    }),
  ),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/**
 * Where a worker's CPU went, by the code that ran (self time of V8's sampling profile, `node --cpu-prof`):
 * the first category whose test matches a sampled frame or one of its callers takes the sample.
 */
const CATEGORIES: Array<[string, (frame: { functionName: string; url: string }) => boolean]> = [
  ['garbage collection', (f) => f.functionName === '(garbage collector)'],
  ['idle', (f) => f.functionName === '(idle)' || f.functionName === '(program)'],
  ['COPY text (src/db/rows.ts)', (f) => f.url.includes('/db/rows.js') || f.url.includes('/db/rows.ts')],
  ['mapping (src/source: executionToRow, payloads, JSON)', (f) => /\/source\/|\/json\.(js|ts)/.test(f.url)],
  ['protobuf decode (protobufjs)', (f) => f.url.includes('protobufjs') || f.url.includes('@protobufjs')],
  ['gRPC client (@grpc/grpc-js, HTTP/2)', (f) => f.url.includes('@grpc/') || /node:(internal\/)?http2/.test(f.url)],
  ['Postgres client (pg, pg-copy-streams)', (f) => /\/(pg|pg-protocol|pg-copy-streams|pg-pool)\//.test(f.url)],
  [
    'Temporal SDK (workers, activities, workflows)',
    (f) => f.url.includes('@temporalio/') || f.url.includes('workflows.bundle'),
  ],
];

/**
 * Share of the profiled CPU time per category (samples attributed to the innermost frame a category
 * claims); idle time is left out of the shares and reported apart.
 */
export function profileShares(file: string): { cpuMs: number; idleMs: number; shares: Record<string, number> } {
  const profile = profileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const category = new Map<number, string>();
  const categoryOf = (id: number): string => {
    const known = category.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const found = CATEGORIES.find(([, test]) => test(node.callFrame))?.[0];
    const up = parent.get(id);
    const result = found ?? (up === undefined ? 'other (Node internals, our activity code)' : categoryOf(up));
    category.set(id, result);
    return result;
  };
  const time = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    total += delta;
    const name = categoryOf(id);
    time.set(name, (time.get(name) ?? 0) + delta);
  });
  const idle = time.get('idle') ?? 0;
  time.delete('idle');
  const busy = Math.max(1, total - idle);
  const shares = Object.fromEntries(
    [...time].sort((a, b) => b[1] - a[1]).map(([name, micros]) => [name, Math.round((micros / busy) * 1000) / 1000]),
  );
  return { cpuMs: Math.round(busy / 1000), idleMs: Math.round(idle / 1000), shares };
}

/** The profiles `node --cpu-prof --cpu-prof-dir=<directory>` wrote there. */
export function profilesIn(directory: string): string[] {
  return readdirSync(directory)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => path.join(directory, name));
}
