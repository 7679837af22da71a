import http from 'node:http';
import type net from 'node:net';
import type { PayloadCodec } from '@temporalio/common';

interface WirePayload {
  metadata?: Record<string, string>;
  data?: string;
}

export interface CodecServer {
  url: string;
  /** The decode requests it answered, with the namespace each named. */
  requests: Array<{ namespace: string | undefined; payloads: number }>;
  close(): Promise<void>;
}

/**
 * A codec server as the Web UI and the CLI use one (the remote codec protocol: POST /decode with
 * `{payloads: [...]}` in JSON, bytes in base64), decoding with `codec`; it refuses a request without
 * the Authorization header it expects.
 */
export async function startCodecServer(codec: PayloadCodec, authorization: string): Promise<CodecServer> {
  const requests: CodecServer['requests'] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      void (async () => {
        if (request.method !== 'POST' || request.url !== '/decode') return response.writeHead(404).end();
        if (request.headers.authorization !== authorization) return response.writeHead(401).end();
        const { payloads } = JSON.parse(body) as { payloads: WirePayload[] };
        const decoded = await codec.decode(
          payloads.map((p) => ({
            metadata: Object.fromEntries(
              Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
            ),
            data: Buffer.from(p.data ?? '', 'base64'),
          })),
        );
        requests.push({ namespace: request.headers['x-namespace'] as string | undefined, payloads: payloads.length });
        response.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            payloads: decoded.map((p) => ({
              metadata: Object.fromEntries(
                Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
              ),
              data: Buffer.from(p.data ?? []).toString('base64'),
            })),
          }),
        );
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
