/**
 * Receivers that misbehave on demand, on 127.0.0.1, like Alertmanager's acceptance Collector:
 * a webhook sink and an SMTP sink (smtp-server, mails parsed with mailparser). Each can go down
 * (port closed) and come back on the same port, so "delivered after recovery, exactly once" is
 * checked against the real thing.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { onTestFinished } from 'vitest';
import { quietPort } from './quiet-port.js';

export type WebhookMode = 'ok' | 'fail500' | 'fail429' | 'hang' | 'close';

export interface WebhookDelivery {
  readonly body: Record<string, unknown> & { status: string; alerts: Array<Record<string, unknown>> };
  readonly raw: string;
  readonly headers: IncomingHttpHeaders;
  readonly at: number;
}

export interface WebhookSink {
  readonly url: string;
  readonly port: number;
  /** Requests answered 2xx: what the receiver really got. */
  readonly delivered: WebhookDelivery[];
  /** Every request that arrived, whatever the answer. */
  readonly attempts: WebhookDelivery[];
  mode: WebhookMode;
  retryAfterSeconds: number;
  down(): Promise<void>;
  up(): Promise<void>;
}

/** On a quiet port (quiet-port.ts), so a sink taken down comes back up on the same one. */
async function listenOn(server: Server | SMTPServer, port: number): Promise<number> {
  const chosen = port || (await quietPort());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(chosen, '127.0.0.1', () => resolve());
  });
  const address =
    (server as unknown as { server?: Server }).server?.address() ?? (server as Server).address();
  return (address as AddressInfo).port;
}

export async function webhookSink(initialMode: WebhookMode = 'ok'): Promise<WebhookSink> {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  const sink: WebhookSink = {
    url: '',
    port: 0,
    delivered: [],
    attempts: [],
    mode: initialMode,
    retryAfterSeconds: 1,
    async down() {
      if (!server) return;
      const closing = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async up() {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const delivery = {
            body: JSON.parse(raw) as WebhookDelivery['body'],
            raw,
            headers: req.headers,
            at: Date.now(),
          };
          sink.attempts.push(delivery);
          switch (sink.mode) {
            case 'ok':
              sink.delivered.push(delivery);
              res.writeHead(200).end('ok');
              return;
            case 'fail500':
              res.writeHead(500).end('broken');
              return;
            case 'fail429':
              res.writeHead(429, { 'retry-after': String(sink.retryAfterSeconds) }).end('slow down');
              return;
            case 'hang':
              return; // never answers
            case 'close':
              req.socket.destroy();
              return;
          }
        });
      });
      server.on('connection', (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      const port = await listenOn(server, sink.port);
      Object.assign(sink, { port, url: `http://127.0.0.1:${port}/hook` });
    },
  };
  await sink.up();
  onTestFinished(() => sink.down());
  return sink;
}

export interface SmtpSink {
  readonly port: number;
  readonly smarthost: string;
  readonly mails: ParsedMail[];
  /** When each of `mails` arrived (epoch ms), in the same order. */
  readonly receivedAt: number[];
  /** Delay before the 220 greeting, in ms. */
  greetingDelayMs: number;
  down(): Promise<void>;
  up(): Promise<void>;
}

export async function smtpSink(
  options: { auth?: { user: string; pass: string }; tls?: { key: string; cert: string } } = {},
): Promise<SmtpSink> {
  let server: SMTPServer | undefined;
  const sink: SmtpSink = {
    port: 0,
    smarthost: '',
    mails: [],
    receivedAt: [],
    greetingDelayMs: 0,
    async down() {
      if (!server) return;
      const closing = server;
      server = undefined;
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async up() {
      const settings: SMTPServerOptions = {
        logger: false,
        disableReverseLookup: true,
        closeTimeout: 100,
        allowInsecureAuth: true,
        authOptional: !options.auth,
        ...(options.tls ? { key: options.tls.key, cert: options.tls.cert } : {}),
        disabledCommands: [...(options.tls ? [] : ['STARTTLS']), ...(options.auth ? [] : ['AUTH'])],
        onConnect(_session, callback) {
          setTimeout(() => callback(), sink.greetingDelayMs);
        },
        onAuth(auth, _session, callback) {
          if (auth.username === options.auth?.user && auth.password === options.auth?.pass)
            callback(null, { user: auth.username });
          else callback(new Error('Invalid username or password'));
        },
        onData(stream, _session, callback) {
          simpleParser(stream)
            .then((mail) => {
              sink.mails.push(mail);
              sink.receivedAt.push(Date.now());
              callback();
            })
            .catch(callback);
        },
      };
      server = new SMTPServer(settings);
      server.on('error', () => {});
      const port = await listenOn(server, sink.port);
      Object.assign(sink, { port, smarthost: `127.0.0.1:${port}` });
    },
  };
  await sink.up();
  onTestFinished(() => sink.down());
  return sink;
}

/** Why each delivered notification was sent (`first`, `repeat`, `acknowledged`, …), in arrival order. */
export function notificationReasons(sink: { readonly delivered: readonly WebhookDelivery[] }): string[] {
  return sink.delivered.map((delivery) => String(delivery.body.notificationReason));
}
