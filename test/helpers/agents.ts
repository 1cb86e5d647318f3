/**
 * Agents for tests: tokens and their config entries, an in-process agent (agent/agent.ts) whose
 * link to the control plane runs through a TCP relay the test can cut and restore, and the agent
 * command line (`prismwatch agent`) in a network namespace.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { PrismwatchAgent } from '../../src/agent/agent.js';
import { CLI, followLog } from './cli.js';
import { captureLog } from './log.js';
import { quietPort } from './quiet-port.js';

export interface AgentToken {
  readonly token: string;
  readonly sha256: string;
}

export function agentToken(): AgentToken {
  const token = randomBytes(24).toString('base64url');
  return { token, sha256: createHash('sha256').update(token).digest('hex') };
}

/** A TCP relay to `port` on 127.0.0.1 that can be cut (every connection reset, nothing accepted) and restored. */
export interface Relay {
  readonly url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
}

export async function relayTo(port: number): Promise<Relay> {
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let listenPort = 0;
  const up = async () => {
    server = createServer((client) => {
      const upstream = createConnectionTo(port);
      sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
    // A quiet port (quiet-port.ts): the agent comes back up on the same one.
    if (listenPort === 0) listenPort = await quietPort();
    await new Promise<void>((resolve) => server!.listen(listenPort, '127.0.0.1', resolve));
    listenPort = (server.address() as { port: number }).port;
  };
  const down = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  };
  await up();
  onTestFinished(down);
  return { url: `http://127.0.0.1:${listenPort}`, cut: down, restore: up };
}

function createConnectionTo(port: number): Socket {
  return createConnection({ port, host: '127.0.0.1' });
}

/** An agent in this process, stopped when the test finishes. */
export function startAgent(options: {
  url: string | readonly string[];
  token: string;
  location: string;
  dataDir?: string;
}) {
  const logs = captureLog('info');
  const agent = new PrismwatchAgent({
    urls: typeof options.url === 'string' ? [options.url] : options.url,
    token: options.token,
    location: options.location,
    dataDir: options.dataDir ?? mkdtempSync(join(tmpdir(), 'prismwatch-agent-')),
    log: logs.log,
  });
  agent.start();
  onTestFinished(() => agent.stop(1_000));
  return { agent, logs };
}

/** `prismwatch agent` as a process (optionally in a network namespace); resolves once it started. */
export async function startAgentCli(
  args: string[],
  env: Record<string, string>,
  options: { readonly netns?: string } = {},
): Promise<{ child: ChildProcessWithoutNullStreams; logs: Array<Record<string, unknown>> }> {
  const argv = [CLI, 'agent', '--data-dir', mkdtempSync(join(tmpdir(), 'prismwatch-agent-')), ...args];
  const child =
    options.netns !== undefined
      ? spawn('ip', ['netns', 'exec', options.netns, process.execPath, ...argv], {
          env: { ...process.env, ...env },
        })
      : spawn(process.execPath, argv, { env: { ...process.env, ...env } });
  const { logs, started } = followLog(child, 'prismwatch agent started');
  await started;
  return { child, logs };
}
