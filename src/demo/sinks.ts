/**
 * The demo's receivers: an SMTP server and a webhook endpoint that print what arrives, one line
 * each, so the walkthrough shows notifications without any mail or chat account. smtp-server and
 * mailparser are development dependencies: the demo runs from a checkout (`npm ci`).
 */
import { createServer, type Server } from 'node:http';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export type Print = (line: string) => void;

export async function startSmtpSink(port: number, print: Print): Promise<SMTPServer> {
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    disableReverseLookup: true,
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((mail) => {
          const to = Array.isArray(mail.to)
            ? mail.to.map((address) => address.text).join(', ')
            : (mail.to?.text ?? '');
          print(`email   to ${to}: ${mail.subject ?? ''}`);
          callback();
        })
        .catch(callback);
    },
  });
  server.on('error', (error) => print(`email sink error: ${error.message}`));
  await new Promise<void>((resolve, reject) => {
    server.listen(port, '127.0.0.1', () => resolve());
    server.server.once('error', reject);
  });
  return server;
}

export async function startWebhookSink(port: number, print: Print): Promise<Server> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      try {
        const payload = JSON.parse(body) as {
          status: string;
          receiver: string;
          alerts: Array<{
            status: string;
            labels: Record<string, string>;
            annotations: Record<string, string>;
          }>;
        };
        for (const alert of payload.alerts)
          print(
            `webhook ${req.url} ${payload.receiver}: [${alert.status.toUpperCase()}] ${alert.labels.alertname} ${alert.annotations.summary ?? ''}`,
          );
      } catch {
        print(`webhook ${req.url}: ${body.slice(0, 200)}`);
      }
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return server;
}
