/**
 * An agent pointed at something that is not a healthy control plane: an answer that never ends,
 * a proxy's HTML page, a connection reset mid-answer. The agent
 * stays up, says what is wrong, keeps trying with backoff, and holds its memory.
 */
import { createServer } from 'node:http';
import { describe, expect, it, onTestFinished } from 'vitest';
import { agentToken, startAgent } from '../helpers/agents.js';
import { eventually } from '../helpers/metrics.js';

async function hostile(behaviour: 'endless' | 'html' | 'reset'): Promise<string> {
  const server = createServer((req, res) => {
    if (behaviour === 'endless') {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (res.write(chunk)) {}
        res.once('drain', pump);
      };
      pump();
      req.socket.once('close', () => res.destroy());
    } else if (behaviour === 'html') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html>Sign in to the proxy</html>');
    } else if (behaviour === 'reset') {
      res.writeHead(200);
      res.write('{"version":');
      setTimeout(() => req.socket.destroy(), 10);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => {
    server.closeAllConnections();
    server.close();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe('an agent facing a hostile or broken control plane', () => {
  for (const behaviour of ['endless', 'html', 'reset'] as const)
    it(`stays up and says so (${behaviour})`, async () => {
      const rssBefore = process.memoryUsage().rss;
      const { agent, logs } = startAgent({
        url: await hostile(behaviour),
        token: agentToken().token,
        location: 'x',
      });
      await eventually(() =>
        logs.lines.some((line) => String(line.msg).startsWith('Cannot reach the control plane')),
      );
      expect(agent.version).toBeUndefined();
      expect(process.memoryUsage().rss - rssBefore).toBeLessThan(256 * 1024 * 1024);
    });
});
