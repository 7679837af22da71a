import net from 'node:net';

export interface PortNeed {
  port: number;
  /** What listens there, e.g. "Temporal gRPC". */
  what: string;
  /** How to choose another, e.g. "--temporal-port <port> (or TEMPORAL_SYNC_DEV_TEMPORAL_PORT)". */
  change: string;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** One line for the first port that is taken (or asked for twice), undefined when all are free. */
export async function firstPortProblem(needs: PortNeed[]): Promise<string | undefined> {
  const seen = new Map<number, PortNeed>();
  for (const need of needs) {
    const earlier = seen.get(need.port);
    if (earlier) {
      return `port ${need.port} is asked for by both ${earlier.what} and ${need.what}: choose another with ${need.change}`;
    }
    seen.set(need.port, need);
    if (!(await isFree(need.port))) {
      return `port ${need.port} (${need.what}) is already in use on 127.0.0.1: stop what uses it, or choose another with ${need.change}`;
    }
  }
  return undefined;
}
