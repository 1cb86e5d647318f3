/**
 * The `ntfy` receiver type (`ntfy_configs`): a push to an ntfy topic (ntfy.sh or a self-hosted
 * server), published as JSON. The access token (or password) is a secret, and so is the topic on
 * a server without access control (anyone who knows it reads it). Facts: docs/receivers.md#ntfy.
 */
import * as z from 'zod';
import type { Integration, TlsSettings } from '../../config/model.js';
import { defineReceiver } from '../definition.js';
import { httpDeliveryError } from '../http-errors.js';
import { commonConfig, optionalUrl, tlsConfig, tlsSettings } from '../receiver-options.js';
import { NtfySender } from './sender.js';

export interface NtfyIntegration extends Integration {
  readonly type: 'ntfy';
  /** The server's base URL (https://ntfy.sh by default). */
  readonly url: string;
  readonly topic: string;
  /** `Authorization` as sent: "Bearer tk_…" or "Basic …"; undefined for an open topic. */
  readonly authorization?: string;
  /** ntfy priorities 1 (min) to 5 (max), by severity; critical 5 and warning 3 unless set. */
  readonly priorities: { readonly critical: number; readonly warning: number };
  readonly tags: readonly string[];
  readonly tls?: TlsSettings;
}

const priority = z.number().int().min(1).max(5);

const configSchema = z.strictObject({
  ...commonConfig,
  /** The server; "" switches the integration off. */
  url: optionalUrl.default('https://ntfy.sh'),
  topic: z.string({ error: 'expected the topic to publish to' }).regex(/^[-_A-Za-z0-9]{1,64}$/, {
    message: 'expected a topic of letters, digits, "-" and "_" (ntfy allows at most 64)',
  }),
  /** An access token (tk_…), sent as a bearer token. A secret: usually ${ENV}. It wins over a password. */
  token: z.string().optional(),
  /** Or a user and password (Basic auth; the password is a secret). */
  username: z.string().optional(),
  password: z.string().optional(),
  priority: z.strictObject({ critical: priority.default(5), warning: priority.default(3) }).optional(),
  tags: z.array(z.string()).optional(),
  tls_config: tlsConfig.optional(),
});

function authorization(config: z.infer<typeof configSchema>): string | undefined {
  if (config.token) return `Bearer ${config.token}`;
  if (config.username !== undefined || config.password !== undefined)
    return `Basic ${Buffer.from(`${config.username ?? ''}:${config.password ?? ''}`).toString('base64')}`;
  return undefined;
}

export const ntfyReceiver = defineReceiver<z.infer<typeof configSchema>, NtfyIntegration>({
  type: 'ntfy',
  configSchema,
  build: (config, place) => {
    const auth = authorization(config);
    return {
      type: 'ntfy',
      ...place,
      sendResolved: config.send_resolved,
      timeoutMs: config.timeout,
      ...(config.url === '' ? { disabled: 'url is empty' } : {}),
      url: config.url,
      topic: config.topic,
      ...(auth ? { authorization: auth } : {}),
      priorities: { critical: config.priority?.critical ?? 5, warning: config.priority?.warning ?? 3 },
      tags: config.tags ?? [],
      ...(config.tls_config ? { tls: tlsSettings(config.tls_config)! } : {}),
    };
  },
  send: (integration) => new NtfySender(integration),
  classify: (error, integration) => httpDeliveryError(error, integration.timeoutMs),
});
