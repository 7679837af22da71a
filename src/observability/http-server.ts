import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Every path the worker serves; the deployment files' probes and scrape configs must use these. */
export const HTTP_ROUTES = {
  metrics: '/metrics',
  liveness: '/healthz',
  readiness: '/readyz',
} as const;

export interface ReadinessReport {
  ready: boolean;
  /** Each check by name: 'ok' or why it failed. */
  checks: Record<string, string>;
}

export interface ObservabilityHandlers {
  metrics(): Promise<{ contentType: string; body: string }>;
  readiness(): Promise<ReadinessReport>;
}

export interface ObservabilityServer {
  port: number;
  close(): Promise<void>;
}

/**
 * Serves /metrics, /healthz and /readyz on one port. /healthz only says the process answers (a
 * liveness probe must not fail because Postgres is down, or the platform restarts a healthy worker);
 * /readyz says the worker is polling and can reach Temporal and Postgres.
 */
export async function startObservabilityServer(
  host: string,
  port: number,
  handlers: ObservabilityHandlers,
): Promise<ObservabilityServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const send = (status: number, contentType: string, body: string) => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, 'text/plain', 'method not allowed\n');
    const handle = async () => {
      switch (path) {
        case HTTP_ROUTES.liveness:
          return send(200, 'text/plain', 'ok\n');
        case HTTP_ROUTES.readiness: {
          const report = await handlers.readiness();
          return send(report.ready ? 200 : 503, 'application/json', `${JSON.stringify(report)}\n`);
        }
        case HTTP_ROUTES.metrics: {
          const { contentType, body } = await handlers.metrics();
          return send(200, contentType, body);
        }
        default:
          return send(404, 'text/plain', `not found; try ${Object.values(HTTP_ROUTES).join(', ')}\n`);
      }
    };
    handle().catch((error: unknown) => send(500, 'text/plain', `${(error as Error).message}\n`));
  });
  // Probes and scrapes are short: do not let an idle keep-alive socket hold shutdown up.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
