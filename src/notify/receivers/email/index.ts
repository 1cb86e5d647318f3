/** The `email` receiver type: SMTP through nodemailer (sender.ts), configured as `email_configs`. */
import * as z from 'zod';
import { durationMs } from '../../../util/fields.js';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { commonConfig, tlsConfig, tlsSettings } from '../receiver-options.js';
import { classifySmtpError, EmailSender } from './sender.js';

export interface EmailIntegration extends Integration {
  readonly type: 'email';
  readonly to: readonly string[];
  readonly from: string;
  readonly host: string;
  readonly port: number;
  readonly hello?: string;
  readonly auth?: { readonly user: string; readonly pass: string };
  readonly requireTls: boolean;
  readonly implicitTls: boolean;
  readonly tls?: TlsSettings;
  readonly connectTimeoutMs: number;
  readonly greetingTimeoutMs: number;
  readonly socketTimeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
}

const configSchema = z.strictObject({
  ...commonConfig,
  to: z.union([z.string(), z.array(z.string())], { error: 'expected an address or a list of addresses' }),
  from: z.string({ error: 'expected a sender address' }),
  /** host:port of the SMTP server; "" switches this integration off. */
  smarthost: z
    .string({ error: 'expected host:port of the SMTP server' })
    .refine((text) => text === '' || /^\[?[^\s\]]+\]?:\d+$/.test(text), {
      message: 'expected host:port of the SMTP server, like smtp.example.com:587 (or "" to switch it off)',
    }),
  hello: z.string().optional(),
  auth_username: z.string().optional(),
  auth_password: z.string().optional(),
  /** STARTTLS is required unless this is false (Alertmanager's default too). */
  require_tls: z.boolean().default(true),
  /** Implicit TLS from the first byte; defaults to true on port 465 only. */
  force_implicit_tls: z.boolean().optional(),
  tls_config: tlsConfig.optional(),
  connect_timeout: durationMs({ minMs: 10 }).default(5_000),
  greeting_timeout: durationMs({ minMs: 10 }).default(5_000),
  socket_timeout: durationMs({ minMs: 10 }).default(10_000),
  headers: z.record(z.string(), z.string()).default({}),
});

export const emailReceiver = defineReceiver<z.infer<typeof configSchema>, EmailIntegration>({
  type: 'email',
  configSchema,
  build: (raw, place) => {
    const to = (Array.isArray(raw.to) ? raw.to : raw.to.split(','))
      .map((address) => address.trim())
      .filter(Boolean);
    const separator = raw.smarthost.lastIndexOf(':');
    const host = raw.smarthost.slice(0, separator).replace(/^\[|\]$/g, '');
    const port = Number(raw.smarthost.slice(separator + 1));
    const disabled =
      raw.smarthost === '' ? 'smarthost is empty' : to.length === 0 ? 'to is empty' : undefined;
    return {
      type: 'email',
      ...place,
      sendResolved: raw.send_resolved,
      timeoutMs: raw.timeout,
      ...(disabled ? { disabled } : {}),
      to,
      from: raw.from,
      host,
      port,
      ...(raw.hello ? { hello: raw.hello } : {}),
      ...(raw.auth_username ? { auth: { user: raw.auth_username, pass: raw.auth_password ?? '' } } : {}),
      requireTls: raw.require_tls,
      implicitTls: raw.force_implicit_tls ?? port === 465,
      ...(raw.tls_config ? { tls: tlsSettings(raw.tls_config)! } : {}),
      connectTimeoutMs: raw.connect_timeout,
      greetingTimeoutMs: raw.greeting_timeout,
      socketTimeoutMs: raw.socket_timeout,
      headers: raw.headers,
    };
  },
  send: (integration) => new EmailSender(integration),
  classify: (error) => classifySmtpError(error),
});
