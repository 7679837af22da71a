import http from 'node:http';
import type net from 'node:net';

export interface ReceivedRequest {
  at: number;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: Record<string, unknown>;
}

export interface WebhookReceiver {
  /** The webhook URL to configure, on 127.0.0.1, with a token in its path as Slack's has. */
  url: string;
  token: string;
  /** Requests answered 200, in order of arrival. */
  received: ReceivedRequest[];
  /** Requests that arrived while slow and were cut off by the client before the answer. */
  abandoned(): number;
  /** Stops listening: connections are refused, as from a receiver that is down. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Holds every answer this long (0: answer at once). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

/** A stand-in for a Slack or generic JSON webhook: records what it is sent, and can be down or slow. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const token = `T0KEN${Math.random().toString(36).slice(2)}SECRETHOOK`;
  const received: ReceivedRequest[] = [];
  const sockets = new Set<net.Socket>();
  let delayMs = 0;
  let abandoned = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const answer = () => {
        if (response.destroyed || request.socket.destroyed) {
          abandoned += 1;
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        received.push({
          at: Date.now(),
          path: request.url ?? '',
          headers: request.headers,
          body,
          json: JSON.parse(body) as Record<string, unknown>,
        });
        response.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      };
      if (delayMs > 0) setTimeout(answer, delayMs);
      else answer();
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  await listen(0);
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/services/hook/${token}`,
    token,
    received,
    abandoned: () => abandoned,
    down: stop,
    up: () => listen(port),
    setDelay(ms) {
      delayMs = ms;
    },
    close: () => (server.listening ? stop() : Promise.resolve()),
  };
}
