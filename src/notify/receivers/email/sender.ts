/**
 * Email integration via nodemailer. nodemailer's own timeouts (2 min connect, 30 s greeting,
 * 10 min socket) are far too generous for an alert path; each is set from config, and the whole
 * attempt has its own deadline on top. Implicit TLS (465) or STARTTLS is chosen by config, never
 * guessed from the server's answer (Alertmanager #1378, #2621).
 */
import { readFileSync } from 'node:fs';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Notification } from '../../../model/notification.js';
import { USER_AGENT } from '../../../version.js';
import { DeliveryError } from '../../delivery/delivery-error.js';
import { renderEmail } from '../../render/email-template.js';
import type { EmailIntegration } from './index.js';

interface SmtpError {
  code?: string;
  responseCode?: number;
  command?: string;
}

export function classifySmtpError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const { code, responseCode, command } = error as SmtpError;
  const where = command ? ` at ${command}` : '';
  const status = responseCode ? ` (${responseCode})` : '';
  switch (code) {
    case 'ETIMEDOUT':
      return new DeliveryError('timeout', `SMTP timed out${where}`, true);
    case 'ECONNECTION':
    case 'ESOCKET':
    case 'EDNS':
      return new DeliveryError('network', `SMTP connection failed${where}${status}`, true);
    case 'ETLS':
      return new DeliveryError('tls', `SMTP TLS failed${where}${status}`, true);
    case 'EAUTH':
    case 'ENOAUTH':
      // Retried, as Alertmanager does: a fixed password (reload) then delivers what is queued.
      return new DeliveryError('auth', `SMTP authentication failed${status}`, true);
    case 'EENVELOPE':
    case 'EMESSAGE':
      // A permanent 5xx on an address or the message will not change by retrying.
      return responseCode !== undefined && responseCode >= 500
        ? new DeliveryError('smtp_rejected', `SMTP server rejected the message${where}${status}`, false)
        : new DeliveryError('smtp_error', `SMTP server deferred the message${where}${status}`, true);
    default:
      return new DeliveryError('smtp_error', `SMTP failed${where}${status}${code ? ` [${code}]` : ''}`, true);
  }
}

export class EmailSender {
  private readonly transport: Transporter;

  constructor(private readonly integration: EmailIntegration) {
    const tls = integration.tls;
    this.transport = nodemailer.createTransport({
      host: integration.host,
      port: integration.port,
      secure: integration.implicitTls,
      requireTLS: integration.requireTls && !integration.implicitTls,
      ...(integration.hello ? { name: integration.hello } : {}),
      ...(integration.auth ? { auth: { user: integration.auth.user, pass: integration.auth.pass } } : {}),
      connectionTimeout: integration.connectTimeoutMs,
      greetingTimeout: integration.greetingTimeoutMs,
      socketTimeout: integration.socketTimeoutMs,
      tls: {
        ...(tls?.caFile ? { ca: readFileSync(tls.caFile) } : {}),
        ...(tls?.serverName ? { servername: tls.serverName } : {}),
        rejectUnauthorized: !tls?.insecureSkipVerify,
      },
      // Close means destroy: an attempt cut off by its deadline must not leave a socket waiting
      // for a polite goodbye from a server that trickles (the default grace kept them open).
      socketCloseTimeout: 0,
      logger: false,
      debug: false,
    } as Parameters<typeof nodemailer.createTransport>[0]);
  }

  async send(notification: Notification): Promise<void> {
    const rendered = renderEmail(notification);
    await this.sendMessage({
      to: this.integration.to,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      key: notification.idempotencyKey,
    });
  }

  /** One message through this integration's server and settings (also the status pages' subscriber mail). */
  async sendMessage(message: {
    readonly to: readonly string[];
    readonly subject: string;
    readonly text: string;
    readonly html?: string;
    /** Idempotency key: the Message-ID and a header, so a re-send after a crash is recognisable. */
    readonly key: string;
    readonly headers?: Readonly<Record<string, string>>;
  }): Promise<void> {
    const { integration } = this;
    let timer: NodeJS.Timeout | undefined;
    // The attempt's own connection is aborted at the deadline: transport.close() only ends pooled
    // connections, and a non-pooled send kept its socket (24 → 43 sockets in 30 s against a server
    // answering EHLO one line every 100 ms).
    const abort = new AbortController();
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(
          new DeliveryError('timeout', `SMTP attempt took longer than ${integration.timeoutMs} ms`, true),
        );
      }, integration.timeoutMs);
    });
    try {
      await Promise.race([
        this.transport.sendMail({
          from: integration.from,
          to: [...message.to],
          subject: message.subject,
          text: message.text,
          ...(message.html ? { html: message.html } : {}),
          headers: {
            ...integration.headers,
            ...message.headers,
            'X-Prismwatch-Idempotency-Key': message.key,
            'X-Mailer': USER_AGENT,
          },
          messageId: `<${message.key}@prismwatch>`,
          signal: abort.signal,
        } as Parameters<Transporter['sendMail']>[0]),
        deadline,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  close(): Promise<void> {
    this.transport.close();
    return Promise.resolve();
  }
}
