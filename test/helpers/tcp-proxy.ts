import net from 'node:net';

export interface TcpProxy {
  /** host:port of the proxy, on loopback. */
  address: string;
  port: number;
  /** Connections refused while cut: proof that the client really tried to reach the far side. */
  refused(): number;
  /** Drops every open connection and refuses new ones until restore(): the far side is "down". */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
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
  let down = false;
  let refused = 0;
  const server = net.createServer((client) => {
    if (down) {
      refused += 1;
      client.destroy();
      return;
    }
    const upstream = net.connect(targetPort, targetHost);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
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
    },
    restore() {
      down = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
