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
  server.keepAliveTimeout = 1_000;
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  ports.push(server.address().port);
}
process.stdout.write(`${JSON.stringify({ ports })}\n`);
process.on('message', (message) => {
  if (message === 'count') process.send?.({ served });
});
