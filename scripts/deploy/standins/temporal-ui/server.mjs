// GET / answers 200 when TEMPORAL_ADDRESS accepts a TCP connection, 502 when it does not.
import http from 'node:http';
import net from 'node:net';
import process from 'node:process';

const [host, port] = (process.env.TEMPORAL_ADDRESS || 'temporal:7233').split(':');
const reachable = () =>
  new Promise((resolve) => {
    const socket = net.connect({ host, port: Number(port) });
    socket.setTimeout(2000, () => socket.destroy());
    socket.on('connect', () => {
      socket.end();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
const server = http.createServer((_request, response) => {
  void reachable().then((ok) => {
    response.writeHead(ok ? 200 : 502, { 'content-type': 'text/plain' });
    response.end(`temporalio/ui stand-in: Temporal at ${host}:${port} ${ok ? 'reachable' : 'unreachable'}\n`);
  });
});
server.listen(8080, () => process.stdout.write('temporalio/ui stand-in listening on 8080\n'));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
