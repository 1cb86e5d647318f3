/**
 * `npm run demo`: prismwatch, a PrismAI stand-in with switches, and an SMTP and a webhook sink,
 * all on loopback. Type a command to break the stand-in and watch alerts fire, notify and
 * resolve (docs/operating.md, "Demo"). Everything stops on Ctrl-C.
 */
import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Daemon } from '../daemon.js';
import { createLogger } from '../log.js';
import { startSmtpSink, startWebhookSink } from './sinks.js';
import { applyChaos, CALM, startStandIn } from './standin.js';

const CONFIG = fileURLToPath(new URL('../../demo/config', import.meta.url));
const env = process.env;
const ports = {
  standin: Number(env.DEMO_STANDIN_PORT ?? 3000),
  smtp: Number(env.DEMO_SMTP_PORT ?? 2525),
  webhook: Number(env.DEMO_WEBHOOK_PORT ?? 9095),
  prismwatch: Number(env.DEMO_PRISMWATCH_PORT ?? 9797),
};

const HELP = `commands:
  errors 7        answer 7 % of API and health requests with 500
  latency 2500    add 2500 ms to every answer
  headers off     drop the security headers (on to restore)
  down / up       answer 503 to everything / recover
  calm            undo every switch
  status          show the switches
  quit`;

function print(line: string): void {
  process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
}

async function main(): Promise<void> {
  const standin = await startStandIn({ port: ports.standin });
  const smtp = await startSmtpSink(ports.smtp, print);
  const webhook = await startWebhookSink(ports.webhook, print);
  // Port 0 means "any free port" (tests); the bound ports are what prismwatch is told.
  const smtpPort = (smtp.server.address() as AddressInfo).port;
  const webhookPort = (webhook.address() as AddressInfo).port;
  const daemon = new Daemon({
    configPaths: [CONFIG],
    host: '127.0.0.1',
    port: ports.prismwatch,
    log: createLogger({ level: env.DEMO_LOG_LEVEL ?? 'error' }),
    evaluationIntervalMs: 1_000,
    dataDir: mkdtempSync(join(tmpdir(), 'prismwatch-demo-')),
    env: {
      ...env,
      PRISM_BASE_URL: standin.url,
      DEMO_SMTP: `127.0.0.1:${smtpPort}`,
      DEMO_WEBHOOK: `http://127.0.0.1:${webhookPort}`,
    },
  });
  await daemon.start();
  print(`stand-in PrismAI  ${standin.url}   (switches: POST ${standin.url}/-/chaos)`);
  print(`prismwatch        ${daemon.baseUrl}/   status page; /metrics; /api/v1/alerts`);
  print(`SMTP sink         127.0.0.1:${smtpPort}   webhook sink http://127.0.0.1:${webhookPort}`);
  process.stdout.write(`${HELP}\n`);

  const stop = async () => {
    await daemon.stop();
    await standin.close();
    webhook.close();
    smtp.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());

  const input = createInterface({ input: process.stdin });
  input.on('line', (raw) => {
    const [command, argument] = raw.trim().split(/\s+/);
    switch (command) {
      case 'errors':
        applyChaos(standin.chaos, { errorRate: Number(argument ?? 7) / 100 });
        break;
      case 'latency':
        applyChaos(standin.chaos, { latencyMs: Number(argument ?? 2500) });
        break;
      case 'headers':
        applyChaos(standin.chaos, { headers: argument !== 'off' });
        break;
      case 'down':
        applyChaos(standin.chaos, { down: true });
        break;
      case 'up':
        applyChaos(standin.chaos, { down: false });
        break;
      case 'calm':
        applyChaos(standin.chaos, { ...CALM });
        break;
      case 'quit':
      case 'exit':
        void stop();
        return;
      case 'status':
      case undefined:
      case '':
        break;
      default:
        process.stdout.write(`${HELP}\n`);
        return;
    }
    print(`switches: ${JSON.stringify(standin.chaos)}`);
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`demo: ${(error as Error).message}\n`);
  process.exit(1);
});
