/**
 * The first program of a Playwright run, inside the sandbox: it opens the way out — a TCP port on
 * the sandbox's own loopback, each connection piped to the daemon's allowlisting proxy through a
 * Unix socket (the sandbox has no other network) — then runs the Playwright test runner and ends
 * with its exit code. It imports nothing of prismwatch: it is bound into the sandbox alone.
 *
 *   node entry.mjs <proxy socket> <playwright cli.js> <runner args…>
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';

const [socketPath, cli, ...args] = process.argv.slice(2);
if (!socketPath || !cli) {
  process.stderr.write('usage: entry <proxy socket> <playwright cli> <args…>\n');
  process.exit(2);
}

const bridge = createServer((client: Socket) => {
  const upstream = connect(socketPath);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end).on('close', end);
  upstream.on('error', end).on('close', end);
  client.pipe(upstream).pipe(client);
});

bridge.listen(0, '127.0.0.1', () => {
  const address = bridge.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const runner = spawn(process.execPath, [cli, ...args], {
    stdio: 'inherit',
    env: { ...process.env, PRISMWATCH_PROXY_PORT: String(port) },
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => runner.kill(signal));
  runner.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
  runner.on('error', (error) => {
    process.stderr.write(`could not start the Playwright runner: ${error.message}\n`);
    process.exit(3);
  });
});
