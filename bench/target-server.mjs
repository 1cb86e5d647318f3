// A loopback HTTP target for benchmarks, run in its own process so its CPU is not counted as
// prismwatch's. Listens on several ports (argv[2], default 8) so fresh connections spread over
// several 4-tuples; prints the ports as JSON on its first line and counts requests it served.
import { createServer } from 'node:http';

const count = Number(process.argv[2] ?? 8);
let served = 0;
const ports = [];
for (let i = 0; i < count; i++) {
  const server = createServer((_req, res) => {
    served += 1;
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '2' });
    res.end('ok');
  });
  // nginx's default is 75 s. Fresh-connection probes send Connection: close and never wait on it;
  // keep_alive probes on a 1 s interval would otherwise find their connection closed every time.
  server.keepAliveTimeout = 65_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports.push(server.address().port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.on('message', (message) => {
  if (message === 'count') process.send?.({ served });
});
