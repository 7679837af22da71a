import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A free port on the loopback interface, for the SDK Core's own Prometheus exporter. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * The SDK Core binds its Prometheus exporter to a port of its own; we keep it on the loopback
 * interface and append its text to our /metrics, so a scraper needs one target, not two.
 */
export async function scrapeCoreMetrics(port: number): Promise<string> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(2_000) });
    if (!response.ok) return `# SDK metrics unavailable: HTTP ${response.status}\n`;
    return await response.text();
  } catch (error) {
    return `# SDK metrics unavailable: ${(error as Error).message}\n`;
  }
}
