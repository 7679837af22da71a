import { buildCloudSource, startUntilReady } from './cloud-source';

export interface DelayProxy {
  /** host:port to connect to instead of the target. */
  address: string;
  host: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/**
 * A TCP proxy that delays each direction by `delayMs` (the cloud-source binary's delay-proxy), for
 * putting a same-region network hop between the worker and Postgres: a round trip grows by twice it.
 */
export async function startDelayProxy(target: string, delayMs = 2): Promise<DelayProxy> {
  const binary = await buildCloudSource();
  const child = await startUntilReady(
    binary,
    ['delay-proxy', '--target', target, '--listen', '127.0.0.1:0', '--delay', `${delayMs}ms`],
    /delay-proxy ready: listen (\S+):(\d+) /,
    30_000,
  );
  const [, host, port] = child.ready as unknown as [string, string, string];
  return { address: `${host}:${port}`, host, port: Number(port), pid: child.pid, stop: () => child.stop() };
}

/** A Postgres URL with its host and port replaced by the proxy's. */
export function throughProxy(databaseUrl: string, proxy: DelayProxy): string {
  const url = new URL(databaseUrl);
  url.hostname = proxy.host;
  url.port = String(proxy.port);
  return url.toString();
}
