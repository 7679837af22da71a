import net from 'node:net';

export interface TcpProxy {
  /** host:port of the proxy, on loopback. */
  address: string;
  port: number;
  /** Connections refused while cut: proof that the client really tried to reach the far side. */
  refused(): number;
  /** Drops every open connection and refuses new ones until restore(): the far side is "down". */
  cut(): void;
  /**
   * Stops forwarding in both directions without closing anything, and accepts new connections
   * without forwarding them either: the far side "hangs" (a frozen server, a dropped route), which
   * a client notices only by its own timeouts.
   */
  hang(): void;
  /** Ends a cut or a hang: forwarding resumes, held connections are connected through. */
  restore(): void;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
}

/**
 * A loopback TCP proxy to `target`, for taking a dependency away and giving it back mid-test. With
 * `port`, it listens there (e.g. a port a process was told to use before anything listened on it).
 */
export async function startTcpProxy(
  targetHost: string,
  targetPort: number,
  options: { port?: number } = {},
): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  const pairs = new Set<Pair>();
  const held = new Set<net.Socket>();
  let down = false;
  let hung = false;
  let refused = 0;

  const forward = (client: net.Socket) => {
    const upstream = net.connect(targetPort, targetHost);
    const pair = { client, upstream };
    open.add(client);
    open.add(upstream);
    pairs.add(pair);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      pairs.delete(pair);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const server = net.createServer((client) => {
    if (down) {
      refused += 1;
      client.destroy();
      return;
    }
    if (hung) {
      client.pause();
      held.add(client);
      open.add(client);
      client.on('error', () => client.destroy());
      return;
    }
    forward(client);
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    port,
    refused: () => refused,
    cut() {
      down = true;
      for (const socket of open) socket.destroy();
      open.clear();
      pairs.clear();
      held.clear();
    },
    hang() {
      hung = true;
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        client.pause();
        upstream.pause();
      }
    },
    restore() {
      down = false;
      if (!hung) return;
      hung = false;
      for (const { client, upstream } of pairs) {
        client.pipe(upstream);
        upstream.pipe(client);
      }
      for (const client of held) {
        open.delete(client);
        forward(client);
        client.resume();
      }
      held.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
